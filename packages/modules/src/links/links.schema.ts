import type { TenantSchemaPart } from '@mysaas/db';
import { LinkDetails } from './link-details.entity';
import { Link } from './link.entity';
import { LinkImportChunk } from './link-import-chunk.entity';
import { LinkImportError } from './link-import-error.entity';
import { LinkImportRow } from './link-import-row.entity';
import { LinkImport } from './link-import.entity';
import { LINKS_MIGRATIONS } from './links.migrations';

export const LINKS_SCHEMA: TenantSchemaPart = {
  module: 'links',
  migrations: LINKS_MIGRATIONS,
  entities: [Link, LinkImport, LinkImportChunk, LinkImportRow, LinkImportError, LinkDetails],
};
