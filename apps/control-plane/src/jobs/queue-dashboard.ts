import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Queue } from 'bullmq';
import type { NextFunction, Request, Response } from 'express';
import { requireAdminToken } from '../admin-auth/admin-token.middleware';

/** Where the queue dashboard is served on the control plane. */
export const QUEUE_DASHBOARD_PATH = '/platform/queues';

/**
 * BullMQ's dashboard (bull-board) for the job queue, behind the platform admin token: as a
 * bearer token (scripts) or as the password of HTTP Basic authentication (any user name), so
 * a browser asks for it once and sends it with every call the page makes. Its page runs its
 * own scripts, so this path gets a CSP of its own (scripts and styles from itself, inline
 * ones allowed; nothing from elsewhere); the rest of the control plane keeps the strict one.
 */
export function mountQueueDashboard(app: NestExpressApplication, queue: Queue, adminToken: string): void {
  const serverAdapter = new ExpressAdapter().setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: [new BullMQAdapter(queue, { description: 'every tenant’s jobs, as the fair dispatcher hands them over' })],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'MySaaS jobs' } },
  });
  app.use(QUEUE_DASHBOARD_PATH, requireAdminToken(adminToken, { browserRealm: 'MySaaS queues' }));
  app.use(QUEUE_DASHBOARD_PATH, (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader(
      'content-security-policy',
      "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:",
    );
    next();
  });
  app.use(QUEUE_DASHBOARD_PATH, serverAdapter.getRouter() as (req: Request, res: Response, next: NextFunction) => void);
}
