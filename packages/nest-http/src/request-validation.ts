import { ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { CodedError } from './coded-error';

/** A request body or query that failed its DTO's rules; the message lists every problem. */
export class RequestValidationException extends CodedError<'VALIDATION_FAILED'> {
  protected readonly statuses = { VALIDATION_FAILED: 400 };

  constructor(readonly problems: string[]) {
    super('VALIDATION_FAILED', problems.join('; '));
  }

  static fromErrors(errors: ValidationError[]): RequestValidationException {
    return new RequestValidationException(flatten(errors));
  }
}

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = `${prefix}${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property) ? `${prefix}${message}` : `${path}: ${message}`,
    );
    return [...own, ...flatten(error.children ?? [], `${path}.`)];
  });
}

/** The platform's validation pipe: strict DTOs (unknown fields refused), one clear message. */
export function strictValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => RequestValidationException.fromErrors(errors),
  });
}
