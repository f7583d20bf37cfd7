/**
 * Print (FR-DICOM-11), ours only (DCMTK has no command-line print SCU to compare with): a 2×2
 * film of four 3000×3000 12-bit images, from the Part 10 files to the last N-ACTION/N-DELETE done —
 * read, window, resize into 1500×1500 image boxes with sharp, N-SET 12-bit, print — to DCMTK
 * dcmprscp on loopback (Nagle off). Medians of N runs and the process's peak RSS.
 *
 *   BENCH_N=3 node --conditions=@hnvue/source --import tsx benchmarks/print.ts
 *
 * Measured 2026-12-04 (2 cores, other sessions running, N=3): median 1131 ms (1121–1279); peak
 * RSS 363 MiB for the process, of which 235 MiB already after building the four inputs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildCrImage, preparePrintImage, readPart10, toPart10Buffer } from '@hnvue/iod';
import { PrintScu, printFilms } from '@hnvue/net';
import { makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { startDcmprscp } from '@hnvue/testing/print';

const N = Number(process.env.BENCH_N ?? 3);
const SIDE = 3000;
const BOX = 1500;

const dir = await makeTempDir('hnvue-bench-print-');
const scp = await startDcmprscp(dir, 'PRN12', true);
try {
  const files: string[] = [];
  for (let k = 0; k < 4; k++) {
    const pixels = new Uint16Array(SIDE * SIDE);
    for (let i = 0; i < pixels.length; i++) pixels[i] = ((i % SIDE) + Math.floor(i / SIDE) + k * 500) % 4096;
    const cr = buildCrImage({
      patient: { name: 'Bench^Print', id: 'B1' },
      equipment: { manufacturer: 'HnVue' },
      image: { rows: SIDE, columns: SIDE, bitsStored: 12, pixels, windowCenter: 2048, windowWidth: 4096 },
      anatomy: { imageLaterality: 'U' },
    });
    const file = join(dir, `img${k}.dcm`);
    await writeFile(file, toPart10Buffer(cr.dataset, cr.pixelData));
    files.push(file);
  }
  const baseline = process.resourceUsage().maxRSS;
  const times: number[] = [];
  for (let run = 0; run < N; run++) {
    const t0 = performance.now();
    const images = [];
    for (const f of files) {
      const ds = readPart10(await readFile(f));
      images.push({ pixels: await preparePrintImage(ds, { rows: BOX, columns: BOX, bitDepth: 12 }) });
    }
    const scu = await PrintScu.open({
      host: '127.0.0.1',
      port: scp.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'PRN12',
    });
    try {
      await printFilms(scu, {
        session: { copies: 1 },
        films: [{ filmBox: { format: { columns: 2, rows: 2 }, filmSize: '14INX17IN' }, images }],
      });
    } finally {
      await scu.release();
    }
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] as number;
  console.log(
    `print 2×2 film, 4 × ${SIDE}×${SIDE} 12-bit → ${BOX}×${BOX} boxes: median ${median.toFixed(0)} ms ` +
      `(min ${(times[0] as number).toFixed(0)}, max ${(times.at(-1) as number).toFixed(0)}, N=${N}); ` +
      `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (after building the inputs ${(baseline / 1024).toFixed(0)} MiB)`,
  );
} finally {
  await scp.stop();
  await rmTempDir(dir);
}
