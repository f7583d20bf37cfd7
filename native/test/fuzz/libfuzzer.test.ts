import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tools.js';

// Bounded coverage-guided run of the addon's decoders: scripts/build-fuzzers.sh builds
// fuzz/codec_fuzzer.cc with 'clang++-14' (-fsanitize=fuzzer,address,undefined), each target runs
// a fixed number of mutations from its committed corpus (fuzz/corpus/<target>) with a fixed seed,
// then every input in test/fixtures/fuzz/ that the target decodes. scripts/fuzz-libfuzzer.sh is
// the long version. Skipped, with the reason printed, where clang is not installed
// (scripts/peers.sh installs it).
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const clang = ['clang++', 'clang++-14'].some((c) => spawnSync(c, ['--version']).status === 0);
if (!clang)
  console.log('libfuzzer.test: skipped, clang++ not installed (apt-get install clang-14 libclang-rt-14-dev)');

// Mutations per target: ~1-3 s each on a shared 2-core machine (measured exec/s in
// docs/reliability.md). HTJ2K runs its seeds and findings only: Debian's OpenJPH 0.9.0 asserts in
// its code-block decoder (mel_init) within seconds of mutation, a library abort no check of ours
// can prevent (test/fuzz/libfuzzer-findings.test.ts); its native decode is off by default.
const RUNS: Readonly<Record<string, number>> = {
  jpegll: 20_000,
  jpeg8: 20_000,
  jpeg12: 20_000,
  jpegls: 20_000,
  j2k: 3_000,
  htj2k: 0,
};
const OPTIONS = ['-max_len=4096', '-rss_limit_mb=2048', '-malloc_limit_mb=2048', '-timeout=10', '-seed=1'];

describe.runIf(clang)('libFuzzer decoder harnesses (ASan + UBSan)', () => {
  let built: string[] = [];
  const work = tempDir('libfuzzer');
  beforeAll(() => {
    const out = execFileSync('bash', ['scripts/build-fuzzers.sh'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 600_000,
    });
    built = out.split('\n').filter((l) => l in RUNS);
  }, 620_000);
  afterAll(() => work.remove());

  it.each(Object.keys(RUNS))(
    'FR-DICOM-04.codec: %s survives its bounded run and every committed finding',
    (target) => {
      if (!built.includes(target)) {
        console.log(`libfuzzer.test: ${target} not built (its library is not installed)`);
        return;
      }
      const bin = join(root, 'build', 'fuzz', `${target}-fuzzer`);
      const corpus = work.file(target);
      execFileSync('mkdir', ['-p', corpus]);
      const run = (args: readonly string[]) =>
        spawnSync(bin, [...OPTIONS, `-artifact_prefix=${work.path}/`, ...args], {
          cwd: root,
          encoding: 'utf8',
          timeout: 120_000,
        });
      // The working corpus comes first: libFuzzer adds new inputs there, never to the committed one.
      const r = run([`-runs=${RUNS[target]}`, corpus, join('fuzz', 'corpus', target)]);
      expect(r.status, r.stderr.split('\n').slice(-30).join('\n')).toBe(0);
      expect(r.stderr).toMatch(/Done \d+ runs|INITED|DONE/);
      const fixtures = join(root, 'test', 'fixtures', 'fuzz');
      // Findings of this target that our code now refuses (`htj2k-openjph-*`: aborts inside
      // OpenJPH's tile data, fenced off by lib/htj2k.ts instead; libfuzzer-findings.test.ts).
      const findings = readdirSync(fixtures)
        .filter((f) => f.startsWith(`${target}-`) && !f.startsWith(`${target}-openjph-`))
        .map((f) => join(fixtures, f));
      if (findings.length > 0) {
        const f = run(findings);
        expect(f.status, f.stderr.split('\n').slice(-30).join('\n')).toBe(0);
      }
    },
  );
});
