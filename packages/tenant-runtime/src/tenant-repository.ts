import { Inject, Module, type DynamicModule } from '@nestjs/common';
import { Repository, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { currentTenantScope, findTenantScope } from './tenant-scope';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type EntityClass = Function;

export function getTenantRepositoryToken(entity: EntityClass): string {
  return `TenantRepository<${entity.name}>`;
}

/** Injects a TypeORM Repository whose every call runs in the current tenant's transaction. */
export const InjectTenantRepository = (entity: EntityClass): ParameterDecorator => Inject(getTenantRepositoryToken(entity));

/**
 * A Repository<T> that resolves, on each use, to the repository of the current tenant
 * scope's transaction. Module code keeps the ordinary TypeORM API and never names a tenant;
 * outside a scope it throws instead of reaching any schema.
 */
export function tenantRepository<T extends ObjectLiteral>(entity: EntityTarget<T>): Repository<T> {
  return new Proxy({} as Repository<T>, {
    get(_target, property) {
      if (findTenantScope() === undefined) return outsideScope(property);
      const repository = currentTenantScope().transaction.manager.getRepository(entity);
      const value: unknown = Reflect.get(repository, property, repository);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(repository) : value;
    },
  });
}

/**
 * Outside a scope (Nest probing providers for `then` or lifecycle hooks at startup) the
 * repository looks empty; calling one of its methods fails with the runtime's error.
 */
function outsideScope(property: string | symbol): unknown {
  if (typeof property === 'symbol' || !(property in Repository.prototype)) return undefined;
  return () => currentTenantScope();
}

/** `TenantOrmModule.forFeature([Link])` in a feature module, as with @nestjs/typeorm. */
@Module({})
export class TenantOrmModule {
  static forFeature(entities: EntityClass[]): DynamicModule {
    const providers = entities.map((entity) => ({
      provide: getTenantRepositoryToken(entity),
      useFactory: () => tenantRepository(entity as EntityTarget<ObjectLiteral>),
    }));
    return { module: TenantOrmModule, providers, exports: providers };
  }
}
