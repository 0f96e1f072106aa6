import { ApiProperty } from '@nestjs/swagger';
import { PAUSE_REASONS, type PauseReason } from '@mysaas/jobs';

/** What the job endpoints answer, as the OpenAPI document shows it. */
export class JobStatsTenantView {
  @ApiProperty({ description: 'The tenant’s slug.', example: 'initech' })
  tenant!: string;

  @ApiProperty({ description: 'Its job plan.', example: 'standard' })
  plan!: string;

  @ApiProperty({ example: false })
  paused!: boolean;

  @ApiProperty({ enum: PAUSE_REASONS, isArray: true, description: 'Why its jobs wait: an operator’s pause, its suspension, a move between pools.', example: [] })
  pausedFor!: PauseReason[];

  @ApiProperty({ type: 'integer', example: 12 })
  queued!: number;

  @ApiProperty({ type: 'integer', example: 2 })
  running!: number;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Age of its oldest waiting job; null when none waits.', example: 850 })
  oldestQueuedAgeMs!: number | null;

  @ApiProperty({ type: 'integer', example: 30 })
  startedLastMinute!: number;

  @ApiProperty({ description: 'Its part of every job started in the last minute, 0 to 1.', example: 0.25 })
  servedShare!: number;
}

export class JobStatsTotalsView {
  @ApiProperty({ type: 'integer', example: 48 })
  queued!: number;

  @ApiProperty({ type: 'integer', example: 8 })
  running!: number;

  @ApiProperty({ type: 'integer', example: 120 })
  startedLastMinute!: number;
}

export class JobStatsView {
  @ApiProperty({ type: [JobStatsTenantView] })
  tenants!: JobStatsTenantView[];

  @ApiProperty({ type: JobStatsTotalsView })
  totals!: JobStatsTotalsView;
}

export class DeadJobView {
  @ApiProperty({ example: '1289' })
  id!: string;

  @ApiProperty({ description: 'The tenant’s slug.', example: 'initech' })
  tenant!: string;

  @ApiProperty({ description: 'The job’s name.', example: 'links.import' })
  name!: string;

  @ApiProperty({ example: 'connect ECONNREFUSED 10.0.0.7:5432' })
  failedReason!: string;

  @ApiProperty({ type: 'integer', example: 5 })
  attemptsMade!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-01-31T09:30:00.000Z' })
  failedAt!: string | null;
}

export class DeadJobListView {
  @ApiProperty({ type: [DeadJobView], description: 'Newest first.' })
  jobs!: DeadJobView[];
}

export class ReplayedJobView {
  @ApiProperty({ description: 'The dead job’s id.', example: '1289' })
  id!: string;

  @ApiProperty({ description: 'The id of the job that replays it.', example: '1502' })
  newId!: string;
}

export class ReplayedJobsView {
  @ApiProperty({ type: [ReplayedJobView] })
  replayed!: ReplayedJobView[];
}

export class JobPauseView {
  @ApiProperty({ example: 'initech' })
  tenant!: string;

  @ApiProperty({ description: 'Whether its jobs wait, for this or any other reason.', example: true })
  paused!: boolean;

  @ApiProperty({ enum: PAUSE_REASONS, isArray: true, example: ['operator'] })
  pausedFor!: PauseReason[];
}

export class JobPlanView {
  @ApiProperty({ example: 'standard' })
  name!: string;

  @ApiProperty({ example: 1 })
  weight!: number;

  @ApiProperty({ type: 'integer', example: 4 })
  maxRunning!: number;

  @ApiProperty({ type: Number, nullable: true, example: null })
  ratePerSecond!: number | null;

  @ApiProperty({ type: Number, nullable: true, example: null })
  burst!: number | null;

  @ApiProperty({ type: 'integer', example: 100_000 })
  maxQueued!: number;

  @ApiProperty({ example: true })
  isDefault!: boolean;
}

export class JobPlanListView {
  @ApiProperty({ type: [JobPlanView] })
  plans!: JobPlanView[];
}

export class TenantJobPlanView {
  @ApiProperty({ example: 'initech' })
  tenant!: string;

  @ApiProperty({ example: 'premium' })
  plan!: string;
}
