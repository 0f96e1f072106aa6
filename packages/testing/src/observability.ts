import { Writable } from 'node:stream';

export type LogLine = Record<string, unknown> & { level: string; msg?: string };

/** A log destination that keeps every JSON line an app writes, for tests to read. */
export class LogCapture extends Writable {
  readonly lines: LogLine[] = [];
  private partial = '';

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const text = this.partial + chunk.toString('utf8');
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const part of parts) if (part.trim() !== '') this.lines.push(JSON.parse(part) as LogLine);
    done();
  }

  /** The lines that carry all of `fields` (compared with ===). */
  matching(fields: Record<string, unknown>): LogLine[] {
    return this.lines.filter((line) => Object.entries(fields).every(([key, value]) => line[key] === value));
  }
}

/**
 * The value of one series in a Prometheus text exposition: the sample named `name` whose
 * labels include all of `labels` (other labels may be present). Undefined when there is none;
 * an error when several match, since the test then named the series too loosely.
 */
export function metricValue(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const found: number[] = [];
  for (const line of exposition.split('\n')) {
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample || sample[1] !== name) continue;
    const present = Object.fromEntries([...(sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) found.push(Number(sample[3]));
  }
  if (found.length > 1) throw new Error(`${found.length} series of ${name} match ${JSON.stringify(labels)}: name more labels`);
  return found[0];
}
