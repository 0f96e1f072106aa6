import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import type { Pool } from 'pg';
import { Unauthenticated } from '../admin-auth/admin-token.guard';
import { PLATFORM_DB } from '../platform-db/platform-db.module';

@Unauthenticated()
@Controller()
export class HealthController {
  constructor(@Inject(PLATFORM_DB) private readonly db: Pool) {}

  @Get('healthz')
  live() {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready() {
    try {
      await this.db.query('SELECT 1');
    } catch {
      throw new ServiceUnavailableException('the control-plane database is unreachable');
    }
    return { status: 'ready' };
  }
}
