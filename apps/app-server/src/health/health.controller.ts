import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppServerConfig } from '../app-config';
import { Public } from '@mysaas/modules';

/** Liveness and readiness for the load balancer; outside any tenant. */
@Public()
@Controller()
export class HealthController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppServerConfig,
    private readonly dataSource: DataSource,
  ) {}

  @Get('healthz')
  live() {
    return { status: 'ok', pool: this.config.pool.name, release: this.config.pool.release };
  }

  @Get('readyz')
  async ready() {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      throw new ServiceUnavailableException('the pool database is unreachable');
    }
    return { status: 'ready', pool: this.config.pool.name, release: this.config.pool.release };
  }
}
