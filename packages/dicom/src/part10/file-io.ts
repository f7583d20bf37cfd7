import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { NaturalDataset } from '../codec/types.js';
import { type EncodeDatasetOptions, encodeDatasetChunks } from '../codec/write.js';
import { deflateStream, inflateStream } from '../elements/deflate.js';
import type { WalkedElement } from '../elements/walk.js';
import { type DatasetEncoding, datasetEncoding, TS } from '../uids/transfer-syntax.js';
import { encodePart10Header, type FileMetaInformation, Part10Error, readPart10Header } from './meta.js';
import { validatePart10File } from './read.js';

const EXPLICIT_LE = TS.explicitVrLittleEndian;

/**
 * Streaming Part 10 I/O for C-STORE (FR-DICOM-04): a file is sent by reading its meta header and
 * streaming the dataset bytes from disk; a received dataset is streamed to a temporary file that is
 * renamed only when complete, so a half-received object is never visible under its final name.
 */

export interface Part10Source {
  readonly path: string;
  readonly meta: FileMetaInformation;
  readonly datasetOffset: number;
  /** Dataset bytes (file size minus the meta header). */
  readonly datasetLength: number;
  /** A fresh stream of the dataset bytes as stored; the whole file is never held in memory. */
  open(chunkSize?: number): AsyncIterable<Uint8Array>;
  /** The data set's encoding (from the registry); `deflated` files store it deflated. */
  readonly encoding: DatasetEncoding | undefined;
  /** The walked structure (offsets from the first data set byte), unless opened without validation. */
  readonly elements: readonly WalkedElement[] | undefined;
  /** A fresh stream of the data set bytes inflated (deflated files) or as stored (others). */
  openInflated(chunkSize?: number): AsyncIterable<Uint8Array>;
}

export interface OpenPart10Options {
  /**
   * Walk the whole data set structure before returning (default true): a truncated or
   * overrunning file throws Part10TruncatedError (HNV_ERR_PART10_TRUNCATED) with the offset. Only
   * element headers are read; the Pixel Data value stays on disk.
   */
  readonly validate?: boolean;
}

/** 1 MiB reads: large enough to keep syscalls rare, small enough to bound memory per transfer. */
const READ_CHUNK = 1 << 20;

/** Opens a Part 10 file for streaming: meta header read, data set structure validated (FR-DICOM-04). */
export async function openPart10File(path: string, options: OpenPart10Options = {}): Promise<Part10Source> {
  const header = await readPart10Header(path);
  const structure =
    (options.validate ?? true)
      ? await validatePart10File(path, header.meta, header.datasetOffset)
      : undefined;
  const encoding = structure?.encoding ?? datasetEncoding(header.meta.transferSyntaxUid);
  const open = (chunkSize = READ_CHUNK): AsyncIterable<Uint8Array> =>
    createReadStream(path, {
      start: header.datasetOffset,
      // A read buffer larger than the data set is allocated whole for nothing.
      highWaterMark: Math.max(1, Math.min(chunkSize, header.fileSize - header.datasetOffset)),
    }) as AsyncIterable<Uint8Array>;
  return {
    path,
    meta: header.meta,
    datasetOffset: header.datasetOffset,
    datasetLength: header.fileSize - header.datasetOffset,
    open,
    encoding,
    elements: structure?.elements,
    openInflated: (chunkSize) => (encoding?.deflated ? inflateStream(open(chunkSize)) : open(chunkSize)),
  };
}

export interface WritePart10Options {
  /** fsync the file and its directory before the rename (durable on power loss). Default true. */
  readonly fsync?: boolean;
  /**
   * The chunks are the data set's Explicit VR LE bytes and must be deflated on the way to disk
   * (PS3.5 A.5; `meta.transferSyntaxUid` must then be Deflated Explicit VR LE). Default false:
   * the chunks are written as given (a received data set is already in its transfer syntax).
   */
  readonly deflate?: boolean;
}

export interface WrittenPart10 {
  readonly path: string;
  readonly datasetBytes: number;
}

/** Writes coalesce chunks up to this size into one writev call. */
const WRITE_BATCH = 1 << 20;

/**
 * Writes `meta` + the streamed dataset to `targetPath` atomically: `<target>.partial-<random>` first,
 * renamed on success, removed on any failure (including an aborted source iterator).
 */
export async function writePart10File(
  targetPath: string,
  meta: FileMetaInformation,
  dataset: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: WritePart10Options = {},
): Promise<WrittenPart10> {
  const directory = dirname(targetPath);
  await mkdir(directory, { recursive: true });
  const temp = join(directory, `.${basename(targetPath)}.partial-${randomBytes(6).toString('hex')}`);
  if (options.deflate && datasetEncoding(meta.transferSyntaxUid)?.deflated !== true) {
    throw new Part10Error(`deflate requested for a file in ${meta.transferSyntaxUid}, which is not deflated`);
  }
  const chunks = options.deflate ? deflateStream(dataset) : dataset;
  const handle = await open(temp, 'wx');
  let datasetBytes = 0;
  let ok = false;
  try {
    let batch: Uint8Array[] = [encodePart10Header(meta)];
    let batchBytes = batch[0]!.length;
    for await (const chunk of chunks) {
      if (chunk.length === 0) continue;
      batch.push(chunk);
      batchBytes += chunk.length;
      datasetBytes += chunk.length;
      if (batchBytes >= WRITE_BATCH) {
        await writeAll(handle, batch);
        batch = [];
        batchBytes = 0;
      }
    }
    if (batch.length) await writeAll(handle, batch);
    if (options.fsync ?? true) await handle.sync();
    ok = true;
  } finally {
    await handle.close();
    if (!ok) await unlink(temp).catch(() => {});
  }
  await rename(temp, targetPath);
  if (options.fsync ?? true) await syncDirectory(directory);
  return { path: targetPath, datasetBytes };
}

/**
 * Encodes a naturalized data set in `meta.transferSyntaxUid` (Implicit VR LE, Explicit VR LE,
 * Explicit VR BE or Deflated Explicit VR LE, deflated as it streams) and writes it as a Part 10
 * file, atomically as writePart10File does.
 */
export async function writePart10Dataset(
  targetPath: string,
  meta: FileMetaInformation,
  dataset: NaturalDataset,
  options: WritePart10Options & Pick<EncodeDatasetOptions, 'characterSet'> = {},
): Promise<WrittenPart10> {
  const enc = datasetEncoding(meta.transferSyntaxUid);
  const deflated = enc?.deflated === true;
  const chunks = encodeDatasetChunks(dataset, {
    // The Deflated syntax's data set is Explicit VR LE before deflation (PS3.5 A.5).
    transferSyntax: deflated ? EXPLICIT_LE : meta.transferSyntaxUid,
    ...(options.characterSet === undefined ? {} : { characterSet: options.characterSet }),
  });
  return await writePart10File(targetPath, meta, chunks, { ...options, deflate: deflated });
}

async function writeAll(handle: import('node:fs/promises').FileHandle, buffers: Uint8Array[]): Promise<void> {
  let pending = buffers;
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending);
    pending = dropBytes(pending, bytesWritten);
  }
}

function dropBytes(buffers: Uint8Array[], count: number): Uint8Array[] {
  let left = count;
  const out: Uint8Array[] = [];
  for (const b of buffers) {
    if (left >= b.length) {
      left -= b.length;
    } else {
      out.push(left > 0 ? b.subarray(left) : b);
      left = 0;
    }
  }
  return out;
}

async function syncDirectory(directory: string): Promise<void> {
  const dir = await open(directory, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

const SAFE_UID = /^[0-9]+(\.[0-9]+)*$/;

/**
 * A file name derived from a received SOP Instance UID, refused unless it is a syntactically plain
 * UID (no path separators, no `..`): DCMTK's 2026 path traversal advisory came from exactly this.
 */
export function fileNameForInstance(sopInstanceUid: string, extension = '.dcm'): string {
  const uid = sopInstanceUid.replace(/\0+$/, '').trim();
  if (!SAFE_UID.test(uid) || uid.length > 64) {
    throw new Part10Error(
      'received SOP Instance UID is not a valid UID; refusing to derive a file name from it',
    );
  }
  return `${uid}${extension}`;
}
