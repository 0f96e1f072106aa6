import { POOL_NAME_PATTERN, POOL_STATUSES, TENANT_STATUSES } from '@mysaas/tenancy';
import { PLATFORM_MIGRATIONS } from './platform.migrations';

/**
 * The platform schema's CHECK constraints spell the statuses and the pool-name rule in SQL;
 * the code spells them in @mysaas/tenancy. This fails the moment the two disagree.
 */
describe('the platform schema agrees with the platform facts', () => {
  const sql = PLATFORM_MIGRATIONS.map((m) => m.sql).join('\n');
  const inList = (values: readonly string[]) => `IN (${values.map((v) => `'${v}'`).join(', ')})`;

  it('lists exactly the tenant and pool statuses the code knows', () => {
    expect(sql).toContain(`CHECK (status ${inList(TENANT_STATUSES)})`);
    expect(sql).toContain(`CHECK (status ${inList(POOL_STATUSES)})`);
  });

  it('checks pool names with the same pattern', () => {
    expect(sql).toContain(`CHECK (name ~ '${POOL_NAME_PATTERN.source}')`);
  });
});
