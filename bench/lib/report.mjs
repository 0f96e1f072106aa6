// What every benchmark's report says the same way: the machine it ran on, how busy it was,
// latency summaries, and number formatting. Pure functions; the load workers use them too.
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { URL } from 'node:url';

export function machineInfo() {
  const list = cpus();
  const models = [...new Set(list.map((c) => c.model.trim()))];
  return {
    node: process.version,
    cpuCount: list.length,
    cpuModel: models.join(' + '),
    platform: `${platform()} ${release()} ${arch()}`,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
  };
}

/** The 1/5/15-min load averages now, rounded. */
export const loadAverageNow = () => loadavg().map((n) => round(n, 2));

/** The report's `machine`: what it is, and its load averages before and after the run. */
export function machineReport(loadAtStart) {
  return { ...machineInfo(), loadAverage: { atStart: loadAtStart, atEnd: loadAverageNow() } };
}

/** The report's first two lines: the machine (then `note`), and its load before and after. */
export function machineMarkdown(machine, note = '') {
  return `- Machine: Node ${machine.node}, ${machine.cpuCount} × ${machine.cpuModel}, ${machine.platform}, ${machine.memoryGiB} GiB RAM${note}
- Load average (1/5/15 min): ${machine.loadAverage.atStart.join(' / ')} before the run, ${machine.loadAverage.atEnd.join(' / ')} after it${busy(machine)}`;
}

/** Other work on the machine skews every figure; say so when the load says it was there. */
export function busy(machine) {
  const before = machine.loadAverage.atStart[0];
  return before > machine.cpuCount / 2
    ? ` ⚠ **the machine was already busy before the run (1-min load ${before} on ${machine.cpuCount} CPUs): other processes competed for the CPUs**`
    : '';
}

export function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** p50, p99, mean and max of latencies sorted in ascending order; nulls when there are none. */
export function latencySummary(sorted) {
  if (sorted.length === 0) return { p50: null, p99: null, mean: null, max: null };
  const rank = (p) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
  return { p50: rank(50), p99: rank(99), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length, max: sorted[sorted.length - 1] };
}

/** A latency summary rounded to µs, for a report. */
export function roundedLatencies({ p50, p99, mean, max }) {
  return { p50: round(p50, 3), p99: round(p99, 3), mean: round(mean, 3), max: round(max, 3) };
}

export function errorSummary(errors) {
  return Object.entries(errors.byKind).map(([kind, n]) => `${kind}×${n}`).join(', ');
}

export function round(value, digits) {
  if (value == null) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const pct = (share) => (share == null ? 'n/a' : `${Math.round(share * 100)}%`);
export const fmt = (n) => (n == null ? 'n/a' : n >= 100 ? n.toFixed(0) : n.toFixed(1));
export const fmtMs = (n) => (n == null ? 'n/a' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
