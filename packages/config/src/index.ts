export { ConfigError, type Env } from './load';
export {
  DEFAULT_METRICS_PORTS,
  DEFAULT_PORTS,
  JOB_QUEUE_NAME,
  loadAppServerConfig,
  loadControlPlaneConfig,
  loadDevStackConfig,
  loadGatewayConfig,
  loadWorkerConfig,
  readEnv,
  type AppServerConfig,
  type ControlPlaneConfig,
  type DevStackConfig,
  type GatewayConfig,
  type WorkerConfig,
} from './apps';
