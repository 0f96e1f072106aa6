export {
  hashPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  passwordProblem,
  verifyPassword,
} from './password';
export { SESSION_COOKIE, SessionTokenCodec, type SessionClaims } from './session-token';
