// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Node's globals, for the plain JavaScript files (the sandbox host, the PGlite thread, scripts). */
const nodeGlobals = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'fetch',
    'performance',
    'structuredClone',
    'AbortController',
    'TextEncoder',
    'TextDecoder',
    'WebAssembly',
    'queueMicrotask',
    'AbortSignal',
  ]
    .concat(['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate'])
    .map((name) => [name, 'readonly']),
);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'console/dist/**', 'coverage/**', 'src/openapi-metadata.ts'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Implementations of async interfaces (runners, transports, embedders, Nest's hooks) are
      // async without awaiting anything; no-floating-promises and no-misused-promises keep the callers honest.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Response bodies are JSON the test asserts on: supertest types them `any`, and typing each
    // one would restate the API's DTOs in every assertion. The rest of the type-aware rules apply.
    files: ['test/**/*.ts', 'src/**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: nodeGlobals },
  },
  {
    // Jest loads its environment and reporter as CommonJS.
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { ...nodeGlobals, require: 'readonly', module: 'writable', globalThis: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
