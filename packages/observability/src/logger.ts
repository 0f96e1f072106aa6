import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /** The app's name, on every line. */
  app: string;
  /** Fields every line of this process carries (the pool an app server serves). */
  base?: Record<string, string | number>;
  /**
   * Fields of the unit of work under way, read on every line (tenant, request id), from the
   * tenant scope or the request's context: nothing has to be passed around to get them.
   */
  context?: () => Record<string, unknown> | undefined;
  level?: string;
  /** Where lines go; stdout by default. */
  destination?: DestinationStream;
}

/**
 * The platform's logger: one JSON object per line on stdout, with time, level, app, the
 * process's fields and the current unit of work's (tenant, pool, request id). `npm start`
 * renders them readably; everywhere else they go to whatever collects stdout.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: options.app, ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      ...(options.context ? { mixin: () => options.context!() ?? {} } : {}),
    },
    options.destination ?? pino.destination(1),
  );
}

/**
 * The line that says an app is up, with where it listens (`url`, `metricsUrl`): written at
 * info whatever LOG_LEVEL says, since supervisors (`npm start`, the benchmarks) wait for it.
 */
export function logListening(logger: Logger, fields: { url: string; metricsUrl: string } & Record<string, unknown>): void {
  logger.child({}, { level: 'info' }).info(fields, 'listening');
}

/**
 * Nest's own messages (startup, errors the exception filter logs) through the same logger.
 * Nest's `log` level is mostly its own start-up chatter (every route it maps), so it is
 * written at debug; the platform's code logs through pino directly.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /** Nest passes (message, context) or (message, stack, context). */
  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const stack = rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : undefined;
    const fields = { ...(context ? { context } : {}), ...(stack ? { stack } : {}) };
    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ ...fields, ...message });
    else this.logger[level](fields, String(message));
  }
}
