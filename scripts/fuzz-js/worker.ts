/**
 * The fuzz loop in a worker thread (run.ts watches it): publishes each input to shared memory
 * before running it, so a hang or an out-of-memory death leaves the input behind for the watchdog.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Fuzzer, loadTarget, readCorpusDirs, sha1 } from './engine.js';
import { TARGETS } from './targets.js';

export interface WorkerData {
  readonly target: string;
  readonly runs: number;
  readonly seconds?: number;
  readonly seed: number;
  readonly maxLen: number;
  readonly timeBoundMs: number;
  readonly corpusDirs: readonly string[];
  /** [runs done, current input length], then the input bytes. */
  readonly shared: SharedArrayBuffer;
}

const data = workerData as WorkerData;
const info = TARGETS[data.target];
if (info === undefined) throw new Error(`unknown target ${data.target}`);
const header = new Int32Array(data.shared, 0, 2);
const current = new Uint8Array(data.shared, 8);
const port = parentPort;
if (port === null) throw new Error('worker.ts runs in a worker thread');

const target = await loadTarget(info.entry, data.target);
const fuzzer = new Fuzzer(target);
const seeds = readCorpusDirs(data.corpusDirs);
port.postMessage({
  type: 'start',
  counters: target.built.counters,
  files: target.built.files.length,
  seeds: seeds.length,
});
const stats = await fuzzer.run(seeds, {
  runs: data.runs,
  seed: data.seed,
  ...(data.seconds === undefined ? {} : { seconds: data.seconds }),
  maxLen: data.maxLen,
  timeBoundMs: data.timeBoundMs,
  progressEvery: 250_000,
  beforeRun: (input, runs) => {
    current.set(input.length > current.length ? input.subarray(0, current.length) : input);
    Atomics.store(header, 1, Math.min(input.length, current.length));
    // Counts the run starting now: the watchdog sees progress at every input.
    Atomics.store(header, 0, runs + 1);
  },
  onProgress: (s) => port.postMessage({ type: 'progress', stats: s }),
  onFinding: (f) => port.postMessage({ type: 'finding', finding: f }),
});
port.postMessage({ type: 'done', stats });
// The committed seeds stay where they are; the minimised corpus holds what the run added.
const seedHashes = new Set(readCorpusDirs([info.seeds]).map(sha1));
const minimal = fuzzer
  .minimise(
    fuzzer.corpus.map((e) => e.data),
    data.timeBoundMs,
  )
  .filter((d) => !seedHashes.has(sha1(d)));
port.postMessage({ type: 'corpus', inputs: minimal });
