import type { Config } from 'jest';
const preset = require('./jest.preset.js');

// Two tiers, told apart by file name: *.unit.test.ts (pure, fast) and *.int.test.ts
// (real Kafka broker, real PostgreSQL, real peers). `--selectProjects unit` runs only the first.
const config: Config = {
  reporters: ['default', ['<rootDir>/scripts/jest-summary-reporter.js', {}]],
  projects: [
    { ...preset, rootDir: __dirname, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.unit.test.ts'] },
    {
      ...preset,
      rootDir: __dirname,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/scripts/jest-integration-setup.js'],
      slowTestThreshold: 30,
    },
  ],
};
export default config;
