/**
 * A built object as a Part 10 file (PS3.10 7.1), through @hnvue/dicom: its data set codec, its
 * File Meta Information encoder and its atomic file writer. The builders hand out the data set
 * and the pixel samples apart; this module only joins them, names the meta information after
 * the object's SOP Class/Instance UIDs, and reports a character the data set's Specific
 * Character Set cannot hold as iod's HNV_ERR_IOD_CHARSET. Explicit VR Little Endian (PS3.5 A.2).
 */
import { once } from 'node:events';
import { endianness } from 'node:os';
import type { Writable } from 'node:stream';
import { HNVUE_IMPLEMENTATION_CLASS_UID, HNVUE_IMPLEMENTATION_VERSION_NAME, HnvError } from '@hnvue/core';
import {
  CharsetError,
  decodeDataset,
  encodeDatasetChunks,
  encodePart10Header,
  type FileMetaInformation,
  type NaturalDataset,
  parsePart10File,
  TS,
  writePart10File,
} from '@hnvue/dicom';
import { specificCharacterSetValue } from './common.js';
import { IodCharsetError, IodInputError, IodWriteError } from './errors.js';
import type { CharacterSet } from './types.js';

/** Pixel samples as the builders produce them: native-endian typed arrays of one frame. */
export type PixelArray = Uint8Array | Uint16Array | Int16Array;

export interface Part10Options {
  /**
   * Character set to write: replaces the data set's (0008,0005) in the file, and its text is
   * encoded in it. Default: what (0008,0005) in the data set names (the builders set it).
   */
  readonly characterSet?: CharacterSet;
  readonly sourceApplicationEntityTitle?: string;
  /** `writePart10` to a path: fsync the file and its directory before the rename. Default true. */
  readonly fsync?: boolean;
}

interface Encoded {
  readonly meta: FileMetaInformation;
  /** The data set in Explicit VR LE; the Pixel Data value is a view of the caller's array. */
  readonly chunks: readonly Uint8Array[];
}

function pixelView(pixels: PixelArray): Uint8Array {
  if (pixels.BYTES_PER_ELEMENT > 1 && endianness() !== 'LE') {
    throw new IodInputError('big-endian hosts are not supported by the pixel writer');
  }
  return new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);
}

/**
 * An encoder failure as a PHI-free error. @hnvue/dicom's own errors name elements and VRs only
 * (NFR-SEC-01) and pass through; anything else (a dcmjs throw from denaturalize, a TypeError on a
 * malformed value) may quote the value it choked on, so only its class name is kept, and not
 * the error itself as cause.
 */
function writeFailure(err: unknown): Error {
  if (err instanceof HnvError) return err;
  const kind = err instanceof Error ? err.name : typeof err;
  return new IodWriteError(`the data set could not be encoded in Explicit VR Little Endian (${kind})`, {
    details: { errorName: kind },
  });
}

function encode(dataset: NaturalDataset, pixelData: PixelArray | undefined, options: Part10Options): Encoded {
  const { _meta, ...ds } = dataset;
  const sopClass = ds.SOPClassUID;
  const sopInstance = ds.SOPInstanceUID;
  if (typeof sopClass !== 'string' || typeof sopInstance !== 'string') {
    throw new IodInputError('SOPClassUID and SOPInstanceUID are needed for the File Meta Information');
  }
  if (pixelData !== undefined) {
    ds.PixelData = pixelView(pixelData);
    // PS3.5 8.2: OB for 8-bit samples, OW otherwise (Explicit VR LE, native).
    const vrMap = (ds._vrMap ?? {}) as Record<string, string>;
    ds._vrMap = { ...vrMap, PixelData: pixelData.BYTES_PER_ELEMENT === 1 ? 'OB' : 'OW' };
  }
  if (options.characterSet !== undefined) {
    const value = specificCharacterSetValue(options.characterSet);
    if (value === undefined) delete ds.SpecificCharacterSet;
    else ds.SpecificCharacterSet = value;
  }
  let chunks: Uint8Array[];
  try {
    chunks = encodeDatasetChunks(ds, { transferSyntax: TS.explicitVrLittleEndian });
  } catch (err) {
    if (!(err instanceof CharsetError)) throw writeFailure(err);
    // NFR-SEC-01: @hnvue/dicom's message names the element and index, never the text.
    throw new IodCharsetError(err.message, {
      cause: err,
      details: err.details,
      hint: "build with characterSet 'ISO_IR 192' (UTF-8) for text outside the declared set",
    });
  }
  const meta: FileMetaInformation = {
    mediaStorageSopClassUid: sopClass,
    mediaStorageSopInstanceUid: sopInstance,
    transferSyntaxUid: TS.explicitVrLittleEndian,
    implementationClassUid: HNVUE_IMPLEMENTATION_CLASS_UID,
    implementationVersionName: HNVUE_IMPLEMENTATION_VERSION_NAME,
    sourceApplicationEntityTitle: options.sourceApplicationEntityTitle,
  };
  return { meta, chunks };
}

/** The whole Part 10 file in memory: one copy of the pixels (the join). */
export function toPart10Buffer(
  dataset: NaturalDataset,
  pixelData?: PixelArray,
  options: Part10Options = {},
): Buffer {
  const { meta, chunks } = encode(dataset, pixelData, options);
  return Buffer.concat([encodePart10Header(meta), ...chunks]);
}

/**
 * Writes a Part 10 file without joining the pixels into one buffer: the chunks go out as views
 * of the typed array. A path is written atomically by @hnvue/dicom's `writePart10File` (a
 * temporary file renamed when complete); a stream is written with back-pressure and left open.
 * Returns the number of bytes written.
 */
export async function writePart10(
  dataset: NaturalDataset,
  pixelData: PixelArray | undefined,
  target: string | Writable,
  options: Part10Options = {},
): Promise<number> {
  const { meta, chunks } = encode(dataset, pixelData, options);
  const header = encodePart10Header(meta);
  if (typeof target === 'string') {
    const written = await writePart10File(target, meta, chunks, { fsync: options.fsync ?? true });
    return header.length + written.datasetBytes;
  }
  let total = 0;
  for (const chunk of [header, ...chunks]) {
    total += chunk.length;
    if (!target.write(chunk)) await once(target, 'drain');
  }
  return total;
}

/**
 * Reads a Part 10 buffer into a naturalized data set (for validators, tools and tests) with
 * @hnvue/dicom's reader: any native transfer syntax, deflated files inflated. A text value its
 * character set cannot decode is kept byte per character instead of failing the read. Binary
 * values are ArrayBuffers of their own (dcmjs's form): the result does not alias `buffer`.
 */
export function readPart10(buffer: Uint8Array): NaturalDataset {
  // A plain Uint8Array view, not the caller's Buffer: Buffer#slice does not copy, and the
  // codec's copyBulk copies with slice() (packages/dicom/src/codec/decode-values.ts).
  const file = parsePart10File(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
  return decodeDataset(file.dataset, {
    transferSyntax: file.datasetTransferSyntax,
    charsetErrors: 'flag',
    copyBulk: true,
  }).dataset;
}
