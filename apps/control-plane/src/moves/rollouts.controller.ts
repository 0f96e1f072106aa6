import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import type { RolloutRecord } from '@mysaas/moves';
import { POOL_NAME_PATTERN, ROLLOUT_STATES, type RolloutState } from '@mysaas/tenancy';
import { ApiErrors, INVALID, PlatformApi } from '../openapi/api-responses.decorator';
import { RolloutsService } from './rollouts.service';

const SLUG = /^[a-z0-9-]{1,63}$/;

export class StartRolloutDto {
  @ApiProperty({ description: 'The pool to move tenants to (the new release).', example: 'v2' })
  @IsString({ message: 'pool is required: the pool to roll tenants out to' })
  @Matches(POOL_NAME_PATTERN, { message: 'pool must be a pool name' })
  pool!: string;

  @ApiPropertyOptional({ description: 'Tenants moved first, in a wave of their own.', type: [String], example: ['acme'] })
  @IsOptional()
  @IsArray({ message: 'canaries must be a list of tenant slugs' })
  @ArrayMaxSize(100, { message: 'at most 100 canaries' })
  @Matches(SLUG, { each: true, message: 'each canary must be a tenant slug' })
  canaries?: string[];

  @ApiPropertyOptional({ description: 'Rising percentages of the tenants moved by the end of each wave; 10, 50, 100 by default.', type: [Number], example: [10, 50, 100] })
  @IsOptional()
  @IsArray({ message: 'waves must be a list of percentages' })
  @IsInt({ each: true, message: 'each wave must be a whole percentage' })
  waves?: number[];

  @ApiPropertyOptional({ description: 'Only tenants on this pool; by default every active tenant on an older release.', example: 'v1' })
  @IsOptional()
  @Matches(POOL_NAME_PATTERN, { message: 'from must be a pool name' })
  from?: string;

  @ApiPropertyOptional({ description: 'Seconds of traffic watched before and after each wave’s moves: 30 by default.', minimum: 0.1, maximum: 3600, example: 30 })
  @IsOptional()
  @IsNumber({}, { message: 'windowSeconds must be a number of seconds' })
  @Min(0.1, { message: 'windowSeconds must be at least 0.1' })
  @Max(3600, { message: 'windowSeconds must be at most 3600' })
  windowSeconds?: number;

  @ApiPropertyOptional({ description: 'A rise of the 5xx share above this (0.05: five points) is a regression.', minimum: 0, maximum: 1, example: 0.05 })
  @IsOptional()
  @IsNumber({}, { message: 'maxErrorRateIncrease must be a number between 0 and 1' })
  @Min(0)
  @Max(1)
  maxErrorRateIncrease?: number;

  @ApiPropertyOptional({ description: 'Mean latency growing by more than this factor (and by 50 ms) is a regression: 2 by default.', minimum: 1, example: 2 })
  @IsOptional()
  @IsNumber({}, { message: 'maxLatencyRatio must be a number' })
  @Min(1)
  maxLatencyRatio?: number;

  @ApiPropertyOptional({ description: 'Fewer requests than this after a move: too little traffic to judge (5 by default).', minimum: 0, example: 5 })
  @IsOptional()
  @IsInt({ message: 'minRequests must be a whole number' })
  @Min(0)
  minRequests?: number;
}

export class ListRolloutsQuery {
  @ApiPropertyOptional({ description: 'Rollouts to return, newest first: 50 by default.', type: 'integer', minimum: 1, maximum: 500, example: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(500)
  limit?: number;
}

export class RolloutView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() pool!: string;
  @ApiProperty({ enum: ROLLOUT_STATES }) state!: RolloutState;
  @ApiProperty({ type: [Number] }) waves!: number[];
  @ApiProperty({ type: [String] }) canaries!: string[];
  @ApiProperty({ description: 'Tenant slugs, one list per wave.', type: 'array', items: { type: 'array', items: { type: 'string' } } }) plan!: string[][];
  @ApiProperty({ description: 'The wave under way (0-based).' }) currentWave!: number;
  @ApiProperty({ type: 'object', additionalProperties: true }) policy!: Record<string, unknown>;
  @ApiProperty({ description: 'Per tenant: wave, move, health before and after, verdict.', type: 'object', additionalProperties: true }) report!: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
}

export class RolloutListView {
  @ApiProperty({ type: [RolloutView] }) rollouts!: RolloutView[];
}

function rolloutView(rollout: RolloutRecord): RolloutView {
  return {
    ...rollout,
    policy: { ...rollout.policy },
    report: { ...rollout.report },
    createdAt: rollout.createdAt.toISOString(),
    updatedAt: rollout.updatedAt.toISOString(),
    finishedAt: rollout.finishedAt?.toISOString() ?? null,
  };
}

const ID = { name: 'id', description: 'The rollout’s id.', format: 'uuid' };
const NOT_FOUND = 'ROLLOUT_NOT_FOUND: no rollout has that id';

/** Staged rollouts (`saas rollout`, `saas rollouts …`). */
@PlatformApi('rollouts')
@Controller('platform/rollouts')
export class RolloutsController {
  constructor(private readonly rollouts: RolloutsService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Roll tenants out to a pool in waves',
    description: 'Canaries first, then each wave; every moved tenant is compared with its own health before its move, and a regression halts the rollout. Runs in the background.',
  })
  @ApiAcceptedResponse({ type: RolloutView, description: 'The rollout, planned and under way.' })
  @ApiErrors({
    400: [INVALID.fields, INVALID.json, 'ROLLOUT_INVALID: bad waves, a canary the rollout would not move, or no tenant to move', 'MOVE_POOL_UNKNOWN: no pool has that name'],
    409: ['ROLLOUT_OPEN: the pool has an unfinished rollout', 'MOVE_POOL_NOT_ACCEPTING: the pool is draining or retired', 'ROLLOUT_NO_METRICS: ROLLOUT_METRICS_URLS is not set'],
    413: [INVALID.tooLarge],
  })
  async start(@Body() body: StartRolloutDto): Promise<RolloutView> {
    const policy: Partial<Record<string, number>> = {};
    if (body.windowSeconds !== undefined) policy.windowMs = Math.round(body.windowSeconds * 1000);
    if (body.maxErrorRateIncrease !== undefined) policy.maxErrorRateIncrease = body.maxErrorRateIncrease;
    if (body.maxLatencyRatio !== undefined) policy.maxLatencyRatio = body.maxLatencyRatio;
    if (body.minRequests !== undefined) policy.minRequests = body.minRequests;
    return rolloutView(
      await this.rollouts.start({
        pool: body.pool,
        ...(body.canaries === undefined ? {} : { canaries: body.canaries }),
        ...(body.waves === undefined ? {} : { waves: body.waves }),
        ...(body.from === undefined ? {} : { from: body.from }),
        policy,
      }),
    );
  }

  @Get()
  @ApiOperation({ summary: 'List rollouts, newest first' })
  @ApiOkResponse({ type: RolloutListView, description: 'The rollouts, newest first.' })
  @ApiErrors({ 400: [INVALID.fields] })
  async list(@Query() query: ListRolloutsQuery): Promise<RolloutListView> {
    return { rollouts: (await this.rollouts.list(query.limit)).map(rolloutView) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One rollout with its plan and per-tenant report' })
  @ApiParam(ID)
  @ApiOkResponse({ type: RolloutView, description: 'The rollout.' })
  @ApiErrors({ 404: [NOT_FOUND] })
  async get(@Param('id') id: string): Promise<RolloutView> {
    return rolloutView(await this.rollouts.get(id));
  }

  @Post(':id/resume')
  @HttpCode(202)
  @ApiOperation({ summary: 'Resume a halted rollout', description: 'A wave halted on its verdicts is accepted and the next one goes; one halted on a failed move is tried again.' })
  @ApiParam(ID)
  @ApiAcceptedResponse({ type: RolloutView, description: 'The rollout, running again.' })
  @ApiErrors({ 404: [NOT_FOUND], 409: ['MOVE_WRONG_STATE: only a halted rollout can be resumed', 'MOVE_BUSY: the rollout is running a wave'] })
  async resume(@Param('id') id: string): Promise<RolloutView> {
    return rolloutView(await this.rollouts.resume(id));
  }

  @Post(':id/rollback')
  @HttpCode(202)
  @ApiOperation({ summary: 'Roll a rollout back as a whole', description: 'Every tenant it moved goes back to its old pool, with the writes made meanwhile.' })
  @ApiParam(ID)
  @ApiAcceptedResponse({ type: RolloutView, description: 'The rollout, rolling back.' })
  @ApiErrors({ 404: [NOT_FOUND], 409: ['MOVE_WRONG_STATE: the rollout is rolled back already', 'MOVE_BUSY: the rollout is running a wave'] })
  async rollback(@Param('id') id: string): Promise<RolloutView> {
    return rolloutView(await this.rollouts.rollback(id));
  }
}
