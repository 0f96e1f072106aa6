import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { MoveException, MoveExceptionCode, PrometheusHealthSource, Rollouts, type RegressionPolicy, type RolloutRecord } from '@mysaas/moves';
import { CONTROL_PLANE_CONFIG, type ControlPlaneConfig } from '../app-config';
import { PLATFORM_DB } from '../platform-db/platform-db.module';
import { MovesService } from './moves.service';

/**
 * Staged rollouts as the control plane runs them: in the background, judged on the health
 * the gateways' metrics show (ROLLOUT_METRICS_URLS), resumed after a restart like moves.
 */
@Injectable()
export class RolloutsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Rollouts');
  private readonly rollouts: Rollouts;
  private readonly running = new Map<string, Promise<void>>();
  private resumeTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @Inject(PLATFORM_DB) db: Pool,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
    moves: MovesService,
  ) {
    this.rollouts = new Rollouts({
      platform: db,
      mover: moves.mover,
      health: new PrometheusHealthSource(config.moves.rolloutMetricsUrls),
      observer: { progress: (rollout, message) => this.logger.log(`rollout ${rollout.id} to ${rollout.pool}: ${message}`) },
    });
  }

  onApplicationBootstrap(): void {
    const sweep = () => {
      void this.rollouts
        .unfinished()
        .then((ids) => ids.forEach((id) => this.kick(id)))
        .catch((error: unknown) => this.logger.warn(`could not look for unfinished rollouts: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => {
          if (!this.stopped) this.resumeTimer = setTimeout(sweep, this.config.moves.resumeIntervalMs);
        });
    };
    this.resumeTimer = setTimeout(sweep, 0);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.resumeTimer);
  }

  async start(input: { pool: string; canaries?: string[]; waves?: number[]; from?: string; policy?: Partial<RegressionPolicy> }): Promise<RolloutRecord> {
    if (this.config.moves.rolloutMetricsUrls.length === 0) {
      throw new MoveException(
        MoveExceptionCode.ROLLOUT_NO_METRICS,
        'a rollout compares tenants’ health before and after their moves, but this control plane reads no metrics: set ROLLOUT_METRICS_URLS to the gateways’ /metrics endpoints',
      );
    }
    const rollout = await this.rollouts.start(input);
    this.kick(rollout.id);
    return rollout;
  }

  async resume(id: string): Promise<RolloutRecord> {
    this.assertIdle(id);
    const rollout = await this.rollouts.beginResume(id);
    this.kick(id);
    return rollout;
  }

  async rollback(id: string): Promise<RolloutRecord> {
    this.assertIdle(id);
    const rollout = await this.rollouts.beginRollback(id);
    this.kick(id);
    return rollout;
  }

  get(id: string) {
    return this.rollouts.get(id);
  }

  list(limit?: number) {
    return this.rollouts.list(limit);
  }

  private assertIdle(id: string): void {
    if (this.running.has(id)) throw new MoveException(MoveExceptionCode.BUSY, `rollout ${id} is running a wave right now; wait until it halts or ends (saas rollouts show ${id})`);
  }

  private kick(id: string): void {
    if (this.running.has(id) || this.stopped) return;
    const run = this.rollouts
      .run(id)
      .then((rollout) => {
        if (rollout.state === 'halted') this.logger.warn(`rollout ${id} halted: ${rollout.error}`);
      })
      .catch((error: unknown) => {
        if (error instanceof MoveException && error.code === MoveExceptionCode.BUSY) return;
        this.logger.error(`rollout ${id} stopped: ${error instanceof Error ? error.message : String(error)}; it is resumed in ${this.config.moves.resumeIntervalMs} ms`);
      })
      .finally(() => this.running.delete(id));
    this.running.set(id, run);
  }
}
