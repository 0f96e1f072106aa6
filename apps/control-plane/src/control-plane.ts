import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ControlPlaneConfig } from '@mysaas/config';
import { createApp, startApp } from '@mysaas/nest-http';
import { ControlPlaneModule } from './app.module';

export interface StartedControlPlane {
  app: NestExpressApplication;
  url: string;
  close(): Promise<void>;
}

/** The platform API (tenants, pools, audit). It migrates the platform schema as it starts. */
export async function startControlPlane(config: ControlPlaneConfig): Promise<StartedControlPlane> {
  return startApp(await createApp(ControlPlaneModule.forRoot(config), { jsonBodyBytes: 64 * 1024 }), config.http);
}
