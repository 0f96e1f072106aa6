import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { TenantRoutesRepository } from '../routing/tenant-routes.repository';

/** Probes answer on any Host: load balancers do not send tenant hosts. */
@Controller()
export class HealthController {
  constructor(private readonly routes: TenantRoutesRepository) {}

  @Get('healthz')
  live() {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready() {
    try {
      await this.routes.ping();
    } catch {
      throw new ServiceUnavailableException('tenant routing data is unreachable');
    }
    return { status: 'ready' };
  }
}
