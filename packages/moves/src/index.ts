export { DEFAULT_MOVER_SETTINGS, Mover, type MoveJobs, type MoveObserver, type MoverOptions, type MoverSettings } from './mover';
export { MoveException, MoveExceptionCode } from './move.exception';
export type { MoveEvent, MoveRecord } from './move-record';
export { checksums, copySchema, tenantTables, type TableChecksum, type TenantTable } from './tenant-tables';
export { planWaves, Rollouts, type RolloutObserver, type RolloutRecord, type RolloutTenantReport } from './rollouts';
export {
  DEFAULT_REGRESSION_POLICY,
  judge,
  PrometheusHealthSource,
  type HealthCounters,
  type HealthSource,
  type HealthWindow,
  type RegressionPolicy,
  type Verdict,
} from './tenant-health';
