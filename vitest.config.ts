import { defineConfig } from 'vitest/config';

// Tests run from source: the "@hnvue/source" export condition points each workspace
// package at its src/index.ts, so no build is needed before `vitest run`.
const conditions = ['@hnvue/source', 'node', 'import', 'module', 'default'];
const projects: Record<string, string> = {
  core: 'packages/core',
  uid: 'packages/uid',
  dicom: 'packages/dicom',
  native: 'native',
  iod: 'packages/iod',
  net: 'packages/net',
  queue: 'packages/queue',
  facade: 'packages/facade',
  simulator: 'packages/simulator',
  cli: 'packages/cli',
};

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@hnvue/source'] } },
  test: {
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: Object.entries(projects).map(([name, root]) => ({
      extends: true as const,
      test: { name, root, include: ['test/**/*.test.ts'] },
    })),
  },
});
