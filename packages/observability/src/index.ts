export { createLogger, logListening, PinoNestLogger, type Logger, type LoggerOptions } from './logger';
export {
  connectionWaitMetric,
  createRegistry,
  httpMetrics,
  routingCacheMetric,
  startMetricsServer,
  type HttpMetrics,
  type MetricsServer,
} from './metrics';
export type { Registry } from 'prom-client';
export type { DestinationStream } from 'pino';
