import { CODEC_ERROR_CODES, CodecError } from './errors.js';
import { type FrameInfo, frameByteLength, requireWholeFrame } from './frame.js';

/**
 * RLE Lossless (PS3.5 Annex G), in TypeScript on every machine: one segment per byte of each
 * sample, most significant byte first (G.2), each segment PackBits-coded (G.3.1), at most 15
 * segments (G.5), so 8/16/32-bit samples with 1 or 3 samples per pixel. Measured against
 * dcmcrle/dcmdrle in benchmarks/codecs-rle.ts: plain typed-array loops, no native code needed.
 */

const HEADER_BYTES = 64;
const MAX_SEGMENTS = 15;

function corrupt(message: string, details: Record<string, unknown> = {}): never {
  throw new CodecError(CODEC_ERROR_CODES.corrupt, `RLE: ${message}`, { details });
}

function segmentCount(info: FrameInfo): number {
  const segments = info.samplesPerPixel * (info.bitsAllocated / 8);
  if (segments > MAX_SEGMENTS) {
    // Unreachable with 1 or 3 samples of at most 32 bits (12 segments); kept as the G.5 limit.
    throw new CodecError(
      CODEC_ERROR_CODES.unsupported,
      `RLE holds at most ${MAX_SEGMENTS} segments; this image needs ${segments}`,
    );
  }
  return segments;
}

/** Decodes one RLE frame into native pixels laid out as `info.planarConfiguration` says. */
export function rleDecode(bytes: Uint8Array, info: FrameInfo): Uint8Array {
  const frameBytes = frameByteLength(info);
  if (bytes.length < HEADER_BYTES) corrupt('shorter than its 64-byte header', { length: bytes.length });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const segments = view.getUint32(0, true);
  const bytesPerSample = info.bitsAllocated / 8;
  const expected = segmentCount(info);
  if (segments !== expected) corrupt('segment count does not match the frame', { segments, expected });
  const pixels = info.rows * info.columns;
  const out = new Uint8Array(frameBytes);
  const planar = info.samplesPerPixel === 3 && info.planarConfiguration === 1;
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : bytes.length;
    if (start < HEADER_BYTES || end > bytes.length || start > end)
      corrupt('segment offset out of range', { segment: s });
    const sample = Math.floor(s / bytesPerSample);
    // G.2: byte 0 of a segment group is the most significant; little-endian output reverses it.
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
    const stride = planar ? bytesPerSample : bytesPerSample * info.samplesPerPixel;
    let dst = (planar ? sample * pixels * bytesPerSample : sample * bytesPerSample) + byteInSample;
    let written = 0;
    let p = start;
    // G.3.2: runs may cross row boundaries in what other encoders write; we only count bytes.
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

/**
 * PackBits one row (G.3.1) from `src` into `dst` at `at`, returning the new end. Replicate runs
 * start at 3 equal bytes: a 2-byte run inside literals costs the same as coding it literally.
 */
function packRow(src: Uint8Array, width: number, dst: Uint8Array, at: number): number {
  let o = at;
  let i = 0;
  while (i < width) {
    const v = src[i]!;
    let run = 1;
    while (i + run < width && run < 128 && src[i + run] === v) run++;
    if (run >= 3) {
      dst[o++] = 257 - run;
      dst[o++] = v;
      i += run;
      continue;
    }
    // A literal run: until 3 equal bytes start, the row ends, or 128 bytes.
    const begin = i;
    i += run;
    while (i < width && i - begin < 128) {
      if (i + 2 < width && src[i] === src[i + 1] && src[i] === src[i + 2]) break;
      i++;
    }
    const count = Math.min(i, begin + 128) - begin;
    i = begin + count;
    dst[o++] = count - 1;
    for (let k = 0; k < count; k++) dst[o++] = src[begin + k]!;
  }
  return o;
}

/**
 * Encodes one native frame (`info` layout) as an RLE Lossless frame: the 64-byte header, then one
 * segment per sample byte, each row coded separately (G.3.1 "each row … encoded separately") and
 * each segment padded to even length (G.4).
 */
export function rleEncode(pixels: Uint8Array, info: FrameInfo): Uint8Array {
  const frameBytes = frameByteLength(info);
  requireWholeFrame(pixels, frameBytes);
  const segments = segmentCount(info);
  const bytesPerSample = info.bitsAllocated / 8;
  const { rows, columns, samplesPerPixel } = info;
  const planar = samplesPerPixel === 3 && info.planarConfiguration === 1;
  const pixelCount = rows * columns;
  // Worst case per row: one header byte per 128 literals.
  const worstSegment = rows * (columns + Math.ceil(columns / 128)) + 1;
  const out = new Uint8Array(HEADER_BYTES + segments * worstSegment);
  const header = new DataView(out.buffer);
  header.setUint32(0, segments, true);
  const row = new Uint8Array(columns);
  let at = HEADER_BYTES;
  for (let s = 0; s < segments; s++) {
    header.setUint32(4 + 4 * s, at, true);
    const sample = Math.floor(s / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
    const stride = planar ? bytesPerSample : bytesPerSample * samplesPerPixel;
    const base = (planar ? sample * pixelCount * bytesPerSample : sample * bytesPerSample) + byteInSample;
    for (let y = 0; y < rows; y++) {
      let src = base + y * columns * stride;
      for (let x = 0; x < columns; x++, src += stride) row[x] = pixels[src]!;
      at = packRow(row, columns, out, at);
    }
    if ((at - HEADER_BYTES) & 1) out[at++] = 0; // G.4: even-length segments
  }
  return out.slice(0, at);
}
