import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { catchError, concatMap, type Observable } from 'rxjs';
import { findTenantScope } from '@mysaas/tenant-runtime';

/**
 * Commits the tenant transaction after the handler succeeds and before Nest writes the
 * response, so nothing is acknowledged that is not durable; rolls back when it throws.
 */
@Injectable()
export class TenantTransactionInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const scope = findTenantScope();
    if (scope === undefined) return next.handle();
    return next.handle().pipe(
      concatMap(async (value: unknown) => {
        await scope.transaction.commit();
        return value;
      }),
      catchError(async (error: unknown) => {
        await scope.transaction.rollback();
        throw error;
      }),
    );
  }
}
