/** A tenant's request counters at one moment (cumulative, as Prometheus counters are). */
export interface HealthCounters {
  requests: number;
  /** Answers with a 5xx status. */
  errors: number;
  /** Total seconds spent answering. */
  seconds: number;
}

/** Where a rollout reads tenants' request counters: the gateways' metrics, say. */
export interface HealthSource {
  sample(tenants: readonly string[]): Promise<Map<string, HealthCounters>>;
}

/** What one tenant did over a window: the difference of two samples. */
export interface HealthWindow extends HealthCounters {
  windowMs: number;
}

export interface RegressionPolicy {
  /** How long each before/after window watches the tenants. */
  windowMs: number;
  /** Fewer requests than this in the window after the move: too little traffic to judge. */
  minRequests: number;
  /** A regression: the 5xx share rose by more than this (0.05 = five percentage points). */
  maxErrorRateIncrease: number;
  /** A regression: mean latency grew by more than this factor ... */
  maxLatencyRatio: number;
  /** ... and by more than this many milliseconds (small numbers jitter). */
  minLatencyIncreaseMs: number;
}

export const DEFAULT_REGRESSION_POLICY: RegressionPolicy = {
  windowMs: 30_000,
  minRequests: 5,
  maxErrorRateIncrease: 0.05,
  maxLatencyRatio: 2,
  minLatencyIncreaseMs: 50,
};

export interface Verdict {
  regressed: boolean;
  /** Why it regressed, or why it could not be judged; empty when healthy. */
  reasons: string[];
  judged: boolean;
}

const ZERO: HealthCounters = { requests: 0, errors: 0, seconds: 0 };

export function healthWindow(before: HealthCounters | undefined, after: HealthCounters | undefined, windowMs: number): HealthWindow {
  const a = before ?? ZERO;
  const b = after ?? ZERO;
  // A counter that went down was reset (a gateway restarted): count from zero.
  const delta = (x: number, y: number) => (y >= x ? y - x : y);
  return { requests: delta(a.requests, b.requests), errors: delta(a.errors, b.errors), seconds: delta(a.seconds, b.seconds), windowMs };
}

/** Compares a tenant's health after its move with its own health before it. */
export function judge(before: HealthWindow, after: HealthWindow, policy: RegressionPolicy): Verdict {
  if (after.requests < policy.minRequests) {
    return { regressed: false, judged: false, reasons: [`too little traffic to judge (${after.requests} requests after the move, ${policy.minRequests} needed)`] };
  }
  const reasons: string[] = [];
  const rateBefore = before.requests === 0 ? 0 : before.errors / before.requests;
  const rateAfter = after.errors / after.requests;
  if (rateAfter - rateBefore > policy.maxErrorRateIncrease) {
    reasons.push(`error rate ${percent(rateBefore)} → ${percent(rateAfter)} (${after.errors} of ${after.requests} requests answered 5xx)`);
  }
  if (before.requests >= policy.minRequests) {
    const meanBefore = (before.seconds / before.requests) * 1000;
    const meanAfter = (after.seconds / after.requests) * 1000;
    if (meanAfter > meanBefore * policy.maxLatencyRatio && meanAfter - meanBefore > policy.minLatencyIncreaseMs) {
      reasons.push(`mean latency ${meanBefore.toFixed(1)} ms → ${meanAfter.toFixed(1)} ms`);
    }
  }
  return { regressed: reasons.length > 0, judged: true, reasons };
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

/**
 * Reads tenants' request counters from Prometheus text exposition (the gateways' `/metrics`):
 * `mysaas_http_requests_total` and `mysaas_http_request_duration_seconds_sum`, summed over
 * every series of the tenant (pools, routes) and every endpoint given.
 */
export class PrometheusHealthSource implements HealthSource {
  constructor(
    private readonly urls: readonly string[],
    private readonly fetchText: (url: string) => Promise<string> = async (url) => {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (!res.ok) throw new Error(`${url} answered ${res.status}`);
      return res.text();
    },
  ) {}

  async sample(tenants: readonly string[]): Promise<Map<string, HealthCounters>> {
    const wanted = new Set(tenants);
    const totals = new Map<string, HealthCounters>(tenants.map((t) => [t, { ...ZERO }]));
    for (const url of this.urls) {
      for (const series of parsePrometheusText(await this.fetchText(url))) {
        const tenant = series.labels.tenant;
        if (tenant === undefined || !wanted.has(tenant)) continue;
        const total = totals.get(tenant)!;
        if (series.name === 'mysaas_http_requests_total') {
          total.requests += series.value;
          if (series.labels.status?.startsWith('5')) total.errors += series.value;
        } else if (series.name === 'mysaas_http_request_duration_seconds_sum') {
          total.seconds += series.value;
        }
      }
    }
    return totals;
  }
}

export interface PrometheusSeries {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SERIES = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of a Prometheus text exposition (comments skipped). */
export function parsePrometheusText(text: string): PrometheusSeries[] {
  const series: PrometheusSeries[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = SERIES.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const value = Number(match[3]);
    if (Number.isFinite(value)) series.push({ name: match[1]!, labels, value });
  }
  return series;
}
