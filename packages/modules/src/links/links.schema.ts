import type { TenantSchemaPart } from '@mysaas/db';
import { Link } from './link.entity';
import { LINKS_MIGRATIONS } from './links.migrations';

export const LINKS_SCHEMA: TenantSchemaPart = { module: 'links', migrations: LINKS_MIGRATIONS, entities: [Link] };
