import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { tenantMigrationsFor } from '@mysaas/modules/schema';
import { MoveException, MoveExceptionCode, Mover, type MoveJobs, type MoveRecord } from '@mysaas/moves';
import type { MoveMethod, MoveState } from '@mysaas/tenancy';
import { CONTROL_PLANE_CONFIG, type ControlPlaneConfig } from '../app-config';
import { JOB_SERVICE, type JobService } from '../jobs/job-service.module';
import { PLATFORM_DB } from '../platform-db/platform-db.module';

/**
 * Tenant moves as the control plane runs them: each in the background of the process that
 * started it, and any a dead mover left unfinished picked up again (every control plane
 * looks, and the mover's lock lets one of them work on a move at a time).
 */
@Injectable()
export class MovesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Moves');
  readonly mover: Mover;
  private readonly running = new Map<string, Promise<void>>();
  private resumeTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @Inject(PLATFORM_DB) db: Pool,
    @Inject(JOB_SERVICE) jobs: JobService | undefined,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {
    this.mover = new Mover({
      platform: db,
      migrations: tenantMigrationsFor,
      ...(jobs === undefined ? {} : { jobs: jobHold(jobs) }),
      observer: {
        stepDone: (move, step, ms) => this.logger.log(`move ${move.id} (${move.tenant} ${move.from} → ${move.to}): ${step} done in ${ms} ms`),
      },
    });
  }

  onApplicationBootstrap(): void {
    const every = this.config.moves.resumeIntervalMs;
    const sweep = () => {
      void this.resumeUnfinished().finally(() => {
        if (!this.stopped) this.resumeTimer = setTimeout(sweep, every);
      });
    };
    this.resumeTimer = setTimeout(sweep, 0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.resumeTimer);
  }

  async start(input: { tenant: string; to: string; method?: MoveMethod }): Promise<MoveRecord> {
    const move = await this.mover.start(input);
    this.kick(move.id);
    return move;
  }

  async rollback(id: string): Promise<MoveRecord> {
    await this.assertIdle(id);
    const move = await this.mover.beginRollback(id);
    this.kick(id);
    return move;
  }

  async finalize(id: string): Promise<MoveRecord> {
    await this.assertIdle(id);
    const move = await this.mover.beginFinalize(id);
    this.kick(id);
    return move;
  }

  /** Runs a failed move again (its copy starts over), or one a dead mover left behind. */
  async resume(id: string): Promise<MoveRecord> {
    const move = await this.mover.get(id);
    if (move.state !== 'failed' && !this.mover.isRunningState(move.state)) {
      throw new MoveException(MoveExceptionCode.WRONG_STATE, `move ${id} is ${move.state}; only a failed or interrupted move can be resumed`);
    }
    this.kick(id);
    return move;
  }

  get(id: string) {
    return this.mover.get(id);
  }

  events(id: string) {
    return this.mover.events(id);
  }

  list(filter: { tenant?: string; state?: MoveState; limit?: number }) {
    return this.mover.list(filter);
  }

  /** Runs the move in this process unless it already runs here; the mover's lock keeps other processes off it. */
  private kick(id: string): void {
    if (this.running.has(id) || this.stopped) return;
    const run = this.mover
      .run(id)
      .then((move) => {
        if (move.state === 'failed') this.logger.warn(`move ${id} (${move.tenant}) failed: ${move.error}`);
      })
      .catch((error: unknown) => {
        if (error instanceof MoveException && error.code === MoveExceptionCode.BUSY) return;
        this.logger.error(`move ${id} stopped: ${error instanceof Error ? error.message : String(error)}; it is resumed in ${this.config.moves.resumeIntervalMs} ms`);
      })
      .finally(() => this.running.delete(id));
    this.running.set(id, run);
  }

  private async assertIdle(id: string): Promise<void> {
    if (this.running.has(id)) {
      throw new MoveException(MoveExceptionCode.BUSY, `move ${id} is being worked on right now; wait until it rests (saas moves show ${id})`);
    }
  }

  private async resumeUnfinished(): Promise<void> {
    try {
      for (const id of await this.mover.unfinished()) this.kick(id);
    } catch (error) {
      this.logger.warn(`could not look for unfinished moves: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** A move holds the tenant's jobs for the reason `move`, apart from any other hold. */
function jobHold(jobs: JobService): MoveJobs {
  return {
    hold: (tenantId) => jobs.store.pause(tenantId, 'move'),
    release: (tenantId) => jobs.store.resume(tenantId, 'move'),
    running: async (tenantId) => (await jobs.store.summaries([tenantId]))[0]?.running ?? 0,
  };
}
