import { Body, Controller, HttpStatus, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { Response } from 'express';
import { Pool } from 'pg';
import { migrateFleet, type FleetMigrationReport, type SchemaOutcome } from '@mysaas/db';
import { tenantMigrationsFor } from '@mysaas/modules/schema';
import { parseTenantSlug } from '@mysaas/tenancy';
import { AuditService } from '../audit/audit.service';
import { ApiErrors, INVALID, PlatformApi } from '../openapi/api-responses.decorator';
import { PLATFORM_DB } from '../platform-db/platform-db.module';
import { isConnectionError } from '../platform-db/pool-databases';
import { PoolException, PoolExceptionCode } from './pools.exception';
import { PoolsService } from './pools.service';

export class MigratePoolDto {
  @ApiPropertyOptional({ description: 'Tenant schemas migrated at once: 4 by default; each holds a connection to the pool’s server.', type: 'integer', minimum: 1, maximum: 32, example: 4 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'concurrency must be a whole number of schemas migrated at once' })
  @Min(1, { message: 'concurrency must be at least 1' })
  @Max(32, { message: 'concurrency must be at most 32 (each schema holds a connection to the pool server)' })
  concurrency?: number;
}

/** One line of a migration's progress stream (`application/x-ndjson`). */
export type MigrationProgress =
  | { type: 'planned'; pool: string; release: number; total: number; current: number; pending: number }
  | ({ type: 'schema' } & SchemaOutcome)
  | { type: 'done'; report: FleetMigrationReport }
  /** The run broke off after it had begun answering (the pool server went away): run it again to finish. */
  | { type: 'error'; code: string; message: string };

/**
 * `saas migrate --pool <name>`: brings every tenant schema of the pool to the pool release's
 * migrations (`migrateFleet`), answering as it goes, one JSON line per event, so a client
 * draws progress. A client that goes away (Ctrl-C) stops the run: schemas already started
 * finish or roll back, the rest wait for the next run, which picks up where this one stopped.
 */
@PlatformApi('pools')
@Controller('platform/pools')
export class PoolMigrationsController {
  constructor(
    private readonly pools: PoolsService,
    private readonly audit: AuditService,
    @Inject(PLATFORM_DB) private readonly platformDb: Pool,
  ) {}

  @Post(':name/migrate')
  @ApiOperation({
    summary: 'Migrate every tenant schema of a pool to its release, streaming progress',
    description: 'Each schema in one transaction, a few at once; current ones are skipped, and a run that stops (the client went away) picks up where it stopped when run again.',
  })
  @ApiParam({ name: 'name', description: 'The pool’s name.', example: 'v1' })
  @ApiOkResponse({
    description:
      'A stream of JSON lines (application/x-ndjson): `planned` (schemas in all, current, pending), then one `schema` line per schema migrated or failed, ' +
      'then `done` with the report; or `error` (MIGRATION_INTERRUPTED) if the run broke off after it had begun answering.',
    content: { 'application/x-ndjson': { schema: { type: 'string' }, example: '{"type":"planned","pool":"v1","release":2,"total":2,"current":0,"pending":2}\n' } },
  })
  @ApiErrors({
    400: [INVALID.fields, INVALID.json, 'POOL_DATABASE_UNREACHABLE: the pool’s database server is unreachable; nothing was migrated'],
    404: ['POOL_NOT_FOUND: no pool has that name'],
    413: [INVALID.tooLarge],
  })
  async migrate(@Param('name') name: string, @Body() body: MigratePoolDto, @Res() res: Response): Promise<void> {
    const pool = await this.pools.get(name);
    const { rows } = await this.platformDb.query<{ slug: string }>(
      "SELECT slug FROM platform.tenants WHERE pool = $1 AND status <> 'provisioning' ORDER BY slug",
      [pool.name],
    );
    const concurrency = body.concurrency ?? 4;
    const db = new Pool({ connectionString: pool.databaseUrl, max: concurrency + 1, connectionTimeoutMillis: 5_000, application_name: 'mysaas-migrate' });
    db.on('error', () => undefined);
    const stop = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) stop.abort();
    });
    const send = (line: MigrationProgress) => {
      if (!res.headersSent) res.status(HttpStatus.OK).type('application/x-ndjson').setHeader('cache-control', 'no-store');
      res.write(`${JSON.stringify(line)}\n`);
    };
    try {
      const report = await migrateFleet({
        db,
        tenants: rows.map((r) => parseTenantSlug(r.slug)),
        migrations: tenantMigrationsFor(pool.release),
        concurrency,
        signal: stop.signal,
        on: {
          planned: (plan) => send({ type: 'planned', pool: pool.name, release: pool.release, ...plan }),
          schema: (outcome) => send({ type: 'schema', ...outcome }),
        },
      }).catch((error: unknown) => {
        throw isConnectionError(error) ? new PoolException(PoolExceptionCode.DATABASE_UNREACHABLE, `the database server of pool ${pool.name} is unreachable; nothing was migrated`) : error;
      });
      await this.audit.record({
        action: 'pool.migrated',
        details: { pool: pool.name, release: pool.release, migrated: report.migrated.length, current: report.current.length, failed: report.failed, notReached: report.notReached.length },
      });
      send({ type: 'done', report });
      res.end();
    } catch (error) {
      if (!res.headersSent) throw error;
      send({ type: 'error', code: 'MIGRATION_INTERRUPTED', message: `the run broke off (${error instanceof Error ? error.message : String(error)}); schemas already migrated stay so: run it again to finish` });
      res.end();
    } finally {
      await db.end();
    }
  }
}
