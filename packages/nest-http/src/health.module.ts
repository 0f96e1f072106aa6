import { Controller, Get, Inject, Module, Res, ServiceUnavailableException, SetMetadata, type DynamicModule, type InjectionToken, type ModuleMetadata } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService, TerminusModule, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Response } from 'express';

/** Marks a route that every app's guard lets through: probes come from load balancers, without credentials. */
export const PROBE_ROUTE = 'mysaas:probe-route';
export const ProbeRoute = () => SetMetadata(PROBE_ROUTE, true);

export interface HealthChecks {
  /** What the probes report about this process (pool, release). */
  info?: Record<string, string | number>;
  /** Readiness: each named check must resolve (the app's databases, say); a rejection makes it not ready. */
  checks: Record<string, () => Promise<unknown>>;
}

const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');

/**
 * Liveness (`GET /healthz`: the process answers) and readiness (`GET /readyz`: its
 * dependencies answer; 503 with the failing ones otherwise), through @nestjs/terminus, the
 * same in every app. Both answer on any Host and need no credentials.
 */
@ProbeRoute()
@Controller()
class HealthController {
  constructor(
    @Inject(HEALTH_CHECKS) private readonly health: HealthChecks,
    private readonly terminus: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  @Get('healthz')
  live() {
    return { status: 'ok', ...this.health.info };
  }

  @Get('readyz')
  async ready(@Res({ passthrough: true }) res: Response) {
    const checks = Object.entries(this.health.checks).map(([name, check]) => async (): Promise<HealthIndicatorResult> => {
      const indicator = this.indicators.check(name);
      try {
        await check();
        return indicator.up();
      } catch (error) {
        return indicator.down({ message: error instanceof Error ? error.message : String(error) });
      }
    });
    try {
      return { ...(await this.terminus.check(checks)), ...this.health.info };
    } catch (error) {
      // Terminus reports what failed in the exception's body: answer with it, as probes expect.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(503).setHeader('retry-after', '5');
      return { ...(error.getResponse() as object), ...this.health.info };
    }
  }
}

@Module({})
export class HealthModule {
  /** `inject` names what the checks need; `imports`, the modules that provide it when it is not global. */
  static forRoot(options: { imports?: ModuleMetadata['imports']; inject?: InjectionToken[]; useFactory: (...deps: never[]) => HealthChecks }): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false }), ...(options.imports ?? [])],
      controllers: [HealthController],
      providers: [{ provide: HEALTH_CHECKS, inject: options.inject ?? [], useFactory: options.useFactory }],
    };
  }
}
