import { HttpStatus } from '@nestjs/common';
import { CodedError } from '@mysaas/nest-http';

export enum TenantRuntimeExceptionCode {
  /** Tenant data was touched outside a tenant scope: a bug in the caller, never the client's fault. */
  NO_TENANT_SCOPE = 'NO_TENANT_SCOPE',
}

export class TenantRuntimeException extends CodedError<TenantRuntimeExceptionCode> {
  protected readonly statuses = { [TenantRuntimeExceptionCode.NO_TENANT_SCOPE]: HttpStatus.INTERNAL_SERVER_ERROR };
}
