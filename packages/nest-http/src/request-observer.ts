import type { NextFunction, Request, Response } from 'express';
import type { HttpMetrics, Logger } from '@mysaas/observability';

export interface RequestLabels {
  tenant: string;
  pool: string;
  /** The route that answered (its pattern, never the raw path: ids would make every path a series). */
  route: string;
}

export interface RequestObserving {
  metrics: HttpMetrics;
  logger: Logger;
  /** Read when the answer is written, from what the request learnt on its way (its tenant scope, its route). */
  labels(req: Request): RequestLabels;
  /** The request's id as the app knows it. */
  requestId(req: Request): string | undefined;
}

/**
 * Counts and times every answered request by tenant, pool, route and status, and writes one
 * access line for it (info; warn for 5xx). A request whose client left before the answer is
 * counted with status 499, as nginx does.
 */
export function observeRequests(observing: RequestObserving) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.writableFinished ? res.statusCode : 499;
      const labels = observing.labels(req);
      observing.metrics.observe({ ...labels, status }, seconds);
      logRequest(observing.logger, { ...labels, status, requestId: observing.requestId(req), method: req.method }, seconds);
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };
}

/** The access line of one answered request: info, or warn for a 5xx; nothing is built when the level is off. */
export function logRequest(
  logger: Logger,
  request: RequestLabels & { status: number; requestId: string | undefined; method: string | undefined },
  seconds: number,
): void {
  const level = request.status >= 500 ? 'warn' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const line = { ...request, ms: Math.round(seconds * 10_000) / 10 };
  if (level === 'warn') logger.warn(line, 'request answered with a server error');
  else logger.info(line, 'request');
}

/** The pattern of the Express route that matched, e.g. `/api/links`, or `unmatched`. */
export function matchedRoute(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? path : 'unmatched';
}
