/**
 * Bounds how many of a pool's connections one tenant holds at once, so a tenant flooding
 * the app server waits on its own share while every other tenant still finds a free
 * connection. Waiters are served in arrival order and give up after a deadline.
 */
export class TenantConnectionShare {
  private readonly tenants = new Map<string, { active: number; waiters: Array<Waiter> }>();

  constructor(readonly perTenant: number) {
    if (!Number.isInteger(perTenant) || perTenant < 1) throw new Error(`a tenant's connection share must be at least 1, not ${perTenant}`);
  }

  /** Resolves with a release function once the tenant is under its share; rejects after `waitMs`. */
  acquire(tenantId: string, waitMs: number): Promise<() => void> {
    const state = this.stateOf(tenantId);
    if (state.active < this.perTenant) {
      state.active++;
      return Promise.resolve(this.releaser(tenantId));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(waiter.timer);
          resolve(this.releaser(tenantId));
        },
        timer: setTimeout(() => {
          state.waiters.splice(state.waiters.indexOf(waiter), 1);
          this.forgetIfIdle(tenantId);
          reject(new TenantConnectionsBusyError(this.perTenant, waitMs));
        }, waitMs),
      };
      state.waiters.push(waiter);
    });
  }

  /** Connections the tenant holds now (for tests and metrics). */
  active(tenantId: string): number {
    return this.tenants.get(tenantId)?.active ?? 0;
  }

  private releaser(tenantId: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const state = this.tenants.get(tenantId);
      if (state === undefined) return;
      const next = state.waiters.shift();
      if (next !== undefined) return next.grant(); // the permit passes on; active stays
      state.active--;
      this.forgetIfIdle(tenantId);
    };
  }

  private stateOf(tenantId: string) {
    let state = this.tenants.get(tenantId);
    if (state === undefined) {
      state = { active: 0, waiters: [] };
      this.tenants.set(tenantId, state);
    }
    return state;
  }

  private forgetIfIdle(tenantId: string): void {
    const state = this.tenants.get(tenantId);
    if (state !== undefined && state.active === 0 && state.waiters.length === 0) this.tenants.delete(tenantId);
  }
}

interface Waiter {
  grant(): void;
  timer: NodeJS.Timeout;
}

/** The tenant already holds its whole share of the pool's connections, and none freed up in time. */
export class TenantConnectionsBusyError extends Error {
  constructor(readonly share: number, readonly waitedMs: number) {
    super(`this workspace is already using its ${share} database connections; none freed up within ${waitedMs} ms`);
    this.name = 'TenantConnectionsBusyError';
  }
}
