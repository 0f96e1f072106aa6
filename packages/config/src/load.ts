import type { z } from 'zod';

export type Env = Record<string, string | undefined>;

/** Thrown once with every bad variable listed, so a misconfigured deploy fails in one go. */
export class ConfigError extends Error {
  constructor(readonly app: string, readonly problems: string[]) {
    super(`Invalid ${app} configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function parseEnv<S extends z.ZodType>(app: string, schema: S, env: Env): z.output<S> {
  // Empty strings mean "unset", as in most shells' `FOO= cmd`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    app,
    result.error.issues.map((issue) => {
      const missing = issue.code === 'invalid_type' && !(String(issue.path[0]) in cleaned);
      return `${issue.path.join('.') || '(root)'}: ${missing ? 'is required but not set' : issue.message}`;
    }),
  );
}
