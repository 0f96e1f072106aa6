import { hash, verify } from '@node-rs/argon2';

/** Longer passwords are refused before hashing, so a request cannot buy seconds of CPU. */
export const MAX_PASSWORD_LENGTH = 1024;
export const MIN_PASSWORD_LENGTH = 8;

/**
 * argon2id (the library's default algorithm) at OWASP's recommended cost: 19 MiB, 2 passes,
 * 1 lane. About 20 ms of one core per hash: a login must not cost the server more than it
 * costs an attacker to send. The parameters are stored in each hash, so raising them later
 * keeps old hashes verifiable.
 */
const ARGON2_PARAMETERS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_PARAMETERS);
}

/**
 * Checks a password against a stored hash. With no hash (unknown user) it still spends the
 * time of a real check, so response times do not reveal which emails exist.
 */
export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  if (stored === undefined) {
    await verify(await dummyHash(), password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** Why a new password is unacceptable, or undefined when it is fine. */
export function passwordProblem(password: unknown): string | undefined {
  if (typeof password !== 'string') return 'password is required and must be a string';
  if (password.length < MIN_PASSWORD_LENGTH) return `password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  return undefined;
}

let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= hashPassword('mysaas-timing-equaliser');
  return dummy;
}
