import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { migratePlatform } from '@mysaas/db';
import { CONTROL_PLANE_CONFIG, type ControlPlaneConfig } from '../app-config';
import { PoolDatabases } from './pool-databases';

/** The control-plane database (schema `platform`). */
export const PLATFORM_DB = Symbol('PLATFORM_DB');

/** Owns the platform schema: migrates it at startup, before any request is served. */
@Global()
@Module({
  providers: [
    {
      provide: PLATFORM_DB,
      inject: [CONTROL_PLANE_CONFIG],
      useFactory: async (config: ControlPlaneConfig) => {
        const pool = new Pool({ connectionString: config.database.url, max: 5, application_name: 'mysaas-control-plane' });
        pool.on('error', () => undefined); // an idle client dropped by the server; the next query reconnects
        await migratePlatform(pool);
        return pool;
      },
    },
    PoolDatabases,
  ],
  exports: [PLATFORM_DB, PoolDatabases],
})
export class PlatformDbModule implements OnApplicationShutdown {
  constructor(@Inject(PLATFORM_DB) private readonly db: Pool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.db.end();
  }
}
