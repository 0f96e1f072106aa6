import { IsEmail, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TENANT_STATUSES, type TenantStatus } from '@mysaas/tenancy';

export class CreateTenantDto {
  /** Checked in full by the service, which says exactly what is wrong with it. */
  @ApiProperty({
    description: 'The subdomain and the root of the tenant’s Postgres names: 2 to 61 characters, a lower-case letter, then lower-case letters, digits or hyphens; not a reserved word (www, api, …).',
    example: 'initech',
  })
  @IsString({ message: 'slug is required and must be a string' })
  slug!: string;

  @ApiProperty({ description: 'The tenant’s display name, 1 to 200 characters.', example: 'Initech', minLength: 1, maxLength: 200 })
  @IsString({ message: 'name is required and must be a string' })
  @Length(1, 200, { message: 'name must be 1 to 200 characters' })
  name!: string;

  @ApiProperty({ description: 'The email address of the tenant’s first user, its admin.', example: 'owner@initech.test', format: 'email', maxLength: 320 })
  @IsEmail({}, { message: 'adminEmail must be an email address' })
  @MaxLength(320, { message: 'adminEmail must be at most 320 characters' })
  adminEmail!: string;

  @ApiProperty({ description: 'The first user’s password (at least 8 characters); only its hash is stored.', example: 'demo-password-1', format: 'password' })
  @IsString({ message: 'adminPassword is required and must be a string' })
  adminPassword!: string;

  @ApiPropertyOptional({ description: 'The pool to place the tenant on; it must be active. Left out: the default pool.', example: 'v1' })
  @IsOptional()
  @IsString({ message: 'pool must be the name of the pool to place the tenant on (or left out, for the default pool)' })
  pool?: string;
}

export class ListTenantsQuery {
  @ApiPropertyOptional({ description: 'Only the tenants on this pool.', example: 'v1' })
  @IsOptional()
  @IsString()
  pool?: string;

  @ApiPropertyOptional({ description: 'Only the tenants in this status.', enum: TENANT_STATUSES, example: 'active' })
  @IsOptional()
  @IsIn([...TENANT_STATUSES], { message: `status must be one of ${TENANT_STATUSES.join(', ')}` })
  status?: TenantStatus;

  /** Keyset pagination: slugs after this one. */
  @ApiPropertyOptional({ description: 'The cursor: tenants whose slug comes after this one (the `next` of the previous page).', example: 'globex' })
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,63}$/, { message: 'after must be a tenant slug' })
  after?: string;

  @ApiPropertyOptional({ description: 'Tenants on the page: 100 by default, 500 at most (more is taken as 500).', type: 'integer', minimum: 1, example: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  limit?: number;
}

/** A limit given as null goes back to the platform default; one left out stays as it is. */
export class UpdateTenantLimitsDto {
  @ApiPropertyOptional({
    description: 'Requests the gateway lets through for the tenant at once, per gateway instance; null: the platform default.',
    type: 'integer', nullable: true, minimum: 1, maximum: 100_000, example: 32,
  })
  @IsOptional()
  @IsInt({ message: 'maxConcurrentRequests must be a whole number, or null for the platform default' })
  @Min(1, { message: 'maxConcurrentRequests must be at least 1' })
  @Max(100_000, { message: 'maxConcurrentRequests must be at most 100000' })
  maxConcurrentRequests?: number | null;

  @ApiPropertyOptional({
    description: 'The statement_timeout of the tenant’s transactions, in milliseconds, set on its role; null: the platform default.',
    type: 'integer', nullable: true, minimum: 100, maximum: 3_600_000, example: 5_000,
  })
  @IsOptional()
  @IsInt({ message: 'statementTimeoutMs must be a whole number of milliseconds, or null for the platform default' })
  @Min(100, { message: 'statementTimeoutMs must be at least 100' })
  @Max(3_600_000, { message: 'statementTimeoutMs must be at most 3600000 (one hour)' })
  statementTimeoutMs?: number | null;
}
