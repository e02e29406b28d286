import { existsSync } from 'node:fs';

// Jest runs the TypeScript sources as native ES modules through @swc/jest (see DESIGN.md:
// NestJS 12 is ESM-only). Three projects: unit specs beside the code, the e2e suite on a fresh
// embedded PGlite per spec file, and — only when DATABASE_URL points at a PostgreSQL server —
// the very same e2e suite again against that server (a fresh database per spec file).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

const common = {
  transform: { '^.+\\.ts$': swc },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: '<rootDir>/test/support/node-environment.cjs',
};

// The web console's browser tests drive Debian's Chromium. They run once, in the e2e project
// (the API they drive is tested on both storage modes by the rest of the suite), and only where
// Chromium is installed, unless CONSOLE_BROWSER_TESTS=require (CI), where a missing browser fails them.
const CONSOLE_SPECS = '<rootDir>/test/console-[a-z]+\\.e2e-spec\\.ts$';
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const runConsoleSpecs = existsSync(CHROMIUM_PATH) || process.env.CONSOLE_BROWSER_TESTS === 'require';
if (!runConsoleSpecs) {
  console.warn(
    `The console's browser tests (test/console-*.e2e-spec.ts) are left out: no Chromium at ${CHROMIUM_PATH}. ` +
      'Install it with `apt-get update && apt-get install -y chromium`, or set CHROMIUM_PATH.',
  );
}

const projects = [
  { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/bench/**/*.spec.ts'] },
  {
    ...common,
    displayName: 'e2e',
    testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    testPathIgnorePatterns: ['/node_modules/', ...(runConsoleSpecs ? [] : [CONSOLE_SPECS])],
  },
];

if (process.env.DATABASE_URL) {
  projects.push({
    ...common,
    displayName: 'e2e-postgres',
    testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    testPathIgnorePatterns: ['/node_modules/', CONSOLE_SPECS],
    setupFiles: ['<rootDir>/test/support/use-postgres.ts'],
  });
}

export default {
  projects,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
  testTimeout: 60000,
  // Each embedded database holds ~500 MB of WASM memory; keep few alive at once.
  maxWorkers: 2,
};
