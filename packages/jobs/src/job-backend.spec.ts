import { randomUUID } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import { Redis } from 'ioredis';
import { eventually, testRedisUrl } from '@mysaas/testing';
import { endReportsKey, jobBackend } from './job-backend';

const redisUrl = testRedisUrl();

// The Redis end-event reader the fair dispatcher follows, and the workers' reports it reads (the PostgreSQL backend's is BullMQ's QueueEvents).
(redisUrl === undefined ? describe.skip : describe)('end events on Redis', () => {
  it('tells each completed and for-good failed job once, from the stream’s end when it started, not a retried attempt, and closes at once', async () => {
    const backend = jobBackend({ kind: 'redis', url: redisUrl! });
    const name = `end-events-${randomUUID().slice(0, 8)}`;
    const queue = backend.queue(name);
    const seen: Array<[string, string]> = [];
    try {
      await queue.add('before', {}, { jobId: 'before' }); // an event before the reader starts: not told
      const events = backend.endEvents(name);
      events.on('completed', ({ jobId }) => seen.push(['completed', jobId]));
      events.on('failed', ({ jobId }) => seen.push(['failed', jobId]));
      await events.waitUntilReady();
      expect(events.tellsEveryEnd).toBe(true); // so the dispatcher counts the queue once a second only
      const worker = backend.worker(
        name,
        async (job) => {
          if (job.name === 'fails') throw new UnrecoverableError('no');
          if (job.name === 'fails-once' && job.attemptsMade === 0) throw new Error('once');
        },
        { concurrency: 4 },
      );
      await queue.addBulk(Array.from({ length: 50 }, (_, i) => ({ name: i % 10 === 0 ? 'fails' : 'works', data: {}, opts: { jobId: `j${i}` } })));
      // Its first attempt fails and is retried: the retry's end is told, the failed attempt not.
      await queue.add('fails-once', {}, { jobId: 'retried', attempts: 2 });
      const deadline = Date.now() + 10_000;
      while (seen.length < 52 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));
      await worker.close();
      const closing = Date.now();
      await events.close();
      expect(Date.now() - closing).toBeLessThan(500); // a blocked read does not hold it
      const ended = new Map(seen.map(([event, id]) => [id, event]));
      expect(seen).toHaveLength(52); // "before" ran too, and its end came after the start
      expect(ended.size).toBe(52);
      expect(ended.get('before')).toBe('completed');
      expect(ended.get('retried')).toBe('completed');
      // BullMQ's obliterate leaves the report stream: it expires a day after the last report.
      const redis = new Redis(redisUrl!);
      const ttl = await redis.pttl(endReportsKey(name)).finally(() => redis.disconnect());
      expect(ttl).toBeGreaterThan(23 * 3600_000);
      for (let i = 0; i < 50; i++) expect(ended.get(`j${i}`)).toBe(i % 10 === 0 ? 'failed' : 'completed');
    } finally {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await backend.close();
    }
  });

  it('tells a failed read as an error, and reads on once the stream is back', async () => {
    const backend = jobBackend({ kind: 'redis', url: redisUrl! });
    const name = `end-events-${randomUUID().slice(0, 8)}`;
    const key = endReportsKey(name);
    const queue = backend.queue(name);
    const redis = new Redis(redisUrl!);
    const events = backend.endEvents(name);
    const errors: Error[] = [];
    const ended: string[] = [];
    events.on('error', (error) => errors.push(error));
    events.on('completed', ({ jobId }) => ended.push(jobId));
    try {
      await events.waitUntilReady();
      await redis.set(key, 'not a stream'); // every read fails now
      await eventually(async () => expect(errors.length).toBeGreaterThan(0));
      expect(errors[0]!.message).toMatch(/WRONGTYPE/);
      await redis.del(key);
      const worker = backend.worker(name, async () => undefined, { concurrency: 1 });
      await queue.add('works', {}, { jobId: 'after' });
      await eventually(async () => expect(ended).toContain('after'));
      await worker.close();
    } finally {
      await events.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await backend.close();
      redis.disconnect();
    }
  });
});
