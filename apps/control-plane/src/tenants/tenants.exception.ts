export enum TenantExceptionCode {
  INVALID_SLUG = 'TENANT_INVALID_SLUG',
  INVALID_PASSWORD = 'TENANT_INVALID_PASSWORD',
  SLUG_TAKEN = 'TENANT_SLUG_TAKEN',
  NOT_FOUND = 'TENANT_NOT_FOUND',
  NOT_READY = 'TENANT_NOT_READY',
  POOL_UNKNOWN = 'TENANT_POOL_UNKNOWN',
  POOL_NOT_ACCEPTING = 'TENANT_POOL_NOT_ACCEPTING',
  RESIDUE_ON_POOL = 'TENANT_RESIDUE_ON_POOL',
  POOL_UNREACHABLE = 'TENANT_POOL_UNREACHABLE',
}

export class TenantException extends Error {
  constructor(readonly code: TenantExceptionCode, message: string) {
    super(message);
    this.name = 'TenantException';
  }
}
