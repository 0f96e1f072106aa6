#!/usr/bin/env node
import { run } from './program';

void run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }).then((code) => {
  // Not process.exit(): that could cut off output still being written to a pipe.
  process.exitCode = code;
});
