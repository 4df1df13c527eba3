// Unit tests: pure logic, beside the code (*.spec.ts). No infrastructure.
module.exports = {
  ...require('./jest.preset.cjs'),
  displayName: 'unit',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools'],
  testMatch: ['**/*.spec.ts'],
};
