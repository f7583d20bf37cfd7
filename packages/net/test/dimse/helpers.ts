import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pdv } from '../../src/pdu/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Bytes of a `.hex` fixture: `#` lines are comments, the rest is hex digits and whitespace. */
export function hexFixture(name: string): Uint8Array {
  const text = readFileSync(path.join(here, 'fixtures', name), 'utf8');
  const hex = text
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('')
    .replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * An independent P-DATA-TF parser for tests (PS3.8 Tables 9-22, 9-23): checks the PDU and item
 * lengths add up and returns the PDVs, each `data` a view into one copy of the PDU.
 */
export function parsePdataPdu(buffers: readonly Uint8Array[]): { pduLength: number; pdvs: Pdv[] } {
  const bytes = concat(buffers);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0x04) throw new Error(`not a P-DATA-TF: type ${bytes[0]}`);
  const pduLength = view.getUint32(2);
  if (pduLength !== bytes.length - 6)
    throw new Error(`PDU length ${pduLength} but ${bytes.length - 6} bytes follow`);
  const pdvs: Pdv[] = [];
  let offset = 6;
  while (offset < bytes.length) {
    const itemLength = view.getUint32(offset);
    if (itemLength < 2 || offset + 4 + itemLength > bytes.length) throw new Error('bad PDV item length');
    const mch = bytes[offset + 5]!;
    pdvs.push({
      contextId: bytes[offset + 4]!,
      isCommand: (mch & 1) !== 0,
      isLast: (mch & 2) !== 0,
      data: bytes.subarray(offset + 6, offset + 4 + itemLength),
    });
    offset += 4 + itemLength;
  }
  return { pduLength, pdvs };
}

/** Deterministic PRNG (mulberry32) so random-size tests replay exactly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(length: number, rand: () => number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (rand() * 256) | 0;
  return out;
}

export function pdv(
  contextId: number,
  isCommand: boolean,
  isLast: boolean,
  data: Uint8Array | number[],
): Pdv {
  return { contextId, isCommand, isLast, data: data instanceof Uint8Array ? data : new Uint8Array(data) };
}

/** Fast byte equality (vitest's deep equality walks typed arrays element by element). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}
