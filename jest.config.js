/** One jest run for unit specs (next to the code), integration specs and end-to-end specs (test/e2e). */
const { readFileSync } = require('node:fs');
const swcrc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swcrc.$schema;

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/device-simulators', '<rootDir>/scripts', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  // Nest 12, aedes 1 and some of their dependencies ship ES modules only; Jest on Node 20 needs them compiled.
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@fastify/static|cookie|content-disposition|aedes|aedes-[^/]+|file-type)/)'],
  moduleNameMapper: { '^@rpm/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  // A test that times out can leave its clients and child processes behind; the run must still end (CI has a
  // time limit), and the failure it reports is the timeout itself.
  forceExit: true,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
