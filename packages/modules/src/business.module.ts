import { JobRegistry } from '@mysaas/tenant-runtime';
import { Module, type DynamicModule } from '@nestjs/common';
import { BUSINESS_MODULES } from './registry';

/**
 * Every business module the app server serves, as the registry lists them (`registry.ts`):
 * the apps that host them do not change when one is added. The platform's own AuthModule is
 * not among them: the host configures it (`AuthModule.forRoot`).
 */
@Module({})
export class BusinessModules {
  /** The registry's Nest modules, loaded (for Nest's `imports`, which takes the promise). */
  static async load(): Promise<DynamicModule> {
    const imports = await Promise.all(BUSINESS_MODULES.flatMap((entry) => (entry.nest ? [entry.nest()] : [])));
    return { module: BusinessModules, imports };
  }

  /** Every module's jobs, for the worker: one registry, a name given twice refused. */
  static async jobs(): Promise<JobRegistry> {
    const lists = await Promise.all(BUSINESS_MODULES.flatMap((entry) => (entry.jobs ? [entry.jobs()] : [])));
    return new JobRegistry(lists.flat());
  }
}
