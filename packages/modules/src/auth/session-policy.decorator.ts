import { SetMetadata } from '@nestjs/common';

/**
 * Every route needs a signed-in user unless it says otherwise: `@Public()` routes never look
 * at the session, `@OptionalSession()` routes load the user when there is one.
 */
export type SessionPolicy = 'required' | 'optional' | 'public';
export const SESSION_POLICY = 'mysaas:session-policy';

export const Public = () => SetMetadata(SESSION_POLICY, 'public' satisfies SessionPolicy);
export const OptionalSession = () => SetMetadata(SESSION_POLICY, 'optional' satisfies SessionPolicy);
