import { randomUUID } from 'node:crypto';
import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CodedError } from './coded-error';
import { describeError, safeRequestId, type ErrorDescription } from './error-body';
import { sendError } from './send-error';

/** What an app adds to the platform's one way of answering with an error. */
export interface ErrorAnswering {
  /** The logger's context: the app's name. */
  app: string;
  /** The id to answer with and to log a 5xx under; default: a well-formed X-Request-Id, else a new one. */
  requestId?(req: Request): string;
  /** Errors outside the platform's vocabulary the app can describe (a cancelled statement, say). */
  describe?(exception: unknown): ErrorDescription | undefined;
  /** Runs first, to clean up (roll back the request's transaction); 'skip' when no one is listening. */
  beforeAnswer?(req: Request, exception: unknown): Promise<'answer' | 'skip'>;
  /** A page for browsers that navigate (Accept: text/html); JSON otherwise. */
  html?(described: ErrorDescription, requestId: string): string;
}

/**
 * Answers an error the platform's way, from anywhere (the gateway's edge calls it before Nest
 * routes): a domain error's own status, code and message; Nest's and body-parser's errors in
 * the same vocabulary; anything else a 500 logged with its stack under the request id.
 */
export async function answerError(req: Request, res: Response, exception: unknown, answering: ErrorAnswering, logger: Logger): Promise<void> {
  if (answering.beforeAnswer && (await answering.beforeAnswer(req, exception)) === 'skip') return;
  // The client is gone (it hung up, or the server timed it out): no one to answer, no fault to log.
  if (res.destroyed) return;
  const requestId = answering.requestId?.(req) ?? safeRequestId(req.header('x-request-id'), randomUUID());
  sendError({
    req,
    res,
    // A domain error is expected: its message says all there is to log.
    exception: exception instanceof CodedError ? `${exception.code}: ${exception.message}` : exception,
    described: answering.describe?.(exception) ?? describeError(exception),
    requestId,
    logger,
    ...(answering.html ? { html: answering.html } : {}),
  });
}

/** The one exception filter every app registers (`{ provide: APP_FILTER, useValue: new PlatformExceptionFilter({...}) }`). */
@Catch()
export class PlatformExceptionFilter implements ExceptionFilter {
  private readonly logger: Logger;

  constructor(private readonly answering: ErrorAnswering) {
    this.logger = new Logger(answering.app);
  }

  catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const http = host.switchToHttp();
    return answerError(http.getRequest<Request>(), http.getResponse<Response>(), exception, this.answering, this.logger);
  }
}
