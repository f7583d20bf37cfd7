/**
 * Where the element walker reads bytes from. A `ByteSource` is the whole data set (or file) as a
 * length and a way to look at a window of it; the walker only ever asks for element and item
 * headers (≤ 12 bytes each, served from a cached window), never for a value, so a Part 10 file
 * can be walked from disk without its 50 MB Pixel Data ever entering memory.
 *
 * How long a view stays valid:
 * - `memorySource(bytes)`: views alias the caller's bytes and are valid for as long as the caller
 *   leaves those bytes unchanged (the walker never writes to them).
 * - `fileSource(path)`: each window is a fresh buffer that is never reused or overwritten, so a
 *   returned view stays valid after further reads and after `close()`; it costs memory only as
 *   long as the caller keeps it.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { DatasetTruncatedError } from './errors.js';

export interface ByteSource {
  readonly length: number;
  /** Bytes [offset, offset + length). Throws DatasetTruncatedError past the end. */
  view(offset: number, length: number): Uint8Array;
  /** How many bytes a reader should ask for at once (whole buffer in memory; a window on disk). */
  readonly windowSize: number;
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    length: bytes.length,
    windowSize: bytes.length,
    view(offset, length) {
      if (offset < 0 || length < 0 || offset + length > bytes.length) {
        throw new DatasetTruncatedError('read past the end of the data', offset);
      }
      return bytes.subarray(offset, offset + length);
    },
  };
}

export interface FileSource extends ByteSource {
  readonly path: string;
  close(): void;
}

/** 64 KiB windows: a DX header (a few KiB) is one read; the pixel value is jumped over. */
const FILE_WINDOW = 64 * 1024;
/** A single view larger than this is refused: the walker never needs one, a caller must stream. */
export const MAX_FILE_VIEW: number = 64 * 1024 * 1024;

/**
 * A file (or the part of it from `start`) read with positional synchronous reads of cached
 * windows. Offsets are relative to `start`.
 */
export function fileSource(path: string, start = 0, window: number = FILE_WINDOW): FileSource {
  const fd = openSync(path, 'r');
  let closed = false;
  let size: number;
  try {
    size = fstatSync(fd).size;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  const length = Math.max(0, size - start);
  let cacheStart = 0;
  let cache = new Uint8Array(0);
  return {
    path,
    length,
    windowSize: window,
    view(offset, n) {
      if (offset < 0 || n < 0 || offset + n > length) {
        throw new DatasetTruncatedError('read past the end of the file', offset);
      }
      if (offset >= cacheStart && offset + n <= cacheStart + cache.length) {
        return cache.subarray(offset - cacheStart, offset - cacheStart + n);
      }
      if (closed) throw new Error('fileSource: read after close');
      if (n > MAX_FILE_VIEW) throw new RangeError(`fileSource: a ${n}-byte view is too large; stream it`);
      const want = Math.min(Math.max(n, window), length - offset);
      const buf = new Uint8Array(want);
      let got = 0;
      while (got < want) {
        const r = readSync(fd, buf, got, want - got, start + offset + got);
        if (r === 0) break;
        got += r;
      }
      if (got < n) throw new DatasetTruncatedError('file shrank while being read', offset + got);
      cache = got === want ? buf : buf.subarray(0, got);
      cacheStart = offset;
      return cache.subarray(0, n);
    },
    close() {
      if (!closed) closeSync(fd);
      closed = true;
    },
  };
}
