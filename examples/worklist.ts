/**
 * Modality Worklist query (PS3.4 K.6) with @hnvue/net's queryWorklist against the simulated RIS.
 * The connection settings come from the same typed configuration the console uses (@hnvue/facade/config).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { associationOptionsFor, loadConfig, requireDestination } from '@hnvue/facade/config';
import { queryWorklist } from '@hnvue/net';
import { startSimulator } from '@hnvue/simulator';

const { simulator, address } = await startSimulator({
  storageDir: mkdtempSync(join(tmpdir(), 'hnvue-example-')),
});
// Our AE title and the RIS address; `env: {}` ignores HNVUE__… environment overrides here.
const config = loadConfig({
  env: {},
  overrides: {
    local: { aeTitle: 'HNVUE_DR1' },
    uid: { deviceSerial: '1' },
    ris: { aeTitle: address.ris.aeTitle, host: address.host, port: address.ris.port },
  },
});
const ris = requireDestination(config, 'ris');
let matches = 0;
// Each match arrives as soon as the RIS sends it; breaking out of the loop sends a C-CANCEL.
for await (const match of queryWorklist({
  ...associationOptionsFor(config, ris),
  query: { modality: 'DX' },
})) {
  matches += 1;
  // Print no patient data (NFR-SEC-01): the procedure steps are enough to show it worked.
  console.log(`match ${matches}: ${match.item.scheduledProcedureSteps.length} scheduled step(s)`);
}
console.log(`worklist: ${matches} DX items`);
await simulator.stop();
