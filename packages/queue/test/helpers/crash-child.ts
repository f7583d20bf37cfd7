/**
 * The process the crash test kills: opens the queue, starts the worker with a storescu sender and
 * (re-)enqueues every image of the manifest (dedup makes that idempotent, as a producer re-sending
 * what it never saw acknowledged). Prints one line per event for the parent to time its SIGKILLs:
 * `O` opened, `C <n>` items already DONE, `E <n>` enqueue returned, `A <id>` attempt started, `D <id>` delivered, `ALL-DONE`.
 *
 * Run: node --conditions=@hnvue/source --import tsx crash-child.ts <queueDir> <manifest.json> <port>
 */
import { readFile } from 'node:fs/promises';
import { isHnvError } from '@hnvue/core';
import { QUEUE_ERROR_CODES, type QueueOptions, TransmissionQueue } from '../../src/index.js';
import { DX_SOP_CLASS } from './images.js';
import { storescuSender } from './storescu-sender.js';

const [queueDir, manifestPath, port] = process.argv.slice(2);
if (!queueDir || !manifestPath || !port)
  throw new Error('usage: crash-child.ts <queueDir> <manifest> <port>');
const images = JSON.parse(await readFile(manifestPath, 'utf8')) as { path: string; sopInstanceUid: string }[];

const out = (line: string) => process.stdout.write(`${line}\n`);
const options: QueueOptions = {
  dir: queueDir,
  sender: storescuSender({ host: '127.0.0.1', port: Number(port), calledAe: 'ORTHANC' }),
  initialIntervalMs: 200,
  backoffMultiplier: 1.5,
  maxIntervalMs: 2000,
  // Every SIGKILL mid-transfer counts an attempt; the test asserts nothing is lost, not a budget.
  maxAttempts: 1000,
  maxConcurrencyPerDestination: 4,
};
// The parent starts the next process while this one still runs (to hide Node + tsx start-up): it
// waits here until the previous holder dies and the kernel releases its lock.
let queue: TransmissionQueue;
for (;;) {
  try {
    queue = await TransmissionQueue.open(options);
    break;
  } catch (err) {
    if (!isHnvError(err, QUEUE_ERROR_CODES.locked)) throw err;
    await new Promise((r) => setTimeout(r, 10));
  }
}
out('O');
out(`C ${queue.counts().total.DONE}`);
let finished = false;
const checkDone = () => {
  const { total } = queue.counts();
  if (!finished && total.DONE === images.length) {
    finished = true;
    void queue.close().then(() => {
      out('ALL-DONE');
      process.exit(0);
    });
  }
};
queue.on('attempt', (item) => out(`A ${item.id}`));
queue.on('delivered', (item) => {
  out(`D ${item.id}`);
  checkDone();
});
queue.on('failed', (item, f) => out(`F ${item.id} ${f.code}`));
queue.start();
let n = 0;
for (const image of images) {
  const { duplicate } = await queue.enqueue({
    destination: 'PACS',
    sopClassUid: DX_SOP_CLASS,
    sopInstanceUid: image.sopInstanceUid,
    source: { path: image.path },
  });
  if (!duplicate) out(`E ${++n}`);
}
out('ENQUEUED');
checkDone();
