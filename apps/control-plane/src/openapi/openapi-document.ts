import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { AuditModule } from '../audit/audit.module';
import { JobsModule } from '../jobs/jobs.module';
import { MovesModule } from '../moves/moves.module';
import { PoolsModule } from '../pools/pools.module';
import { TenantsModule } from '../tenants/tenants.module';
import { ADMIN_TOKEN_SCHEME } from './api-responses.decorator';

/**
 * The OpenAPI document of the platform API, from the controllers' decorators (no CLI plugin:
 * every schema is annotated). The health probes are left out: they are for load balancers,
 * not callers of the API.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const info = new DocumentBuilder()
    .setTitle('MySaaS control plane')
    .setDescription(
      'The platform API: tenants, pools, tenant moves and rollouts, the job service and the audit log. Every operation needs the platform admin token ' +
        '(`Authorization: Bearer <PLATFORM_ADMIN_TOKEN>`). Every error answers `{statusCode, code, message, requestId}` (ErrorBody).',
    )
    // The API's version, not the package's: it changes when an operation changes incompatibly.
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque', description: 'The platform admin token (PLATFORM_ADMIN_TOKEN).' }, ADMIN_TOKEN_SCHEME)
    .addTag('tenants', 'Provisioning, suspension and limits of tenants.')
    .addTag('pools', 'The database servers and app servers tenants are placed on.')
    .addTag('moves', 'Live moves of tenants between pools: start, follow, roll back, finalize.')
    .addTag('rollouts', 'Tenants moved to a pool in waves, halted on a regression.')
    .addTag('jobs', 'The job service: figures, plans, pauses and dead letters.')
    .addTag('audit', 'Who changed what.')
    .build();
  return SwaggerModule.createDocument(app, info, { include: [TenantsModule, PoolsModule, MovesModule, JobsModule, AuditModule] });
}
