/**
 * The long coverage-guided fuzz run of one JS decoder target (scripts/fuzz-js.sh runs each):
 * the loop runs in a worker thread with a heap limit; this thread is the watchdog. An input that
 * throws an untyped error, runs over the time bound, hangs (no progress for --timeout-ms) or takes
 * the worker over its memory limit is written to --crashes with a note. At the end the corpus is
 * minimised and written to --corpus-out (default: the committed packages/<pkg>/fuzz/corpus/<target>.min/,
 * the seeds left out), which the next run resumes from.
 *
 *   pnpm exec tsx --conditions @hnvue/source scripts/fuzz-js/run.ts --target pdu --runs 10000000
 *   pnpm exec tsx --conditions @hnvue/source scripts/fuzz-js/run.ts --target pdu --replay <file>
 *   … --target pdu --runs 0 --corpus-in <dir> --corpus-in <dir>   (merge parallel jobs' corpora)
 *
 * Exit status 0 when there was no finding, 1 otherwise.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { ROOT } from './build.js';
import { type Finding, type FuzzStats, loadTarget, sha1 } from './engine.js';
import { TARGETS } from './targets.js';
import type { WorkerData } from './worker.js';

const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    runs: { type: 'string', default: '10000000' },
    seconds: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'max-len': { type: 'string' },
    'time-bound-ms': { type: 'string', default: '1000' },
    'timeout-ms': { type: 'string', default: '20000' },
    'heap-mb': { type: 'string', default: '1024' },
    'rss-limit-mb': { type: 'string', default: '2048' },
    'corpus-out': { type: 'string' },
    /** More corpus directories to start from (other jobs' output): `--runs 0` merges them. */
    'corpus-in': { type: 'string', multiple: true },
    crashes: { type: 'string' },
    replay: { type: 'string' },
  },
});
const name = values.target ?? '';
const info = TARGETS[name];
if (info === undefined) {
  console.error(`--target must be one of ${Object.keys(TARGETS).join(', ')}`);
  process.exit(2);
}
if (values.replay !== undefined) {
  // One input through the target in this thread, with its whole stack on a failure.
  const target = await loadTarget(info.entry, name);
  try {
    target.module.fuzz(new Uint8Array(readFileSync(values.replay)));
    console.log(`${values.replay}: no finding (a result or a typed error)`);
    process.exit(0);
  } catch (err) {
    console.log(`${values.replay}: still a finding`);
    console.log(err);
    process.exit(1);
  }
}
const out = join(ROOT, '.tmp', 'fuzz-js', name);
const corpusOut = values['corpus-out'] ?? info.minimised;
const crashes = values.crashes ?? join(out, 'crashes');
const maxLen = Number(values['max-len'] ?? info.maxLen);
const timeoutMs = Number(values['timeout-ms']);
const rssLimit = Number(values['rss-limit-mb']) * 1024 * 1024;
const shared = new SharedArrayBuffer(8 + maxLen);
const header = new Int32Array(shared, 0, 2);
const current = new Uint8Array(shared, 8);

const data: WorkerData = {
  target: name,
  runs: Number(values.runs),
  ...(values.seconds === undefined ? {} : { seconds: Number(values.seconds) }),
  seed: Number(values.seed),
  maxLen,
  timeBoundMs: Number(values['time-bound-ms']),
  corpusDirs: [...new Set([info.seeds, info.minimised, corpusOut, ...(values['corpus-in'] ?? [])])],
  shared,
};

let findings = 0;
function save(kind: string, input: Uint8Array, note: string): string {
  mkdirSync(crashes, { recursive: true });
  const file = join(crashes, `${kind}-${sha1(input).slice(0, 16)}`);
  writeFileSync(file, input);
  writeFileSync(`${file}.txt`, `${note}\n`);
  findings++;
  return file;
}
const fmt = (s: FuzzStats): string =>
  `#${s.runs} exec/s ${s.execPerSecond} cov ${s.countersHit}/${s.counters} ft ${s.features} corp ${s.corpus}/${(
    s.corpusBytes / 1024
  ).toFixed(0)}kB findings ${s.findings} slowest ${s.slowestMs.toFixed(1)}ms rss ${(
    process.memoryUsage().rss / 1048576
  ).toFixed(0)}MB`;

// Node 20 applies tsx's loader to the main thread only: the worker registers it before importing.
const tsxApi = import.meta.resolve('tsx/esm/api');
const bootstrap = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(
  new URL('./worker.ts', import.meta.url).href,
)}); })`;
const worker = new Worker(bootstrap, {
  eval: true,
  workerData: data,
  resourceLimits: { maxOldGenerationSizeMb: Number(values['heap-mb']) },
});
let final: FuzzStats | undefined;
let lastRuns = -1;
let lastChange = Date.now();
let ended = false;
let armed = false;
const started = Date.now();

const watchdog = setInterval(() => {
  const runs = Atomics.load(header, 0);
  if (runs !== lastRuns) {
    lastRuns = runs;
    lastChange = Date.now();
  }
  const stuck = Date.now() - lastChange;
  const rss = process.memoryUsage().rss;
  // Armed once the target is built and loaded (bundling on a loaded machine takes a while).
  if (armed && final === undefined && (stuck > timeoutMs || rss > rssLimit)) {
    const input = current.slice(0, Atomics.load(header, 1));
    const kind = stuck > timeoutMs ? 'timeout' : 'oom';
    const file = save(
      kind,
      input,
      `${kind}: ${stuck > timeoutMs ? `no progress for ${stuck} ms` : `rss ${rss} bytes`}`,
    );
    console.log(`FINDING ${kind}: input written to ${file}`);
    ended = true;
    void worker.terminate();
  }
}, 500);

worker.on('message', (m: { type: string; [k: string]: unknown }) => {
  if (m.type === 'start') {
    console.log(`${name}: ${m.counters} counters in ${m.files} instrumented files; ${m.seeds} corpus inputs`);
    armed = true;
    lastChange = Date.now();
  } else if (m.type === 'progress') console.log(fmt(m.stats as FuzzStats));
  else if (m.type === 'finding') {
    const f = m.finding as Finding;
    const file = save(f.kind, f.input, `${f.signature}\n${f.error}`);
    console.log(`FINDING ${f.kind} ${f.signature}: ${file}`);
  } else if (m.type === 'done') {
    final = m.stats as FuzzStats;
    console.log(`DONE ${fmt(final)} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } else if (m.type === 'corpus') {
    const inputs = m.inputs as Uint8Array[];
    mkdirSync(corpusOut, { recursive: true });
    for (const f of readdirSync(corpusOut)) rmSync(join(corpusOut, f));
    let bytes = 0;
    for (const d of inputs) {
      writeFileSync(join(corpusOut, sha1(d)), d);
      bytes += d.length;
    }
    console.log(`minimised corpus: ${inputs.length} inputs, ${(bytes / 1024).toFixed(0)} kB in ${corpusOut}`);
    ended = true;
    void worker.terminate();
  }
});
worker.on('error', (err) => {
  const input = current.slice(0, Atomics.load(header, 1));
  const oom = (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
  if (!ended) {
    const file = save(oom ? 'oom' : 'worker', input, String(err.stack ?? err));
    console.log(`FINDING ${oom ? 'oom' : 'worker error'}: ${String(err.message)}; input written to ${file}`);
  }
  ended = true;
});
worker.on('exit', () => {
  clearInterval(watchdog);
  process.exitCode = findings > 0 || final === undefined ? 1 : 0;
});
