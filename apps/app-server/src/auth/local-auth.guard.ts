import { Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { AuthException, AuthExceptionCode } from './auth.exception';

/** For the JSON API: refuses with a clear 400 or 401 instead of passport's bare status. */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override handleRequest<TUser>(error: unknown, user: TUser | false, info: { message?: string } | undefined): TUser {
    if (error) throw error;
    if (user) return user;
    if (info?.message === 'Missing credentials') {
      throw new AuthException(AuthExceptionCode.CREDENTIALS_MISSING, 'email and password are required, as strings');
    }
    throw new AuthException(AuthExceptionCode.INVALID_CREDENTIALS, 'email or password is incorrect');
  }
}

/** For the sign-in form: never throws, so the page can show the failure instead. */
@Injectable()
export class LoginFormGuard extends AuthGuard('local') {
  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser | false {
    if (error) throw error;
    return user;
  }
}
