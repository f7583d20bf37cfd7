/**
 * The bounded CI run of a coverage-guided JS fuzz target (the vitest tests in packages/<pkg>/test/fuzz):
 * the committed seeds and minimised corpus, then a fixed number of mutated inputs from a fixed seed, in-process.
 * Each finding's input is written to .tmp/fuzz-js/<target>/crashes/ and its hex is returned, so
 * a failure replays with `pnpm exec tsx --conditions @hnvue/source scripts/fuzz-js/run.ts
 * --target <target> --replay <file>`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './build.js';
import { type Finding, Fuzzer, type FuzzStats, loadTarget, readCorpusDirs, sha1 } from './engine.js';
import { TARGETS } from './targets.js';

export interface BoundedResult {
  readonly seeds: number;
  /** Counters the seeds alone reach. */
  readonly seedCountersHit: number;
  readonly stats: FuzzStats;
  /** One line per finding: kind, signature, saved input. */
  readonly findings: readonly string[];
}

export async function boundedFuzz(
  name: string,
  options: { runs: number; seed: number },
): Promise<BoundedResult> {
  const info = TARGETS[name];
  if (info === undefined) throw new Error(`unknown fuzz target ${name}`);
  const target = await loadTarget(info.entry, name);
  const seeds = readCorpusDirs([info.seeds, info.minimised]);
  const seedOnly = await new Fuzzer(target).run(seeds, {
    runs: seeds.length,
    seed: options.seed,
    maxLen: info.maxLen,
  });
  const findings: string[] = [];
  const onFinding = (f: Finding): void => {
    const dir = join(ROOT, '.tmp', 'fuzz-js', name, 'crashes');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${f.kind}-${sha1(f.input).slice(0, 16)}`);
    writeFileSync(file, f.input);
    writeFileSync(`${file}.txt`, `${f.signature}\n${f.error}\n`);
    findings.push(
      `${f.kind} ${f.signature}: ${file} (${Buffer.from(f.input).toString('hex').slice(0, 400)})`,
    );
  };
  const stats = await new Fuzzer(target).run(seeds, {
    runs: options.runs,
    seed: options.seed,
    maxLen: info.maxLen,
    // Generous: CI machines are shared; the long run (run.ts) watches for hangs separately.
    timeBoundMs: 5000,
    onFinding,
  });
  return { seeds: seeds.length, seedCountersHit: seedOnly.countersHit, stats, findings };
}
