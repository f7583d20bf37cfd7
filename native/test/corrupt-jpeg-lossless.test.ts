import { describe, expect, it } from 'vitest';
import {
  CODEC_ERROR_CODES,
  CodecError,
  decodeFrame,
  encodeFrame,
  type FrameInfo,
  type JpegLosslessOptions,
  nativeStatus,
  TransferSyntax,
} from '../lib/index.js';
import { encodeJpegLosslessSeed } from './fuzz/jpeg-lossless-seeds.js';
import { frameInfo, syntheticFrame } from './helpers/images.js';

// Hand-made bad JPEG Lossless streams (T.81 Annex B syntax) must give typed errors, never a crash,
// from the addon or, without it (HNVUE_NATIVE=0), from the TypeScript fallback. Streams come from
// our encoder when the addon is loaded, else from the fixed-table seed encoder (same marker layout).
const TS = TransferSyntax.jpegLossless;
const native = nativeStatus().kind === 'loaded';
const backend = native ? 'addon' : 'TypeScript fallback';

async function encode(px: Uint8Array, i: FrameInfo, o: JpegLosslessOptions = {}): Promise<Uint8Array> {
  return native ? encodeFrame(px, i, TS, o) : encodeJpegLosslessSeed(px, i, o);
}
const info = frameInfo(6, 5, 16, 12);

async function code(bytes: Uint8Array, i: FrameInfo = info): Promise<string> {
  try {
    await decodeFrame(bytes, i, TS);
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    return (err as CodecError).code;
  }
  return 'decoded';
}

function find(bytes: Uint8Array, marker: number): number {
  for (let i = 0; i + 1 < bytes.length; i++) if (bytes[i] === 0xff && bytes[i + 1] === marker) return i;
  throw new Error(`marker ${marker.toString(16)} not found`);
}

describe(`JPEG Lossless corrupt input (${backend})`, () => {
  it('FR-DICOM-04.codec: every truncation of a stream is HNV_ERR_CODEC_CORRUPT', async () => {
    const good = await encode(syntheticFrame(info, 1, 0.5), info, { restartInterval: 5 });
    const started = performance.now();
    for (let n = 0; n < good.length; n++) {
      expect(await code(good.subarray(0, n)), `cut at ${n}`).toBe(CODEC_ERROR_CODES.corrupt);
    }
    expect(performance.now() - started).toBeLessThan(5_000); // bounded: no cut makes a decoder spin
    expect(await code(good)).toBe('decoded');
  });

  it('FR-DICOM-04.codec: wrong markers: lossy SOF is unsupported; no SOI, SOS before SOF, missing DHT are corrupt', async () => {
    const good = await encode(syntheticFrame(info, 2, 0.5), info);
    const sof0 = good.slice();
    sof0[find(sof0, 0xc3) + 1] = 0xc0;
    expect(await code(sof0)).toBe(CODEC_ERROR_CODES.unsupported);
    const arithmetic = good.slice();
    arithmetic[find(arithmetic, 0xc3) + 1] = 0xcb;
    expect(await code(arithmetic)).toBe(CODEC_ERROR_CODES.unsupported);
    expect(await code(good.subarray(2))).toBe(CODEC_ERROR_CODES.corrupt);
    const noDht = good.slice();
    noDht[find(noDht, 0xc4) + 1] = 0xfe; // DHT becomes a COM segment
    expect(await code(noDht)).toBe(CODEC_ERROR_CODES.corrupt);
    const sof = find(good, 0xc3);
    const sos = find(good, 0xda);
    const swapped = new Uint8Array(
      Buffer.concat([
        good.subarray(0, sof),
        good.subarray(sof + 2 + 11, sos),
        good.subarray(sof, sof + 13),
        good.subarray(sos),
      ]),
    );
    expect(await code(swapped)).toBe('decoded'); // DHT before SOF is legal (B.2.4)
    const sosFirst = new Uint8Array(Buffer.concat([good.subarray(0, 2), good.subarray(sos)]));
    expect(await code(sosFirst)).toBe(CODEC_ERROR_CODES.corrupt);
  });

  it('FR-DICOM-04.codec: lying lengths and sizes are HNV_ERR_CODEC_CORRUPT', async () => {
    const good = await encode(syntheticFrame(info, 3, 0.5), info);
    const sof = find(good, 0xc3);
    const longSof = good.slice();
    longSof[sof + 2] = 0xff; // Lf = 0xFF0B
    expect(await code(longSof)).toBe(CODEC_ERROR_CODES.corrupt);
    const bigImage = good.slice();
    bigImage[sof + 5] = 0xff; // Y = 0xFF06: not the frame we were told
    expect(await code(bigImage)).toBe(CODEC_ERROR_CODES.corrupt);
    const dht = find(good, 0xc4);
    const badCounts = good.slice();
    badCounts[dht + 5] = 200; // 200 codes of length 1
    expect(await code(badCounts)).toBe(CODEC_ERROR_CODES.corrupt);
    const precision = good.slice();
    precision[sof + 4] = 17;
    expect(await code(precision)).toBe(CODEC_ERROR_CODES.corrupt);
    expect(await code(good, { ...info, bitsAllocated: 8, bitsStored: 8 })).toBe(CODEC_ERROR_CODES.corrupt);
  });

  it('FR-DICOM-04.codec: a Huffman table with more short codes than fit (found by the sanitizer fuzz) is corrupt', async () => {
    const good = await encode(syntheticFrame(info, 5, 0.5), info);
    const counts = find(good, 0xc4) + 5; // BITS[1..16] (B.2.4.2)
    const bad = good.slice();
    let total = 0;
    for (let l = 0; l < 16; l++) total += bad[counts + l]!;
    bad.fill(0, counts, counts + 16);
    bad[counts] = 3; // three 1-bit codes (C.2 allows two)
    bad[counts + 1] = total - 3;
    expect(await code(bad)).toBe(CODEC_ERROR_CODES.corrupt);
  });

  it('FR-DICOM-04.codec: a missing or misnumbered restart marker is HNV_ERR_CODEC_CORRUPT', async () => {
    const good = await encode(syntheticFrame(info, 4, 0.5), info, { restartInterval: 5 });
    const rst0 = find(good, 0xd0);
    const wrong = good.slice();
    wrong[rst0 + 1] = 0xd3;
    expect(await code(wrong)).toBe(CODEC_ERROR_CODES.corrupt);
  });

  it('FR-DICOM-04.codec: a non-interleaved stream (one scan per component, B.2.3) decodes', async () => {
    const rgb = frameInfo(7, 9, 8, 8, false, 3, 1);
    const px = syntheticFrame(rgb, 6, 0.5);
    const plane = frameInfo(7, 9, 8, 8);
    const n = 7 * 9;
    const parts: Uint8Array[] = [Uint8Array.of(0xff, 0xd8)];
    for (let c = 0; c < 3; c++) {
      const one = await encode(px.subarray(c * n, (c + 1) * n), plane, {
        predictor: (((c * 3) % 7) + 1) as 1 | 2 | 3 | 4 | 5 | 6 | 7,
      });
      if (c === 0) {
        // SOF3 for three components, ids 1..3 (B.2.2)
        parts.push(Uint8Array.of(0xff, 0xc3, 0, 17, 8, 0, 7, 0, 9, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0));
      }
      const dht = find(one, 0xc4);
      const scan = one.slice(dht, one.length - 2); // DHT, SOS and entropy-coded data, without EOI
      scan[find(scan, 0xda) + 5] = c + 1; // Cs: this scan codes component c+1
      parts.push(scan);
    }
    parts.push(Uint8Array.of(0xff, 0xd9));
    const stream = new Uint8Array(Buffer.concat(parts));
    const out = await decodeFrame(stream, rgb, TS);
    expect(Array.from(out)).toEqual(Array.from(px));
  });

  it('FR-DICOM-04.codec: the 16-bit difference 32768 (SSSS 16, no extra bits) round-trips', async () => {
    const i16 = frameInfo(2, 4, 16, 16);
    const px = new Uint8Array(new Uint16Array([0, 32768, 0, 65535, 32768, 0, 65535, 1]).buffer);
    for (const predictor of [1, 2, 3, 4, 5, 6, 7] as const) {
      const jpeg = await encode(px, i16, { predictor });
      expect(Array.from(await decodeFrame(jpeg, i16, TS))).toEqual(Array.from(px));
    }
  });
});
