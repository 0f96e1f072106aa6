export {
  hashPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  passwordProblem,
  verifyPassword,
} from './password';
export { SECURE_SESSION_COOKIE, SESSION_COOKIE, sessionCookieName, SessionTokenCodec, type SessionClaims } from './session-token';
