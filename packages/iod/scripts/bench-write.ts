/**
 * Part 10 write benchmark: a 50 MB DX (5000 x 5000, 16-bit) through writePart10 (@hnvue/dicom's
 * codec and file writer, pixels as views) vs toPart10Buffer vs
 * dcmjs' own writer. Each run is a fresh child process so peak RSS (getrusage maxrss) belongs to
 * one writer only. Run from the repository root:
 *   node --conditions=@hnvue/source --import tsx packages/iod/scripts/bench-write.ts [runs]
 */
import { spawnSync } from 'node:child_process';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TS } from '@hnvue/dicom';
import { buildDxImage, toPart10Buffer, writePart10 } from '../src/index.js';
import { dcmjs } from '../test/dcmjs.js';

type Mode = 'stream' | 'buffer' | 'dcmjs';
const ROWS = 5000;
const COLUMNS = 5000;

function build() {
  const px = new Uint16Array(ROWS * COLUMNS);
  for (let i = 0; i < px.length; i++) px[i] = (i * 7) & 0x0fff;
  let n = 0;
  return buildDxImage(
    {
      equipment: { manufacturer: 'HnVue' },
      image: {
        rows: ROWS,
        columns: COLUMNS,
        bitsStored: 12,
        pixels: px,
        windowCenter: 2048,
        windowWidth: 4096,
        patientOrientation: ['L', 'F'],
      },
      anatomy: { imageLaterality: 'U' },
      presentationIntent: 'FOR PRESENTATION',
      detector: { imagerPixelSpacingMm: [0.1, 0.1] },
    },
    { uid: () => `1.2.826.0.1.3680043.10.1437.98.${++n}` },
  );
}

async function child(mode: Mode, file: string): Promise<void> {
  const built = build();
  const rssBefore = process.memoryUsage().rss;
  const t0 = process.hrtime.bigint();
  if (mode === 'stream') {
    // No fsync: the other two modes do not sync either (a durable write adds the flush).
    await writePart10(built.dataset, built.pixelData, file, { fsync: false });
  } else if (mode === 'buffer') {
    writeFileSync(file, toPart10Buffer(built.dataset, built.pixelData));
  } else {
    // dcmjs' documented path: the pixels as an ArrayBuffer at offset 0 inside the dataset.
    const ds = {
      ...built.dataset,
      PixelData: [built.pixelData.buffer],
      _meta: {
        TransferSyntaxUID: { Value: [TS.explicitVrLittleEndian] },
        MediaStorageSOPClassUID: { Value: [built.dataset.SOPClassUID] },
        MediaStorageSOPInstanceUID: { Value: [built.dataset.SOPInstanceUID] },
      },
    };
    const dict = dcmjs.data.datasetToDict(ds);
    writeFileSync(file, Buffer.from(dict.write()));
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const peakKb = process.resourceUsage().maxRSS;
  process.stdout.write(
    `${JSON.stringify({ mode, ms, peakRssMb: peakKb / 1024, rssBeforeMb: rssBefore / 2 ** 20, bytes: statSync(file).size })}\n`,
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const [, , role, mode, file] = process.argv;
  if (role === '--child' && mode !== undefined && file !== undefined) {
    await child(mode as Mode, file);
    return;
  }
  const runs = Number(role ?? 3);
  const self = fileURLToPath(import.meta.url);
  const pixelsMb = (ROWS * COLUMNS * 2) / 2 ** 20;
  console.log(`pixel data: ${pixelsMb.toFixed(1)} MiB, ${runs} run(s) per writer, one process per run`);
  for (const mode of ['stream', 'buffer', 'dcmjs'] as const) {
    const results: { ms: number; peakRssMb: number; rssBeforeMb: number }[] = [];
    for (let i = 0; i < runs; i++) {
      const file = join(tmpdir(), `hnvue-bench-${process.pid}-${mode}.dcm`);
      const r = spawnSync(process.execPath, [...process.execArgv, self, '--child', mode, file], {
        encoding: 'utf8',
      });
      rmSync(file, { force: true });
      if (r.status !== 0) throw new Error(`${mode} run failed: ${r.stderr}`);
      results.push(JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}'));
    }
    const ms = median(results.map((r) => r.ms));
    const peak = median(results.map((r) => r.peakRssMb));
    const before = median(results.map((r) => r.rssBeforeMb));
    console.log(
      `${mode.padEnd(7)} median ${ms.toFixed(0).padStart(5)} ms  ${(pixelsMb / (ms / 1000)).toFixed(0).padStart(5)} MiB/s  ` +
        `peak RSS ${peak.toFixed(0)} MiB (RSS before write ${before.toFixed(0)} MiB, peak - before = ${(peak - before).toFixed(0)} MiB = ${((peak - before) / pixelsMb).toFixed(2)}x pixels)`,
    );
  }
}

await main();
