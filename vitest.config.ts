import { defineConfig } from 'vitest/config';
import { interopTests } from './scripts/test-kinds.mjs';

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
    // Per package a unit project (`net`) that needs nothing installed, and an interop project
    // (`net-interop`) whose files start or call a real peer (scripts/test-kinds.mjs decides).
    // `pnpm test` (HNVUE_TESTS=unit) runs the unit projects only; `pnpm test:all` runs both.
    projects: Object.entries(projects).flatMap(([name, root]) => {
      const interop = interopTests(root);
      const unit = {
        extends: true as const,
        test: { name, root, include: ['test/**/*.test.ts'], exclude: interop },
      };
      if (process.env.HNVUE_TESTS === 'unit' || interop.length === 0) return [unit];
      return [unit, { extends: true as const, test: { name: `${name}-interop`, root, include: interop } }];
    }),
  },
});
