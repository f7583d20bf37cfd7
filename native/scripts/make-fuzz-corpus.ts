/**
 * Writes the libFuzzer seed corpora (fuzz/corpus/<target>/*.bin) for fuzz/codec_fuzzer.cc: small
 * valid streams of synthetic images, each behind the harness's 8-byte frame description. Streams
 * come from our encoders (src/jpegll.cc; libjpeg-turbo, GDCM's 12-bit IJG build, CharLS, OpenJPEG
 * and OpenJPH through the addon) and, for HTJ2K, also from OpenJPH's own `ojph_compress` when it is
 * installed. The corpora are committed; rerun this only to change them:
 *
 *   cd native && pnpm exec tsx --conditions=@hnvue/source scripts/make-fuzz-corpus.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeFrame, type FrameInfo, nativeStatus, TransferSyntax } from '../lib/index.js';
import { frameInfo, syntheticFrame } from '../test/helpers/images.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'fuzz', 'corpus');
if (nativeStatus().kind !== 'loaded') throw new Error('make-fuzz-corpus: the addon is not built');

/** The harness's frame description (fuzz/codec_fuzzer.cc), then the stream. */
function seed(info: FrameInfo, stream: Uint8Array, colorTransform = 0): Uint8Array {
  const head = [
    info.rows >> 8,
    info.rows & 0xff,
    info.columns >> 8,
    info.columns & 0xff,
    info.bitsAllocated,
    info.bitsStored,
    info.samplesPerPixel,
    info.pixelRepresentation | (info.planarConfiguration << 1) | (colorTransform << 4),
  ];
  return new Uint8Array([...head, ...stream]);
}

function write(target: string, name: string, bytes: Uint8Array): void {
  mkdirSync(join(root, target), { recursive: true });
  writeFileSync(join(root, target, `${name}.bin`), bytes);
}

const name = (i: FrameInfo): string =>
  `${i.rows}x${i.columns}x${i.samplesPerPixel}-${i.bitsStored}${i.pixelRepresentation ? 's' : 'u'}`;

// Grey 12/8/16-bit signed/10-bit, RGB 8-bit: the shapes the mutation fuzz (scripts/fuzz-codecs.ts)
// uses, odd sizes included.
const LOSSLESS: readonly FrameInfo[] = [
  frameInfo(16, 12, 16, 12),
  frameInfo(9, 7, 8, 8),
  frameInfo(5, 11, 16, 16, true),
  frameInfo(6, 5, 8, 8, false, 3),
  frameInfo(33, 20, 16, 10, true),
];
const lossless: readonly [string, string][] = [
  ['jpegll', TransferSyntax.jpegLossless],
  ['jpegls', TransferSyntax.jpegLsLossless],
  ['j2k', TransferSyntax.jpeg2000Lossless],
  ['htj2k', TransferSyntax.htj2kLossless],
];
for (const [target, uid] of lossless) {
  for (const [k, info] of LOSSLESS.entries()) {
    const px = syntheticFrame(info, k + 1, 0.3);
    const backend =
      target === 'j2k' ? { j2kBackend: 'native' as const } : { libraryBackend: 'native' as const };
    write(target, name(info), seed(info, await encodeFrame(px, info, uid, backend)));
  }
}
// JPEG Lossless with the other predictors and restart intervals (src/jpegll.cc handles DRI/RSTn).
{
  const info = LOSSLESS[0]!;
  const px = syntheticFrame(info, 1, 0.3);
  const opts = { predictor: 6, restartInterval: info.columns } as const;
  write(
    'jpegll',
    `${name(info)}-p6-rst`,
    seed(info, await encodeFrame(px, info, TransferSyntax.jpegLossless, opts)),
  );
}

// OpenJPH's own encoder, reversible, from a PGM (16-bit big-endian samples above 8 bits).
try {
  const dir = mkdtempSync(join(tmpdir(), 'hnv-corpus-'));
  for (const info of [frameInfo(16, 12, 16, 12), frameInfo(9, 7, 8, 8)]) {
    const px = syntheticFrame(info, 7, 0.3);
    const max = 2 ** info.bitsStored - 1;
    const body = new Uint8Array(px.length);
    if (info.bitsAllocated === 16)
      for (let i = 0; i < px.length; i += 2) [body[i], body[i + 1]] = [px[i + 1]!, px[i]!];
    else body.set(px);
    const pgm = join(dir, 'in.pgm');
    const out = join(dir, 'out.j2c');
    writeFileSync(pgm, Buffer.concat([Buffer.from(`P5\n${info.columns} ${info.rows}\n${max}\n`), body]));
    // Its default 5 decompositions break small images; as many as src/htj2k.cc levelsFor uses.
    let levels = 5;
    while (levels > 0 && 2 ** levels > Math.min(info.rows, info.columns)) levels--;
    const args = ['-i', pgm, '-o', out, '-reversible', 'true', '-num_decomps', String(levels)];
    execFileSync('ojph_compress', args, { stdio: 'ignore' });
    write('htj2k', `${name(info)}-ojph`, seed(info, readFileSync(out)));
  }
  rmSync(dir, { recursive: true });
} catch {
  console.log('make-fuzz-corpus: ojph_compress not found, HTJ2K seeds from the addon only');
}

// 8-bit JPEG (libjpeg-turbo): grey, and RGB read back as the stream's markers say (0) and as
// YCbCr (1), the two ways lib/jpeg-baseline.ts calls the decoder.
for (const [k, info] of [frameInfo(16, 16, 8, 8), frameInfo(12, 10, 8, 8, false, 3)].entries()) {
  const px = syntheticFrame(info, k + 1, 0.3);
  const stream = await encodeFrame(px, info, TransferSyntax.jpegBaseline, {
    allowLossy: true,
    libraryBackend: 'native',
  });
  write('jpeg8', name(info), seed(info, stream));
  if (info.samplesPerPixel === 3) write('jpeg8', `${name(info)}-ycc`, seed(info, stream, 1));
}
// 12-bit JPEG (GDCM's IJG 12-bit build), grey and RGB.
for (const [k, info] of [frameInfo(16, 12, 16, 12), frameInfo(8, 6, 16, 12, false, 3)].entries()) {
  const px = syntheticFrame(info, k + 1, 0.3);
  const stream = await encodeFrame(px, info, TransferSyntax.jpegExtended, { allowLossy: true });
  write('jpeg12', name(info), seed(info, stream));
}
console.log(`make-fuzz-corpus: written under ${root}`);
