import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ControlPlaneConfig } from '@mysaas/config';
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
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  return { app, url: `http://${config.http.host}:${port}`, close: () => app.close() };
}
