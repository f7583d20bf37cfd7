/**
 * Fuzz target: the Part 10 reader from a buffer (PS3.10 7.1; src/part10/read.ts) and what a reader
 * does next, decoding the data set it was given (scripts/fuzz-js). The property: a result, or
 * HNV_ERR_PART10 / HNV_ERR_PART10_TRUNCATED (or the data set and character set errors of the
 * decode), never another error.
 */

import { decodeDataset } from '../src/codec/index.js';
import { EXPLICIT_BIG, EXPLICIT_LITTLE, IMPLICIT_LITTLE } from '../src/elements/walk.js';
import { parsePart10File } from '../src/part10/index.js';
import { TS } from '../src/uids/index.js';
import { DICOM_DICTIONARY, elementLengthFields, expectTyped } from './allowed.js';
import type { LengthField } from './rng.js';

export function fuzz(data: Uint8Array): void {
  try {
    const file = parsePart10File(data);
    decodeDataset(file.dataset, { transferSyntax: file.datasetTransferSyntax, charsetErrors: 'flag' });
  } catch (err) {
    expectTyped(err);
  }
}

/** The meta group's element lengths (Explicit VR LE after the preamble), then the data set's. */
export function lengthFields(data: Uint8Array): LengthField[] {
  const meta = elementLengthFields(data, EXPLICIT_LITTLE, 0, 132, 0x0002);
  try {
    const file = parsePart10File(data);
    const ts = file.datasetTransferSyntax;
    const enc =
      ts === TS.implicitVrLittleEndian
        ? IMPLICIT_LITTLE
        : ts === TS.explicitVrBigEndian
          ? EXPLICIT_BIG
          : EXPLICIT_LITTLE;
    if (ts === TS.deflatedExplicitVrLittleEndian) return meta;
    return [...meta, ...elementLengthFields(data, enc, file.datasetOffset)];
  } catch {
    return meta;
  }
}

export const dictionary: readonly Uint8Array[] = DICOM_DICTIONARY;
