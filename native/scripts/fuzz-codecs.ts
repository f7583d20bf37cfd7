/**
 * Long fuzz run of the decoders (the CI test in test/fuzz/ is the bounded version). Every
 * mutation must decode to a full frame or fail with a CodecError; anything else, or a crash of
 * the process, is a bug. Run it against the sanitizer build with scripts/fuzz-sanitize.sh.
 *
 * Run: pnpm --filter @hnvue/native run fuzz -- [--iterations N] [--seed S]
 *   [--codec jpegll|j2k-native|j2k-wasm|rle|jpegls-native|jpegls-wasm|htj2k-default|htj2k-wasm|htj2k-native|jpeg8-native|jpeg8-wasm|jpeg12-native|jpeg12-ts|jpegll-ts|all]
 * htj2k-native and htj2k-wasm (OpenJPH) run only when named: the native build aborts the process
 * and the WebAssembly build hangs on some inputs (seed 7 finds one), which is why HTJ2K decodes
 * through OpenJPEG in WebAssembly by default (htj2k-default).
 */
import {
  type CodecBackend,
  CodecError,
  encodeFrame,
  type FrameInfo,
  type J2kBackend,
  nativeStatus,
  TransferSyntax,
} from '../lib/index.js';
import { jpegLosslessDecodeTs } from '../lib/jpeg-lossless-ts.js';
import { jpeg12DecodeTs } from '../lib/jpeg12-ts.js';
import { encodeJpegLosslessSeed } from '../test/fuzz/jpeg-lossless-seeds.js';
import { encodeJpegDctSeed, JPEG12_FUZZ_CASES } from '../test/fuzz/jpeg12-seeds.js';
import { fuzzDecoder, mutate } from '../test/helpers/fuzz.js';
import { frameInfo, rng, syntheticFrame } from '../test/helpers/images.js';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const iterations = Number(arg('--iterations') ?? 100_000);
const seed = Number(arg('--seed') ?? Date.now() % 1_000_000);
const codec = arg('--codec') ?? 'all';

console.log(`fuzz: seed ${seed}, ${iterations} iterations per target, addon ${nativeStatus().kind}`);

const IMAGES: readonly FrameInfo[] = [
  frameInfo(16, 12, 16, 12),
  frameInfo(9, 7, 8, 8),
  frameInfo(5, 11, 16, 16, true),
  frameInfo(6, 5, 8, 8, false, 3),
  frameInfo(33, 20, 16, 10, true),
];

async function run(
  name: string,
  ts: string,
  make: (px: Uint8Array, info: FrameInfo) => Promise<Uint8Array[]>,
  opts = {},
) {
  const t0 = Date.now();
  let total = 0;
  for (const [k, info] of IMAGES.entries()) {
    const seeds = await make(syntheticFrame(info, k + 1, 0.3), info);
    const n = Math.ceil(iterations / IMAGES.length);
    const r = await fuzzDecoder(seeds, info, ts, n, seed + k, opts);
    total += n;
    console.log(
      `  ${name} ${info.rows}x${info.columns}x${info.samplesPerPixel} ${info.bitsStored}-bit: ` +
        `${r.decoded} decoded, ${r.rejected} rejected (${[...r.codes].join(', ')})`,
    );
  }
  console.log(`${name}: ${total} inputs in ${((Date.now() - t0) / 1000).toFixed(1)} s, no crash`);
}

if (nativeStatus().kind === 'loaded' && (codec === 'all' || codec === 'jpegll')) {
  await run('jpegll', TransferSyntax.jpegLossless, async (px, info) => [
    await encodeFrame(px, info, TransferSyntax.jpegLossless),
    await encodeFrame(px, info, TransferSyntax.jpegLossless, { predictor: 6, restartInterval: info.columns }),
    await encodeFrame(px, info, TransferSyntax.jpegLossless, { predictor: 3, restartInterval: 3 }),
  ]);
}
const backends: J2kBackend[] = nativeStatus().kind === 'loaded' ? ['native', 'wasm'] : ['wasm'];
for (const backend of backends) {
  if (codec !== 'all' && codec !== `j2k-${backend}`) continue;
  await run(
    `j2k-${backend}`,
    TransferSyntax.jpeg2000Lossless,
    async (px, info) => [
      await encodeFrame(px, info, TransferSyntax.jpeg2000Lossless, { j2kBackend: backend }),
    ],
    { j2kBackend: backend },
  );
}

if (codec === 'all' || codec === 'rle') {
  await run('rle', TransferSyntax.rleLossless, async (px, info) => [
    await encodeFrame(px, info, TransferSyntax.rleLossless),
  ]);
}
const status = nativeStatus();
const libs: readonly [string, string, boolean, object][] = [
  ['jpegls', TransferSyntax.jpegLsLossless, status.kind === 'loaded' && status.charls !== undefined, {}],
  ['htj2k', TransferSyntax.htj2kLossless, status.kind === 'loaded' && status.openJph !== undefined, {}],
];
if (codec === 'all' || codec === 'htj2k-default') {
  // HTJ2K's default decoder: OpenJPEG in WebAssembly (lib/htj2k.ts).
  await run('htj2k-default', TransferSyntax.htj2kLossless, async (px, info) => [
    await encodeFrame(px, info, TransferSyntax.htj2kLossless, { libraryBackend: 'wasm' }),
  ]);
}
for (const [name, ts, hasNative, opts] of libs) {
  for (const backend of (hasNative ? ['native', 'wasm'] : ['wasm']) as CodecBackend[]) {
    const target = `${name}-${backend}`;
    // OpenJPH decodes only on request: its native build aborts, its WebAssembly build hangs on
    // some inputs (lib/htj2k.ts), so 'all' leaves both out.
    if (codec !== target && (codec !== 'all' || name === 'htj2k')) continue;
    await run(
      target,
      ts,
      async (px, info) => [await encodeFrame(px, info, ts, { ...opts, libraryBackend: backend })],
      // OpenJPH decodes only with trustedInput (lib/htj2k.ts); here it is fuzzed on purpose.
      { libraryBackend: backend, trustedInput: true },
    );
  }
}
// 8-bit JPEG: 8-bit images of at least 4096 bytes (the WebAssembly encoder's limit) as seeds.
const jpegImages: readonly FrameInfo[] = [frameInfo(64, 64, 8, 8), frameInfo(40, 40, 8, 8, false, 3)];
const hasLibjpeg = status.kind === 'loaded' && status.libjpeg;
for (const backend of (hasLibjpeg ? ['native', 'wasm'] : ['wasm']) as CodecBackend[]) {
  if (codec !== 'all' && codec !== `jpeg8-${backend}`) continue;
  const t0 = Date.now();
  for (const [k, info] of jpegImages.entries()) {
    const px = syntheticFrame(info, k + 1, 0.3);
    const seedStream = await encodeFrame(px, info, TransferSyntax.jpegBaseline, {
      allowLossy: true,
      libraryBackend: backend,
    });
    const r = await fuzzDecoder(
      [seedStream],
      info,
      TransferSyntax.jpegBaseline,
      Math.ceil(iterations / 2),
      seed + k,
      {
        libraryBackend: backend,
      },
    );
    console.log(
      `  jpeg8-${backend} ${info.rows}x${info.columns}x${info.samplesPerPixel}: ${r.decoded} decoded, ${r.rejected} rejected`,
    );
  }
  console.log(
    `jpeg8-${backend}: ${iterations} inputs in ${((Date.now() - t0) / 1000).toFixed(1)} s, no crash`,
  );
}
// 12-bit JPEG (GDCM's libgdcmjpeg12 in the addon; no WebAssembly build): our Process 4 streams of
// a grey and an RGB image as seeds.
if ((codec === 'all' || codec === 'jpeg12-native') && status.kind === 'loaded' && status.jpeg12) {
  const t0 = Date.now();
  const images12: readonly FrameInfo[] = [frameInfo(48, 40, 16, 12), frameInfo(24, 20, 16, 12, false, 3)];
  for (const [k, info] of images12.entries()) {
    const px = syntheticFrame(info, k + 1, 0.3);
    const seedStream = await encodeFrame(px, info, TransferSyntax.jpegExtended, { allowLossy: true });
    const r = await fuzzDecoder(
      [seedStream],
      info,
      TransferSyntax.jpegExtended,
      Math.ceil(iterations / 2),
      seed + k,
    );
    console.log(
      `  jpeg12-native ${info.rows}x${info.columns}x${info.samplesPerPixel}: ${r.decoded} decoded, ${r.rejected} rejected`,
    );
  }
  console.log(`jpeg12-native: ${iterations} inputs in ${((Date.now() - t0) / 1000).toFixed(1)} s, no crash`);
}
/**
 * Mutations of each case's seeds straight into a synchronous TypeScript decoder (so it runs with
 * the addon loaded too): every input must give a full frame or a CodecError.
 */
async function fuzzDirect(
  name: string,
  cases: readonly { readonly info: FrameInfo; readonly seeds: Uint8Array[] }[],
  decode: (input: Uint8Array, info: FrameInfo) => Uint8Array,
): Promise<void> {
  const t0 = Date.now();
  const each = Math.ceil(iterations / cases.length);
  for (const [k, { info, seeds }] of cases.entries()) {
    const frameBytes = info.rows * info.columns * info.samplesPerPixel * (info.bitsAllocated / 8);
    const next = rng(seed + k);
    let decoded = 0;
    const codes = new Map<string, number>();
    for (let i = 0; i < each; i++) {
      const input = mutate(seeds[i % seeds.length]!, next);
      try {
        const out = decode(input, info);
        if (out.length !== frameBytes)
          throw new Error(`iteration ${i}: decoded ${out.length} bytes, want ${frameBytes}`);
        decoded++;
      } catch (err) {
        if (!(err instanceof CodecError)) throw new Error(`iteration ${i}: not a CodecError: ${String(err)}`);
        codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
      }
    }
    console.log(
      `  ${name} ${info.rows}x${info.columns}x${info.samplesPerPixel} ${info.bitsStored}-bit: ${decoded} decoded, ` +
        `${each - decoded} rejected (${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')})`,
    );
  }
  console.log(
    `${name}: ${each * cases.length} inputs in ${((Date.now() - t0) / 1000).toFixed(1)} s, no crash`,
  );
}

// The TypeScript 12-bit JPEG decoder (lib/jpeg12-ts.ts, the fallback without the addon): the
// fixed-table seed streams of test/fuzz/jpeg12-seeds.ts (restarts, subsampling, separate scans,
// P 8 and 12) and, with the addon, its own optimal-table Process 4 streams.
if (codec === 'all' || codec === 'jpeg12-ts') {
  const cases = [];
  for (const [k, [info, options]] of JPEG12_FUZZ_CASES.entries()) {
    const px = syntheticFrame(info, k + 1, 0.3);
    const seeds = options.map((o) => encodeJpegDctSeed(px, info, o));
    if (status.kind === 'loaded' && status.jpeg12 && info.bitsAllocated === 16 && info.bitsStored <= 12)
      seeds.push(await encodeFrame(px, info, TransferSyntax.jpegExtended, { allowLossy: true }));
    cases.push({ info, seeds });
  }
  await fuzzDirect('jpeg12-ts', cases, (input, info) => jpeg12DecodeTs(input, info, 1));
}

// The TypeScript JPEG Lossless decoder (lib/jpeg-lossless-ts.ts, the fallback without the addon):
// seeds from the addon-free test encoder (predictors, point transform, restart intervals), plus
// the addon's own streams when loaded.
if (codec === 'all' || codec === 'jpegll-ts') {
  const cases = [];
  for (const [k, info] of IMAGES.entries()) {
    const px = syntheticFrame(info, k + 1, 0.3);
    const seeds = [
      encodeJpegLosslessSeed(px, info),
      encodeJpegLosslessSeed(px, info, { predictor: 6, restartInterval: info.columns }),
      encodeJpegLosslessSeed(px, info, { predictor: 7, pointTransform: 1, restartInterval: 3 }),
    ];
    if (status.kind === 'loaded') seeds.push(await encodeFrame(px, info, TransferSyntax.jpegLossless));
    cases.push({ info, seeds });
  }
  await fuzzDirect('jpegll-ts', cases, jpegLosslessDecodeTs);
}
