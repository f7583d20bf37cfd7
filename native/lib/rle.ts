import { CODEC_ERROR_CODES, CodecError } from './errors.js';
import { type FrameInfo, frameByteLength } from './frame.js';

/**
 * RLE Lossless decoding (PS3.5 Annex G), in TypeScript: one segment per byte of each sample,
 * most significant byte first (G.2), each segment PackBits-coded (G.3.1).
 */

function corrupt(message: string, details: Record<string, unknown> = {}): never {
  throw new CodecError(CODEC_ERROR_CODES.corrupt, `RLE: ${message}`, { details });
}

/** Decodes one RLE frame into native pixels laid out as `info.planarConfiguration` says. */
export function rleDecode(bytes: Uint8Array, info: FrameInfo): Uint8Array {
  const frameBytes = frameByteLength(info);
  if (bytes.length < 64) corrupt('shorter than its 64-byte header', { length: bytes.length });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const segments = view.getUint32(0, true);
  const bytesPerSample = info.bitsAllocated / 8;
  const expected = info.samplesPerPixel * bytesPerSample;
  if (segments !== expected) corrupt('segment count does not match the frame', { segments, expected });
  const pixels = info.rows * info.columns;
  const out = new Uint8Array(frameBytes);
  const planar = info.samplesPerPixel === 3 && info.planarConfiguration === 1;
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : bytes.length;
    if (start < 64 || end > bytes.length || start > end)
      corrupt('segment offset out of range', { segment: s });
    const sample = Math.floor(s / bytesPerSample);
    // G.2: byte 0 of a segment group is the most significant; little-endian output reverses it.
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
    const stride = planar ? bytesPerSample : bytesPerSample * info.samplesPerPixel;
    let dst = (planar ? sample * pixels * bytesPerSample : sample * bytesPerSample) + byteInSample;
    let written = 0;
    let p = start;
    while (written < pixels) {
      if (p >= end) corrupt('segment ends before the frame is complete', { segment: s });
      const n = bytes[p++]!;
      if (n < 128) {
        const count = n + 1;
        if (p + count > end || written + count > pixels) corrupt('literal run overflows', { segment: s });
        for (let k = 0; k < count; k++, dst += stride) out[dst] = bytes[p++]!;
        written += count;
      } else if (n > 128) {
        const count = 257 - n;
        if (p >= end || written + count > pixels) corrupt('replicate run overflows', { segment: s });
        const b = bytes[p++]!;
        for (let k = 0; k < count; k++, dst += stride) out[dst] = b;
        written += count;
      }
      // n === 128 (-128) is a no-op (G.3.1).
    }
  }
  return out;
}
