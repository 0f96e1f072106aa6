module.exports = {
  ...require('../../jest.preset.js'),
  // Its own Postgres setup: @mysaas/testing's would be a build cycle (ADR 14).
  globalSetup: '<rootDir>/test/postgres-setup.ts',
  globalTeardown: '<rootDir>/test/postgres-teardown.ts',
};
