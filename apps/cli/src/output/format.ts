/** How values read in tables; "—" stands for "none" (no job waiting, no limit). */
export const NONE = '—';

/** 850ms, 1.5s, 42s, 3m 2s, 2h 5m, 3d 4h. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return NONE;
  if (ms < 1000) return `${Math.floor(ms)}ms`;
  // Rounded down, so 59.96s is not shown as 60s and an age is never overstated.
  if (ms < 60_000) return `${Math.floor(ms / 100) / 10}s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) return pair(Math.floor(seconds / 60), 'm', seconds % 60, 's');
  if (seconds < 86_400) return pair(Math.floor(seconds / 3600), 'h', Math.floor(seconds / 60) % 60, 'm');
  return pair(Math.floor(seconds / 86_400), 'd', Math.floor(seconds / 3600) % 24, 'h');
}

/** A share in [0, 1] as a percentage: 0.25 → 25%, 1/3 → 33.3%. */
export function formatPercent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

export const formatOptional = (value: number | null): string => (value === null ? NONE : String(value));

const pair = (major: number, majorUnit: string, minor: number, minorUnit: string): string =>
  minor === 0 ? `${major}${majorUnit}` : `${major}${majorUnit} ${minor}${minorUnit}`;

/** An ISO time to the second, as the control plane's clock gave it: 2026-11-26T12:00:00Z. */
export const formatTimestamp = (iso: string | null): string => (iso === null ? NONE : iso.replace(/\.\d+Z$/, 'Z'));

/** A whole number with its thousands grouped, 10000 → 10,000; — for none. */
export function formatCount(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return NONE;
  if (!Number.isInteger(n)) return String(n);
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A measured time in milliseconds, 1,234 ms; from ten seconds up, also as it reads: 83,000 ms (1m 23s). */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return NONE;
  const exact = `${formatCount(Math.round(ms))} ms`;
  return ms >= 10_000 ? `${exact} (${formatDuration(ms)})` : exact;
}
