import 'reflect-metadata';
import { loadWorkerConfig } from '@mysaas/config';
import { BusinessModules } from '@mysaas/modules';
import { createLogger, createRegistry, logListening, startMetricsServer } from '@mysaas/observability';
import { dispatchWindowMetric, jobMetrics } from './job-metrics';
import { startWorkerService } from './worker-service';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = createLogger({ app: 'worker', level: config.log.level });
  const registry = createRegistry('worker');
  const jobs = await BusinessModules.jobs();
  const service = await startWorkerService(config, {
    registry: jobs,
    logger,
    observe: (store, locator) => jobMetrics(registry, store, (ids) => locator.slugs(ids)),
  });
  dispatchWindowMetric(registry, () => service.dispatchWindow);
  const metrics = await startMetricsServer(registry, config.metrics);
  // The line `npm start` (and any supervisor) waits for; a worker serves no HTTP of its own.
  logListening(logger, { url: metrics.url, metricsUrl: metrics.url, jobs: jobs.names, dispatching: service.dispatching, concurrency: config.jobs.runJobs ? config.jobs.concurrency : 0 });
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping: running jobs finish first');
      void Promise.all([service.stop(), metrics.close()]).then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'stopping failed');
          process.exit(1);
        },
      );
    });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
