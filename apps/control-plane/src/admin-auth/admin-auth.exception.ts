export enum AdminAuthExceptionCode {
  TOKEN_MISSING = 'ADMIN_TOKEN_MISSING',
  TOKEN_INVALID = 'ADMIN_TOKEN_INVALID',
}

export class AdminAuthException extends Error {
  constructor(readonly code: AdminAuthExceptionCode, message: string) {
    super(message);
    this.name = 'AdminAuthException';
  }
}
