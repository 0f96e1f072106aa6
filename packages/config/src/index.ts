export { ConfigError, type Env } from './load';
export {
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
