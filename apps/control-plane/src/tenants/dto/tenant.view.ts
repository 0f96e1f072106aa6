import { ApiProperty } from '@nestjs/swagger';
import { TENANT_STATUSES, type TenantStatus } from '@mysaas/tenancy';

/** A tenant as the API shows it (`tenantView`). */
export class TenantLimitsView {
  @ApiProperty({ description: 'Requests the gateway lets through at once, per gateway instance; null: the platform default.', type: 'integer', nullable: true, example: 32 })
  maxConcurrentRequests!: number | null;

  @ApiProperty({ description: 'statement_timeout of its transactions, in milliseconds; null: the platform default.', type: 'integer', nullable: true, example: null })
  statementTimeoutMs!: number | null;
}

export class TenantView {
  @ApiProperty({ format: 'uuid', example: '0b6e7a52-8f0c-4a7e-9d55-1f3b2c4d5e6f' })
  id!: string;

  @ApiProperty({ example: 'initech' })
  slug!: string;

  @ApiProperty({ example: 'Initech' })
  name!: string;

  @ApiProperty({ enum: TENANT_STATUSES, description: 'provisioning while it is being created; suspended tenants are refused at the gateway.', example: 'active' })
  status!: TenantStatus;

  @ApiProperty({ description: 'The pool it lives on.', example: 'v1' })
  pool!: string;

  @ApiProperty({ description: 'Its Postgres schema on the pool’s server.', example: 't_initech' })
  schema!: string;

  @ApiProperty({ description: 'Its Postgres role on the pool’s server.', example: 't_initech' })
  role!: string;

  @ApiProperty({ type: TenantLimitsView })
  limits!: TenantLimitsView;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T09:30:00.000Z' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T09:30:00.000Z' })
  updatedAt!: string;
}

export class TenantPageView {
  @ApiProperty({ type: [TenantView] })
  tenants!: TenantView[];

  @ApiProperty({ type: String, nullable: true, description: 'The `after` of the next page; null on the last page.', example: 'initech' })
  next!: string | null;
}
