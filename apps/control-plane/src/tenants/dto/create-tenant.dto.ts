import { IsEmail, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { TENANT_STATUSES, type TenantStatus } from '@mysaas/tenancy';

export class CreateTenantDto {
  /** Checked in full by the service, which says exactly what is wrong with it. */
  @IsString({ message: 'slug is required and must be a string' })
  slug!: string;

  @IsString({ message: 'name is required and must be a string' })
  @Length(1, 200, { message: 'name must be 1 to 200 characters' })
  name!: string;

  @IsEmail({}, { message: 'adminEmail must be an email address' })
  @MaxLength(320, { message: 'adminEmail must be at most 320 characters' })
  adminEmail!: string;

  @IsString({ message: 'adminPassword is required and must be a string' })
  adminPassword!: string;

  @IsString({ message: 'pool is required: the name of the pool to place the tenant on' })
  pool!: string;
}

export class ListTenantsQuery {
  @IsOptional()
  @IsString()
  pool?: string;

  @IsOptional()
  @IsIn([...TENANT_STATUSES], { message: `status must be one of ${TENANT_STATUSES.join(', ')}` })
  status?: TenantStatus;

  /** Keyset pagination: slugs after this one. */
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,63}$/, { message: 'after must be a tenant slug' })
  after?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  limit?: number;
}

/** A limit given as null goes back to the platform default; one left out stays as it is. */
export class UpdateTenantLimitsDto {
  @IsOptional()
  @IsInt({ message: 'maxConcurrentRequests must be a whole number, or null for the platform default' })
  @Min(1, { message: 'maxConcurrentRequests must be at least 1' })
  @Max(100_000, { message: 'maxConcurrentRequests must be at most 100000' })
  maxConcurrentRequests?: number | null;

  @IsOptional()
  @IsInt({ message: 'statementTimeoutMs must be a whole number of milliseconds, or null for the platform default' })
  @Min(100, { message: 'statementTimeoutMs must be at least 100' })
  @Max(3_600_000, { message: 'statementTimeoutMs must be at most 3600000 (one hour)' })
  statementTimeoutMs?: number | null;
}
