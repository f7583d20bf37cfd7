/**
 * C-ECHO (FR-DICOM-02), ours vs DCMTK echoscu against the same DCMTK storescp on loopback, Nagle off
 * on both sides (TCP_NODELAY=1 for DCMTK, noDelay on our sockets; PEERS.md). Medians, ratio =
 * ours / DCMTK, all in one run so that the machine's load hits both columns alike.
 *
 *   pnpm exec tsx --conditions=@hnvue/source benchmarks/echo.ts [N] [--repeat R]
 *
 * (a) association + C-ECHO + release, N iterations, alternating:
 *     - ours in process (warm: what an application that is already running pays),
 *     - ours as a fresh `node` process per iteration on the built packages/net/dist (what echoscu
 *       pays: process start-up, module loading), the fair comparison with echoscu,
 *     - echoscu, a process per iteration.
 * (b) R C-ECHOs on one open association: ours vs `echoscu --repeat R`, whose time minus that of a
 *     `--repeat 1` run (start-up, association set-up and release) divided by R-1 is its per-echo
 *     cost. 5 runs, medians; our first (cold, JIT warm-up) run is printed apart.
 */

import { existsSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Association } from '@hnvue/net';
import { run, startStorescp } from '@hnvue/testing/peers';

const args = process.argv.slice(2);
const repeatAt = args.indexOf('--repeat');
const repeat = repeatAt >= 0 ? Number(args[repeatAt + 1]) : 2000;
const positional = repeatAt < 0 ? args : args.filter((_, i) => i !== repeatAt && i !== repeatAt + 1);
const iterations = Number(positional[0] ?? process.env.BENCH_N ?? 30);
const runs = 5;

const distEntry = fileURLToPath(new URL('../packages/net/dist/index.js', import.meta.url));
const srcEntry = fileURLToPath(new URL('../packages/net/src/association.ts', import.meta.url));

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function time(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function mustRun(command: string, argv: readonly string[]): Promise<void> {
  const result = await run(command, argv);
  if (result.code !== 0) throw new Error(`${command} failed: ${result.stderr.slice(-500)}`);
}

/** The fresh-process client: plain node on the compiled package, no TypeScript loader. */
function freshProcessScript(port: number): string {
  return `import { Association } from ${JSON.stringify(distEntry)};
const a = await Association.open({ host: '127.0.0.1', port: ${port}, callingAeTitle: 'HNVUE', calledAeTitle: 'STORESCP' });
await a.echo();
await a.release();`;
}

const storescp = await startStorescp({ aeTitle: 'STORESCP' });
try {
  const port = storescp.port;
  const distFresh = existsSync(distEntry);
  if (
    distFresh &&
    statSync(srcEntry).mtimeMs > statSync(distEntry.replace('index.js', 'association.js')).mtimeMs
  ) {
    console.warn(
      'note: packages/net/dist is older than src; run `pnpm exec tsc -b tsconfig.build.json` first',
    );
  }
  const echoOnce = async () => {
    const association = await Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'STORESCP',
    });
    await association.echo();
    await association.release();
  };
  const fresh = () => mustRun('node', ['--input-type=module', '-e', freshProcessScript(port)]);
  const echoscu = (r: number) =>
    mustRun('echoscu', [
      '--repeat',
      String(r),
      '-aet',
      'ECHOSCU',
      '-aec',
      'STORESCP',
      '127.0.0.1',
      String(port),
    ]);

  // Warm-up: JIT, storescp's first fork, the page cache for node and echoscu.
  for (let i = 0; i < 5; i++) await echoOnce();
  if (distFresh) await fresh();
  await echoscu(1);

  const ours: number[] = [];
  const oursFresh: number[] = [];
  const dcmtk: number[] = [];
  const tcp: number[] = [];
  for (let i = 0; i < iterations; i++) {
    ours.push(await time(echoOnce));
    if (distFresh) oursFresh.push(await time(fresh));
    dcmtk.push(await time(() => echoscu(1)));
    tcp.push(
      await time(
        () =>
          new Promise<void>((resolve, reject) => {
            const socket = createConnection({ port, host: '127.0.0.1' }, () => {
              socket.destroy();
              resolve();
            });
            socket.once('error', reject);
          }),
      ),
    );
  }

  const dcmtkPerEcho: number[] = [];
  const oursPerEcho: number[] = [];
  // Our first run after start-up is mostly V8 tiering up (~2x the steady state); echoscu is
  // compiled ahead of time. Shown, then left out of the median.
  let coldPerEcho = 0;
  {
    const association = await Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'STORESCP',
    });
    coldPerEcho =
      (await time(async () => {
        for (let j = 0; j < repeat; j++) await association.echo();
      })) / repeat;
    await association.release();
  }
  for (let i = 0; i < runs; i++) {
    const long = await time(() => echoscu(repeat));
    const short = await time(() => echoscu(1));
    dcmtkPerEcho.push((long - short) / (repeat - 1));
    const association = await Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'STORESCP',
    });
    oursPerEcho.push(
      (await time(async () => {
        for (let j = 0; j < repeat; j++) await association.echo();
      })) / repeat,
    );
    await association.release();
    if (process.env.BENCH_VERBOSE)
      console.log(
        `  run ${i}: ours ${(oursPerEcho.at(-1)! * 1000).toFixed(0)} µs, echoscu ${(dcmtkPerEcho.at(-1)! * 1000).toFixed(0)} µs`,
      );
  }

  const m = { ours: median(ours), fresh: median(oursFresh), dcmtk: median(dcmtk), tcp: median(tcp) };
  console.log(`(a) associate + C-ECHO + release, ${iterations} iterations, medians:`);
  console.log(
    `  @hnvue/net in process            ${m.ours.toFixed(2)} ms   ratio ${(m.ours / m.dcmtk).toFixed(3)}`,
  );
  if (distFresh) {
    console.log(
      `  @hnvue/net, fresh node process   ${m.fresh.toFixed(2)} ms   ratio ${(m.fresh / m.dcmtk).toFixed(3)}`,
    );
  } else {
    console.log('  @hnvue/net, fresh node process   skipped (build packages/net/dist first)');
  }
  console.log(`  DCMTK echoscu, process per run   ${m.dcmtk.toFixed(2)} ms`);
  console.log(`  bare TCP connect (floor)         ${m.tcp.toFixed(2)} ms`);
  const e = { ours: median(oursPerEcho), dcmtk: median(dcmtkPerEcho) };
  console.log(`(b) C-ECHO on one open association, ${repeat} in a row, ${runs} runs, medians per echo:`);
  console.log(
    `  @hnvue/net                       ${(e.ours * 1000).toFixed(0)} µs (first, cold run: ${(coldPerEcho * 1000).toFixed(0)} µs)`,
  );
  console.log(`  DCMTK echoscu --repeat           ${(e.dcmtk * 1000).toFixed(0)} µs`);
  console.log(`  ratio ours / echoscu             ${(e.ours / e.dcmtk).toFixed(3)}`);
} finally {
  await storescp.stop();
}
