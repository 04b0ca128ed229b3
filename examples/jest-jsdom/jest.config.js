/**
 * Jest runs the tests as CommonJS (ts-jest compiles them so): `require('rxwamp/testing')` picks
 * rxwamp's CommonJS build through its package.json "exports", no ESM flags needed.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'jsdom',
  setupFiles: ['<rootDir>/jest.setup.js'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};
