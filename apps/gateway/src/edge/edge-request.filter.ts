import { randomUUID } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { answerError, safeRequestId } from '@mysaas/nest-http';
import { REQUEST_ID_HEADER } from '@mysaas/tenancy';
import { GATEWAY_ERROR_ANSWERING } from '../errors/gateway-error-answering';
import { GatewayException, GatewayExceptionCode } from '../errors/gateway.exception';
import type { GatewayRequest } from '../tenant-host/gateway-request';
import { parseRequestTarget } from './request-target';

/**
 * The first thing every request meets, before Nest routes it: it gets a request id, and a
 * request whose Host or request target could be read two ways is refused. From here on
 * `req.url` holds the normalised path, so routing, the session rule and the proxy all judge
 * and forward the same thing.
 */
export function edgeRequestFilter(logger: Logger) {
  return (req: GatewayRequest, res: Response, next: NextFunction): void => {
    req.requestId = safeRequestId(req.header(REQUEST_ID_HEADER), randomUUID());
    res.setHeader(REQUEST_ID_HEADER, req.requestId);
    if (countHeader(req.rawHeaders, 'host') > 1) {
      // RFC 9110 §7.2: a server must answer 400 to a request with more than one Host.
      return void answerError(req as never, res, new GatewayException(GatewayExceptionCode.HOST_DUPLICATED, 'the request has more than one Host header'), GATEWAY_ERROR_ANSWERING, logger);
    }
    const target = parseRequestTarget(req.url);
    if (!target.ok) {
      return void answerError(req as never, res, new GatewayException(GatewayExceptionCode.REQUEST_TARGET_INVALID, target.reason), GATEWAY_ERROR_ANSWERING, logger);
    }
    req.url = target.path + target.query;
    req.originalUrl = req.url;
    next();
  };
}

function countHeader(rawHeaders: string[], name: string): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === name) count++;
  return count;
}
