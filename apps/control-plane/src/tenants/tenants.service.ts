import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import { hashPassword, passwordProblem } from '@mysaas/auth';
import { announceRoutingChange, inTransaction, provisionTenantSchema, setTenantStatementTimeout, TenantProvisioningError } from '@mysaas/db';
import { firstUserSeed, tenantMigrationsFor } from '@mysaas/modules/schema';
import { checkTenantSlug, poolAcceptsTenants, type TenantStatus } from '@mysaas/tenancy';
import { AuditService } from '../audit/audit.service';
import { JobsService } from '../jobs/jobs.service';
import { PLATFORM_DB } from '../platform-db/platform-db.module';
import { isConnectionError, PoolDatabases } from '../platform-db/pool-databases';
import { PoolsRepository } from '../pools/pools.repository';
import type { CreateTenantDto, UpdateTenantLimitsDto } from './dto/create-tenant.dto';
import type { TenantLimits, TenantRecord } from './tenant.record';
import { TenantException, TenantExceptionCode } from './tenants.exception';
import { TenantsRepository } from './tenants.repository';

const MAX_PAGE = 500;

@Injectable()
export class TenantsService {
  private readonly logger = new Logger('Tenants');

  constructor(
    @Inject(PLATFORM_DB) private readonly db: Pool,
    private readonly tenants: TenantsRepository,
    private readonly pools: PoolsRepository,
    private readonly poolDatabases: PoolDatabases,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
  ) {}

  /** One page of tenants in slug order, and the cursor of the next page (null on the last). */
  async list(filter: { pool?: string; status?: TenantStatus; after?: string; limit?: number }) {
    const limit = Math.min(filter.limit ?? 100, MAX_PAGE);
    const tenants = await this.tenants.list({ ...filter, limit });
    return { tenants, next: tenants.length === limit ? tenants[limit - 1]!.slug : null };
  }

  async get(slug: string): Promise<TenantRecord> {
    const tenant = await this.tenants.find(slug);
    if (!tenant) throw new TenantException(TenantExceptionCode.NOT_FOUND, `no tenant with slug "${slug}"`);
    return tenant;
  }

  /**
   * Provisions a tenant: claims the slug in the platform schema, then creates its role, schema,
   * tables and first user on the pool's server in one transaction there. If that fails, the
   * claim is released, so a failure leaves nothing behind on either side.
   */
  async create(input: CreateTenantDto): Promise<TenantRecord> {
    const slugCheck = checkTenantSlug(input.slug);
    if (!slugCheck.ok) throw new TenantException(TenantExceptionCode.INVALID_SLUG, slugCheck.reason);
    const problem = passwordProblem(input.adminPassword);
    if (problem) throw new TenantException(TenantExceptionCode.INVALID_PASSWORD, `admin${problem.replace(/^password/, 'Password')}`);
    const pool = input.pool === undefined ? await this.pools.findDefault() : await this.pools.find(input.pool);
    if (!pool) {
      throw input.pool === undefined
        ? new TenantException(TenantExceptionCode.POOL_UNKNOWN, 'no pool is the default: name one in `pool`, or make one the default (saas pools set-default <name>)')
        : new TenantException(TenantExceptionCode.POOL_UNKNOWN, `pool "${input.pool}" does not exist`);
    }
    if (!poolAcceptsTenants(pool.status)) {
      throw new TenantException(TenantExceptionCode.POOL_NOT_ACCEPTING, `pool ${pool.name} is ${pool.status} and takes no new tenants`);
    }

    const claimed = await this.tenants.claim({ slug: slugCheck.slug, name: input.name.trim(), pool: pool.name });
    try {
      const provisioned = await provisionTenantSchema(this.poolDatabases.get(pool.databaseUrl), {
        slug: slugCheck.slug,
        appRole: pool.appRole,
        migrations: tenantMigrationsFor(pool.release),
        seed: firstUserSeed({ email: input.adminEmail, passwordHash: await hashPassword(input.adminPassword) }),
      });
      return await inTransaction(this.db, async (tx) => {
        const tenant = await this.tenants.setStatus(claimed.id, 'active', tx);
        await this.audit.record(
          { action: 'tenant.created', tenantSlug: tenant.slug, details: { pool: pool.name, migrations: provisioned.migrations } },
          tx,
        );
        await announceRoutingChange(tx, { kind: 'tenant', slug: tenant.slug });
        return tenant;
      });
    } catch (error) {
      await this.releaseClaim(claimed, error);
      throw translateProvisioningError(error, pool.name);
    }
  }

  async suspend(slug: string): Promise<TenantRecord> {
    return this.changeStatus(slug, 'suspended');
  }

  async resume(slug: string): Promise<TenantRecord> {
    return this.changeStatus(slug, 'active');
  }

  /**
   * Changes a tenant's limits. The statement timeout lives on the tenant's role on its pool
   * server, and is changed there inside the platform transaction: if the pool server refuses,
   * nothing changes; if the platform commit fails after it, running the request again
   * converges.
   */
  async setLimits(slug: string, input: UpdateTenantLimitsDto): Promise<TenantRecord> {
    const changes: Partial<TenantLimits> = {};
    if (input.maxConcurrentRequests !== undefined) changes.maxConcurrentRequests = input.maxConcurrentRequests;
    if (input.statementTimeoutMs !== undefined) changes.statementTimeoutMs = input.statementTimeoutMs;
    return inTransaction(this.db, async (tx) => {
      const tenant = await this.tenants.find(slug, tx, { forUpdate: true });
      if (!tenant) throw new TenantException(TenantExceptionCode.NOT_FOUND, `no tenant with slug "${slug}"`);
      if (tenant.status === 'provisioning') {
        throw new TenantException(TenantExceptionCode.NOT_READY, `tenant ${slug} is still being provisioned`);
      }
      const updated = await this.tenants.setLimits(tenant.id, changes, tx);
      if (changes.statementTimeoutMs !== undefined) {
        const pool = await this.pools.find(tenant.pool, tx);
        if (!pool) throw new TenantException(TenantExceptionCode.POOL_UNKNOWN, `pool "${tenant.pool}" does not exist`);
        await setTenantStatementTimeout(this.poolDatabases.get(pool.databaseUrl), tenant.slug, changes.statementTimeoutMs).catch((error: unknown) => {
          throw isConnectionError(error)
            ? new TenantException(TenantExceptionCode.POOL_UNREACHABLE, `the database server of pool ${pool.name} is unreachable; nothing was changed`)
            : error;
        });
      }
      await this.audit.record({ action: 'tenant.limits_changed', tenantSlug: slug, details: { before: tenant.limits, after: updated.limits } }, tx);
      await announceRoutingChange(tx, { kind: 'tenant', slug: tenant.slug });
      return updated;
    });
  }

  /**
   * Idempotent: suspending a suspended tenant changes (and audits) nothing. A suspended
   * tenant's jobs wait (held in the job service before the status commits; if the commit
   * fails, running it again converges) and go on when it is resumed.
   */
  private async changeStatus(slug: string, status: 'active' | 'suspended'): Promise<TenantRecord> {
    return inTransaction(this.db, async (tx) => {
      const tenant = await this.tenants.find(slug, tx);
      if (!tenant) throw new TenantException(TenantExceptionCode.NOT_FOUND, `no tenant with slug "${slug}"`);
      if (tenant.status === 'provisioning') {
        throw new TenantException(TenantExceptionCode.NOT_READY, `tenant ${slug} is still being provisioned`);
      }
      await this.jobs.holdForSuspension(tenant.id, status === 'suspended');
      if (tenant.status === status) return tenant;
      const updated = await this.tenants.setStatus(tenant.id, status, tx);
      await this.audit.record({ action: status === 'suspended' ? 'tenant.suspended' : 'tenant.resumed', tenantSlug: slug }, tx);
      await announceRoutingChange(tx, { kind: 'tenant', slug: tenant.slug });
      return updated;
    });
  }

  private async releaseClaim(claimed: TenantRecord, cause: unknown): Promise<void> {
    const reason = cause instanceof Error ? cause.message : String(cause);
    this.logger.warn(`provisioning ${claimed.slug} failed, releasing the slug: ${reason}`);
    await this.tenants.delete(claimed.id);
    await this.audit.record({ action: 'tenant.provisioning_failed', tenantSlug: claimed.slug, details: { pool: claimed.pool, reason } });
  }
}

function translateProvisioningError(error: unknown, pool: string): unknown {
  if (error instanceof TenantProvisioningError) {
    switch (error.failure) {
      case 'role-exists':
      case 'schema-exists':
        return new TenantException(
          TenantExceptionCode.RESIDUE_ON_POOL,
          `${error.message}; it was not made by this platform for this tenant, so nothing was changed. Remove it or choose another slug.`,
        );
      case 'app-role-missing':
        return new TenantException(TenantExceptionCode.POOL_UNREACHABLE, `pool ${pool} is misconfigured: ${error.message}`);
    }
  }
  if (isConnectionError(error)) {
    return new TenantException(TenantExceptionCode.POOL_UNREACHABLE, `the database server of pool ${pool} is unreachable; nothing was created`);
  }
  return error;
}
