/** What the auth module needs from the app that hosts it. */
export interface AuthOptions {
  session: { secret: string; ttlSeconds: number };
  /** Password checks (argon2) one tenant may run at once, and how long the next one waits. */
  signIn: { passwordChecksPerTenant: number; waitMs: number };
}

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
