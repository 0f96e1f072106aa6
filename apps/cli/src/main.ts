#!/usr/bin/env node
import { run } from './program';

// `saas … | head` closes the pipe early: stop quietly, as other command-line tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

const context = {
  stdout: process.stdout,
  stderr: process.stderr,
  // Opened only by a command that asks for a password.
  get stdin() {
    return process.stdin;
  },
  cwd: process.cwd(),
};

void run(process.argv.slice(2), context).then((code) => {
  // Not process.exit(): that could cut off output still being written to a pipe.
  process.exitCode = code;
});
