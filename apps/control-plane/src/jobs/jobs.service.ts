import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PLAN_NAME, type JobPlan, type PauseReason } from '@mysaas/jobs';
import { AuditService } from '../audit/audit.service';
import { PLATFORM_DB } from '../platform-db/platform-db.module';
import { TenantException, TenantExceptionCode } from '../tenants/tenants.exception';
import { JOB_SERVICE, type JobService } from './job-service.module';
import type { JobPlanDto } from './jobs.dto';
import { JobsException, JobsExceptionCode } from './jobs.exception';

export interface TenantJobStatsView {
  tenant: string;
  plan: string;
  paused: boolean;
  pausedFor: PauseReason[];
  queued: number;
  running: number;
  oldestQueuedAgeMs: number | null;
  startedLastMinute: number;
  /** Its part of the jobs started in the last minute, 0 to 1. */
  servedShare: number;
}

/**
 * The job service as platform engineers operate it: per-tenant figures, plans, pauses and
 * dead letters. Tenants are named by slug here; the job service knows them by id.
 */
@Injectable()
export class JobsService {
  constructor(
    @Inject(JOB_SERVICE) private readonly jobs: JobService | undefined,
    @Inject(PLATFORM_DB) private readonly db: Pool,
    private readonly audit: AuditService,
  ) {}

  async stats(slug?: string): Promise<{ tenants: TenantJobStatsView[]; totals: { queued: number; running: number; startedLastMinute: number } }> {
    const { store } = this.service();
    const only = slug === undefined ? undefined : await this.tenant(slug);
    const summaries = await store.summaries(only === undefined ? undefined : [only.id]);
    const slugs = only === undefined ? await this.slugs(summaries.map((s) => s.tenantId)) : new Map([[only.id, only.slug]]);
    // The share is of everything started in the last minute, whichever tenants were asked about.
    const everyone = only === undefined ? summaries : await store.summaries();
    const startedByAll = everyone.reduce((sum, s) => sum + s.startedLastMinute, 0);
    const now = Date.now();
    const tenants = summaries.map((s) => ({
      tenant: slugs.get(s.tenantId) ?? s.tenantId,
      plan: s.plan,
      paused: s.pausedFor.length > 0,
      pausedFor: s.pausedFor,
      queued: s.queued,
      running: s.running,
      oldestQueuedAgeMs: s.oldestQueuedAt === null ? null : Math.max(0, now - s.oldestQueuedAt.getTime()),
      startedLastMinute: s.startedLastMinute,
      servedShare: startedByAll === 0 ? 0 : s.startedLastMinute / startedByAll,
    }));
    tenants.sort((a, b) => a.tenant.localeCompare(b.tenant));
    const totals = { queued: 0, running: 0, startedLastMinute: 0 };
    for (const t of tenants) {
      totals.queued += t.queued;
      totals.running += t.running;
      totals.startedLastMinute += t.startedLastMinute;
    }
    return { tenants, totals };
  }

  async deadJobs(query: { tenant?: string; limit?: number }) {
    const { admin } = this.service();
    const tenant = query.tenant === undefined ? undefined : await this.tenant(query.tenant);
    const dead = await admin.deadLetters({ limit: query.limit ?? 100, ...(tenant === undefined ? {} : { tenantId: tenant.id }) });
    const slugs = await this.slugs(dead.map((d) => d.tenantId));
    return {
      jobs: dead.map(({ tenantId, failedAt, ...job }) => ({ ...job, tenant: slugs.get(tenantId) ?? tenantId, failedAt: failedAt?.toISOString() ?? null })),
    };
  }

  async replay(jobId: string) {
    const replayed = await this.service().admin.replay(jobId);
    await this.audit.record({ action: 'jobs.dead_replayed', details: { jobs: [replayed] } });
    return { replayed: [replayed] };
  }

  async replayTenant(slug: string) {
    const tenant = await this.tenant(slug);
    const replayed = await this.service().admin.replayTenant(tenant.id);
    await this.audit.record({ action: 'jobs.dead_replayed', tenantSlug: slug, details: { jobs: replayed } });
    return { replayed };
  }

  /** Holds (or releases) a tenant's jobs at an operator's request; its suspension is a separate hold. */
  async setPaused(slug: string, paused: boolean) {
    const { store } = this.service();
    const tenant = await this.tenant(slug);
    if (paused) await store.pause(tenant.id, 'operator');
    else await store.resume(tenant.id, 'operator');
    await this.audit.record({ action: paused ? 'jobs.paused' : 'jobs.resumed', tenantSlug: slug });
    const [summary] = await store.summaries([tenant.id]);
    return { tenant: slug, paused: summary!.pausedFor.length > 0, pausedFor: summary!.pausedFor };
  }

  /** Called as a tenant is suspended or resumed: a suspended tenant's jobs wait (idempotent). */
  async holdForSuspension(tenantId: string, suspended: boolean): Promise<void> {
    if (this.jobs === undefined) return;
    if (suspended) await this.jobs.store.pause(tenantId, 'suspended');
    else await this.jobs.store.resume(tenantId, 'suspended');
  }

  async plans(): Promise<{ plans: JobPlan[] }> {
    return { plans: await this.service().store.plans() };
  }

  async savePlan(name: string, input: JobPlanDto): Promise<JobPlan> {
    if (!PLAN_NAME.test(name)) {
      throw new JobsException(JobsExceptionCode.INVALID_PLAN, `a plan name is lower-case letters, digits and hyphens, starting with a letter (up to 31), not "${name}"`);
    }
    const plans = await this.service().store.plans();
    if (input.isDefault === false && plans.find((p) => p.name === name)?.isDefault) {
      throw new JobsException(JobsExceptionCode.INVALID_PLAN, `${name} is the default plan; make another plan the default instead (isDefault: true on it)`);
    }
    const saved = await this.service().store.savePlan({
      name,
      weight: input.weight,
      maxRunning: input.maxRunning,
      ratePerSecond: input.ratePerSecond ?? null,
      burst: input.burst ?? null,
      maxQueued: input.maxQueued,
      ...(input.isDefault === undefined ? {} : { isDefault: input.isDefault }),
    });
    await this.audit.record({ action: 'jobs.plan_saved', details: { plan: saved } });
    return saved;
  }

  async setTenantPlan(slug: string, plan: string) {
    const tenant = await this.tenant(slug);
    if (!(await this.service().store.setTenantPlan(tenant.id, plan))) {
      throw new JobsException(JobsExceptionCode.PLAN_NOT_FOUND, `no job plan is named "${plan}" (GET /platform/job-plans lists them)`);
    }
    await this.audit.record({ action: 'jobs.tenant_plan_set', tenantSlug: slug, details: { plan } });
    return { tenant: slug, plan };
  }

  private service(): JobService {
    if (this.jobs === undefined) {
      throw new JobsException(JobsExceptionCode.NOT_CONFIGURED, 'this control plane runs without a job service: set JOBS_DATABASE_URL (and JOBS_QUEUE_URL for Redis)');
    }
    return this.jobs;
  }

  private async tenant(slug: string): Promise<{ id: string; slug: string }> {
    const { rows } = await this.db.query<{ id: string; slug: string }>('SELECT id, slug FROM platform.tenants WHERE slug = $1', [slug]);
    if (rows[0] === undefined) throw new TenantException(TenantExceptionCode.NOT_FOUND, `no tenant with slug "${slug}"`);
    return rows[0];
  }

  private async slugs(ids: readonly string[]): Promise<Map<string, string>> {
    const uuids = [...new Set(ids)].filter((id) => /^[0-9a-f-]{36}$/i.test(id));
    if (uuids.length === 0) return new Map();
    const { rows } = await this.db.query<{ id: string; slug: string }>('SELECT id, slug FROM platform.tenants WHERE id = ANY($1::uuid[])', [uuids]);
    return new Map(rows.map((r) => [r.id, r.slug]));
  }
}
