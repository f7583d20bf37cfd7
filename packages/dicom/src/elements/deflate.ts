/**
 * Deflated Explicit VR Little Endian (PS3.5 A.5): the data set after the File Meta Information
 * is one raw deflate stream (RFC 1951, no zlib header). Inflating is bounded (a deflate bomb is
 * a typed error, not an allocation); the streaming forms keep one window of each side in memory.
 */
import { Readable } from 'node:stream';
import { createDeflateRaw, createInflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import { DatasetError, DeflateTruncatedError } from './errors.js';

/** Inflated data sets larger than this are refused unless the caller raises it (1 GiB). */
export const DEFAULT_MAX_INFLATED_LENGTH: number = 1024 * 1024 * 1024;

export function deflateDataset(parts: readonly Uint8Array[] | Uint8Array): Uint8Array {
  const input = parts instanceof Uint8Array ? parts : Buffer.concat(parts as Uint8Array[]);
  const out = deflateRawSync(input);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

export function inflateDataset(
  bytes: Uint8Array,
  maxLength: number = DEFAULT_MAX_INFLATED_LENGTH,
): Uint8Array {
  try {
    const out = inflateRawSync(bytes, { maxOutputLength: maxLength });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    throw inflateError(err, maxLength, bytes.length);
  }
}

function inflateError(err: unknown, maxLength: number, compressedLength: number): DatasetError {
  const code = (err as { code?: string }).code;
  // zlib's "unexpected end of file": the input stopped before the final block (a cut file).
  if (code === 'Z_BUF_ERROR') return new DeflateTruncatedError(compressedLength);
  if (code === 'ERR_BUFFER_TOO_LARGE') {
    return new DatasetError(`inflated data set exceeds ${maxLength} bytes`, {
      cause: err,
      details: { limit: maxLength },
    });
  }
  return new DatasetError('deflated data set is not a valid raw deflate stream', {
    cause: err,
    details: { zlib: code },
  });
}

/** Raw-deflates a stream of data set chunks; the output is a stream of compressed chunks. */
export async function* deflateStream(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  const deflate = createDeflateRaw();
  const input = Readable.from(chunks, { objectMode: false });
  input.on('error', (err) => deflate.destroy(err));
  input.pipe(deflate);
  for await (const c of deflate) yield c as Uint8Array;
}

/** Inflates a stream of deflated chunks, refusing more than `maxLength` inflated bytes. */
export async function* inflateStream(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  maxLength: number = DEFAULT_MAX_INFLATED_LENGTH,
): AsyncGenerator<Uint8Array> {
  const inflate = createInflateRaw();
  let compressed = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const c of chunks) {
      compressed += c.length;
      yield c;
    }
  }
  const input = Readable.from(counted(), { objectMode: false });
  input.on('error', (err) => inflate.destroy(err));
  input.pipe(inflate);
  let total = 0;
  try {
    for await (const c of inflate) {
      total += (c as Uint8Array).length;
      if (total > maxLength) {
        throw new DatasetError(`inflated data set exceeds ${maxLength} bytes`, {
          details: { limit: maxLength },
        });
      }
      yield c as Uint8Array;
    }
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw inflateError(err, maxLength, compressed);
  } finally {
    input.destroy();
    inflate.destroy();
  }
}
