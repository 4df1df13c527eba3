// End-to-end tests: the whole platform started as `npm start` starts it, driven through the gateway.
module.exports = {
  ...require('./jest.preset.cjs'),
  displayName: 'e2e',
  roots: ['<rootDir>/tools/e2e'],
  testMatch: ['**/*.e2e-spec.ts'],
  testTimeout: 300_000,
  maxWorkers: 1,
};
