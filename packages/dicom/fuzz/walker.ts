/**
 * Fuzz target: the element walker, the data set codec and the re-encoder (scripts/fuzz-js; the
 * property of scripts/fuzz-mutator.ts). The first byte chooses the transfer syntax the rest is
 * read in (bits 0-1: Implicit VR LE, Explicit VR LE, Explicit VR BE, Deflated) and the one it is
 * re-encoded to (bits 2-3). Each step ends in a result or a typed error; what the re-encoder writes
 * must itself walk.
 */

import { decodeDataset } from '../src/codec/index.js';
import { inflateDataset } from '../src/elements/deflate.js';
import { reencodeBetween } from '../src/elements/reencode.js';
import {
  EXPLICIT_BIG,
  EXPLICIT_LITTLE,
  IMPLICIT_LITTLE,
  type WalkEncoding,
  walkDataset,
} from '../src/elements/walk.js';
import { TS } from '../src/uids/index.js';
import { DICOM_DICTIONARY, elementLengthFields, expectTyped } from './allowed.js';
import type { LengthField } from './rng.js';

const SYNTAXES = [
  TS.implicitVrLittleEndian,
  TS.explicitVrLittleEndian,
  TS.explicitVrBigEndian,
  TS.deflatedExplicitVrLittleEndian,
] as const;
const WALK: readonly WalkEncoding[] = [IMPLICIT_LITTLE, EXPLICIT_LITTLE, EXPLICIT_BIG, EXPLICIT_LITTLE];

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function fuzz(data: Uint8Array): void {
  if (data.length === 0) return;
  const from = (data[0] as number) & 3;
  const to = ((data[0] as number) >> 2) & 3;
  const body = data.subarray(1);
  try {
    walkDataset(from === 3 ? inflateDataset(body) : body, WALK[from] as WalkEncoding);
  } catch (err) {
    expectTyped(err);
  }
  try {
    decodeDataset(body, { transferSyntax: SYNTAXES[from], charsetErrors: 'throw' });
  } catch (err) {
    expectTyped(err);
  }
  let out: Uint8Array;
  try {
    out = concat(reencodeBetween(body, SYNTAXES[from] as string, SYNTAXES[to] as string));
  } catch (err) {
    expectTyped(err);
    return;
  }
  try {
    walkDataset(to === 3 ? inflateDataset(out) : out, WALK[to] as WalkEncoding);
  } catch (err) {
    throw new Error(`re-encoded data set does not walk in ${SYNTAXES[to]}: ${String(err)}`, { cause: err });
  }
}

export function lengthFields(data: Uint8Array): LengthField[] {
  const from = (data[0] ?? 0) & 3;
  return from === 3 ? [] : elementLengthFields(data, WALK[from] as WalkEncoding, 1);
}

export const dictionary: readonly Uint8Array[] = DICOM_DICTIONARY;
