/**
 * The long fuzz run of the element walker, the data set codec and the Part 10 reader (issue 12
 * Proof: ≥ 1 M mutated inputs). Deterministic: the same `--seed` and `--iterations` replay the
 * same inputs. Prints the outcome counts (overall and per target), the slowest case, and for any
 * failure (an untyped error or a case over the time bound) its seed, iteration and error; each
 * failing input is written to `--out` (default `fuzz-failures/`) with a JSON note beside it.
 *
 *   pnpm exec tsx packages/dicom/scripts/fuzz-walker.ts --iterations 1000000 --seed 1
 *   pnpm exec tsx packages/dicom/scripts/fuzz-walker.ts --replay fuzz-failures/seed1-it42.bin
 *
 * Exit status 0 when every input ended in a result or a typed error, 1 otherwise.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Failure, fuzz, replay, type Target } from './fuzz-mutator.js';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'fuzz-failures' },
    'time-bound-ms': { type: 'string', default: '1000' },
    replay: { type: 'string' },
  },
});

if (values.replay !== undefined) {
  const note = JSON.parse(readFileSync(`${values.replay}.json`, 'utf8')) as {
    target: Target;
    transferSyntax: string;
    toTransferSyntax?: string;
  };
  const input = new Uint8Array(readFileSync(values.replay));
  try {
    const outcome = replay(note.target, input, note.transferSyntax, note.toTransferSyntax);
    console.log(`replayed ${values.replay}: ${outcome} (fixed)`);
    process.exit(0);
  } catch (err) {
    console.log(`replayed ${values.replay}: still fails`);
    console.log(err);
    process.exit(1);
  }
}

const iterations = Number(values.iterations);
const seed = Number(values.seed);
const out = values.out as string;
let written = 0;
const onFailure = (f: Failure): void => {
  mkdirSync(out, { recursive: true });
  const base = join(out, `seed${f.seed}-it${f.iteration}.bin`);
  writeFileSync(base, f.input);
  const { input: _input, ...note } = f;
  writeFileSync(`${base}.json`, `${JSON.stringify(note, null, 2)}\n`);
  written++;
  console.error(
    `FAILURE seed ${f.seed} iteration ${f.iteration} (${f.target}, ${f.corpusSeed}): ${f.error.split('\n')[0]}`,
  );
};

console.log(`fuzzing ${iterations} inputs, seed ${seed}`);
const report = fuzz({
  iterations,
  seed,
  timeBoundMs: Number(values['time-bound-ms']),
  onFailure,
  onProgress: (n) => console.log(`  ${n} done`),
});
console.log(
  `done in ${(report.durationMs / 1000).toFixed(1)} s; slowest case ${report.slowestMs.toFixed(1)} ms`,
);
console.log('outcomes:');
for (const [k, v] of Object.entries(report.outcomes).sort()) console.log(`  ${k.padEnd(28)} ${v}`);
console.log('by target:');
for (const [t, counts] of Object.entries(report.byTarget)) {
  const seconds = ((report.msByTarget[t] ?? 0) / 1000).toFixed(1);
  console.log(
    `  ${t} (${seconds} s): ${Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
}
if (report.failures.length > 0) {
  console.log(`${report.failures.length} failures; ${written} inputs written to ${out}/`);
  process.exit(1);
}
console.log('no failures: every input ended in a result or a typed error');
