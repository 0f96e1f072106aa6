module.exports = { ...require('../../jest.preset.js'), globalSetup: '<rootDir>/test/redis-global-setup.ts' };
