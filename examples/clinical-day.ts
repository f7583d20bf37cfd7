/**
 * One clinical day through @hnvue/facade against the simulated RIS and PACS (@hnvue/simulator):
 * worklist → MPPS IN PROGRESS → a DX image and its dose report stored through the queue →
 * MPPS COMPLETED → storage commitment. Run: node clinical-day.js (after tsc); exits 0 on success.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDicomServices } from '@hnvue/facade';
import { startSimulator } from '@hnvue/simulator';

// HNVUE_EXAMPLE_DIR keeps what the PACS received (scripts/pack-install.sh stores it again with the CLI).
const dir = process.env.HNVUE_EXAMPLE_DIR ?? mkdtempSync(join(tmpdir(), 'hnvue-example-'));
mkdirSync(dir, { recursive: true });
// The simulator is a RIS (worklist, MPPS) and a PACS (storage, commitment) on free ports.
const { simulator, address } = await startSimulator({ storageDir: join(dir, 'pacs') });
const peer = (aeTitle: string, port: number) => ({ aeTitle, host: address.host, port });
const services = createDicomServices({
  config: {
    local: { aeTitle: 'HNVUE_DR1', port: 0 }, // port 0: our commitment listener on any free port
    uid: { deviceSerial: '1' },
    ris: peer(address.ris.aeTitle, address.ris.port),
    mpps: peer(address.ris.aeTitle, address.ris.port),
    pacs: peer(address.pacs.aeTitle, address.pacs.port),
    commitment: { ...peer(address.pacs.aeTitle, address.pacs.port), timeoutMs: 30_000 },
    queue: { path: join(dir, 'queue.sqlite') }, // survives restarts: nothing is lost on a crash
  },
});
await services.start();
// The PACS sends the commitment report on a new association to our listener (PS3.4 J.3).
simulator.registerModality('HNVUE_DR1', { host: '127.0.0.1', port: services.listenerPort });

const [item] = await services.queryWorklist({ modality: 'DX', scheduledStationAeTitle: 'HNVUE_DR1' });
if (item === undefined) throw new Error('the simulated worklist is empty');
const procedure = await services.startProcedure({ worklist: item }); // MPPS N-CREATE, queued
const size = 256;
const pixels = new Uint16Array(size * size).map((_, i) => (i * 7) % 4096); // a 12-bit test pattern
await services.storeImage(procedure.id, {
  image: { rows: size, columns: size, bitsStored: 12, pixels, windowCenter: 2048, windowWidth: 4096 },
  anatomy: { imageLaterality: 'U', bodyPart: 'CHEST' },
  acquisition: { kvp: 120, exposureTimeMs: 10, tubeCurrentMa: 250, dapDgyCm2: 0.15, viewPosition: 'PA' },
  presentationIntent: 'FOR PRESENTATION',
  detector: { type: 'SCINTILLATOR', imagerPixelSpacingMm: [0.14, 0.14] },
});
await services.storeDoseReport(procedure.id); // X-Ray Radiation Dose SR (TID 10001)
const committed = new Promise((resolve, reject) => {
  services.once('committed', resolve);
  services.once('commitmentFailed', () => reject(new Error('the PACS refused a commitment')));
  services.once('commitmentTimedOut', () => reject(new Error('no commitment report')));
});
// MPPS N-SET COMPLETED, then the facade asks the PACS to commit what it stored.
await services.completeProcedure(procedure.id, {
  dose: { areaDoseProduct: 0.15, totalNumberOfExposures: 1 },
});
const info = (await committed) as { committed: readonly unknown[] };
console.log(`clinical day: ${info.committed.length} objects committed`);
await services.stop();
await simulator.stop();
