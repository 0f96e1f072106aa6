import type { Queue } from 'bullmq';
import { adaptedWindow, FairDispatcher } from './fair-dispatcher';
import type { JobEndEvents } from './job-backend';
import type { PostgresJobStore } from './job-store';

describe('the adaptive dispatch window', () => {
  const settings = { current: 128, max: 128, running: 8, endsPerSecond: 130, queueMs: 400 };

  it('holds the running jobs and queueMs of jobs at the measured pace behind them', () => {
    // BullMQ's PostgreSQL backend here: 130 jobs/s, 8 running: 8 + 52.
    expect(adaptedWindow({ ...settings, current: 60 })).toBe(60);
    expect(adaptedWindow({ ...settings, current: 40, queueMs: 200 })).toBe(8 + 26);
  });

  it('stops at the ceiling (JOBS_WINDOW) however fast the fleet is', () => {
    expect(adaptedWindow({ ...settings, endsPerSecond: 2_000 })).toBe(128);
  });

  it('keeps at least as many queued as running, so a refill at half the queued part never finds the workers without work', () => {
    // Second-long jobs: 8 running end 8 a second; 400 ms of that is 4, fewer than the 8 running.
    expect(adaptedWindow({ ...settings, current: 16, endsPerSecond: 8 })).toBe(16);
  });

  it('shrinks by a quarter at most in a step (a slow moment does not empty it), and grows at once', () => {
    expect(adaptedWindow({ ...settings, current: 128, endsPerSecond: 10 })).toBe(96);
    expect(adaptedWindow({ ...settings, current: 96, endsPerSecond: 10 })).toBe(72);
    expect(adaptedWindow({ ...settings, current: 17, endsPerSecond: 10 })).toBe(16);
    expect(adaptedWindow({ ...settings, current: 16, endsPerSecond: 300 })).toBe(8 + 120);
  });

  it('never goes below two with nothing measured running, nor above a ceiling set lower', () => {
    expect(adaptedWindow({ current: 2, max: 128, running: 0, endsPerSecond: 0, queueMs: 400 })).toBe(2);
    expect(adaptedWindow({ current: 1, max: 1, running: 0, endsPerSecond: 0, queueMs: 400 })).toBe(1);
  });
});

describe("the dispatcher's first window", () => {
  // Only the constructor runs: it touches none of these.
  const parts = { store: {} as PostgresJobStore, queue: {} as Queue, events: {} as JobEndEvents };

  it('starts an adaptive window at 128 below a higher ceiling (no pace measured yet), or at a lower ceiling', () => {
    expect(new FairDispatcher({ ...parts, window: 1_024, queueMs: 400 }).currentWindow).toBe(128);
    expect(new FairDispatcher({ ...parts, window: 64, queueMs: 400 }).currentWindow).toBe(64);
  });

  it('keeps a fixed window (no queueMs) at its size from the start', () => {
    expect(new FairDispatcher({ ...parts, window: 1_024 }).currentWindow).toBe(1_024);
  });
});
