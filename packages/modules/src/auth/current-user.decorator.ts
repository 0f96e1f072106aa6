import { createParamDecorator } from '@nestjs/common';
import { currentTenantScope } from '@mysaas/tenant-runtime';
import { AuthException, AuthExceptionCode } from './auth.exception';

/** The signed-in user; on @OptionalSession routes it may be undefined. */
export const CurrentUser = createParamDecorator((options: { optional?: boolean } | undefined) => {
  const user = currentTenantScope().user;
  if (user === undefined && !options?.optional) {
    throw new AuthException(AuthExceptionCode.SESSION_REQUIRED, 'sign in first: this route needs a session');
  }
  return user;
});
