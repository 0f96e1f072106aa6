// Preloaded into an app process (NODE_OPTIONS=--require <this file>) by a benchmark that was
// asked for CPU profiles: SIGWINCH starts V8's sampling profiler, the next SIGWINCH stops it
// and writes <CPU_PROFILE_DIR>/<CPU_PROFILE_NAME>-<n>.cpuprofile (n = 1, 2, … per stop), which
// Chrome DevTools and speedscope open. A signal, because the measured phase is decided by the
// benchmark; SIGWINCH, because Nest's shutdown hooks take SIGUSR2 and Node's inspector SIGUSR1.
// --cpu-prof would profile start-up too, and writes nothing when the process is signalled.
'use strict';
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Session } = require('node:inspector');

const session = new Session();
session.connect();
let profiling = false;
let written = 0;
process.on('SIGWINCH', () => {
  if (!profiling) {
    profiling = true;
    session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 200 }, () => session.post('Profiler.start')));
    return;
  }
  profiling = false;
  session.post('Profiler.stop', (error, result) => {
    if (error) return process.stderr.write(`cpu profile: ${error.message}\n`);
    written += 1;
    writeFileSync(join(process.env.CPU_PROFILE_DIR, `${process.env.CPU_PROFILE_NAME}-${written}.cpuprofile`), JSON.stringify(result.profile));
  });
});
