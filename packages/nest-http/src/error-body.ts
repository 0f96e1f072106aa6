import { HttpException, HttpStatus } from '@nestjs/common';
import { CodedError, describeCoded } from './coded-error';

/** The shape of every error response the platform sends. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  requestId: string;
}

export interface ErrorDescription {
  status: number;
  code: string;
  message: string;
  /** For 429 and 503: when to try again (the Retry-After header). */
  retryAfterSeconds?: number;
}

export const INTERNAL_ERROR: ErrorDescription = {
  status: HttpStatus.INTERNAL_SERVER_ERROR,
  code: 'INTERNAL_ERROR',
  message: 'internal error; the server log has the details under this request id',
};

/**
 * What any error means as an HTTP answer: a domain error (validation included) has its own
 * status, Nest's own exceptions keep theirs, anything else is a 500 that says nothing about
 * internals.
 */
export function describeError(exception: unknown): ErrorDescription {
  if (exception instanceof CodedError) return describeCoded(exception);
  if (exception instanceof HttpException) return describeHttpException(exception);
  return INTERNAL_ERROR;
}

/**
 * Describes Nest's own HttpExceptions (404 for an unknown route, body-parser failures that
 * Nest wraps) in the platform's error vocabulary.
 */
export function describeHttpException(exception: HttpException): ErrorDescription {
  const bodyError = describeBodyParserError(exception.cause);
  if (bodyError) return bodyError;
  const status = exception.getStatus();
  const name = HttpStatus[status];
  return { status, code: typeof name === 'string' ? name : `HTTP_${status}`, message: messageOf(exception) };
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** body-parser tells its failures apart by `type`. */
function describeBodyParserError(error: unknown): ErrorDescription | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  const { type, limit, message } = error as { type: unknown; limit?: unknown; message?: unknown };
  switch (type) {
    case 'entity.too.large':
      return { status: HttpStatus.PAYLOAD_TOO_LARGE, code: 'BODY_TOO_LARGE', message: `request body is larger than ${String(limit)} bytes` };
    case 'entity.parse.failed':
      return { status: HttpStatus.BAD_REQUEST, code: 'MALFORMED_BODY', message: `request body is not valid JSON (${String(message)})` };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: HttpStatus.UNSUPPORTED_MEDIA_TYPE, code: 'UNSUPPORTED_ENCODING', message: 'request body encoding or charset is not supported' };
    case 'request.aborted':
      return { status: HttpStatus.BAD_REQUEST, code: 'REQUEST_ABORTED', message: 'the client aborted the request body' };
    default:
      return undefined;
  }
}

/** A request id safe to echo back: the caller's when well-formed, else a fallback. */
export function safeRequestId(candidate: string | undefined, fallback = 'none'): string {
  return candidate !== undefined && /^[\w.:-]{1,100}$/.test(candidate) ? candidate : fallback;
}
