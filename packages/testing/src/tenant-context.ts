import { SessionTokenCodec } from '@mysaas/auth';
import { TENANT_CONTEXT_HEADER, TenantContextSigner } from '@mysaas/tenancy';
import { randomSuffix } from './test-database';
import type { TestTenant } from './factories';
import type { TestPlatform } from './test-platform';

/**
 * Headers a gateway would send an app server for this tenant: lets tests talk to an app
 * server directly. With a session cookie value, the session claims are vouched for as well.
 */
export function gatewayHeaders(
  platform: TestPlatform,
  tenant: TestTenant,
  options: { sessionCookie?: string; pool?: string; ttlSeconds?: number; now?: number; requestId?: string } = {},
): Record<string, string> {
  const signer = new TenantContextSigner(platform.secrets.tenantContext, options.ttlSeconds);
  let session: { id: string; userId: string } | undefined;
  if (options.sessionCookie !== undefined) {
    const token = decodeURIComponent(options.sessionCookie.split('=').slice(1).join('='));
    const check = new SessionTokenCodec(platform.secrets.session).verify(token);
    if (!check.ok) throw new Error(`test session cookie does not verify: ${check.failure}`);
    session = { id: check.claims.sid, userId: check.claims.uid };
  }
  const token = signer.sign(
    {
      tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
      pool: options.pool ?? platform.pool.name,
      requestId: options.requestId ?? `test-${randomSuffix()}`,
      ...(session ? { session } : {}),
    },
    options.now,
  );
  return { [TENANT_CONTEXT_HEADER]: token };
}
