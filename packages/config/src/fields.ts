import { z } from 'zod';

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// or postgresql:// URL');

/** HMAC secrets: long enough that guessing is hopeless. Generate with `openssl rand -hex 32`. */
export const secret = z.string().min(32, 'must be at least 32 characters (try: openssl rand -hex 32)');

/** Pool names appear in Postgres role names, metrics labels and URLs. */
export const poolName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,30}$/, 'must be a lowercase letter followed by up to 30 letters, digits or hyphens');

export const baseDomain = z
  .string()
  .toLowerCase()
  .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'must be a domain name such as localhost or mysaas.com');
