import type { Request } from 'express';
import { createLogger, createRegistry, httpMetrics, type DestinationStream, type Logger, type LoggerOptions, type Registry } from '@mysaas/observability';
import type { RequestLabels, RequestObserving } from './request-observer';

/** What every app has to be watched by: its logger, its metrics, the observer of its requests. */
export interface AppObservability {
  logger: Logger;
  registry: Registry;
  observe: RequestObserving;
}

export interface AppObservabilityOptions {
  app: string;
  log: { level: string };
  /** Fields on every line of the process (the pool an app server serves). */
  base?: LoggerOptions['base'];
  /** Fields of the unit of work under way, read on every line (tenant, request id). */
  context?: LoggerOptions['context'];
  /** Where lines go; stdout by default (tests pass a stream to read them). */
  destination?: DestinationStream | undefined;
  /** The labels of an answered request. */
  labels(req: Request): RequestLabels;
  /** The request's id as the app knows it. */
  requestId(req: Request): string | undefined;
}

/** An app's logger, registry and request observer, made the same way in every app. */
export function appObservability(options: AppObservabilityOptions): AppObservability {
  const logger = createLogger({
    app: options.app,
    level: options.log.level,
    ...(options.base ? { base: options.base } : {}),
    ...(options.context ? { context: options.context } : {}),
    ...(options.destination ? { destination: options.destination } : {}),
  });
  const registry = createRegistry(options.app);
  return {
    logger,
    registry,
    observe: { metrics: httpMetrics(registry), logger, labels: options.labels, requestId: options.requestId },
  };
}
