import { describe, expect, it } from 'vitest';
import { CodecError, decodeFrame, encodeFrame, TransferSyntax } from '../../lib/index.js';
import { mutate } from '../helpers/fuzz.js';
import { frameInfo, rng, syntheticFrame } from '../helpers/images.js';

// The long fuzz run (scripts/fuzz-codecs.ts --codec jpeg8-wasm --seed 20261209) died at input
// 33115 with a RuntimeError (memory access out of bounds) out of the WebAssembly libjpeg-turbo
// decoder's `delete()`: rejected streams before it had left the library's heap inconsistent. The
// wrapper now turns a trap there into the call's CodecError and starts a fresh instance
// (releaseWasm in lib/codec-support.ts). The same inputs in the same order, in one process.
describe('WebAssembly codec instances after rejected streams', () => {
  it('FR-DICOM-04.codec: the 33,116 mutations that made the WebAssembly libjpeg-turbo trap give frames or CodecErrors, and the next decode is exact', async () => {
    const info = frameInfo(64, 64, 8, 8);
    const pixels = syntheticFrame(info, 1, 0.3);
    const options = { libraryBackend: 'wasm' } as const;
    const seed = await encodeFrame(pixels, info, TransferSyntax.jpegBaseline, {
      allowLossy: true,
      ...options,
    });
    const before = await decodeFrame(seed, info, TransferSyntax.jpegBaseline, options);
    const next = rng(20261209);
    let rejected = 0;
    for (let i = 0; i <= 33115; i++) {
      try {
        await decodeFrame(mutate(seed, next), info, TransferSyntax.jpegBaseline, options);
      } catch (err) {
        if (!(err instanceof CodecError)) throw new Error(`input ${i}: ${String(err)}`);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(0);
    const after = await decodeFrame(seed, info, TransferSyntax.jpegBaseline, options);
    expect(Buffer.from(after).equals(Buffer.from(before))).toBe(true);
  }, 120_000);
});
