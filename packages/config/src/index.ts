export { ConfigError, type Env } from './load';
export {
  DEFAULT_METRICS_PORTS,
  DEFAULT_PORTS,
  loadAppServerConfig,
  loadControlPlaneConfig,
  loadDevStackConfig,
  loadGatewayConfig,
  readEnv,
  type AppServerConfig,
  type ControlPlaneConfig,
  type DevStackConfig,
  type GatewayConfig,
} from './apps';
