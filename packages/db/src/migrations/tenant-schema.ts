import { migrationsForRelease, type Migration } from './migration';

/**
 * One business module's share of the tenant schema: its tables' migrations and the TypeORM
 * entities that read them. Modules declare it in their own folder; the app's registry lists
 * them in order (a module's tables may reference an earlier module's).
 */
export interface TenantSchemaPart {
  module: string;
  migrations: readonly Migration[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: readonly Function[];
}

/**
 * The migrations a tenant schema at `release` has run, in apply order: the registry's order,
 * each module's own in id order. Refuses a registry in which ids repeat or go backwards,
 * since a schema records migrations by id and applies them sorted by id.
 */
export function tenantMigrations(parts: readonly TenantSchemaPart[], release: number): Migration[] {
  const all = parts.flatMap((part) => [...part.migrations].sort((a, b) => a.id.localeCompare(b.id)));
  for (let i = 1; i < all.length; i++) {
    if (all[i - 1]!.id.localeCompare(all[i]!.id) >= 0) {
      throw new Error(
        `tenant migration ids must rise in registry order: ${all[i - 1]!.id} comes before ${all[i]!.id}; give the later module's migration a higher id`,
      );
    }
  }
  return migrationsForRelease(all, release);
}
