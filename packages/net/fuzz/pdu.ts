/**
 * Fuzz target: the PDU decoder, the P-DATA-TF PDV decoder and the incremental framer
 * (scripts/fuzz-js). The property is test/fuzz/engine.ts's checkInput: each returns a value or
 * throws PduDecodeError, and a decoded PDU re-encodes (or fails with PduEncodeError) and decodes
 * back to itself. The framer's maximum lengths and chunk sizes come from a PRNG seeded with a
 * hash of the input, so an input always replays the same way.
 */
import type { LengthField } from '../../dicom/fuzz/rng.js';
import { checkInput } from '../test/fuzz/engine.js';
import { prng } from '../test/pdu/fixtures.js';

function fnv1a(data: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ (data[i] as number), 0x01000193);
  return h >>> 0;
}

export function fuzz(data: Uint8Array): void {
  checkInput(data, prng(fnv1a(data)));
}

const be16 = (d: Uint8Array, at: number): number => ((d[at] ?? 0) << 8) | (d[at + 1] ?? 0);
const be32 = (d: Uint8Array, at: number): number => ((be16(d, at) << 16) | be16(d, at + 2)) >>> 0;

/** PS3.8 9.3: the PDU length (offset 2, 32-bit), item and sub-item lengths (16-bit), PDV lengths (32-bit). */
export function lengthFields(data: Uint8Array): LengthField[] {
  const out: LengthField[] = [];
  for (let pdu = 0; pdu + 6 <= data.length; pdu += 6 + be32(data, pdu + 2)) {
    out.push({ offset: pdu + 2, size: 4, littleEndian: false });
    const type = data[pdu];
    const end = Math.min(data.length, pdu + 6 + be32(data, pdu + 2));
    if (type === 0x01 || type === 0x02) {
      // PS3.8 9.3.2: variable items start after the 68-byte fixed part.
      const items = (from: number, to: number, depth: number): void => {
        for (let at = from; at + 4 <= to; at += 4 + be16(data, at + 2)) {
          out.push({ offset: at + 2, size: 2, littleEndian: false });
          const t = data[at];
          const itemEnd = Math.min(to, at + 4 + be16(data, at + 2));
          if (depth === 0 && (t === 0x20 || t === 0x21)) items(at + 8, itemEnd, 1);
          else if (depth === 0 && t === 0x50) items(at + 4, itemEnd, 1);
          else if (t === 0x58 && at + 8 <= itemEnd) {
            // User Identity (PS3.7 D.3.3.7): primary field length, then secondary.
            out.push({ offset: at + 6, size: 2, littleEndian: false });
            const second = at + 8 + be16(data, at + 6);
            if (second + 2 <= itemEnd) out.push({ offset: second, size: 2, littleEndian: false });
          } else if ((t === 0x54 || t === 0x56) && at + 6 <= itemEnd) {
            out.push({ offset: at + 4, size: 2, littleEndian: false });
          }
        }
      };
      items(pdu + 74, end, 0);
    } else if (type === 0x04) {
      for (let at = pdu + 6; at + 4 <= end; at += 4 + be32(data, at)) {
        out.push({ offset: at, size: 4, littleEndian: false });
      }
    }
    if (out.length > 512) break;
  }
  return out;
}

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** PDU and item types, the application context, an abstract syntax, transfer syntaxes. */
export const dictionary: readonly Uint8Array[] = [
  ...[0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07].map((t) => Uint8Array.of(t, 0)),
  ...[0x10, 0x20, 0x21, 0x30, 0x40, 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59].map((t) =>
    Uint8Array.of(t, 0),
  ),
  Uint8Array.of(0x00, 0x00, 0x40, 0x00),
  Uint8Array.of(0xff, 0xff, 0xff, 0xff),
  ascii('1.2.840.10008.3.1.1.1'),
  ascii('1.2.840.10008.1.1'),
  ascii('1.2.840.10008.1.2'),
  ascii('1.2.840.10008.1.2.1'),
  Uint8Array.of(0x03),
  Uint8Array.of(0x02),
];
