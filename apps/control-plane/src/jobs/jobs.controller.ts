import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { ApiErrors, INVALID, PlatformApi } from '../openapi/api-responses.decorator';
import { DeadJobsQuery, JobPlanDto, JobStatsQuery, ReplayTenantDto, TenantJobPlanDto } from './jobs.dto';
import { JobsService } from './jobs.service';
import { DeadJobListView, JobPauseView, JobPlanListView, JobPlanView, JobStatsView, ReplayedJobsView, TenantJobPlanView } from './jobs.view';

const SLUG = { name: 'slug', description: 'The tenant’s slug.', example: 'initech' };
const TENANT_NOT_FOUND = 'TENANT_NOT_FOUND: no tenant has that slug';
const NOT_CONFIGURED = 'JOBS_NOT_CONFIGURED: this control plane runs without a job service (JOBS_DATABASE_URL is not set)';

/** The job service's operations (`saas jobs …`). */
@PlatformApi('jobs')
@Controller('platform')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get('jobs/stats')
  @ApiOperation({ summary: 'Per-tenant job figures: queued, running, started in the last minute, share served' })
  @ApiOkResponse({ type: JobStatsView, description: 'Each tenant with jobs, in slug order, and the totals.' })
  @ApiErrors({ 400: [INVALID.fields], 404: [TENANT_NOT_FOUND], 503: [NOT_CONFIGURED] })
  stats(@Query() query: JobStatsQuery): Promise<JobStatsView> {
    return this.jobs.stats(query.tenant);
  }

  @Get('jobs/dead')
  @ApiOperation({ summary: 'List dead jobs (those that used up their attempts), newest first' })
  @ApiOkResponse({ type: DeadJobListView, description: 'The dead jobs.' })
  @ApiErrors({ 400: [INVALID.fields], 404: [TENANT_NOT_FOUND], 503: [NOT_CONFIGURED] })
  dead(@Query() query: DeadJobsQuery): Promise<DeadJobListView> {
    return this.jobs.deadJobs(query);
  }

  @Post('jobs/dead/replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replay every dead job of one tenant', description: 'Each goes through the job store again and waits its tenant’s turn.' })
  @ApiOkResponse({ type: ReplayedJobsView, description: 'The jobs replayed, each with the id of its new job.' })
  @ApiErrors({ 400: [INVALID.fields, INVALID.json], 404: [TENANT_NOT_FOUND], 413: [INVALID.tooLarge], 503: [NOT_CONFIGURED] })
  replayTenant(@Body() body: ReplayTenantDto): Promise<ReplayedJobsView> {
    return this.jobs.replayTenant(body.tenant);
  }

  @Post('jobs/dead/:id/replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replay one dead job', description: 'It goes through the job store again and waits its tenant’s turn.' })
  @ApiParam({ name: 'id', description: 'The dead job’s id (GET /platform/jobs/dead lists them).', example: '1289' })
  @ApiOkResponse({ type: ReplayedJobsView, description: 'The job replayed, with the id of its new job.' })
  @ApiErrors({ 404: ['DEAD_JOB_NOT_FOUND: no dead job has that id'], 503: [NOT_CONFIGURED] })
  replay(@Param('id') id: string): Promise<ReplayedJobsView> {
    return this.jobs.replay(id);
  }

  @Post('tenants/:slug/jobs/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Hold a tenant’s jobs (an operator’s pause, apart from its suspension)' })
  @ApiParam(SLUG)
  @ApiOkResponse({ type: JobPauseView, description: 'Whether the tenant’s jobs now wait, and why.' })
  @ApiErrors({ 404: [TENANT_NOT_FOUND], 503: [NOT_CONFIGURED] })
  pause(@Param('slug') slug: string): Promise<JobPauseView> {
    return this.jobs.setPaused(slug, true);
  }

  @Post('tenants/:slug/jobs/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Release an operator’s hold on a tenant’s jobs', description: 'They stay held while another reason remains (its suspension, a move).' })
  @ApiParam(SLUG)
  @ApiOkResponse({ type: JobPauseView, description: 'Whether the tenant’s jobs still wait, and why.' })
  @ApiErrors({ 404: [TENANT_NOT_FOUND], 503: [NOT_CONFIGURED] })
  resume(@Param('slug') slug: string): Promise<JobPauseView> {
    return this.jobs.setPaused(slug, false);
  }

  @Get('job-plans')
  @ApiOperation({ summary: 'List job plans' })
  @ApiOkResponse({ type: JobPlanListView, description: 'Every job plan.' })
  @ApiErrors({ 503: [NOT_CONFIGURED] })
  plans(): Promise<JobPlanListView> {
    return this.jobs.plans();
  }

  @Put('job-plans/:name')
  @ApiOperation({ summary: 'Create or replace a job plan' })
  @ApiParam({ name: 'name', description: 'Lower-case letters, digits and hyphens, starting with a letter (up to 31).', example: 'premium' })
  @ApiOkResponse({ type: JobPlanView, description: 'The plan as saved.' })
  @ApiErrors({
    400: [INVALID.fields, INVALID.json, 'JOB_PLAN_INVALID: the name breaks the plan-name rule, or isDefault: false on the default plan'],
    413: [INVALID.tooLarge],
    503: [NOT_CONFIGURED],
  })
  savePlan(@Param('name') name: string, @Body() body: JobPlanDto): Promise<JobPlanView> {
    return this.jobs.savePlan(name, body);
  }

  @Put('tenants/:slug/job-plan')
  @ApiOperation({ summary: 'Put a tenant on a job plan' })
  @ApiParam(SLUG)
  @ApiOkResponse({ type: TenantJobPlanView, description: 'The tenant and its plan.' })
  @ApiErrors({
    400: [INVALID.fields, INVALID.json],
    404: [TENANT_NOT_FOUND, 'JOB_PLAN_NOT_FOUND: no job plan has that name'],
    413: [INVALID.tooLarge],
    503: [NOT_CONFIGURED],
  })
  setTenantPlan(@Param('slug') slug: string, @Body() body: TenantJobPlanDto): Promise<TenantJobPlanView> {
    return this.jobs.setTenantPlan(slug, body.plan);
  }
}
