module.exports = {
  ...require('../../jest.preset.js'),
  // A Postgres server for the tests: DATABASE_URL, or an embedded one started here.
  globalSetup: '@mysaas/testing/jest-global-setup',
  globalTeardown: '@mysaas/testing/jest-global-teardown',
};
