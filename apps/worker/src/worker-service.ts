import { JOB_QUEUE_NAME, type WorkerConfig } from '@mysaas/config';
import { FairDispatcher, jobBackend, jobBackendConfig, lowerPriority, PostgresJobStore, startJobWorker, type JobObserver } from '@mysaas/jobs';
import type { Logger } from '@mysaas/observability';
import type { JobRegistry } from '@mysaas/tenant-runtime';
import { TenantLocator } from './tenant-locator';

export interface WorkerService {
  /** Whether this process holds the dispatcher's lock now (one per store, fleet-wide). */
  readonly dispatching: boolean;
  /** While it dispatches: the jobs it keeps handed to the queue at most now (`JOBS_WINDOW`, or less: sized to the fleet's pace). */
  readonly dispatchWindow: number | undefined;
  locator: TenantLocator;
  store: PostgresJobStore;
  /** Stops taking jobs, lets the running ones finish (up to the grace period), and closes everything. */
  stop(): Promise<void>;
}

/** How often a standby worker tries to take over dispatching. */
const STANDBY_RETRY_MS = 2_000;

/**
 * One worker process of the fleet: it runs jobs from the shared queue (every tenant of every
 * pool), and one worker of the fleet also dispatches (the store's lock): the others stand by
 * and take over within seconds when it goes. Nothing is lost when any of them dies: the store
 * keeps what was not handed over, BullMQ re-runs what was running (ADR 16). A process started
 * with JOBS_DISPATCH=only dispatches (or stands by) and runs no jobs: the dispatcher's CPU
 * (BullMQ's addBulk above all) then stays off the event loops that run them, and, at a lower
 * CPU priority (JOBS_DISPATCH_NICE), off the CPUs they need where it shares their machine.
 */
export async function startWorkerService(
  config: WorkerConfig,
  options: { registry: JobRegistry; logger: Logger; observe?: (store: PostgresJobStore, locator: TenantLocator) => JobObserver },
): Promise<WorkerService> {
  const { logger } = options;
  const store = new PostgresJobStore(config.jobs.storeUrl);
  await store.migrate();
  const backend = jobBackend(jobBackendConfig(config.jobs.queueUrl));
  const locator = new TenantLocator({ routingDatabaseUrl: config.routingDatabaseUrl, pools: config.pools, database: config.database });
  const queue = backend.queue(JOB_QUEUE_NAME);
  const observer = options.observe?.(store, locator);
  // A dispatch-only process runs on the CPU time the workers, Redis and Postgres leave idle
  // (JOBS_DISPATCH_NICE): its window keeps some 400 ms of jobs queued ahead of them.
  if (!config.jobs.runJobs && config.jobs.dispatchNice > 0) {
    try {
      logger.info({ nice: lowerPriority(config.jobs.dispatchNice) }, 'dispatch only: running at a lower CPU priority (JOBS_DISPATCH_NICE)');
    } catch (error) {
      logger.warn({ err: error }, 'dispatch only: could not lower the CPU priority (JOBS_DISPATCH_NICE); running as started');
    }
  }
  // A dispatch-only process (JOBS_DISPATCH=only) takes no jobs from the queue.
  const worker = !config.jobs.runJobs ? undefined : startJobWorker(backend, JOB_QUEUE_NAME, {
    registry: options.registry,
    locate: locator.locate,
    concurrency: config.jobs.concurrency,
    ...(config.jobs.ratePerSecond === undefined ? {} : { ratePerSecond: config.jobs.ratePerSecond }),
    onError: (error) => logger.warn({ err: error }, 'job worker: %s', error.message),
    observe: {
      started: (job) => {
        observer?.started?.(job);
        logger.debug({ tenant: job.tenant.slug, job: job.name, jobId: job.id, attempt: job.attempt, waitMs: job.waitMs }, 'job started');
      },
      ended: (job) => {
        observer?.ended?.(job);
        const fields = { tenant: job.tenant.slug, job: job.name, jobId: job.id, attempt: job.attempt, ms: Math.round(job.ms) };
        if (job.outcome === 'completed') logger.info(fields, 'job completed');
        else logger.warn({ ...fields, err: job.error }, job.outcome === 'failed' ? 'job failed for good: kept among the dead letters' : 'job failed; it will be retried');
      },
    },
  });

  let dispatcher: FairDispatcher | undefined;
  let standby: NodeJS.Timeout | undefined;
  let stopping = false;
  const events = config.jobs.dispatch ? backend.endEvents(JOB_QUEUE_NAME) : undefined;
  const tryToLead = async (): Promise<void> => {
    if (stopping || dispatcher !== undefined || events === undefined) return;
    const candidate = new FairDispatcher({
      store,
      queue,
      events,
      window: config.jobs.window,
      queueMs: config.jobs.queueMs,
      onWindow: (window, endsPerSecond) => logger.debug({ window, endsPerSecond }, "dispatch window resized to the fleet's pace"),
      onError: (error) => logger.warn({ err: error }, 'fair dispatcher: a poll failed; trying again at the next'),
    });
    try {
      if (await candidate.start()) {
        dispatcher = candidate;
        logger.info({ window: config.jobs.window, queueMs: config.jobs.queueMs ?? null }, 'dispatching jobs (this worker holds the dispatcher lock)');
      }
    } catch (error) {
      await candidate.stop().catch(() => undefined);
      logger.warn({ err: error }, 'could not start dispatching; trying again');
    }
  };
  if (events !== undefined) {
    await tryToLead();
    if (dispatcher === undefined) logger.info(config.jobs.runJobs ? 'another worker dispatches; this one runs jobs and stands by' : 'another process dispatches; this one (dispatch only) stands by');
    standby = setInterval(() => void tryToLead(), STANDBY_RETRY_MS);
  }
  await worker?.waitUntilReady();

  return {
    get dispatching() {
      return dispatcher !== undefined;
    },
    get dispatchWindow() {
      return dispatcher?.currentWindow;
    },
    locator,
    store,
    stop: async () => {
      stopping = true;
      if (standby) clearInterval(standby);
      await dispatcher?.stop();
      // Running jobs finish; past the grace period they are left to BullMQ's stalled-job check (they run again elsewhere).
      const grace = new Promise<void>((done) => setTimeout(done, config.shutdownGraceMs).unref());
      if (worker) await Promise.race([worker.close(), grace]);
      await events?.close();
      await queue.close();
      await backend.close();
      await locator.close();
      await store.close();
    },
  };
}
