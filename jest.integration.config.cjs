// Integration tests: real PostgreSQL and the real Kafka broker (*.integration-spec.ts).
// tools/dev/test.mjs starts the broker and exports a fresh database and topic prefix for the run.
module.exports = {
  ...require('./jest.preset.cjs'),
  displayName: 'integration',
  roots: ['<rootDir>/apps', '<rootDir>/libs'],
  testMatch: ['**/*.integration-spec.ts'],
  testTimeout: 120_000,
  maxWorkers: 1,
};
