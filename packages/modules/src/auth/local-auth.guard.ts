import { Injectable, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Response } from 'express';
import { SIGNIN_RESULT_HEADER, type SignInResult } from '@mysaas/tenancy';
import { AuthException, AuthExceptionCode } from './auth.exception';

/**
 * Tells the gateway how a password check ended, so it can throttle failed sign-ins. Only
 * a check that ran counts: a request without credentials says nothing.
 */
export function reportSignIn(res: Response, result: SignInResult): void {
  res.setHeader(SIGNIN_RESULT_HEADER, result);
}

/** For the JSON API: refuses with a clear 400 or 401 instead of passport's bare status. */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override handleRequest<TUser>(
    error: unknown,
    user: TUser | false,
    info: { message?: string } | undefined,
    context: ExecutionContext,
  ): TUser {
    if (error) throw error;
    const res = context.switchToHttp().getResponse<Response>();
    if (user) {
      reportSignIn(res, 'success');
      return user;
    }
    if (info?.message === 'Missing credentials') {
      throw new AuthException(AuthExceptionCode.CREDENTIALS_MISSING, 'email and password are required, as strings');
    }
    reportSignIn(res, 'failure');
    throw new AuthException(AuthExceptionCode.INVALID_CREDENTIALS, 'email or password is incorrect');
  }
}

/** For the sign-in form: never throws, so the page can show the failure instead. */
@Injectable()
export class LoginFormGuard extends AuthGuard('local') {
  override handleRequest<TUser>(error: unknown, user: TUser | false, info: { message?: string } | undefined, context: ExecutionContext): TUser | false {
    if (error) throw error;
    if (info?.message !== 'Missing credentials') reportSignIn(context.switchToHttp().getResponse<Response>(), user ? 'success' : 'failure');
    return user;
  }
}
