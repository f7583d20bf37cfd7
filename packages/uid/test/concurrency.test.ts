import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { isValidUid } from '../src/index.js';
import type { GenerateJob } from './support/generate.js';

// Each worker thread and child process loads its own copy of the module, i.e. its own sequence
// state: exactly the situation of two processes, or a process restarted within the same ms.
const SCRIPT = new URL('./support/generate.ts', import.meta.url);
const CONDITIONS = '--conditions=@hnvue/source';
const EXEC_ARGV = [CONDITIONS, '--import', 'tsx'];
// Node 20 ignores `--import` in a worker's execArgv, so the worker registers tsx's hooks itself.
const TSX_API = createRequire(import.meta.url).resolve('tsx/esm/api');
const WORKER_BOOT = `require(${JSON.stringify(TSX_API)}).register(); import(${JSON.stringify(SCRIPT.href)});`;
const JOB: Omit<GenerateJob, 'count'> = {
  orgRoot: '1.2.826.0.1.3680043.10.543',
  deviceSerial: '4711',
  timeMs: 1_795_000_000_123,
};

function inWorker(job: GenerateJob): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_BOOT, { eval: true, workerData: job, execArgv: [CONDITIONS] });
    worker.once('message', (uids: string[]) => resolve(uids));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with ${code}`));
    });
  });
}

function inChild(job: GenerateJob): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...EXEC_ARGV, SCRIPT.pathname, JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) reject(new Error(`child exited with ${code}: ${Buffer.concat(err).toString()}`));
      else resolve(Buffer.concat(out).toString().trim().split('\n'));
    });
  });
}

function expectDisjoint(batches: readonly string[][], perBatch: number): void {
  const all = new Set<string>();
  for (const uids of batches) {
    expect(uids).toHaveLength(perBatch);
    for (const uid of uids) {
      expect(isValidUid(uid)).toBe(true);
      // Same root, serial and millisecond everywhere: only the sequence can keep them apart.
      expect(uid.startsWith(`${JOB.orgRoot}.${JOB.deviceSerial}.${JOB.timeMs}.`)).toBe(true);
      all.add(uid);
    }
  }
  expect(all.size).toBe(batches.length * perBatch);
}

describe('FR-DICOM-01: uniqueness across threads and processes', () => {
  it('FR-DICOM-01: worker threads with the same root, serial and ms issue disjoint UIDs', async () => {
    const count = 20_000;
    const batches = await Promise.all([1, 2, 3].map(() => inWorker({ ...JOB, count })));
    expectDisjoint(batches, count);
  });

  it('FR-DICOM-01: processes started in parallel (a restart within the same ms) issue disjoint UIDs', async () => {
    const count = 20_000;
    const batches = await Promise.all([1, 2, 3].map(() => inChild({ ...JOB, count })));
    expectDisjoint(batches, count);
  });
});
