import { setTimeout as delay } from 'node:timers/promises';
import { CliError } from '../cli-error';

/** How long a request about a resting move or rollout is tried again while the control plane says it is busy with it. */
const BUSY_RETRY_MS = 5_000;

/**
 * A move or rollout that has just come to rest may still be held by its runner for a moment
 * (a mover releases the tenant's jobs after the switch; a rollout's runner lets go after it
 * halts): MOVE_BUSY then means "a moment", and the request is tried again every `pollMs`. One
 * at work (`rests` false) stays busy; that is said at once.
 */
export async function retryWhileBusy<T>(rests: boolean, pollMs: number, request: () => Promise<T>): Promise<T> {
  const until = Date.now() + BUSY_RETRY_MS;
  for (;;) {
    try {
      return await request();
    } catch (error) {
      const busy = error instanceof CliError && error.code === 'MOVE_BUSY';
      if (!busy || !rests || Date.now() >= until) throw error;
      await delay(pollMs);
    }
  }
}
