/**
 * Prior studies of a patient (Study Root C-FIND, PS3.4 C.6.2) with @hnvue/facade's findPriors.
 * The simulated PACS answers from the objects in its folder: here what clinical-day.ts stored
 * ($HNVUE_EXAMPLE_DIR/pacs), so its patient has one prior study.
 */
import { join } from 'node:path';
import { findPriors } from '@hnvue/facade';
import { loadConfig } from '@hnvue/facade/config';
import { startSimulator } from '@hnvue/simulator';

const dir = process.env.HNVUE_EXAMPLE_DIR;
if (dir === undefined) throw new Error('set HNVUE_EXAMPLE_DIR to the folder clinical-day.ts used');
// The simulator indexes the folder at start: every stored object is queryable.
const { simulator, address } = await startSimulator({ storageDir: join(dir, 'pacs') });
const config = loadConfig({
  env: {},
  overrides: {
    local: { aeTitle: 'HNVUE_DR1' },
    uid: { deviceSerial: '1' },
    queryRetrieve: { aeTitle: address.pacs.aeTitle, host: address.host, port: address.pacs.port },
  },
});
// The clinical day took the first DX worklist item: the simulator's first patient (seed.ts).
const priors = await findPriors(config, 'SIM-0001', { modality: 'DX', limit: 5 });
// Dates and counts only: no patient data on the console (NFR-SEC-01).
for (const p of priors)
  console.log(`prior: ${p.studyDate || 'no date'}, ${p.numberOfInstances ?? '?'} instance(s)`);
console.log(`priors: ${priors.length} study(ies)`);
if (priors.length === 0) process.exitCode = 1;
await simulator.stop();
