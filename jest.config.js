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

const projects = [
  { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/bench/**/*.spec.ts'] },
  { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
];

if (process.env.DATABASE_URL) {
  projects.push({
    ...common,
    displayName: 'e2e-postgres',
    testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
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
