/**
 * Second-wave codec benchmark (issue 13): ours against DCMTK and OpenJPH's tools, side by side in
 * one run. Peers are timed as whole processes (read, code, write a file), as they are used; ours as
 * the codec call plus (de)encapsulation of one frame. Median wall time of --runs (default 3).
 *
 * Run: node --conditions=@hnvue/source --import tsx benchmarks/codecs-wave2.ts [--runs N] [--size N]
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  type CodecBackend,
  decapsulate,
  decodeFrame,
  encapsulate,
  encodeFrame,
  type FrameInfo,
  nativeStatus,
  TransferSyntax,
} from '@hnvue/native';
import { frameInfo, syntheticFrame } from '../native/test/helpers/images.js';
import { writeNetpbm } from '../native/test/helpers/netpbm.js';
import { readPart10, writePart10 } from '../native/test/helpers/part10.js';
import { tempDir } from '../native/test/helpers/tools.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const runs = opt('--runs', 3);
const size = opt('--size', 3000);
const dir = tempDir('bench-wave2');
const status = nativeStatus();
const backends: CodecBackend[] = status.kind === 'loaded' ? ['native', 'wasm'] : ['wasm'];

async function time(fn: () => unknown): Promise<number> {
  await fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}
const tool = (cmd: string, a: string[]) => () => execFileSync(cmd, a, { stdio: 'ignore' });

const rows: string[] = [];
function row(op: string, ours: number, peer: string, theirs: number, bytes = ''): void {
  rows.push(
    `| ${op} | ${ours.toFixed(0)} | ${peer} | ${theirs.toFixed(0)} | ${(ours / theirs).toFixed(2)} | ${bytes} |`,
  );
}

function part10(
  name: string,
  info: FrameInfo,
  uid: string,
  value: Uint8Array,
  encapsulated: boolean,
): string {
  const path = dir.file(name);
  writePart10(path, { info, transferSyntaxUid: uid, pixelData: value, encapsulated });
  return path;
}

const TS = TransferSyntax;
const mono = frameInfo(size, size, 16, 12);
const rgb = frameInfo(1024, 1024, 8, 8, false, 3);
for (const [label, info] of [
  [`${size}x${size} 16-bit`, mono],
  ['1024x1024 RGB', rgb],
] as const) {
  const px = syntheticFrame(info, 2026, 0.01);
  const raw = part10(`raw-${label}.dcm`, info, TS.explicitVrLittleEndian, px, false);

  // RLE (TypeScript) vs dcmcrle/dcmdrle.
  const rleOut = dir.file('rle.dcm');
  const rleFrame = await encodeFrame(px, info, TS.rleLossless);
  const rleEnc = await time(async () => encapsulate([await encodeFrame(px, info, TS.rleLossless)]));
  const rleDec = await time(async () => decodeFrame(rleFrame, info, TS.rleLossless));
  const dcmRle = await time(tool('dcmcrle', [raw, rleOut]));
  const theirsRle = readPart10(rleOut);
  const rleIn = part10('rle-ours.dcm', info, TS.rleLossless, encapsulate([rleFrame]), true);
  const dcmdRle = await time(tool('dcmdrle', [rleIn, dir.file('rle-back.dcm')]));
  row(`${label} RLE encode`, rleEnc, 'dcmcrle', dcmRle, `${rleFrame.length} / ${theirsRle.pixelData.length}`);
  row(`${label} RLE decode`, rleDec, 'dcmdrle', dcmdRle);

  // JPEG-LS vs dcmcjpls/dcmdjpls.
  const jlsOut = dir.file('jls.dcm');
  const dcmJls = await time(tool('dcmcjpls', [raw, jlsOut]));
  const jlsTheirs = readPart10(jlsOut);
  const jlsIn = part10('jls-ours.dcm', info, TS.jpegLsLossless, jlsTheirs.pixelData, true);
  const dcmdJls = await time(tool('dcmdjpls', [jlsIn, dir.file('jls-back.dcm')]));
  for (const b of backends) {
    const frame = await encodeFrame(px, info, TS.jpegLsLossless, { libraryBackend: b });
    const enc = await time(async () =>
      encapsulate([await encodeFrame(px, info, TS.jpegLsLossless, { libraryBackend: b })]),
    );
    const [theirFrame] = decapsulate(jlsTheirs.pixelData, 1);
    const dec = await time(async () =>
      decodeFrame(theirFrame!, info, TS.jpegLsLossless, { libraryBackend: b }),
    );
    row(
      `${label} JPEG-LS encode (${b})`,
      enc,
      'dcmcjpls',
      dcmJls,
      `${frame.length} / ${jlsTheirs.pixelData.length}`,
    );
    row(`${label} JPEG-LS decode (${b})`, dec, 'dcmdjpls', dcmdJls);
  }

  // HTJ2K vs ojph_compress/ojph_expand, and our JPEG 2000 decode.
  const img = dir.file(info.samplesPerPixel === 3 ? 'in.ppm' : 'in.pgm');
  writeNetpbm(img, px, info);
  const j2c = dir.file('ojph.j2c');
  const ojphC = await time(tool('ojph_compress', ['-i', img, '-o', j2c, '-reversible', 'true']));
  const ojphE = await time(
    tool('ojph_expand', ['-i', j2c, '-o', dir.file(info.samplesPerPixel === 3 ? 'o.ppm' : 'o.pgm')]),
  );
  const ht = await encodeFrame(px, info, TS.htj2kLossless);
  writeFileSync(dir.file('ours.j2c'), ht);
  const htEnc = await time(async () => encodeFrame(px, info, TS.htj2kLossless));
  row(
    `${label} HTJ2K encode (${status.kind === 'loaded' && status.openJph ? 'native' : 'wasm'})`,
    htEnc,
    'ojph_compress',
    ojphC,
    `${ht.length}`,
  );
  const htDec = await time(async () => decodeFrame(ht, info, TS.htj2kLossless));
  row(`${label} HTJ2K decode (default: OpenJPEG wasm)`, htDec, 'ojph_expand', ojphE);
  for (const b of backends) {
    // Our own stream: OpenJPH decodes only trusted input (lib/htj2k.ts).
    const d = await time(async () =>
      decodeFrame(ht, info, TS.htj2kLossless, { libraryBackend: b, trustedInput: true }),
    );
    row(`${label} HTJ2K decode (OpenJPH ${b})`, d, 'ojph_expand', ojphE);
  }
  const j2k = await encodeFrame(px, info, TS.jpeg2000Lossless);
  const j2kDec = await time(async () => decodeFrame(j2k, info, TS.jpeg2000Lossless));
  row(
    `${label} HTJ2K decode (default) vs our J2K decode`,
    htDec,
    'ours J2K .90',
    j2kDec,
    `${ht.length} / ${j2k.length}`,
  );

  // JPEG baseline decode (8-bit only: the RGB image) vs dcmdjpeg.
  if (info.bitsAllocated === 8) {
    const jpgOut = dir.file('jpg.dcm');
    execFileSync('dcmcjpeg', ['+eb', raw, jpgOut], { stdio: 'ignore' });
    const jpg = readPart10(jpgOut);
    const dcmdJpg = await time(tool('dcmdjpeg', [jpgOut, dir.file('jpg-back.dcm')]));
    const [frame] = decapsulate(jpg.pixelData, 1);
    for (const b of backends) {
      const d = await time(async () =>
        decodeFrame(frame!, info, TS.jpegBaseline, {
          libraryBackend: b,
          photometricInterpretation: 'YBR_FULL_422',
        }),
      );
      row(`${label} JPEG baseline decode (${b})`, d, 'dcmdjpeg', dcmdJpg);
    }
  }
}
dir.remove();
console.log(
  `runs ${runs}, addon ${status.kind}, load ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log('| operation | ours (ms) | peer | peer (ms) | ratio | bytes (ours / peer) |');
console.log('|---|---:|---|---:|---:|---:|');
for (const r of rows) console.log(r);
