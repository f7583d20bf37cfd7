/**
 * Association + C-ECHO + release round trip (FR-DICOM-02), ours vs DCMTK echoscu, against the same
 * DCMTK storescp on loopback, Nagle off on both sides (PEERS.md). Medians of N iterations.
 *
 *   pnpm exec tsx --conditions=@hnvue/source benchmarks/echo.ts [N]
 *
 * echoscu runs as a process per iteration (that is how it is used), so its time includes process
 * start-up; ours runs in this process. Both numbers are printed, with the in-process floor of a
 * bare TCP connect + close for scale.
 */

import { createConnection } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Association } from '@hnvue/net';
import { run, startStorescp } from '../testing/peers.js';

const iterations = Number(process.argv[2] ?? process.env.BENCH_N ?? 50);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function time(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const storescp = await startStorescp({ aeTitle: 'STORESCP' });
try {
  const port = storescp.port;
  const ours: number[] = [];
  const dcmtk: number[] = [];
  const tcp: number[] = [];
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
  // Warm-up: JIT and storescp's first fork.
  for (let i = 0; i < 5; i++) await echoOnce();
  for (let i = 0; i < iterations; i++) {
    ours.push(await time(echoOnce));
    dcmtk.push(
      await time(async () => {
        const result = await run('echoscu', [
          '-aet',
          'ECHOSCU',
          '-aec',
          'STORESCP',
          '127.0.0.1',
          String(port),
        ]);
        if (result.code !== 0) throw new Error(`echoscu failed: ${result.stderr}`);
      }),
    );
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
  // Per C-ECHO on one open association: echoscu --repeat R in one process, minus one --repeat 1
  // run (process start, dictionary load, association set-up), vs ours on one association.
  const repeat = 2000;
  const echoscu = (r: number) =>
    time(async () => {
      const result = await run('echoscu', [
        '--repeat',
        String(r),
        '-aec',
        'STORESCP',
        '127.0.0.1',
        String(port),
      ]);
      if (result.code !== 0) throw new Error(`echoscu failed: ${result.stderr}`);
    });
  const dcmtkPerEcho: number[] = [];
  const oursPerEcho: number[] = [];
  for (let i = 0; i < 3; i++) {
    dcmtkPerEcho.push(((await echoscu(repeat)) - (await echoscu(1))) / (repeat - 1));
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
  }
  const m = { ours: median(ours), dcmtk: median(dcmtk), tcp: median(tcp) };
  console.log(`C-ECHO round trip (associate + echo + release), ${iterations} iterations, medians:`);
  console.log(`  @hnvue/net (in process)        ${m.ours.toFixed(2)} ms`);
  console.log(`  DCMTK echoscu (process/iter.)  ${m.dcmtk.toFixed(2)} ms`);
  console.log(`  bare TCP connect (floor)       ${m.tcp.toFixed(2)} ms`);
  console.log(`  ratio ours / echoscu           ${(m.ours / m.dcmtk).toFixed(3)}`);
  const e = { ours: median(oursPerEcho), dcmtk: median(dcmtkPerEcho) };
  console.log(`C-ECHO on an open association (${repeat} in a row, 3 runs), medians per echo:`);
  console.log(`  @hnvue/net                     ${(e.ours * 1000).toFixed(0)} µs`);
  console.log(`  DCMTK echoscu --repeat         ${(e.dcmtk * 1000).toFixed(0)} µs`);
  console.log(`  ratio ours / echoscu           ${(e.ours / e.dcmtk).toFixed(3)}`);
} finally {
  await storescp.stop();
}
