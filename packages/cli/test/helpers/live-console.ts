/**
 * A running console for the queue-live-console test: the simulator (RIS, PACS) and
 * `createDicomServices` in this process, with its queue in the folder given as argv[2]. It starts
 * a procedure from the first DX worklist item (its MPPS N-CREATE goes through the queue), then
 * prints one JSON line `{ "queueDir", "pid" }` and serves until stdin says otherwise:
 * `store` builds and stores a small DX through the queue and prints `STORED <SOP Instance UID>`
 * once the PACS has it; `quit` stops the services and the simulator and exits 0.
 *
 * Run: node --conditions=@hnvue/source --import tsx live-console.ts <dir>
 */
import { createInterface } from 'node:readline';
import { createDicomServices, queueDirFor } from '@hnvue/facade';
import { startSimulator } from '@hnvue/simulator';

const dir = process.argv[2];
if (!dir) throw new Error('usage: live-console.ts <dir>');
const { simulator, address } = await startSimulator({ storageDir: `${dir}/pacs` });
const peer = (aeTitle: string, port: number) => ({ aeTitle, host: address.host, port });
const queuePath = `${dir}/queue.sqlite`;
const services = createDicomServices({
  config: {
    local: { aeTitle: 'HNVUE_DR1', port: 0 },
    uid: { deviceSerial: '1' },
    ris: peer(address.ris.aeTitle, address.ris.port),
    mpps: peer(address.ris.aeTitle, address.ris.port),
    pacs: peer(address.pacs.aeTitle, address.pacs.port),
    queue: { path: queuePath, initialIntervalMs: 500 },
  },
});
await services.start();

function delivered(sopInstanceUid: string, kind: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = (info: { sopInstanceUid: string; kind: string }) => {
      if (info.sopInstanceUid !== sopInstanceUid || info.kind !== kind) return;
      services.off('delivered', ok);
      resolve();
    };
    services.on('delivered', ok);
    services.once('failed', (_info, f) => reject(new Error(`${kind} failed: ${f.code}`)));
  });
}

const [item] = await services.queryWorklist({ modality: 'DX' });
if (item === undefined) throw new Error('the simulated worklist has no DX item');
const procedure = await services.startProcedure({ worklist: item });
await delivered(procedure.id, 'mpps-create');
process.stdout.write(`${JSON.stringify({ queueDir: queueDirFor(queuePath), pid: process.pid })}\n`);

for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'store') {
    const image = await services.storeImage(procedure.id, {
      image: {
        rows: 64,
        columns: 64,
        bitsStored: 12,
        pixels: Uint16Array.from({ length: 4096 }, (_, i) => (i * 7) % 4096),
        windowCenter: 2048,
        windowWidth: 4096,
      },
      anatomy: { imageLaterality: 'U', bodyPart: 'CHEST' },
      acquisition: { kvp: 120, viewPosition: 'PA' },
      presentationIntent: 'FOR PRESENTATION',
      detector: { type: 'SCINTILLATOR', imagerPixelSpacingMm: [0.14, 0.14] },
    });
    await delivered(image.sopInstanceUid, 'c-store');
    process.stdout.write(`STORED ${image.sopInstanceUid}\n`);
  } else if (line === 'quit') {
    await services.stop({ graceMs: 0 });
    await simulator.stop();
    process.exit(0);
  }
}
