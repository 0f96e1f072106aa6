import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorBodySchema } from './error-body.schema';

/** The name of the admin-token security scheme in the OpenAPI document. */
export const ADMIN_TOKEN_SCHEME = 'admin-token';

/**
 * A platform API controller: its tag, the admin token, and the errors each of its operations
 * can answer (the guard's 401; a 500, whose details stay in the log).
 */
export function PlatformApi(tag: string): ClassDecorator {
  return applyDecorators(
    ApiTags(tag),
    ApiBearerAuth(ADMIN_TOKEN_SCHEME),
    ApiResponse({ status: 401, type: ErrorBodySchema, description: describe(['ADMIN_TOKEN_MISSING, ADMIN_TOKEN_INVALID: send "Authorization: Bearer <PLATFORM_ADMIN_TOKEN>"']) }),
    ApiResponse({ status: 500, type: ErrorBodySchema, description: describe(['INTERNAL_ERROR: the server log has the details under the request id']) }),
  );
}

type ErrorStatus = 400 | 404 | 409 | 413 | 503;

/** The other errors one operation can answer: by status, each code it may carry and when. */
export function ApiErrors(errors: Partial<Record<ErrorStatus, readonly string[]>>): MethodDecorator {
  return applyDecorators(
    ...Object.entries(errors).flatMap(([status, codes]) =>
      codes === undefined ? [] : [ApiResponse({ status: Number(status), type: ErrorBodySchema, description: describe(codes) })],
    ),
  );
}

/** The errors of the platform's own pipeline, which any operation with a body or a query can answer. */
export const INVALID = {
  fields: 'VALIDATION_FAILED: a field is missing, of the wrong type or out of range (the message lists every one)',
  json: 'MALFORMED_BODY: the body is not valid JSON',
  tooLarge: 'BODY_TOO_LARGE: the body is over 64 KiB',
} as const;

function describe(codes: readonly string[]): string {
  return codes.map((code) => `- ${code}`).join('\n');
}
