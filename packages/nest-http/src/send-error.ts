import { HttpStatus, type LoggerService } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ErrorBody, ErrorDescription } from './error-body';

export interface ErrorResponse {
  req: Pick<Request, 'header' | 'method' | 'originalUrl'>;
  res: Response;
  exception: unknown;
  described: ErrorDescription;
  requestId: string;
  logger: LoggerService;
  /** Renders an HTML page instead of JSON when the client is a browser navigating. */
  html?: (described: ErrorDescription, requestId: string) => string;
}

/**
 * Writes an error the platform's way: a 5xx is logged with its request id (the client sees
 * only the id), 503 carries Retry-After, browsers may get a page, everyone else the JSON
 * ErrorBody. A response already under way is cut off, since its status is already sent.
 */
export function sendError({ req, res, exception, described, requestId, logger, html }: ErrorResponse): void {
  if (described.status >= 500) {
    // One structured line: the platform's loggers write it as JSON fields, the error with its stack.
    logger.error({
      msg: 'request failed with a server error',
      requestId,
      method: req.method,
      host: req.header('host') ?? '',
      url: req.originalUrl,
      status: described.status,
      code: described.code,
      err: exception instanceof Error ? exception : String(exception),
    });
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Both say "come back later"; Retry-After says when.
  if (described.status === HttpStatus.SERVICE_UNAVAILABLE) res.setHeader('retry-after', String(described.retryAfterSeconds ?? 5));
  if (described.status === HttpStatus.TOO_MANY_REQUESTS) res.setHeader('retry-after', String(described.retryAfterSeconds ?? 1));
  if (html !== undefined && (req.header('accept') ?? '').includes('text/html')) {
    res.status(described.status).type('html').send(html(described, requestId));
    return;
  }
  const body: ErrorBody = { statusCode: described.status, code: described.code, message: described.message, requestId };
  res.status(described.status).json(body);
}
