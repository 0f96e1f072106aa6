import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { DeadJobsQuery, JobPlanDto, JobStatsQuery, ReplayTenantDto, TenantJobPlanDto } from './jobs.dto';
import { JobsService } from './jobs.service';

/** The job service's operations (`saas jobs …`). */
@Controller('platform')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get('jobs/stats')
  stats(@Query() query: JobStatsQuery) {
    return this.jobs.stats(query.tenant);
  }

  @Get('jobs/dead')
  dead(@Query() query: DeadJobsQuery) {
    return this.jobs.deadJobs(query);
  }

  @Post('jobs/dead/replay')
  @HttpCode(200)
  replayTenant(@Body() body: ReplayTenantDto) {
    return this.jobs.replayTenant(body.tenant);
  }

  @Post('jobs/dead/:id/replay')
  @HttpCode(200)
  replay(@Param('id') id: string) {
    return this.jobs.replay(id);
  }

  @Post('tenants/:slug/jobs/pause')
  @HttpCode(200)
  pause(@Param('slug') slug: string) {
    return this.jobs.setPaused(slug, true);
  }

  @Post('tenants/:slug/jobs/resume')
  @HttpCode(200)
  resume(@Param('slug') slug: string) {
    return this.jobs.setPaused(slug, false);
  }

  @Get('job-plans')
  plans() {
    return this.jobs.plans();
  }

  @Put('job-plans/:name')
  savePlan(@Param('name') name: string, @Body() body: JobPlanDto) {
    return this.jobs.savePlan(name, body);
  }

  @Put('tenants/:slug/job-plan')
  setTenantPlan(@Param('slug') slug: string, @Body() body: TenantJobPlanDto) {
    return this.jobs.setTenantPlan(slug, body.plan);
  }
}
