import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { encodePart10Header, type FileMetaInformation, Part10Error, readPart10Header } from './meta.js';

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
  /** A fresh stream of the dataset bytes; the whole file is never held in memory. */
  open(chunkSize?: number): AsyncIterable<Uint8Array>;
}

/** 1 MiB reads: large enough to keep syscalls rare, small enough to bound memory per transfer. */
const READ_CHUNK = 1 << 20;

export async function openPart10File(path: string): Promise<Part10Source> {
  const header = await readPart10Header(path);
  return {
    path,
    meta: header.meta,
    datasetOffset: header.datasetOffset,
    datasetLength: header.fileSize - header.datasetOffset,
    open: (chunkSize = READ_CHUNK) =>
      createReadStream(path, {
        start: header.datasetOffset,
        // A read buffer larger than the data set is allocated whole for nothing.
        highWaterMark: Math.max(1, Math.min(chunkSize, header.fileSize - header.datasetOffset)),
      }) as AsyncIterable<Uint8Array>,
  };
}

export interface WritePart10Options {
  /** fsync the file and its directory before the rename (durable on power loss). Default true. */
  readonly fsync?: boolean;
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
  const handle = await open(temp, 'wx');
  let datasetBytes = 0;
  let ok = false;
  try {
    let batch: Uint8Array[] = [encodePart10Header(meta)];
    let batchBytes = batch[0]!.length;
    for await (const chunk of dataset) {
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
