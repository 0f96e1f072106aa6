import { readEnv } from '@mysaas/config';

/** Set by the Jest global setup when it started an embedded server for this run. */
export const EMBEDDED_TEST_URL_VARIABLE = 'MYSAAS_TEST_EMBEDDED_DATABASE_URL';
/** Set by the Jest global setup when a Redis server answered. */
export const TEST_REDIS_URL_VARIABLE = 'MYSAAS_TEST_REDIS_URL';

/**
 * The Redis server for tests, or undefined when none answered (the global setup printed a
 * SKIPPED line; in CI it failed the run instead). Use it to pick `describe` or `describe.skip`.
 */
export function testRedisUrl(): string | undefined {
  return readEnv(TEST_REDIS_URL_VARIABLE);
}

/**
 * The admin URL of the Postgres server tests create their databases on: DATABASE_URL when
 * set (CI points it at a real server), else the embedded server the global setup started.
 */
export function testServerUrl(): string {
  const url = readEnv('DATABASE_URL') ?? readEnv(EMBEDDED_TEST_URL_VARIABLE);
  if (url === undefined) {
    throw new Error(
      'No test Postgres server: set DATABASE_URL, or run the tests through Jest with ' +
        "globalSetup '@mysaas/testing/jest-global-setup' (it starts an embedded server).",
    );
  }
  return url;
}

/** The same server URL with another user, password and database. */
export function withUrlParts(url: string, parts: { user?: string; password?: string; database?: string }): string {
  const parsed = new URL(url);
  if (parts.user !== undefined) parsed.username = encodeURIComponent(parts.user);
  if (parts.password !== undefined) parsed.password = encodeURIComponent(parts.password);
  if (parts.database !== undefined) parsed.pathname = `/${encodeURIComponent(parts.database)}`;
  return parsed.toString();
}
