/**
 * Long fuzz run of the decoders (the CI test in test/fuzz/ is the bounded version). Every
 * mutation must decode to a full frame or fail with a CodecError; anything else, or a crash of
 * the process, is a bug. Run it against the sanitizer build with scripts/fuzz-sanitize.sh.
 *
 * Run: pnpm --filter @hnvue/native run fuzz -- [--iterations N] [--seed S] [--codec jpegll|j2k-native|j2k-wasm|all]
 */
import { encodeFrame, type FrameInfo, type J2kBackend, nativeStatus, TransferSyntax } from '../lib/index.js';
import { fuzzDecoder } from '../test/helpers/fuzz.js';
import { frameInfo, syntheticFrame } from '../test/helpers/images.js';

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
