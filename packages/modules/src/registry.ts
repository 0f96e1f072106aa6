import type { TenantSchemaPart } from '@mysaas/db';
import type { JobDefinition } from '@mysaas/tenant-runtime';
import type { Type } from '@nestjs/common';
import { AUTH_SCHEMA } from './auth/auth.schema';
import { LINKS_SCHEMA } from './links/links.schema';

/** One business module, as the platform's hosts and tools find it. */
export interface BusinessModuleEntry {
  name: string;
  /** Its share of the tenant schema (entities and migrations), if it has tables. */
  schema?: TenantSchemaPart;
  /**
   * Its Nest module, loaded only by a host that serves it (the app server): the control plane,
   * the CLI and the mover read `schema` without loading a controller.
   */
  nest?: () => Promise<Type<unknown>>;
  /**
   * Its background jobs, loaded by the worker (which runs every module's jobs) and by nothing
   * else. Each is enqueued from the module's own code through the injected `TenantJobQueue`.
   */
  // Each job has its own payload type; the worker only finds them by name.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  jobs?: () => Promise<ReadonlyArray<JobDefinition<any>>>;
}

/**
 * Every business module: adding one adds its line here (and the import of its schema, if it
 * has tables); nothing else outside its folder. The order is the order of the tenant schema's
 * tables (a module may reference the tables of the modules before it). The platform's auth is
 * listed for its tables only: the host configures its Nest module (`AuthModule.forRoot`).
 */
export const BUSINESS_MODULES: readonly BusinessModuleEntry[] = [
  { name: 'auth', schema: AUTH_SCHEMA },
  {
    name: 'links',
    schema: LINKS_SCHEMA,
    nest: async () => (await import('./links/links.module.js')).LinksModule,
    jobs: async () => [(await import('./links/link-import.job.js')).LINK_IMPORT_JOB],
  },
  { name: 'pages', nest: async () => (await import('./pages/pages.module.js')).PagesModule },
];
