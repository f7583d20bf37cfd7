/**
 * Fuzz target: the DIMSE command set decoder (src/dimse/command.ts, PS3.7 6.3.1 and Annex E;
 * scripts/fuzz-js). The property: decodeCommand returns a command or throws DimseDecodeError;
 * commandHasDataset, the fragmenter's quick look, agrees with a decoded command; a decoded command
 * re-encodes (or fails with DimseEncodeError, for values a peer may send but we never write) and
 * decodes back to itself — up to what the encoder is documented to change: unknown elements are
 * written in tag order, and Error Comment is sanitised to the default repertoire and 64 characters.
 */
import { isDeepStrictEqual } from 'node:util';
import type { LengthField } from '../../dicom/fuzz/rng.js';
import { commandHasDataset, type DimseCommand, decodeCommand, encodeCommand } from '../src/dimse/command.js';
import { DimseDecodeError, DimseEncodeError } from '../src/dimse/errors.js';

function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = normalize(v);
    return out;
  }
  return value;
}

/** What encodeCommand documents it writes for a decoded command (src/dimse/command.ts checkString). */
function asWritten(cmd: DimseCommand): DimseCommand {
  const unknown =
    cmd.unknownElements === undefined ? undefined : [...cmd.unknownElements].sort((a, b) => a.tag - b.tag);
  const comment = cmd.errorComment
    ?.replace(/[^\x20-\x5b\x5d-\x7e]/g, '?')
    .slice(0, 64)
    .trim();
  return { ...cmd, unknownElements: unknown, errorComment: comment };
}

export function fuzz(data: Uint8Array): void {
  let cmd: DimseCommand;
  try {
    cmd = decodeCommand(data);
  } catch (err) {
    if (err instanceof DimseDecodeError) return;
    throw err;
  }
  if (commandHasDataset(data) !== cmd.hasDataset)
    throw new Error('commandHasDataset disagrees with decodeCommand');
  let encoded: Uint8Array;
  try {
    encoded = encodeCommand(cmd);
  } catch (err) {
    if (err instanceof DimseEncodeError) return;
    throw err;
  }
  const again = decodeCommand(encoded);
  if (!isDeepStrictEqual(normalize(again), normalize(asWritten(cmd))))
    throw new Error('re-encoded command decodes differently');
}

/** PS3.7 6.3.1: Implicit VR Little Endian, a 32-bit value length at offset 4 of each element. */
export function lengthFields(data: Uint8Array): LengthField[] {
  const out: LengthField[] = [];
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at + 8 <= data.length && out.length < 64; at += 8 + dv.getUint32(at + 4, true)) {
    out.push({ offset: at + 4, size: 4, littleEndian: true });
  }
  return out;
}

const le16 = (n: number): Uint8Array => Uint8Array.of(n & 0xff, n >> 8);
const tag = (element: number): Uint8Array => Uint8Array.of(0, 0, element & 0xff, element >> 8);
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** PS3.7 Table E.1-1 tags, command fields, the no-data-set value, a SOP class UID. */
export const dictionary: readonly Uint8Array[] = [
  ...[
    0x0000, 0x0002, 0x0003, 0x0100, 0x0110, 0x0120, 0x0600, 0x0700, 0x0800, 0x0900, 0x0901, 0x0902, 0x0903,
    0x1000, 0x1001, 0x1002, 0x1005, 0x1008, 0x1020, 0x1021, 0x1022, 0x1023, 0x1030, 0x1031, 0x0004,
  ].map(tag),
  ...[
    0x0001, 0x8001, 0x0010, 0x0020, 0x8020, 0x0021, 0x8021, 0x0030, 0x8030, 0x0fff, 0x0100, 0x0110, 0x0120,
    0x0130, 0x0140, 0x0150, 0x0101,
  ].map(le16),
  ascii('1.2.840.10008.5.1.4.1.1.7\0'),
  ascii('STORESCP        '),
];
