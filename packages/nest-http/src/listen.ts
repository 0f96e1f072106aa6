import type { INestApplication } from '@nestjs/common';

/** Starts listening and returns the bound port (the real one when `port` is 0). */
export async function listen(app: INestApplication, port: number, host?: string): Promise<number> {
  await (host === undefined ? app.listen(port) : app.listen(port, host));
  const address: unknown = app.getHttpServer().address();
  return typeof address === 'object' && address !== null && 'port' in address ? (address as { port: number }).port : port;
}
