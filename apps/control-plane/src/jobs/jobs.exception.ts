import { HttpStatus } from '@nestjs/common';
import { CodedError } from '@mysaas/nest-http';

export enum JobsExceptionCode {
  NOT_CONFIGURED = 'JOBS_NOT_CONFIGURED',
  PLAN_NOT_FOUND = 'JOB_PLAN_NOT_FOUND',
  INVALID_PLAN = 'JOB_PLAN_INVALID',
}

export class JobsException extends CodedError<JobsExceptionCode> {
  protected readonly statuses = {
    [JobsExceptionCode.NOT_CONFIGURED]: HttpStatus.SERVICE_UNAVAILABLE,
    [JobsExceptionCode.PLAN_NOT_FOUND]: HttpStatus.NOT_FOUND,
    [JobsExceptionCode.INVALID_PLAN]: HttpStatus.BAD_REQUEST,
  };
}
