// Generates UIDs in a fresh module instance: run as a worker thread (input in workerData, output by
// postMessage) or as a child process (input as a JSON argument, output on stdout, one per line).
// The clock is fixed, so every instance issues all its UIDs within the same millisecond.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createUidGenerator } from '../../src/index.js';

export interface GenerateJob {
  readonly orgRoot: string;
  readonly deviceSerial: string;
  readonly timeMs: number;
  readonly count: number;
}

function generate(job: GenerateJob): string[] {
  const generator = createUidGenerator({
    orgRoot: job.orgRoot,
    deviceSerial: job.deviceSerial,
    clock: () => job.timeMs,
  });
  const uids: string[] = [];
  for (let i = 0; i < job.count; i++) uids.push(generator.next());
  return uids;
}

if (!isMainThread) {
  parentPort?.postMessage(generate(workerData as GenerateJob));
} else {
  process.stdout.write(`${generate(JSON.parse(process.argv[2] ?? '{}') as GenerateJob).join('\n')}\n`);
}
