import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from './errors.js';

async function isPart10(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(132);
    const { bytesRead } = await handle.read(buffer, 0, 132, 0);
    // PS3.10 7.1: 128-byte preamble, then "DICM".
    return bytesRead === 132 && buffer.toString('latin1', 128, 132) === 'DICM';
  } finally {
    await handle.close();
  }
}

/**
 * Files named on the command line, folders walked recursively (sorted, so runs are repeatable).
 * Files in folders that are not Part 10 are skipped and named; a named file that is not is an error.
 */
export async function collectDicomFiles(
  paths: readonly string[],
): Promise<{ files: string[]; skipped: string[] }> {
  const files: string[] = [];
  const skipped: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        if (await isPart10(full)) files.push(full);
        else skipped.push(full);
      }
    }
  };
  for (const path of paths) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch {
      throw new InputError(`no such file or folder: ${path}`, { hint: 'check the path' });
    }
    if (info.isDirectory()) await walk(path);
    else if (await isPart10(path)) files.push(path);
    else throw new InputError(`not a DICOM Part 10 file: ${path}`, { hint: 'the file has no DICM prefix' });
  }
  return { files, skipped };
}

/** `host port files…` or `files…`: DCMTK puts the peer first; a first argument that exists is a file. */
export async function splitPeer(positionals: readonly string[]): Promise<{ peer: string[]; rest: string[] }> {
  const [first, second] = positionals;
  if (first !== undefined && second !== undefined && /^\d+$/.test(second)) {
    const exists = await stat(first).then(
      () => true,
      () => false,
    );
    if (!exists) return { peer: [first, second], rest: positionals.slice(2) };
  }
  return { peer: [], rest: [...positionals] };
}
