import { prettyFactory } from 'pino-pretty';

/**
 * The apps' JSON log lines made readable for a terminal, one line each:
 * `09:41:07 INFO: [gateway] request {"tenant":"acme","route":"/api/links","status":200,...}`.
 * Anything else an app prints (a crash on stderr) is shown as it is, after the app's name.
 */
export function appLogPrinter(options: { colorize: boolean; write: (text: string) => void }): (app: string, line: string) => void {
  const pretty = prettyFactory({
    colorize: options.colorize,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,app',
    singleLine: true,
    messageFormat: '[{app}] {msg}',
  });
  return (app, line) => {
    const fields = parseObject(line);
    options.write(fields ? pretty(fields) : `[${app}] ${line}\n`);
  };
}

function parseObject(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
