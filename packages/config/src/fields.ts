import { POOL_NAME_PATTERN, POOL_NAME_RULE } from '@mysaas/tenancy';
import { z } from 'zod';

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// or postgresql:// URL');

/** HMAC secrets: long enough that guessing is hopeless. Generate with `openssl rand -hex 32`. */
export const secret = z.string().min(32, 'must be at least 32 characters (try: openssl rand -hex 32)');

export const poolName = z.string().regex(POOL_NAME_PATTERN, POOL_NAME_RULE);

export const baseDomain = z
  .string()
  .toLowerCase()
  .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'must be a domain name such as localhost or mysaas.com');

export const redisUrl = z
  .string()
  .refine((value) => /^rediss?:\/\//.test(value), 'must be a redis:// or rediss:// URL');

const IPV4_CIDR = /^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$/;
const IPV6_CIDR = /^[0-9a-f:.]*:[0-9a-f:.]*(\/\d{1,3})?$/i;
const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * The TLS-terminating proxies in front of the gateway, whose X-Forwarded-For and
 * X-Forwarded-Proto are believed: a comma-separated list of addresses, CIDR ranges, or
 * `loopback`, `linklocal`, `uniquelocal`. Empty: nobody's (the socket decides).
 */
export const trustProxy = z
  .string()
  .default('')
  .transform((value) => value.split(',').map((part) => part.trim()).filter((part) => part !== ''))
  .refine(
    (parts) => parts.every((part) => NAMED_RANGES.includes(part) || IPV4_CIDR.test(part) || IPV6_CIDR.test(part)),
    'must list proxy addresses or CIDR ranges (e.g. 10.0.0.0/8,192.168.1.5) or loopback, linklocal, uniquelocal',
  );

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');
