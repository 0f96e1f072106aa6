import type { ControlPlaneConfig } from '@mysaas/config';
import { appObservability, createApp, matchedRoute, safeRequestId, startApp, type AppObservability, type ObservedApp } from '@mysaas/nest-http';
import type { DestinationStream } from '@mysaas/observability';
import { ControlPlaneModule } from './app.module';
import { JOB_SERVICE, type JobService } from './jobs/job-service.module';
import { mountQueueDashboard } from './jobs/queue-dashboard';
import { mountApiDocs } from './openapi/api-docs';

/** The control plane listening: `url` for the API, `metricsUrl` where Prometheus scrapes. */
export type StartedControlPlane = ObservedApp;

/** Platform operations are not a tenant's traffic: requests are counted by route and status. */
export function controlPlaneObservability(config: ControlPlaneConfig, destination?: DestinationStream): AppObservability {
  return appObservability({
    app: 'control-plane',
    log: config.log,
    destination,
    labels: (req) => ({ tenant: '-', pool: '-', route: matchedRoute(req) }),
    // The caller's X-Request-Id when it sends a well-formed one; the line has none otherwise.
    requestId: (req) => (req.header('x-request-id') === undefined ? undefined : safeRequestId(req.header('x-request-id'))),
  });
}

/**
 * The platform API (tenants, pools, jobs, audit; the queue dashboard at /platform/queues; its
 * OpenAPI document at /platform/openapi.json and a Swagger UI at /platform/docs). It migrates
 * the platform schema as it starts.
 */
export async function startControlPlane(config: ControlPlaneConfig, observability = controlPlaneObservability(config)): Promise<StartedControlPlane> {
  const app = await createApp(ControlPlaneModule.forRoot(config), {
    jsonBodyBytes: 64 * 1024,
    logger: observability.logger,
    observe: observability.observe,
    beforeRoutes: (nest) => {
      const jobs = nest.get<JobService | undefined>(JOB_SERVICE);
      if (jobs !== undefined) mountQueueDashboard(nest, jobs.queue, config.adminToken);
      mountApiDocs(nest, config.adminToken);
    },
  });
  return startApp(app, config.http, { registry: observability.registry, metrics: config.metrics });
}
