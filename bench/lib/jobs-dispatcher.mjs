// The jobs benchmark's dispatcher in a process of its own (`--dispatcher process`), as a
// deployment runs it: the same store and queue URLs as the benchmark process, which keeps the
// producer and the worker. Forked with an IPC channel; its settings are one JSON argument:
//   { storeUrl, storeSchema, backend: JobBackendConfig, queueName, window, queueMs, pollMs, policy, nice }
// (nice: the niceness it takes first, as a dispatch-only worker takes JOBS_DISPATCH_NICE; 0: none).
// It says { ready: true } (or { error }) once it holds the store's lock, and on "stop" stops the
// dispatcher, closes everything and says { stopped: true, cpuMs, windows, window } (its own CPU
// time, user + system, from ready to stop; the sizes its adaptive window took, in order; its
// window at the stop) before it exits.
import { requireBuilt } from './platform.mjs';

const settings = JSON.parse(process.argv[2]);
const jobs = requireBuilt('@mysaas/jobs');
if (settings.nice > 0) jobs.lowerPriority(settings.nice);

const send = (message) => new Promise((done) => process.send(message, done));

const backend = jobs.jobBackend(settings.backend);
const queue = backend.queue(settings.queueName);
const events = backend.endEvents(settings.queueName);
const store = new jobs.PostgresJobStore(settings.storeUrl, settings.storeSchema);
const windows = [];
const dispatcher = new jobs.FairDispatcher({
  store, queue, events, defaultPolicy: settings.policy, window: settings.window, queueMs: settings.queueMs, pollMs: settings.pollMs,
  onWindow: (size) => windows.push(size),
});
let cpuAtReady;

async function stop() {
  await dispatcher.stop();
  await events.close();
  await queue.close();
  await backend.close();
  await store.close();
}

process.on('message', (message) => {
  if (message !== 'stop') return;
  const cpu = process.cpuUsage(cpuAtReady);
  stop().then(
    async () => {
      await send({ stopped: true, cpuMs: Math.round((cpu.user + cpu.system) / 1000), windows, window: dispatcher.currentWindow });
      process.exit(0);
    },
    async (error) => {
      await send({ error: String(error?.stack ?? error) });
      process.exit(1);
    },
  );
});
// The benchmark died: nothing to report to.
process.on('disconnect', () => void stop().finally(() => process.exit(1)));

try {
  if (!(await dispatcher.start())) throw new Error('the dispatcher did not get the store lock');
  cpuAtReady = process.cpuUsage();
  await send({ ready: true });
} catch (error) {
  await send({ error: String(error?.stack ?? error) });
  process.exit(1);
}
