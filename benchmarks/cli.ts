/**
 * Whole-process CLI times (issue 18 item 3): `hnvue echo`, `hnvue store` (one 2 MB DX) and
 * `hnvue worklist` against `echoscu`, `storescu` and `findscu`, same peers, same run, alternating,
 * a process per iteration. The peers are DCMTK storescp (--ignore) and wlmscpfs with 50 items,
 * Nagle off on both sides (TCP_NODELAY=1, PEERS.md). Medians with min–max; ratio = ours / DCMTK.
 * A `node -e 0` column shows Node's own start-up on this machine: the floor under every `hnvue`
 * time, whatever the CLI does.
 *
 *   pnpm build && node --conditions=@hnvue/source --import tsx benchmarks/cli.ts [N]
 *
 * Runs the built CLI through bin/hnvue.mjs, as a user's shell does: the per-command bundle
 * (packages/cli/scripts/bundle.mjs). BENCH_UNBUNDLED=1 adds a row per command for the unbundled
 * dist/ (HNVUE_CLI_BUNDLE=0), in the same run. Where GNU time is installed (/usr/bin/time) each
 * process's CPU time (user + sys, 10 ms resolution) is reported too: on a shared, loaded machine
 * the wall times of every column grow together, CPU time much less.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildDxImage, toPart10Buffer } from '@hnvue/iod';
import { makeTempDir, PEER_ENV, rmTempDir, startStorescp, startWlmscpfs } from '@hnvue/testing/peers';
import { writeWorklistFiles } from '@hnvue/testing/worklist';

const iterations = Number(process.argv[2] ?? process.env.BENCH_N ?? 15);
const BIN = fileURLToPath(new URL('../packages/cli/bin/hnvue.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
if (!existsSync(DIST)) {
  console.error('benchmarks/cli.ts: packages/cli/dist is missing; run `pnpm build` first');
  process.exit(1);
}

const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const unbundled = process.env.BENCH_UNBUNDLED === '1';

interface Sample {
  /** Spawn to exit, ms. */
  readonly wall: number;
  /** User + system CPU of the process (GNU time), ms; undefined without /usr/bin/time. */
  readonly cpu: number | undefined;
}

/** Wall (and CPU) time of one process from spawn to exit; throws on a non-zero exit. */
function timeProcess(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = PEER_ENV,
): Promise<Sample> {
  const timeFile = join(dir, 'time.txt');
  const [file, argv] = GNU_TIME
    ? [GNU_TIME, ['-f', '%U %S', '-o', timeFile, command, ...args]]
    : [command, [...args]];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const wall = performance.now() - started;
      if (code !== 0) {
        reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-400)}`));
        return;
      }
      if (!GNU_TIME) {
        resolve({ wall, cpu: undefined });
        return;
      }
      readFile(timeFile, 'utf8').then((text) => {
        const [user, sys] = text.trim().split('\n').at(-1)!.split(' ').map(Number);
        resolve({ wall, cpu: ((user ?? 0) + (sys ?? 0)) * 1000 });
      }, reject);
    });
  });
}

interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

function stats(values: readonly number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s.at(-1)! };
}

const fmt = (s: Stats) => `${s.median.toFixed(1)} ms (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
const fmtCpu = (s: Stats) => `${s.median.toFixed(0)} ms (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;

/** A 2 MB DX (1024 × 1024, 16 bits allocated, 12 stored), as a detector writes it. */
async function makeDx(path: string): Promise<void> {
  const side = 1024;
  const dx = buildDxImage({
    patient: { name: 'Bench^Cli', id: 'BENCH1' },
    study: { studyInstanceUid: '2.25.180000000001' },
    equipment: { manufacturer: 'HnVue' },
    image: {
      rows: side,
      columns: side,
      bitsStored: 12,
      pixels: Uint16Array.from({ length: side * side }, (_, i) => (i * 7) % 4096),
      windowCenter: 2048,
      windowWidth: 4096,
    },
    anatomy: { imageLaterality: 'U', bodyPart: 'CHEST' },
    acquisition: { kvp: 110, dapDgyCm2: 0.2, viewPosition: 'PA' },
    presentationIntent: 'FOR PRESENTATION',
    detector: { type: 'SCINTILLATOR', imagerPixelSpacingMm: [0.14, 0.14] },
  });
  await writeFile(path, toPart10Buffer(dx.dataset, dx.pixelData));
}

interface Case {
  readonly name: string;
  readonly ours: readonly string[];
  readonly dcmtk: readonly [string, readonly string[]];
}

const dir = await makeTempDir('hnvue-bench-cli-');
const storescp = await startStorescp({ aeTitle: 'STORESCP' });
const wlm = await startWlmscpfs({ aeTitle: 'WLMSCP' });
try {
  const dxFile = join(dir, 'dx.dcm');
  await makeDx(dxFile);
  await writeWorklistFiles(join(wlm.dataDir, 'WLMSCP'), 50);
  const at = (port: number) => ['127.0.0.1', String(port)];
  const cases: Case[] = [
    {
      name: 'echo',
      ours: ['echo', '-aec', 'STORESCP', ...at(storescp.port)],
      dcmtk: ['echoscu', ['-aec', 'STORESCP', ...at(storescp.port)]],
    },
    {
      name: 'store 2 MB',
      ours: ['store', '-aec', 'STORESCP', ...at(storescp.port), dxFile],
      dcmtk: ['storescu', ['-aec', 'STORESCP', ...at(storescp.port), dxFile]],
    },
    {
      // All 50 items, the keys findscu -W asks with one -k: ours asks its full return-key set.
      name: 'worklist (50 items)',
      ours: ['worklist', '-aec', 'WLMSCP', ...at(wlm.port)],
      dcmtk: [
        'findscu',
        ['-W', '-aec', 'WLMSCP', '-k', '0010,0010', '-k', '0040,0100[0].0008,0060', ...at(wlm.port)],
      ],
    },
  ];
  const ourEnv = { ...PEER_ENV, HNVUE_CLI_BUNDLE: '1' };
  const unbundledEnv = { ...PEER_ENV, HNVUE_CLI_BUNDLE: '0' };
  // Warm-up: the page cache for node, the modules and the DCMTK binaries.
  for (const c of cases) {
    await timeProcess('node', [BIN, ...c.ours], ourEnv);
    if (unbundled) await timeProcess('node', [BIN, ...c.ours], unbundledEnv);
    await timeProcess(c.dcmtk[0], c.dcmtk[1]);
  }
  const floor: Sample[] = [];
  const rows = cases.map(() => ({ ours: [] as Sample[], unbundled: [] as Sample[], dcmtk: [] as Sample[] }));
  for (let i = 0; i < iterations; i++) {
    floor.push(await timeProcess('node', ['-e', '0']));
    for (const [k, c] of cases.entries()) {
      // Alternate which side goes first so that a load spike hits both alike.
      const ours = () => timeProcess('node', [BIN, ...c.ours], ourEnv);
      const dcmtk = () => timeProcess(c.dcmtk[0], c.dcmtk[1]);
      const row = rows[k]!;
      if (i % 2) {
        row.dcmtk.push(await dcmtk());
        row.ours.push(await ours());
      } else {
        row.ours.push(await ours());
        row.dcmtk.push(await dcmtk());
      }
      if (unbundled) row.unbundled.push(await timeProcess('node', [BIN, ...c.ours], unbundledEnv));
    }
  }
  const wall = (xs: readonly Sample[]) => stats(xs.map((x) => x.wall));
  const cpu = (xs: readonly Sample[]) => stats(xs.map((x) => x.cpu ?? 0));
  const ratios = (a: readonly Sample[], b: readonly Sample[]) => stats(a.map((x, j) => x.wall / b[j]!.wall));
  const f = wall(floor);
  const cpuNote = GNU_TIME ? `; CPU (user+sys) in [ ]` : '';
  console.log(
    `CLI whole-process times, ${iterations} iterations, median (min–max); ratio = hnvue / DCMTK${cpuNote}`,
  );
  const cpuOf = (xs: readonly Sample[]) => (GNU_TIME ? `  [${fmtCpu(cpu(xs))}]` : '');
  console.log(`  node -e 0 (Node start-up alone)   ${fmt(f)}${cpuOf(floor)}`);
  for (const [k, c] of cases.entries()) {
    const r = rows[k]!;
    const ours = wall(r.ours);
    const ratio = ratios(r.ours, r.dcmtk);
    console.log(
      `  ${c.name.padEnd(20)} hnvue ${fmt(ours)}${cpuOf(r.ours)}   ${c.dcmtk[0]} ${fmt(wall(r.dcmtk))}${cpuOf(r.dcmtk)}`,
    );
    console.log(
      `  ${''.padEnd(20)} ratio ${ratio.median.toFixed(2)} (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}), target ≤ 1.5; ` +
        `hnvue above Node's start-up: ${(ours.median - f.median).toFixed(1)} ms`,
    );
    if (unbundled) {
      const u = wall(r.unbundled);
      console.log(
        `  ${''.padEnd(20)} unbundled dist/ ${fmt(u)}${cpuOf(r.unbundled)}, ratio ${ratios(r.unbundled, r.dcmtk).median.toFixed(2)}`,
      );
    }
  }
} finally {
  await storescp.stop();
  await wlm.stop();
  await rmTempDir(wlm.dataDir);
  await rmTempDir(dir);
}
