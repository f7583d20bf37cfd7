/**
 * The "console" of the queue-inspect test: a second process that runs a queue in the folder given
 * as argv[2] and publishes its snapshots (packages/queue/src/inspect.ts). Three items for PACS:
 * 1.2.3.1 fails permanently, 1.2.3.2 is delivered, 1.2.3.3 stays in flight until the queue closes.
 * Prints `READY` once the three outcomes happened; closes and exits on any line on stdin.
 *
 * Run: node --conditions=@hnvue/source --import tsx queue-holder.ts <queueDir>
 */
import { DeliveryError, publishQueueSnapshots, TransmissionQueue } from '@hnvue/queue';

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
const stop = publishQueueSnapshots(queue, dir, { debounceMs: 10 });
let outcomes = 0;
const outcome = () => {
  outcomes += 1;
  if (outcomes === 3) setTimeout(() => process.stdout.write('READY\n'), 100);
};
queue.on('failed', outcome);
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
  stop();
  await queue.close({ graceMs: 0 });
  process.exit(0);
});
