import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ControlPlaneConfig } from '@mysaas/config';
import { listen } from '@mysaas/nest-http';
import { ControlPlaneModule } from './app.module';

export interface StartedControlPlane {
  app: NestExpressApplication;
  url: string;
  close(): Promise<void>;
}

/** The platform API (tenants, pools, audit). It migrates the platform schema as it starts. */
export async function startControlPlane(config: ControlPlaneConfig): Promise<StartedControlPlane> {
  const app = await NestFactory.create<NestExpressApplication>(ControlPlaneModule.forRoot(config), {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  app.useBodyParser('json', { limit: 64 * 1024 });
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  const port = await listen(app, config.http.port, config.http.host);
  return { app, url: `http://${config.http.host}:${port}`, close: () => app.close() };
}
