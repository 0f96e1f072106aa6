import { MinHeap } from './min-heap';

/** How the job service treats one tenant's jobs: its plan, set in the control plane. */
export interface TenantJobPolicy {
  /** Its share of the workers while tenants compete: weight 2 gets twice the turns of weight 1. */
  weight: number;
  /** At most this many of its jobs run at once. */
  maxRunning: number;
  /** At most this many of its jobs start per second; undefined: no rate limit. */
  ratePerSecond?: number;
  /** How many may start at once after a quiet spell (the token bucket's size); default max(1, ratePerSecond). */
  burst?: number;
  /** At most this many of its jobs wait; more are refused (the API answers 429). */
  maxQueued: number;
}

export type EnqueueResult = { ok: true; queued: number } | { ok: false; reason: 'backlog-full'; limit: number };

/** A job the scheduler let start: run it, then call `done(tenant)`. */
export interface StartedJob<T> {
  tenant: string;
  job: T;
  enqueuedAt: number;
}

export interface TenantJobStats {
  queued: number;
  running: number;
  paused: boolean;
  /** When the oldest waiting job was enqueued (ms, the scheduler's clock); undefined when none waits. */
  oldestEnqueuedAt: number | undefined;
  /** Jobs started since the scheduler began. */
  started: number;
}

interface Waiting<T> {
  job: T;
  cost: number;
  enqueuedAt: number;
}

interface TenantState<T> {
  id: string;
  queue: Waiting<T>[];
  /** Index of the queue's head: dequeuing moves it instead of shifting the array. */
  head: number;
  running: number;
  paused: boolean;
  started: number;
  /** Virtual start time of the tenant's next job. */
  tag: number;
  /** Arrival order among equal tags (first come, first served). */
  order: number;
  /** In `ready` (at most once). */
  ready: boolean;
  tokens: number;
  tokensAt: number;
}

/**
 * Decides which tenant's job starts next, so that tenants share the workers fairly whatever
 * their backlogs: start-time fair queueing over per-tenant FIFO queues. Each tenant carries a
 * virtual start time (`tag`); the next job is the head of the eligible tenant with the
 * smallest tag, and starting a job of cost c moves that tenant's tag on by c / weight. A
 * tenant that was idle, paused, at its cap or out of rate comes back at the current virtual
 * time, never before it, so it cannot make up for lost turns in a burst; a tenant's own jobs
 * always start in the order they were enqueued.
 *
 * Bound (tested): with unit costs and equal weights, a job enqueued by a tenant with nothing
 * queued starts within one pick per other eligible tenant, however many jobs those have
 * queued. Eligible: something queued, not paused, under its cap, a rate token in hand.
 *
 * In memory and synchronous; the caller persists jobs and calls `done` when one ends.
 */
export class FairScheduler<T> {
  private readonly tenants = new Map<string, TenantState<T>>();
  private readonly policies = new Map<string, TenantJobPolicy>();
  private readonly paused = new Set<string>();
  private readonly eligible = new MinHeap<TenantState<T>>((a, b) => a.tag - b.tag || a.order - b.order);
  /** Tenants with jobs and room to run, waiting only for a rate token. */
  private readonly outOfTokens = new Set<TenantState<T>>();
  private virtualTime = 0;
  private arrivals = 0;

  constructor(
    private defaultPolicy: TenantJobPolicy,
    private readonly now: () => number = Date.now,
  ) {
    checkPolicy(defaultPolicy);
  }

  /** A tenant's plan; applies from the next decision (jobs already queued beyond a lowered maxQueued stay). */
  setPolicy(tenant: string, policy: TenantJobPolicy | undefined): void {
    if (policy === undefined) this.policies.delete(tenant);
    else this.policies.set(tenant, checkPolicy(policy));
    const state = this.tenants.get(tenant);
    if (state !== undefined) this.reconsider(state);
  }

  /** The plan of every tenant without one of its own; applies from the next decision. */
  setDefaultPolicy(policy: TenantJobPolicy): void {
    this.defaultPolicy = checkPolicy(policy);
    for (const state of this.tenants.values()) if (!this.policies.has(state.id)) this.reconsider(state);
  }

  policyOf(tenant: string): TenantJobPolicy {
    return this.policies.get(tenant) ?? this.defaultPolicy;
  }

  /** Queues a job at the back of its tenant's line, or refuses it when the line is full. */
  enqueue(tenant: string, job: T, cost = 1): EnqueueResult {
    if (!(cost > 0) || !Number.isFinite(cost)) throw new RangeError(`a job's cost must be a positive number, not ${cost}`);
    const policy = this.policyOf(tenant);
    const state = this.stateOf(tenant);
    const queued = state.queue.length - state.head;
    if (queued >= policy.maxQueued) {
      this.forgetIfIdle(state);
      return { ok: false, reason: 'backlog-full', limit: policy.maxQueued };
    }
    state.queue.push({ job, cost, enqueuedAt: this.now() });
    this.reconsider(state);
    return { ok: true, queued: queued + 1 };
  }

  /** The next job to start, marked running; undefined when no tenant may start one now. */
  next(): StartedJob<T> | undefined {
    this.refillTokens();
    for (;;) {
      const state = this.eligible.pop();
      if (state === undefined) return undefined;
      state.ready = false;
      if (this.blockedBy(state) !== undefined) {
        // Changed since it was queued here (paused, emptied, policy lowered): set aside.
        this.reconsider(state);
        continue;
      }
      const waiting = state.queue[state.head]!;
      state.queue[state.head] = undefined as unknown as Waiting<T>;
      state.head++;
      if (state.head > 1024 && state.head * 2 > state.queue.length) {
        state.queue = state.queue.slice(state.head);
        state.head = 0;
      }
      const policy = this.policyOf(state.id);
      this.virtualTime = state.tag;
      state.tag += waiting.cost / policy.weight;
      state.running++;
      state.started++;
      if (policy.ratePerSecond !== undefined) state.tokens -= 1;
      this.reconsider(state);
      return { tenant: state.id, job: waiting.job, enqueuedAt: waiting.enqueuedAt };
    }
  }

  /**
   * Counts a job of `tenant` as running without starting it here: one that was started before
   * (by an earlier dispatcher) and is still in the queue. Its end is told with `done`.
   */
  adopt(tenant: string): void {
    const state = this.stateOf(tenant);
    state.running++;
    this.reconsider(state);
  }

  /**
   * Undoes `next()` for a job that could not be started after all (the queue refused it): it
   * goes back to the head of its tenant's line, and the turn it took is given back. Give jobs
   * back in the reverse order of their starts.
   */
  giveBack(started: StartedJob<T>, cost = 1): void {
    const state = this.tenants.get(started.tenant);
    if (state === undefined || state.running === 0) throw new Error(`no job of tenant ${started.tenant} is running`);
    const waiting: Waiting<T> = { job: started.job, cost, enqueuedAt: started.enqueuedAt };
    if (state.head > 0) state.queue[--state.head] = waiting;
    else state.queue.unshift(waiting);
    state.running--;
    state.started--;
    state.tag = Math.max(this.virtualTime, state.tag - cost / this.policyOf(state.id).weight);
    this.reconsider(state);
  }

  /** A started job of `tenant` ended (done, failed or handed back): its slot is free. */
  done(tenant: string): void {
    const state = this.tenants.get(tenant);
    if (state === undefined || state.running === 0) throw new Error(`no job of tenant ${tenant} is running`);
    state.running--;
    this.reconsider(state);
  }

  /** Its queued jobs wait (running ones finish); `resume` continues in the same order. */
  pause(tenant: string): void {
    this.paused.add(tenant);
    const state = this.tenants.get(tenant);
    if (state !== undefined) state.paused = true;
  }

  resume(tenant: string): void {
    this.paused.delete(tenant);
    const state = this.tenants.get(tenant);
    if (state === undefined) return;
    state.paused = false;
    this.reconsider(state);
  }

  stats(tenant: string): TenantJobStats {
    const state = this.tenants.get(tenant);
    if (state === undefined) return { queued: 0, running: 0, paused: this.paused.has(tenant), oldestEnqueuedAt: undefined, started: 0 };
    return {
      queued: state.queue.length - state.head,
      running: state.running,
      paused: state.paused,
      oldestEnqueuedAt: state.queue[state.head]?.enqueuedAt,
      started: state.started,
    };
  }

  /** Tenants with jobs queued or running. */
  activeTenants(): string[] {
    return [...this.tenants.keys()];
  }

  /** When a tenant held back only by its rate gets its next token (ms), or undefined: then call `next()`. */
  nextTokenAt(): number | undefined {
    let soonest: number | undefined;
    for (const state of this.outOfTokens) {
      const rate = this.policyOf(state.id).ratePerSecond;
      if (rate === undefined) continue;
      const at = state.tokensAt + ((1 - state.tokens) * 1000) / rate;
      soonest = soonest === undefined ? at : Math.min(soonest, at);
    }
    return soonest;
  }

  private stateOf(tenant: string): TenantState<T> {
    let state = this.tenants.get(tenant);
    if (state === undefined) {
      const policy = this.policyOf(tenant);
      state = {
        id: tenant, queue: [], head: 0, running: 0, paused: this.paused.has(tenant), started: 0,
        tag: this.virtualTime, order: 0, ready: false, tokens: bucketSize(policy), tokensAt: this.now(),
      };
      this.tenants.set(tenant, state);
    }
    return state;
  }

  /** Why a tenant may not start a job now, or undefined when it may. */
  private blockedBy(state: TenantState<T>): 'empty' | 'paused' | 'cap' | 'rate' | undefined {
    if (state.queue.length === state.head) return 'empty';
    if (state.paused) return 'paused';
    const policy = this.policyOf(state.id);
    if (state.running >= policy.maxRunning) return 'cap';
    if (policy.ratePerSecond !== undefined && this.tokensOf(state, policy) < 1) return 'rate';
    return undefined;
  }

  /**
   * Puts a tenant where its state says: among the eligible (coming back no earlier than the
   * current virtual time), waiting for a token, or nowhere (it is woken by enqueue, done,
   * resume or a policy change); forgotten when it has nothing queued or running.
   */
  private reconsider(state: TenantState<T>): void {
    const blocked = this.blockedBy(state);
    if (blocked === 'rate') this.outOfTokens.add(state);
    else this.outOfTokens.delete(state);
    if (blocked === undefined && !state.ready) {
      state.tag = Math.max(state.tag, this.virtualTime);
      state.order = this.arrivals++;
      state.ready = true;
      this.eligible.push(state);
    }
    this.forgetIfIdle(state);
  }

  private forgetIfIdle(state: TenantState<T>): void {
    if (state.queue.length === state.head && state.running === 0 && !state.ready) {
      this.tenants.delete(state.id);
      this.outOfTokens.delete(state);
    }
  }

  private tokensOf(state: TenantState<T>, policy: TenantJobPolicy): number {
    const rate = policy.ratePerSecond!;
    const now = this.now();
    state.tokens = Math.min(bucketSize(policy), state.tokens + ((now - state.tokensAt) * rate) / 1000);
    state.tokensAt = now;
    return state.tokens;
  }

  private refillTokens(): void {
    for (const state of [...this.outOfTokens]) this.reconsider(state);
  }
}

function bucketSize(policy: TenantJobPolicy): number {
  return policy.burst ?? Math.max(1, policy.ratePerSecond ?? 1);
}

function checkPolicy(policy: TenantJobPolicy): TenantJobPolicy {
  const positive = (name: string, value: number | undefined, whole: boolean) => {
    if (value === undefined) return;
    if (!(value > 0) || !Number.isFinite(value) || (whole && !Number.isInteger(value))) {
      throw new RangeError(`${name} must be a positive ${whole ? 'whole number' : 'number'}, not ${value}`);
    }
  };
  positive('weight', policy.weight, false);
  positive('maxRunning', policy.maxRunning, true);
  positive('maxQueued', policy.maxQueued, true);
  positive('ratePerSecond', policy.ratePerSecond, false);
  positive('burst', policy.burst, false);
  if (policy.burst !== undefined && policy.burst < 1) throw new RangeError(`burst must be at least 1, not ${policy.burst}`);
  return policy;
}
