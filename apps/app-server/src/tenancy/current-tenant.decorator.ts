import { createParamDecorator } from '@nestjs/common';
import { currentTenantRequest } from './tenant-request';

/** The current tenant ({ id, slug, name }) as a handler parameter. */
export const CurrentTenant = createParamDecorator(() => currentTenantRequest().tenant);
