module.exports = {
  ...require('../../jest.preset.js'),
  // The usual test server, plus a second cluster with wal_level=logical (test/global-setup.ts).
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
};
