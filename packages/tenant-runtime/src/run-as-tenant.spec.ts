import type { TenantDatabase, TenantTransaction } from '@mysaas/db';
import type { TenantSlug } from '@mysaas/tenancy';
import { runAsTenant } from './run-as-tenant';
import { tenantRepository } from './tenant-repository';
import { currentTenantScope, findTenantScope } from './tenant-scope';
import { TenantRuntimeException } from './tenant-runtime.exception';

const acme = { id: 'a1', slug: 'acme' as TenantSlug, name: 'Acme' };

/** A tenant database whose transactions record how they ended (no Postgres: that is tested in the app server). */
function fakeDatabase() {
  const ended: string[] = [];
  const repository = { find: async () => ['row of the scope'] };
  const db = {
    begin: async () =>
      ({
        manager: { getRepository: () => repository },
        commit: async () => void ended.push('commit'),
        rollback: async () => void ended.push('rollback'),
      }) as unknown as TenantTransaction,
  } as unknown as TenantDatabase;
  return { db, ended };
}

describe('runAsTenant', () => {
  it('runs the work inside the tenant scope and commits', async () => {
    const { db, ended } = fakeDatabase();
    const seen = await runAsTenant(db, acme, async () => currentTenantScope().tenant.slug, { traceId: 'job-1' });
    expect(seen).toBe('acme');
    expect(ended).toEqual(['commit']);
    expect(findTenantScope()).toBeUndefined();
  });

  it('rolls back and rethrows when the work throws', async () => {
    const { db, ended } = fakeDatabase();
    await expect(runAsTenant(db, acme, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(ended).toEqual(['rollback']);
  });

  it("lets module repositories reach the scope's transaction, and nothing outside a scope", async () => {
    const { db } = fakeDatabase();
    class Thing {}
    const things = tenantRepository(Thing);
    expect(await runAsTenant(db, acme, () => things.find())).toEqual(['row of the scope']);
    expect(() => things.find()).toThrow(TenantRuntimeException);
    expect(() => currentTenantScope()).toThrow('outside a tenant scope');
  });

  it('keeps concurrent scopes apart', async () => {
    const { db } = fakeDatabase();
    const globex = { id: 'g1', slug: 'globex' as TenantSlug, name: 'Globex' };
    const seen = await Promise.all(
      [acme, globex, acme].map((tenant) =>
        runAsTenant(db, tenant, async () => {
          await new Promise((resolve) => setImmediate(resolve));
          return currentTenantScope().tenant.slug;
        }),
      ),
    );
    expect(seen).toEqual(['acme', 'globex', 'acme']);
  });
});
