import { checkTenantSlug, type TenantSlug } from './slug';
import { isRecord, SignedTokenCodec, type TimedClaims, type TokenCheck } from './signed-token';

/** The header the gateway puts the signed tenant context in. Clients may never set it. */
export const TENANT_CONTEXT_HEADER = 'x-mysaas-tenant-context';
/** Every `x-mysaas-` header is the platform's; the gateway strips them from client requests. */
export const PLATFORM_HEADER_PREFIX = 'x-mysaas-';
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Set by the app server on a sign-in's response: whether the password was checked and
 * right or wrong. The gateway counts failures by it and strips it, like every `x-mysaas-`
 * response header, before the client sees the answer.
 */
export const SIGNIN_RESULT_HEADER = 'x-mysaas-signin-result';
export type SignInResult = 'success' | 'failure';

/** The default lifetime of a tenant context: long enough for one hop, too short to replay. */
export const TENANT_CONTEXT_TTL_SECONDS = 30;

export interface TenantRef {
  /** The tenant's immutable id (uuid) in the control plane. */
  id: string;
  slug: TenantSlug;
}

/** What the gateway vouches for on each request it forwards to an app server. */
export interface TenantContextClaims extends TimedClaims {
  tenant: TenantRef & { name: string };
  /** The pool the gateway routed to; an app server refuses contexts for another pool. */
  pool: string;
  requestId: string;
  /** Present when the gateway verified a session cookie issued for this tenant. */
  session?: { id: string; userId: string };
  /** The request reached the platform over https (the gateway's own TLS or a trusted proxy's). */
  secure?: boolean;
}

export type TenantContextInput = Omit<TenantContextClaims, 'iat' | 'exp'>;

export class TenantContextSigner {
  private readonly codec: SignedTokenCodec<TenantContextClaims>;

  constructor(secret: string, private readonly ttlSeconds = TENANT_CONTEXT_TTL_SECONDS) {
    this.codec = new SignedTokenCodec('ctx1', secret, isTenantContextClaims);
  }

  sign(input: TenantContextInput, nowSeconds = Math.floor(Date.now() / 1000)): string {
    return this.codec.sign({ ...input, iat: nowSeconds, exp: nowSeconds + this.ttlSeconds });
  }

  verify(token: string | undefined, nowSeconds?: number): TokenCheck<TenantContextClaims> {
    return this.codec.verify(token, nowSeconds);
  }
}

function isTenantContextClaims(value: unknown): value is TenantContextClaims {
  if (!isRecord(value) || !isRecord(value.tenant)) return false;
  const { tenant, session } = value;
  return (
    typeof tenant.id === 'string' &&
    typeof tenant.name === 'string' &&
    checkTenantSlug(tenant.slug).ok &&
    typeof value.pool === 'string' &&
    typeof value.requestId === 'string' &&
    (value.secure === undefined || typeof value.secure === 'boolean') &&
    (session === undefined ||
      (isRecord(session) && typeof session.id === 'string' && typeof session.userId === 'string'))
  );
}
