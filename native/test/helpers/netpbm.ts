import { readFileSync, writeFileSync } from 'node:fs';
import type { FrameInfo } from '../../lib/index.js';

/**
 * Our native frames as the files OpenJPH's ojph_compress reads and ojph_expand writes: PGM/PPM
 * (unsigned, maxval 2^BitsStored-1, 16-bit samples big-endian as Netpbm says) and raw .yuv
 * (little-endian words, planar, for signed data), and back.
 */

function word(px: Uint8Array, info: FrameInfo, index: number): number {
  return info.bitsAllocated === 8 ? px[index]! : px[2 * index]! | (px[2 * index + 1]! << 8);
}

/** Interleaved unsigned frame → PGM (1 sample) or PPM (3 samples). */
export function writeNetpbm(path: string, px: Uint8Array, info: FrameInfo): void {
  const n = info.rows * info.columns * info.samplesPerPixel;
  const wide = info.bitsStored > 8;
  const body = Buffer.alloc(n * (wide ? 2 : 1));
  for (let i = 0; i < n; i++) {
    if (wide) body.writeUInt16BE(word(px, info, i), 2 * i);
    else body[i] = word(px, info, i);
  }
  const magic = info.samplesPerPixel === 3 ? 'P6' : 'P5';
  const head = `${magic}\n${info.columns} ${info.rows}\n${2 ** info.bitsStored - 1}\n`;
  writeFileSync(path, Buffer.concat([Buffer.from(head, 'latin1'), body]));
}

/** A PGM/PPM written by ojph_expand → interleaved little-endian frame of `info`. */
export function readNetpbm(path: string, info: FrameInfo): Uint8Array {
  const buf = readFileSync(path);
  // Header: magic, width, height, maxval, each followed by whitespace.
  const fields: string[] = [];
  let p = 0;
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(buf[p]!))) p++;
    let s = '';
    while (!/\s/.test(String.fromCharCode(buf[p]!))) s += String.fromCharCode(buf[p++]!);
    fields.push(s);
  }
  p++;
  const n = info.rows * info.columns * info.samplesPerPixel;
  const wide = Number(fields[3]) > 255;
  const out = new Uint8Array(n * (info.bitsAllocated / 8));
  for (let i = 0; i < n; i++) {
    const v = wide ? buf.readUInt16BE(p + 2 * i) : buf[p + i]!;
    if (info.bitsAllocated === 8) out[i] = v;
    else {
      out[2 * i] = v & 0xff;
      out[2 * i + 1] = v >>> 8;
    }
  }
  return out;
}

/** A 1-sample 16-bit frame as raw little-endian words (ojph_compress -signed true). */
export function writeRaw16(path: string, px: Uint8Array): void {
  writeFileSync(path, px);
}

/** ojph_expand's raw output of a 1-sample >8-bit image: little-endian words, canonical here. */
export function readRaw16(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}
