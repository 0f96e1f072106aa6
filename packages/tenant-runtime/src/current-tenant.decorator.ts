import { createParamDecorator } from '@nestjs/common';
import { currentTenantScope } from './tenant-scope';

/** The current tenant ({ id, slug, name }) as a handler parameter. */
export const CurrentTenant = createParamDecorator(() => currentTenantScope().tenant);

/** Where the app serves from: which pool and release answered (shown by /api/me, used in logs). */
export const SERVING_POOL = Symbol('SERVING_POOL');
export interface ServingPool {
  name: string;
  release: number;
}
