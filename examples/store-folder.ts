/**
 * Stores every DICOM file of a folder (argv[2], default: what clinical-day.ts left in
 * $HNVUE_EXAMPLE_DIR/pacs) to a PACS with @hnvue/net's StorageClient, which transcodes when the
 * PACS accepts none of a file's own transfer syntax (PS3.4 B.4.1). The PACS here is the simulator.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageClient } from '@hnvue/net';
import { startSimulator } from '@hnvue/simulator';

const folder = process.argv[2] ?? join(process.env.HNVUE_EXAMPLE_DIR ?? '.', 'pacs');
const files = readdirSync(folder)
  .filter((name) => name.endsWith('.dcm'))
  .map((name) => join(folder, name));
if (files.length === 0) throw new Error(`no .dcm file in ${folder}`);

const { simulator, address } = await startSimulator({
  storageDir: mkdtempSync(join(tmpdir(), 'hnvue-example-')),
});
const client = new StorageClient({
  host: address.host,
  port: address.pacs.port,
  calledAeTitle: address.pacs.aeTitle,
  callingAeTitle: 'HNVUE_DR1',
});
try {
  // One association (from the client's pool) for the whole folder; one outcome per file.
  const outcomes = await client.storeStudy(files);
  const failed = outcomes.filter((o) => !o.ok).length;
  console.log(`store: ${outcomes.length - failed} stored, ${failed} failed`);
  if (failed > 0) process.exitCode = 1;
} finally {
  await client.close(); // releases the pooled association
}
await simulator.stop();
