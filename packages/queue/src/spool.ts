/**
 * The spool folder: one file per queued payload, owned by the queue. A file becomes visible under
 * its final name only after its bytes are fsynced (write to a temp name, fsync, rename, fsync the
 * folder), and the row is inserted after that, so after a crash at any instant a row always has
 * its file; a file without a row (crash between rename and insert, or after DONE and before
 * unlink) and any temp file are removed by `sweepSpool` at the next start.
 */
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, type FileHandle, open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Where the payload of `enqueue` comes from. */
export type EnqueueSource =
  /** A file to copy into the spool (the caller may then delete or overwrite it). */
  | { readonly path: string }
  /** Bytes already in memory (e.g. an encoded MPPS dataset). */
  | { readonly bytes: Uint8Array }
  /** A stream, written chunk by chunk. */
  | { readonly stream: AsyncIterable<Uint8Array> };

const TEMP_PREFIX = '.tmp-';

export function newSpoolName(): string {
  return `${randomUUID()}.dcm`;
}

async function fsyncDir(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; NTFS journals the rename's metadata itself.
  if (process.platform === 'win32') return;
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes `source` durably to `spoolDir/name`; returns its size in bytes. */
export async function writeSpoolFile(spoolDir: string, name: string, source: EnqueueSource): Promise<number> {
  const temp = join(spoolDir, `${TEMP_PREFIX}${name}`);
  let fh: FileHandle | undefined;
  try {
    let size = 0;
    if ('path' in source) {
      // A copy, not a hard link: a link would share the inode, so the caller rewriting its file in
      // place would change a payload we already accepted. FICLONE makes the copy a cheap reflink on
      // copy-on-write filesystems (btrfs, XFS, APFS) and falls back to a real copy elsewhere.
      await copyFile(source.path, temp, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL);
      fh = await open(temp, 'r+');
      size = (await fh.stat()).size;
    } else if ('bytes' in source) {
      fh = await open(temp, 'wx');
      await fh.writeFile(source.bytes);
      size = source.bytes.byteLength;
    } else {
      fh = await open(temp, 'wx');
      for await (const chunk of source.stream) {
        await fh.write(chunk);
        size += chunk.byteLength;
      }
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(temp, join(spoolDir, name));
    await fsyncDir(spoolDir);
    return size;
  } catch (err) {
    await fh?.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw err;
  }
}

export async function removeSpoolFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * Start-up reconciliation: deletes temp files and files no live row refers to; returns the live
 * names whose file is missing (the caller marks those rows FAILED, never drops them).
 */
export async function sweepSpool(
  spoolDir: string,
  live: ReadonlySet<string>,
): Promise<{ readonly removed: number; readonly missing: string[] }> {
  const present = new Set(await readdir(spoolDir));
  let removed = 0;
  for (const name of present) {
    if (!live.has(name)) {
      await removeSpoolFile(join(spoolDir, name));
      removed++;
    }
  }
  return { removed, missing: [...live].filter((name) => !present.has(name)) };
}
