/**
 * Data set writer: a dcmjs naturalized data set → bytes in Implicit VR LE, Explicit VR LE,
 * Explicit VR BE or Deflated Explicit VR LE (PS3.5 Section 7 and Annex A), no Part 10 header.
 * dcmjs supplies the name ⇄ tag mapping (denaturalize); the byte layout and the Specific
 * Character Set handling (charset/) are ours, because dcmjs writes text as UTF-8 or ASCII only.
 * Sequences and items are written with defined lengths. Pure: data in, bytes out.
 */
import {
  type CharacterSet,
  CharsetError,
  DEFAULT_CHARACTER_SET,
  resolveCharacterSet,
} from '../charset/index.js';
import { deflateDataset, deflateStream } from '../elements/deflate.js';
import { DatasetError } from '../elements/errors.js';
import { encodeElementHeader } from '../elements/reencode.js';
import { LONG_VRS } from '../elements/vr.js';
import { ITEM_TAG } from '../elements/walk.js';
import { concatBytes } from '../elements/walker.js';
import { DicomMetaDictionary } from './dcmjs.js';
import {
  codecEncoding,
  IMPLICIT_VR_LE,
  type JsonDataset,
  type JsonElement,
  type NaturalDataset,
} from './types.js';
import { encodeValue, hexTag } from './values.js';

export interface EncodeDatasetOptions {
  /** Any native transfer syntax (default Implicit VR LE): the accepted context's or the file's. */
  readonly transferSyntax?: string;
  /** Used when the data set has no SpecificCharacterSet (default: the default repertoire). */
  readonly characterSet?: CharacterSet;
}

class ByteWriter {
  readonly chunks: Uint8Array[] = [];
  length = 0;
  push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }
}

interface WriteEncoding {
  readonly explicit: boolean;
  readonly le: boolean;
}

/**
 * The data set as chunks in `transferSyntax`'s encoding before any deflation (for the Deflated
 * syntax: its Explicit VR LE bytes). Large binary values (Pixel Data) are views of the caller's
 * ArrayBuffers, valid as long as the caller leaves them unchanged.
 */
function encodeChunks(
  dataset: NaturalDataset,
  options: EncodeDatasetOptions,
): { chunks: Uint8Array[]; deflated: boolean } {
  const enc = codecEncoding(options.transferSyntax ?? IMPLICIT_VR_LE, 'write');
  const json = DicomMetaDictionary.denaturalizeDataset(dataset) as unknown as JsonDataset;
  const out = new ByteWriter();
  writeDataset(
    out,
    json,
    { explicit: enc.explicitVr, le: enc.littleEndian },
    options.characterSet ?? DEFAULT_CHARACTER_SET,
  );
  return { chunks: out.chunks, deflated: enc.deflated };
}

/**
 * Encodes a naturalized data set (keywords, as dcmjs produces) to bytes in the given transfer
 * syntax. A `null`/`''` value is a zero-length element (a C-FIND return key). Text VRs are coded
 * with the data set's Specific Character Set; a character it cannot hold throws CharsetError.
 */
export function encodeDataset(dataset: NaturalDataset, options: EncodeDatasetOptions = {}): Uint8Array {
  const { chunks, deflated } = encodeChunks(dataset, options);
  if (deflated) return deflateDataset(chunks);
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : concatBytes(chunks);
}

/**
 * The encoded data set as a list of chunks for `writev` (values as views, no joined copy). For
 * Deflated Explicit VR LE this throws: use `encodeDatasetStream`.
 */
export function encodeDatasetChunks(
  dataset: NaturalDataset,
  options: EncodeDatasetOptions = {},
): Uint8Array[] {
  const { chunks, deflated } = encodeChunks(dataset, options);
  if (deflated) {
    throw new DatasetError('a deflated data set is a stream: use encodeDatasetStream', {
      details: { transferSyntax: options.transferSyntax },
    });
  }
  return chunks;
}

/** The encoded data set as a stream; Deflated Explicit VR LE is deflated as it streams (PS3.5 A.5). */
export async function* encodeDatasetStream(
  dataset: NaturalDataset,
  options: EncodeDatasetOptions = {},
): AsyncGenerator<Uint8Array> {
  const { chunks, deflated } = encodeChunks(dataset, options);
  if (deflated) yield* deflateStream(chunks);
  else yield* chunks;
}

function writeDataset(out: ByteWriter, json: JsonDataset, enc: WriteEncoding, inherited: CharacterSet): void {
  const charsetElement = json['00080005'];
  const cs = charsetElement
    ? resolveCharacterSet(charsetElement.Value as string[] | undefined, inherited)
    : inherited;
  const tags = Object.keys(json)
    .filter((k) => /^[0-9A-Fa-f]{8}$/.test(k))
    .map((k) => Number.parseInt(k, 16))
    .sort((a, b) => a - b);
  for (const tag of tags) {
    const element = json[hexTag(tag)] ?? json[hexTag(tag).toLowerCase()];
    if (element === undefined) continue;
    writeElement(out, tag, element, enc, cs);
  }
}

function writeHeader(out: ByteWriter, tag: number, vr: string, length: number, enc: WriteEncoding): void {
  if (enc.explicit && !LONG_VRS.has(vr) && length > 0xffff) {
    throw new DatasetError(`value of ${hexTag(tag)} (${vr}) is longer than 65534 bytes`, {
      details: { tag: hexTag(tag), vr, length },
    });
  }
  out.push(encodeElementHeader(tag, enc.explicit ? vr : undefined, length, enc.le));
}

function writeElement(
  out: ByteWriter,
  tag: number,
  element: JsonElement,
  enc: WriteEncoding,
  cs: CharacterSet,
): void {
  const vr = element.vr === 'ox' || element.vr === 'lt' ? 'OW' : element.vr === 'xs' ? 'US' : element.vr;
  const values = element.Value ?? [];
  if (vr === 'SQ') {
    const body = new ByteWriter();
    for (const item of values) {
      const itemBytes = new ByteWriter();
      if (item !== null && typeof item === 'object') writeDataset(itemBytes, item as JsonDataset, enc, cs);
      body.push(encodeElementHeader(ITEM_TAG, undefined, itemBytes.length, enc.le));
      for (const c of itemBytes.chunks) body.push(c);
    }
    writeHeader(out, tag, 'SQ', body.length, enc);
    for (const c of body.chunks) out.push(c);
    return;
  }
  let value: Uint8Array;
  try {
    value = encodeValue(vr, values, cs, enc.le);
  } catch (err) {
    if (err instanceof CharsetError) {
      throw new CharsetError(err.reason, `${err.message} (element ${hexTag(tag)})`, {
        cause: err,
        details: { ...err.details, tag: hexTag(tag) },
      });
    }
    throw err;
  }
  writeHeader(out, tag, vr, value.length, enc);
  out.push(value);
}
