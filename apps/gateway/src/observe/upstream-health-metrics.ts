import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '@mysaas/observability';
import type { UpstreamState } from '../upstreams/upstream-health';
import type { UpstreamHealthObserver } from './upstream-health-observer';

const STATES: readonly UpstreamState[] = ['healthy', 'ejected', 'half_open'];

/**
 * The pool members' health as operators see it: `mysaas_gateway_upstream_state` (1 for the
 * state each member is in, 0 for the others) and `mysaas_gateway_upstream_ejections_total`, by
 * pool and upstream; one warn line per ejection, one info line per return.
 */
export function upstreamHealthMetrics(registry: Registry, logger: Logger): UpstreamHealthObserver {
  const labelNames = ['pool', 'upstream'] as const;
  const state = new Gauge({
    name: 'mysaas_gateway_upstream_state',
    help: "Each pool member's health at this gateway: 1 for its state (healthy; ejected: out of the rotation; half_open: one trial request on its way)",
    labelNames: [...labelNames, 'state'],
    registers: [registry],
  });
  const ejections = new Counter({
    name: 'mysaas_gateway_upstream_ejections_total',
    help: 'Times a pool member was taken out of the rotation after failing (connection refused, reset or timed out before an answer, or 502/504)',
    labelNames,
    registers: [registry],
  });
  return {
    state: (pool, upstream, now) => {
      for (const one of STATES) state.set({ pool, upstream, state: one }, one === now ? 1 : 0);
      ejections.inc({ pool, upstream }, 0); // the series exists from the start, so its first ejection is an increase
    },
    ejected: (pool, upstream, ejection) => {
      ejections.inc({ pool, upstream });
      logger.warn({ pool, upstream, ...ejection }, 'upstream ejected: out of the rotation until its cool-down ends');
    },
    restored: (pool, upstream, outMs) => {
      logger.info({ pool, upstream, outMs: Math.round(outMs) }, 'upstream back in the rotation');
    },
    forgotten: (pool, upstream) => {
      for (const one of STATES) state.remove({ pool, upstream, state: one });
      ejections.remove({ pool, upstream });
    },
  };
}
