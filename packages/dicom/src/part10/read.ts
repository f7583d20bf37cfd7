/**
 * Reading Part 10 files (PS3.10 7.1, FR-DICOM-04): the meta header, then the data set's structure
 * checked by the one element walker straight from disk (fileSource: header windows only, the
 * Pixel Data value is jumped over, never read), so that a file whose data set ends mid-element
 * or whose lengths overrun the file is refused with Part10TruncatedError and its byte offset
 * before anyone — a C-STORE SCU opening an association — uses it. A Deflated Explicit VR LE data
 * set cannot be walked in place: it is inflated as a stream (bounded) and walked in memory.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { inflateDataset, inflateStream } from '../elements/deflate.js';
import { DatasetError, DatasetTruncatedError, DeflateTruncatedError } from '../elements/errors.js';
import { fileSource } from '../elements/source.js';
import { type WalkedElement, walkDataset } from '../elements/walk.js';
import { sopClass } from '../uids/sop-class.js';
import { type DatasetEncoding, datasetEncoding, TS } from '../uids/transfer-syntax.js';
import {
  type FileMetaInformation,
  Part10Error,
  Part10TruncatedError,
  parsePart10Header,
  readPart10Header,
} from './meta.js';

export interface Part10Structure {
  readonly encoding: DatasetEncoding;
  /**
   * The top-level elements (items and fragments inside), offsets relative to the first data set
   * byte: in the file, or for a deflated file in the inflated data set.
   */
  readonly elements: readonly WalkedElement[];
}

/** Cap on what validation inflates of a deflated file (256 MiB): deflated objects are small. */
export const MAX_VALIDATE_INFLATED: number = 256 * 1024 * 1024;

function encodingOf(meta: FileMetaInformation): DatasetEncoding {
  const enc = datasetEncoding(meta.transferSyntaxUid);
  if (enc === undefined) {
    throw new Part10Error(`unknown transfer syntax ${meta.transferSyntaxUid} in the file meta information`, {
      details: { transferSyntax: meta.transferSyntaxUid },
    });
  }
  return enc;
}

/** Walker errors as Part 10 errors, offsets made file offsets (`base`: first data set byte). */
export function part10Error(err: unknown, base: number, deflated: boolean): unknown {
  if (err instanceof DeflateTruncatedError) {
    // Its offset counts compressed bytes: the file offset where the cut deflate stream ends.
    return new Part10TruncatedError('deflated data set is truncated', base + err.offset, undefined, err);
  }
  if (err instanceof DatasetTruncatedError) {
    // In a deflated file the offset is one of the inflated data set: say so, keep it relative.
    const offset = deflated ? err.offset : base + err.offset;
    return new Part10TruncatedError(
      deflated ? 'inflated data set is truncated' : 'data set is truncated',
      offset,
      err.tag,
      err,
    );
  }
  if (err instanceof DatasetError) {
    return new Part10Error(`malformed data set: ${err.message}`, {
      cause: err,
      details: { ...err.details, datasetOffset: base },
    });
  }
  return err;
}

/**
 * Walks the data set of a file from disk and returns its structure, or throws
 * Part10TruncatedError / Part10Error. Reads only element headers (64 KiB windows).
 */
export async function validatePart10File(
  path: string,
  meta: FileMetaInformation,
  datasetOffset: number,
): Promise<Part10Structure> {
  const encoding = encodingOf(meta);
  if (encoding.deflated) {
    const parts: Uint8Array[] = [];
    try {
      for await (const c of inflateStream(
        createReadStream(path, { start: datasetOffset }),
        MAX_VALIDATE_INFLATED,
      )) {
        parts.push(c);
      }
    } catch (err) {
      throw part10Error(err, datasetOffset, true);
    }
    const bytes = Buffer.concat(parts);
    let elements: readonly WalkedElement[];
    try {
      elements = walkDataset(bytes, encoding).elements;
    } catch (err) {
      throw part10Error(err, datasetOffset, true);
    }
    checkPixelData(meta, elements, 0);
    return { encoding, elements };
  }
  const source = fileSource(path, datasetOffset);
  let elements: readonly WalkedElement[];
  try {
    elements = walkDataset(source, encoding).elements;
  } catch (err) {
    throw part10Error(err, datasetOffset, false);
  } finally {
    source.close();
  }
  checkPixelData(meta, elements, datasetOffset);
  return { encoding, elements };
}

/**
 * A cut at a top-level element boundary leaves a well-formed, shorter data set. For an image
 * storage object that cut lost the Pixel Data (the last element): refused as truncated, so it
 * is never sent. (Elsewhere such a cut is indistinguishable from a complete object.)
 */
function checkPixelData(meta: FileMetaInformation, elements: readonly WalkedElement[], base: number): void {
  if (!/Image Storage/.test(sopClass(meta.mediaStorageSopClassUid)?.name ?? '')) return;
  if (elements.some((e) => e.tag >= 0x7fe00008 && e.tag <= 0x7fe00010)) return;
  const end = elements.length === 0 ? 0 : (elements[elements.length - 1] as WalkedElement).end;
  throw new Part10TruncatedError('image data set ends before its Pixel Data', base + end, '(7FE0,0010)');
}

export interface Part10File {
  readonly meta: FileMetaInformation;
  readonly datasetOffset: number;
  readonly encoding: DatasetEncoding;
  /** The data set bytes, inflated when the file is deflated (so in `encoding` minus deflation). */
  readonly dataset: Uint8Array;
  /** The transfer syntax to decode `dataset` with: Explicit VR LE for a deflated file, else the file's. */
  readonly datasetTransferSyntax: string;
  readonly elements: readonly WalkedElement[];
}

/** Reads a whole file into memory and walks it (for small objects, tests and tools). */
export async function readPart10File(path: string): Promise<Part10File> {
  const file = new Uint8Array(await readFile(path));
  return parsePart10File(file);
}

/** The same for a file already in memory; `dataset` is a view of `file` unless deflated. */
export function parsePart10File(file: Uint8Array): Part10File {
  const { meta, datasetOffset } = parsePart10Header(file);
  const encoding = encodingOf(meta);
  let dataset: Uint8Array;
  try {
    dataset = encoding.deflated ? inflateDataset(file.subarray(datasetOffset)) : file.subarray(datasetOffset);
    return {
      meta,
      datasetOffset,
      encoding,
      dataset,
      datasetTransferSyntax: encoding.deflated ? TS.explicitVrLittleEndian : meta.transferSyntaxUid,
      elements: walkDataset(dataset, encoding).elements,
    };
  } catch (err) {
    throw part10Error(err, datasetOffset, encoding.deflated);
  }
}

/** Reads and validates only what `openPart10File` needs: meta header and structure. */
export async function readPart10Structure(
  path: string,
): Promise<{ meta: FileMetaInformation; datasetOffset: number; fileSize: number } & Part10Structure> {
  const header = await readPart10Header(path);
  const structure = await validatePart10File(path, header.meta, header.datasetOffset);
  return { ...header, ...structure };
}
