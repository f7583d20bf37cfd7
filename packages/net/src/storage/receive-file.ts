/**
 * Writing one received data set to disk as a Part 10 file (PS3.10 7.1: meta header, then the data
 * set as received in the accepted transfer syntax), for the C-STORE SCP (storage/scp.ts).
 *
 * Durability policy (one, stated): with `fsync` on (the SCP's default) the file is fsynced, renamed
 * into place and its folder fsynced before this resolves, and the C-STORE-RSP success is sent only
 * after that (PS3.4 B.2.3: success means the SCP has the object); with `fsync` off nothing is
 * synced and the kernel writes back when it likes (a scratch folder, tmpfs). A half-received object
 * is never visible under its final name: it is written as `.<name>.partial-<pid>-<n>` first and
 * removed on any failure.
 *
 * Where the time went (benchmarks/README.md, "Our SCP receiving"): per object, `mkdir -p`, a
 * random temp name from the crypto pool, and a write that held the data set loop until it was
 * done; each is a libuv thread-pool round trip. Here the folder is created once per sink, the
 * temp name is a counter, and one batch is written while the next fills (double buffering), so
 * the socket keeps being read during a write; close and rename go out together.
 */

import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { encodePart10Header, type FileMetaInformation } from '@hnvue/dicom';

/** Bytes gathered before one writev: large writes, few thread-pool round trips. */
const WRITE_BATCH = 1 << 20;

let tempCounter = 0;

export interface ReceivedFile {
  readonly path: string;
  readonly datasetBytes: number;
}

/** Writes received data sets as Part 10 files; remembers which folders exist. */
export class Part10Sink {
  readonly #folders = new Set<string>();
  readonly #fsync: boolean;

  constructor(options: { readonly fsync: boolean }) {
    this.#fsync = options.fsync;
  }

  async write(
    targetPath: string,
    meta: FileMetaInformation,
    dataset: AsyncIterable<Uint8Array>,
  ): Promise<ReceivedFile> {
    const folder = dirname(targetPath);
    const temp = join(folder, `.${basename(targetPath)}.partial-${process.pid}-${++tempCounter}`);
    const handle = await this.#create(folder, temp);
    let datasetBytes = 0;
    let inFlight: Promise<void> | undefined;
    let closed = false;
    try {
      let batch: Uint8Array[] = [encodePart10Header(meta)];
      let batchBytes = batch[0]!.length;
      for await (const chunk of dataset) {
        if (chunk.length === 0) continue;
        batch.push(chunk);
        batchBytes += chunk.length;
        datasetBytes += chunk.length;
        if (batchBytes >= WRITE_BATCH) {
          // One batch on its way to the kernel while the next one fills.
          if (inFlight) await inFlight;
          inFlight = writeAll(handle, batch);
          // Handled here so that a failure while the next batch fills is not an unhandled
          // rejection; it is still thrown by the next `await inFlight`.
          inFlight.catch(() => {});
          batch = [];
          batchBytes = 0;
        }
      }
      if (inFlight) await inFlight;
      inFlight = undefined;
      if (batch.length) await writeAll(handle, batch);
      if (this.#fsync) await handle.sync();
      closed = true;
      // The data are written (and synced): closing and renaming in parallel is safe on POSIX,
      // where a file may be renamed while open; Windows refuses that, so it closes first there.
      if (process.platform === 'win32') {
        await handle.close();
        await rename(temp, targetPath);
      } else {
        await Promise.all([handle.close(), rename(temp, targetPath)]);
      }
    } catch (err) {
      if (inFlight) await inFlight.catch(() => {});
      if (!closed) await handle.close().catch(() => {});
      await unlink(temp).catch(() => {});
      throw err;
    }
    if (this.#fsync) await syncFolder(folder);
    return { path: targetPath, datasetBytes };
  }

  /** Opens the temp file, creating its folder the first time (or again if it was removed). */
  async #create(folder: string, temp: string): Promise<FileHandle> {
    if (!this.#folders.has(folder)) {
      await mkdir(folder, { recursive: true });
      this.#folders.add(folder);
    }
    try {
      return await open(temp, 'wx');
    } catch (err) {
      if ((err as { code?: string }).code !== 'ENOENT') throw err;
      this.#folders.delete(folder);
      await mkdir(folder, { recursive: true });
      this.#folders.add(folder);
      return await open(temp, 'wx');
    }
  }
}

async function writeAll(handle: FileHandle, buffers: Uint8Array[]): Promise<void> {
  let pending = buffers;
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending);
    pending = dropBytes(pending, bytesWritten);
  }
}

function dropBytes(buffers: readonly Uint8Array[], count: number): Uint8Array[] {
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

/** The rename is durable once the folder's entry is (POSIX: fsync the directory). */
async function syncFolder(folder: string): Promise<void> {
  const dir = await open(folder, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
