/**
 * A tenant slug is the DNS label of the tenant's subdomain (`acme` in acme.mysaas.com) and
 * the root of its Postgres names. The brand makes "validated" visible in the type: the only
 * way to get a TenantSlug is through parseTenantSlug.
 */
export type TenantSlug = string & { readonly __brand: 'TenantSlug' };

export const SLUG_PATTERN = /^[a-z][a-z0-9-]{1,62}$/;

/**
 * Postgres truncates identifiers to 63 bytes. The schema and role are `t_<slug>`, so a slug
 * longer than 61 characters would be silently truncated and could collide with another.
 */
export const MAX_SLUG_LENGTH = 61;

/** Subdomains the platform keeps for itself, or that users would mistake for it. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'admin', 'api', 'app', 'apps', 'assets', 'auth', 'billing', 'blog', 'cdn', 'console',
  'dashboard', 'dev', 'docs', 'ftp', 'gateway', 'help', 'internal', 'localhost', 'login',
  'mail', 'my', 'mysaas', 'ns1', 'ns2', 'platform', 'postgres', 'root', 'smtp', 'static',
  'status', 'support', 'system', 'test', 'www',
]);

export type SlugCheck = { ok: true; slug: TenantSlug } | { ok: false; reason: string };

export function checkTenantSlug(input: unknown): SlugCheck {
  if (typeof input !== 'string' || input.length === 0) {
    return { ok: false, reason: 'slug is required and must be a string' };
  }
  if (!SLUG_PATTERN.test(input)) {
    return {
      ok: false,
      reason:
        `slug "${truncate(input)}" is invalid: use 2 to ${MAX_SLUG_LENGTH} characters, ` +
        'a lowercase letter first, then lowercase letters, digits or hyphens',
    };
  }
  if (input.length > MAX_SLUG_LENGTH) {
    return {
      ok: false,
      reason: `slug is ${input.length} characters; at most ${MAX_SLUG_LENGTH} fit a Postgres schema name`,
    };
  }
  if (input.endsWith('-')) {
    return { ok: false, reason: `slug "${input}" must not end with a hyphen (it is a DNS label)` };
  }
  if (input.includes('--')) {
    return { ok: false, reason: `slug "${input}" must not contain two hyphens in a row` };
  }
  if (RESERVED_SLUGS.has(input)) {
    return { ok: false, reason: `slug "${input}" is reserved for the platform; choose another` };
  }
  return { ok: true, slug: input as TenantSlug };
}

export class InvalidTenantSlugError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidTenantSlugError';
  }
}

/** Validates a slug or throws InvalidTenantSlugError carrying the reason. */
export function parseTenantSlug(input: unknown): TenantSlug {
  const check = checkTenantSlug(input);
  if (!check.ok) throw new InvalidTenantSlugError(check.reason);
  return check.slug;
}

function truncate(value: string): string {
  return value.length > 70 ? `${value.slice(0, 67)}...` : value;
}
