import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { POOL_STATUSES, type PoolStatus } from '@mysaas/tenancy';

/** A pool as the API shows it (`poolView`): its database server without credentials. */
export class PoolView {
  @ApiProperty({ example: 'v1' })
  name!: string;

  @ApiProperty({ description: 'The release of the app its servers run; tenants are migrated to it.', type: 'integer', example: 1 })
  release!: number;

  @ApiProperty({ enum: POOL_STATUSES, description: 'Only an active pool takes new tenants; a retired one serves no requests.', example: 'active' })
  status!: PoolStatus;

  @ApiProperty({ description: 'host:port/database of its database server; never the credentials.', example: 'db-v1.internal:5432/pool_v1' })
  databaseServer!: string;

  @ApiProperty({ description: 'The login role its app servers use.', example: 'pool_v1_app' })
  appRole!: string;

  @ApiProperty({ description: 'The app-server origins the gateways send its tenants’ requests to.', type: [String], example: ['http://10.0.0.5:3201'] })
  upstreams!: string[];

  @ApiProperty({ description: 'Whether tenants created without a pool go here (one pool at most, an active one).', example: true })
  isDefault!: boolean;

  @ApiPropertyOptional({ description: 'Tenants on the pool (in the list only).', type: 'integer', example: 42 })
  tenantCount?: number;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T09:30:00.000Z' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T09:30:00.000Z' })
  updatedAt!: string;
}

export class PoolListView {
  @ApiProperty({ type: [PoolView] })
  pools!: PoolView[];
}
