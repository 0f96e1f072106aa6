import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { HealthModule, PlatformExceptionFilter, strictValidationPipe } from '@mysaas/nest-http';
import type { Pool } from 'pg';
import { AdminTokenGuard } from './admin-auth/admin-token.guard';
import { CONTROL_PLANE_CONFIG, type ControlPlaneConfig } from './app-config';
import { AuditModule } from './audit/audit.module';
import { JobServiceModule } from './jobs/job-service.module';
import { JobsModule } from './jobs/jobs.module';
import { MovesModule } from './moves/moves.module';
import { PLATFORM_DB, PlatformDbModule } from './platform-db/platform-db.module';
import { PoolsModule } from './pools/pools.module';
import { TenantsModule } from './tenants/tenants.module';

@Module({})
class ConfigModule {}

@Module({})
export class ControlPlaneModule {
  static forRoot(config: ControlPlaneConfig): DynamicModule {
    return {
      module: ControlPlaneModule,
      imports: [
        { module: ConfigModule, global: true, providers: [{ provide: CONTROL_PLANE_CONFIG, useValue: config }], exports: [CONTROL_PLANE_CONFIG] },
        PlatformDbModule,
        JobServiceModule,
        AuditModule,
        JobsModule,
        PoolsModule,
        TenantsModule,
        MovesModule,
        HealthModule.forRoot({ inject: [PLATFORM_DB], useFactory: (db: Pool) => ({ checks: { database: () => db.query('SELECT 1') } }) }),
      ],
      providers: [
        { provide: APP_GUARD, useClass: AdminTokenGuard },
        { provide: APP_FILTER, useValue: new PlatformExceptionFilter({ app: 'ControlPlane' }) },
        { provide: APP_PIPE, useValue: strictValidationPipe() },
      ],
    };
  }
}
