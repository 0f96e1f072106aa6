export { DEMO_PASSWORD, DEMO_TENANTS, startStack, type DemoTenant, type RunningStack, type StackOptions } from './stack';
export type { DatabaseSource } from './databases';
export { defaultDataDir, wipeDataDir } from './data-dir';
