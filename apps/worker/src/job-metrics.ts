import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { JobObserver, PostgresJobStore } from '@mysaas/jobs';

/** Waits from acceptance to start: 10 ms to 10 min. */
const WAIT_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600];
const RUN_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The job service's series, by tenant: queue depth, jobs in flight and the oldest job's age
 * (read from the store at each scrape, so every worker reports the same fleet-wide figures),
 * and this worker's waits, run times and outcomes.
 */
export function jobMetrics(registry: Registry, store: PostgresJobStore, slugs: (ids: readonly string[]) => Promise<Map<string, string>>): JobObserver {
  let snapshot: Promise<Array<{ tenant: string; queued: number; running: number; oldestAgeSeconds: number }>> | undefined;
  // One store read per scrape, shared by the three gauges.
  const read = () => {
    snapshot ??= (async () => {
      const summaries = await store.summaries();
      const names = await slugs(summaries.map((s) => s.tenantId));
      return summaries.map((s) => ({
        tenant: names.get(s.tenantId) ?? s.tenantId,
        queued: s.queued,
        running: s.running,
        oldestAgeSeconds: s.oldestQueuedAt === null ? 0 : (Date.now() - s.oldestQueuedAt.getTime()) / 1000,
      }));
    })().finally(() => setTimeout(() => (snapshot = undefined), 500).unref());
    return snapshot;
  };
  const gauge = (name: string, help: string, value: (row: Awaited<ReturnType<typeof read>>[number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['tenant'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await read()) this.set({ tenant: row.tenant }, value(row));
      },
    });
  gauge('mysaas_jobs_queued', 'Jobs accepted and waiting for their turn, by tenant', (r) => r.queued);
  gauge('mysaas_jobs_in_flight', 'Jobs handed to the workers and not ended (running, waiting for a worker, or between retries), by tenant', (r) => r.running);
  gauge('mysaas_jobs_oldest_queued_age_seconds', "Age of the tenant's oldest waiting job", (r) => r.oldestAgeSeconds);
  const wait = new Histogram({
    name: 'mysaas_job_wait_seconds',
    help: 'Time from a job being accepted to its first start, by tenant and job',
    labelNames: ['tenant', 'job'],
    buckets: WAIT_SECONDS,
    registers: [registry],
  });
  const run = new Histogram({ name: 'mysaas_job_run_seconds', help: 'Time one attempt of a job ran', labelNames: ['tenant', 'job'], buckets: RUN_SECONDS, registers: [registry] });
  const ended = new Counter({
    name: 'mysaas_jobs_ended_total',
    help: 'Job attempts ended, by outcome (completed; retrying: failed and will run again; failed: dead letter)',
    labelNames: ['tenant', 'job', 'outcome'],
    registers: [registry],
  });
  return {
    started: ({ tenant, name, waitMs }) => {
      if (waitMs !== undefined) wait.observe({ tenant: tenant.slug, job: name }, Math.max(0, waitMs) / 1000);
    },
    ended: ({ tenant, name, outcome, ms }) => {
      run.observe({ tenant: tenant.slug, job: name }, ms / 1000);
      ended.inc({ tenant: tenant.slug, job: name, outcome });
    },
  };
}

/**
 * The fair dispatcher's window now (`JOBS_WINDOW`, or fewer: `JOBS_QUEUE_MS` of the fleet's
 * pace), from the one worker that dispatches; the others report 0 (the fleet's: the max).
 */
export function dispatchWindowMetric(registry: Registry, window: () => number | undefined): Gauge {
  return new Gauge({
    name: 'mysaas_jobs_dispatch_window',
    help: "Jobs the fair dispatcher keeps handed to the queue at most now (JOBS_WINDOW, or fewer: JOBS_QUEUE_MS of the fleet's pace); 0 on a worker that does not dispatch",
    registers: [registry],
    collect() {
      this.set(window() ?? 0);
    },
  });
}
