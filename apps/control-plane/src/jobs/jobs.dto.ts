import { Type } from 'class-transformer';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';

const SLUG = /^[a-z0-9-]{1,63}$/;

export class JobStatsQuery {
  @ApiPropertyOptional({ description: 'Only this tenant (its slug).', example: 'initech' })
  @IsOptional()
  @Matches(SLUG, { message: 'tenant must be a tenant slug' })
  tenant?: string;
}

export class DeadJobsQuery {
  @ApiPropertyOptional({ description: 'Only this tenant (its slug).', example: 'initech' })
  @IsOptional()
  @Matches(SLUG, { message: 'tenant must be a tenant slug' })
  tenant?: string;

  @ApiPropertyOptional({ description: 'Jobs to return: 100 by default.', type: 'integer', minimum: 1, maximum: 1000, example: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(1000, { message: 'limit must be at most 1000' })
  limit?: number;
}

export class ReplayTenantDto {
  @ApiProperty({ description: 'The slug of the tenant whose dead jobs to replay.', example: 'initech' })
  @IsString({ message: 'tenant is required: the slug of the tenant whose dead jobs to replay' })
  @Matches(SLUG, { message: 'tenant must be a tenant slug' })
  tenant!: string;
}

/** A plan's limits; all but rate and burst are required (null for those: no rate limit). */
export class JobPlanDto {
  @ApiProperty({ description: 'Its share of the workers while tenants compete: 2 gets twice the turns of 1.', minimum: 0.01, maximum: 1000, example: 1 })
  @IsNumber({}, { message: 'weight must be a number (its share of the workers while tenants compete; 2 gets twice the turns of 1)' })
  @Min(0.01, { message: 'weight must be at least 0.01' })
  @Max(1000, { message: 'weight must be at most 1000' })
  weight!: number;

  @ApiProperty({ description: 'Jobs of one tenant running at once.', type: 'integer', minimum: 1, maximum: 100_000, example: 4 })
  @IsInt({ message: 'maxRunning must be a whole number (jobs of one tenant running at once)' })
  @Min(1, { message: 'maxRunning must be at least 1' })
  @Max(100_000, { message: 'maxRunning must be at most 100000' })
  maxRunning!: number;

  @ApiPropertyOptional({ description: 'Jobs of one tenant started per second at most; null or absent: no rate limit.', type: Number, nullable: true, minimum: 0.001, example: 10 })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsNumber({}, { message: 'ratePerSecond must be a number of jobs per second, or null for no rate limit' })
  @Min(0.001, { message: 'ratePerSecond must be more than 0' })
  ratePerSecond?: number | null;

  @ApiPropertyOptional({ description: 'Jobs that may start at once above the rate; null or absent: the rate, at least 1.', type: Number, nullable: true, minimum: 1, example: 20 })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsNumber({}, { message: 'burst must be a number of jobs, or null for the default (the rate, at least 1)' })
  @Min(1, { message: 'burst must be at least 1' })
  burst?: number | null;

  @ApiProperty({ description: 'Jobs one tenant may have waiting; more are refused with 429.', type: 'integer', minimum: 1, maximum: 100_000_000, example: 100_000 })
  @IsInt({ message: 'maxQueued must be a whole number (jobs one tenant may have waiting; more are refused with 429)' })
  @Min(1, { message: 'maxQueued must be at least 1' })
  @Max(100_000_000, { message: 'maxQueued must be at most 100000000' })
  maxQueued!: number;

  @ApiPropertyOptional({ description: 'true: tenants without a plan of their own get this one (only one plan is the default).', example: false })
  @IsOptional()
  @IsBoolean({ message: 'isDefault must be true or false (true: tenants without a plan of their own get this one)' })
  isDefault?: boolean;
}

export class TenantJobPlanDto {
  @ApiProperty({ description: 'The name of a job plan (GET /platform/job-plans lists them).', example: 'premium' })
  @IsString({ message: 'plan is required: the name of a job plan (GET /platform/job-plans lists them)' })
  plan!: string;
}
