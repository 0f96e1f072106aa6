#!/usr/bin/env node
// The `saas` bin: a file that exists before the build, so that `npm install` on a fresh clone
// links it (npm links no bin whose file is missing); it runs the build.
require('../dist/main.js');
