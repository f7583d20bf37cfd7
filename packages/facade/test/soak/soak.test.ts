/**
 * The CI-length fault soak (issue 17 item 5): harness.ts for HNVUE_SOAK_SECONDS (default 60: 1 min
 * of faults plus the drain, ~4 min in all, alongside the rest of `pnpm test:all`) with
 * console kill -9s, PACS restarts (storescp, Orthanc) and proxy resets / stalls / truncations.
 * The one-hour run is `scripts/soak.sh`; its figures are in docs/reliability.md.
 */
import { describe, expect, it } from 'vitest';
import { runSoak } from './harness.js';
import { table, verdict } from './run.js';

const SECONDS = Number(process.env.HNVUE_SOAK_SECONDS ?? 60);
const SEED = Number(process.env.HNVUE_SOAK_SEED ?? 1);

describe('fault soak', () => {
  it(`NFR-REL-01: ${SECONDS} s of the console day under kill -9, PACS restarts and network faults loses no image, resolves every storage commitment, MPPS in order, queues intact`, {
    timeout: (SECONDS + 150) * 1000,
  }, async () => {
    const summary = await runSoak({ seconds: SECONDS, seed: SEED });
    console.log(table(summary));
    expect(summary.kills).toBeGreaterThan(0);
    expect(summary.faults.resets + summary.faults.stalls + summary.faults.truncations).toBeGreaterThan(0);
    expect(summary.queued.storescp).toBeGreaterThan(0);
    expect(summary.queued.orthanc).toBeGreaterThan(0);
    expect(summary.integrityAfterKills.checks).toBeGreaterThan(0);
    // Every commitment resolved (a re-request's report counts) and the drain finished.
    expect(verdict(summary)).toEqual([]);
    expect(summary.commitments.committed).toBeGreaterThan(0);
  });
});
