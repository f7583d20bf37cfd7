/**
 * The "console" of the queue-inspect test: a second process that runs a queue in the folder given
 * as argv[2]; the queue publishes its snapshots itself (packages/queue/src/inspect.ts). Three items for PACS:
 * 1.2.3.1 fails permanently, 1.2.3.2 is delivered, 1.2.3.3 stays in flight until the queue closes.
 * Prints `FAILED <uid>` at each failure and `READY` once the three outcomes happened; closes and
 * exits on any line on stdin.
 *
 * Run: node --conditions=@hnvue/source --import tsx queue-holder.ts <queueDir>
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeliveryError, TransmissionQueue } from '@hnvue/queue';

const dir = process.argv[2];
if (!dir) throw new Error('usage: queue-holder.ts <queueDir>');
const queue = await TransmissionQueue.open({
  dir,
  sender: async (item, { signal }) => {
    if (item.sopInstanceUid === '1.2.3.1') throw new DeliveryError('refused', { retryable: false });
    if (item.sopInstanceUid === '1.2.3.2') return;
    await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
  },
});

/** Resolves once the published status.json shows the three outcomes. */
async function published(): Promise<void> {
  for (;;) {
    const text = await readFile(join(dir as string, 'status.json'), 'utf8').catch(() => '{}');
    const total = (JSON.parse(text) as { counts?: { total: Record<string, number> } }).counts?.total;
    if (total?.DONE === 1 && total.FAILED === 1 && total.IN_PROGRESS === 1) return;
    await sleep(20);
  }
}

let outcomes = 0;
const outcome = () => {
  outcomes += 1;
  if (outcomes === 3) void published().then(() => process.stdout.write('READY\n'));
};
queue.on('failed', (item) => {
  // The retry test counts these: each attempt of 1.2.3.1 ends FAILED again.
  process.stdout.write(`FAILED ${item.sopInstanceUid}\n`);
  outcome();
});
queue.on('delivered', outcome);
queue.on('attempt', (item) => {
  if (item.sopInstanceUid === '1.2.3.3') outcome();
});
for (const uid of ['1.2.3.1', '1.2.3.2', '1.2.3.3'])
  await queue.enqueue({
    destination: 'PACS',
    sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1',
    sopInstanceUid: uid,
    source: { bytes: new Uint8Array(16) },
  });
queue.start();
process.stdin.once('data', async () => {
  await queue.close({ graceMs: 0 });
  process.exit(0);
});
