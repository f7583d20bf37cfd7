/**
 * The coverage-guided fuzz loop for our TypeScript decoders (libFuzzer's model, in JS): each input
 * runs through a target bundled by build.ts with coverage counters; counters are reset before
 * each run and scanned after it, a hit count falls into one of libFuzzer's eight buckets
 * (1, 2, 3, 4–7, 8–15, 16–31, 32–127, 128+), and an input that reaches a new (counter, bucket)
 * pair joins the in-memory corpus. Any exception out of the target's `fuzz` (the target catches
 * its own typed errors) or a run over the time bound is a finding. Shared by the long run
 * (run.ts, in a worker under a watchdog for hangs and memory) and the bounded CI tests.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BuiltTarget, buildTarget } from './build.js';
import { type LengthField, type MutateContext, mutate, Rng } from './mutate.js';

/** What a target module (packages/<pkg>/fuzz/<target>.ts) exports. */
export interface TargetModule {
  /** Runs one input; throws only when the property is broken. */
  fuzz(data: Uint8Array): void;
  /** Where the input keeps its length fields (computed once per corpus entry). */
  lengthFields?(data: Uint8Array): readonly LengthField[];
  readonly dictionary?: readonly Uint8Array[];
}

export interface LoadedTarget {
  readonly name: string;
  readonly module: TargetModule;
  readonly coverage: Uint8Array;
  readonly built: BuiltTarget;
}

/** Builds and imports a target; each load gets its own counters. */
export async function loadTarget(entry: string, name: string): Promise<LoadedTarget> {
  const built = await buildTarget(entry, name);
  // Rounded up to whole 32-bit words: the scan reads four counters at a time.
  const coverage = new Uint8Array(Math.ceil(Math.max(1, built.counters) / 4) * 4);
  (globalThis as { __hnvCov?: Uint8Array }).__hnvCov = coverage;
  const url = `${pathToFileURL(built.file).href}?t=${Date.now()}`;
  const module = (await import(url)) as TargetModule;
  return { name, module, coverage, built };
}

/** libFuzzer's hit-count buckets as bits. */
const BUCKET = new Uint8Array(256);
for (let c = 1; c < 256; c++) {
  BUCKET[c] =
    c === 1 ? 1 : c === 2 ? 2 : c === 3 ? 4 : c < 8 ? 8 : c < 16 ? 16 : c < 32 ? 32 : c < 128 ? 64 : 128;
}

export interface Finding {
  readonly kind: 'crash' | 'slow' | 'timeout' | 'oom';
  readonly input: Uint8Array;
  /** The error's name, message and stack, or what the watchdog saw. */
  readonly error: string;
  /** Name and first stack frame: findings with the same one are the same bug. */
  readonly signature: string;
  readonly ms: number;
}

export interface CorpusEntry {
  readonly data: Uint8Array;
  lengthFields?: readonly LengthField[];
}

export interface FuzzOptions {
  readonly runs: number;
  readonly seed: number;
  /** Stop after this many seconds even when `runs` are not done. */
  readonly seconds?: number;
  readonly maxLen?: number;
  /** A single run slower than this is a finding. */
  readonly timeBoundMs?: number;
  readonly onFinding?: (f: Finding) => void;
  readonly onProgress?: (s: FuzzStats) => void;
  /** Called before each run with the input (the worker publishes it for the watchdog). */
  readonly beforeRun?: (input: Uint8Array, runs: number) => void;
  readonly progressEvery?: number;
  /** Stop at the first finding (CI); else go on, keeping a few inputs per signature. */
  readonly stopOnFinding?: boolean;
}

export interface FuzzStats {
  readonly runs: number;
  readonly ms: number;
  readonly execPerSecond: number;
  /** Counters ever hit / counters in the bundle. */
  readonly countersHit: number;
  readonly counters: number;
  /** (counter, bucket) pairs seen: what decides "new coverage". */
  readonly features: number;
  readonly corpus: number;
  readonly corpusBytes: number;
  readonly findings: number;
  readonly slowestMs: number;
}

export function readCorpusDirs(dirs: readonly string[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      if (name.startsWith('.') || name.endsWith('.md') || !statSync(path).isFile()) continue;
      out.push(new Uint8Array(readFileSync(path)));
    }
  }
  return out;
}

export function sha1(data: Uint8Array): string {
  return createHash('sha1').update(data).digest('hex');
}

function describe(err: unknown): { error: string; signature: string } {
  if (err instanceof Error) {
    const frame = (err.stack ?? '').split('\n').find((l) => l.trimStart().startsWith('at ')) ?? '';
    const code = (err as { code?: unknown }).code;
    return {
      error: `${err.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${err.message}\n${err.stack ?? ''}`,
      signature: `${err.name}${typeof code === 'string' ? ` [${code}]` : ''} ${frame.trim().replace(/\?t=\d+/, '')}`,
    };
  }
  return { error: `thrown non-error: ${String(err)}`, signature: `non-error ${typeof err}` };
}

/** The fuzzer state: coverage seen, corpus, statistics. */
export class Fuzzer {
  readonly corpus: CorpusEntry[] = [];
  private readonly seen: Uint8Array;
  private readonly cov32: Uint32Array;
  private features = 0;
  private countersHit = 0;
  private findings = 0;
  private readonly signatures = new Map<string, number>();

  constructor(private readonly target: LoadedTarget) {
    this.seen = new Uint8Array(target.coverage.length);
    this.cov32 = new Uint32Array(
      target.coverage.buffer,
      target.coverage.byteOffset,
      target.coverage.length / 4,
    );
  }

  /** Runs one input; returns the finding (if any) and whether it reached new coverage. */
  execute(input: Uint8Array, timeBoundMs: number): { finding?: Finding; isNew: boolean; ms: number } {
    const cov = this.target.coverage;
    cov.fill(0);
    const t0 = performance.now();
    let thrown: unknown;
    let failed = false;
    try {
      this.target.module.fuzz(input);
    } catch (err) {
      thrown = err;
      failed = true;
    }
    const ms = performance.now() - t0;
    const isNew = this.scan();
    if (failed) {
      // The loop runs with one stack frame per error (capturing stacks for every typed error was
      // 13 % of the walker's time); a finding is run again for its whole stack.
      if (Error.stackTraceLimit < 50) {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 50;
        try {
          this.target.module.fuzz(input);
        } catch (err) {
          thrown = err;
        } finally {
          Error.stackTraceLimit = limit;
        }
      }
      const { error, signature } = describe(thrown);
      return { finding: { kind: 'crash', input, error, signature, ms }, isNew, ms };
    }
    // Wall time: on a loaded machine a run can be descheduled past the bound; a slow input counts
    // only when it is slow again on its own, twice.
    if (ms > timeBoundMs && this.slowAgain(input, timeBoundMs) && this.slowAgain(input, timeBoundMs)) {
      const error = `over the time bound: ${ms.toFixed(0)} ms > ${timeBoundMs} ms`;
      return { finding: { kind: 'slow', input, error, signature: 'slow', ms }, isNew, ms };
    }
    return { isNew, ms };
  }

  private slowAgain(input: Uint8Array, timeBoundMs: number): boolean {
    const t0 = performance.now();
    try {
      this.target.module.fuzz(input);
    } catch {
      // Already classified by the first run.
    }
    return performance.now() - t0 > timeBoundMs;
  }

  /** Folds this run's counters into `seen`; true when a (counter, bucket) pair is new. */
  private scan(): boolean {
    const cov = this.target.coverage;
    const cov32 = this.cov32;
    const seen = this.seen;
    let fresh = false;
    for (let w = 0; w < cov32.length; w++) {
      if (cov32[w] === 0) continue;
      for (let i = w * 4, end = i + 4; i < end; i++) {
        const c = cov[i] as number;
        if (c === 0) continue;
        const bit = BUCKET[c] as number;
        const had = seen[i] as number;
        if ((had & bit) === 0) {
          if (had === 0) this.countersHit++;
          seen[i] = had | bit;
          this.features++;
          fresh = true;
        }
      }
    }
    return fresh;
  }

  private recordFinding(f: Finding, options: FuzzOptions): void {
    this.findings++;
    const n = this.signatures.get(f.signature) ?? 0;
    this.signatures.set(f.signature, n + 1);
    if (n < 3) options.onFinding?.(f);
  }

  stats(runs: number, ms: number, slowestMs: number): FuzzStats {
    let corpusBytes = 0;
    for (const e of this.corpus) corpusBytes += e.data.length;
    return {
      runs,
      ms,
      execPerSecond: ms > 0 ? Math.round((runs * 1000) / ms) : 0,
      countersHit: this.countersHit,
      counters: this.target.built.counters,
      features: this.features,
      corpus: this.corpus.length,
      corpusBytes,
      findings: this.findings,
      slowestMs,
    };
  }

  private lengthFieldsOf(entry: CorpusEntry): readonly LengthField[] {
    if (entry.lengthFields === undefined) {
      try {
        entry.lengthFields = this.target.module.lengthFields?.(entry.data) ?? [];
      } catch {
        entry.lengthFields = [];
      }
    }
    return entry.lengthFields;
  }

  /**
   * Seeds, then `runs` mutated inputs. Returns the final statistics. Yields to the event loop every
   * 1,000 runs: Node's synchronous zlib calls that fail leave their stream clean-up to
   * process.nextTick, and a loop that never yields piles it up (measured: ~9 KB of RSS per failed
   * inflateRawSync, 1.8 GB after 200,000; flat when the loop yields).
   */
  async run(seeds: readonly Uint8Array[], options: FuzzOptions): Promise<FuzzStats> {
    const rng = new Rng(options.seed);
    const maxLen = options.maxLen ?? 4096;
    const bound = options.timeBoundMs ?? 1000;
    const deadline = options.seconds === undefined ? Infinity : Date.now() + options.seconds * 1000;
    const every = options.progressEvery ?? 100_000;
    const dictionary = this.target.module.dictionary ?? [];
    const t0 = performance.now();
    const stackLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 1;
    try {
      return await this.loop(seeds, options, rng, maxLen, bound, deadline, every, dictionary, t0);
    } finally {
      Error.stackTraceLimit = stackLimit;
    }
  }

  private async loop(
    seeds: readonly Uint8Array[],
    options: FuzzOptions,
    rng: Rng,
    maxLen: number,
    bound: number,
    deadline: number,
    every: number,
    dictionary: readonly Uint8Array[],
    t0: number,
  ): Promise<FuzzStats> {
    let slowestMs = 0;
    let runs = 0;
    const one = (input: Uint8Array): boolean => {
      options.beforeRun?.(input, runs);
      const r = this.execute(input, bound);
      runs++;
      if (r.ms > slowestMs) slowestMs = r.ms;
      if (r.finding !== undefined) {
        this.recordFinding(r.finding, options);
        return options.stopOnFinding === true;
      }
      if (r.isNew) this.corpus.push({ data: input });
      if (options.onProgress !== undefined && runs % every === 0)
        options.onProgress(this.stats(runs, performance.now() - t0, slowestMs));
      return false;
    };
    // The seeds run first (counted as runs), smallest first, so the corpus starts from them.
    const sorted = [...seeds].sort((a, b) => a.length - b.length);
    const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    for (const s of sorted) {
      if (one(s.length > maxLen ? s.subarray(0, maxLen) : s)) break;
      if (runs % 1000 === 0) await tick();
    }
    if (this.corpus.length === 0) this.corpus.push({ data: new Uint8Array(0) });
    const other = (): Uint8Array => (this.corpus[rng.int(this.corpus.length)] as CorpusEntry).data;
    while (runs < options.runs && (runs % 1024 !== 0 || Date.now() < deadline)) {
      // Recent finds are mutated more often (they are the frontier), as libFuzzer weighs them.
      const c = this.corpus;
      const entry = (
        rng.int(4) === 0 ? c[c.length - 1 - rng.int(Math.min(16, c.length))] : c[rng.int(c.length)]
      ) as CorpusEntry;
      const ctx: MutateContext = { maxLen, dictionary, other, lengthFields: this.lengthFieldsOf(entry) };
      if (one(mutate(rng, entry.data, ctx))) break;
      if (runs % 1000 === 0) await tick();
    }
    return this.stats(runs, performance.now() - t0, slowestMs);
  }

  /**
   * A minimal corpus with the same features: every input re-run on fresh counters, smallest
   * first, kept when it adds a (counter, bucket) pair (libFuzzer's -merge=1, greedily).
   */
  minimise(inputs: readonly Uint8Array[], timeBoundMs = 1000): Uint8Array[] {
    const fresh = new Fuzzer(this.target);
    const kept: Uint8Array[] = [];
    const unique = new Map<string, Uint8Array>();
    for (const d of inputs) unique.set(sha1(d), d);
    for (const d of [...unique.values()].sort((a, b) => a.length - b.length)) {
      const r = fresh.execute(d, timeBoundMs);
      if (r.finding === undefined && r.isNew) kept.push(d);
    }
    return kept;
  }
}
