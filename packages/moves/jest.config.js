module.exports = {
  ...require('../../jest.preset.js'),
  globalSetup: '@mysaas/testing/jest-global-setup',
  globalTeardown: '@mysaas/testing/jest-global-teardown',
};
