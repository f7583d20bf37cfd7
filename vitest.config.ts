import { defineConfig } from 'vitest/config';

// Tests run from source: the "@hnvue/source" export condition points each workspace
// package at its src/index.ts, so no build is needed before `vitest run`.
const conditions = ['@hnvue/source', 'node', 'import', 'module', 'default'];
const packages = ['core', 'uid', 'iod', 'net', 'queue', 'facade'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@hnvue/source'] } },
  test: {
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: packages.map((name) => ({
      extends: true as const,
      test: { name, root: `packages/${name}`, include: ['test/**/*.test.ts'] },
    })),
  },
});
