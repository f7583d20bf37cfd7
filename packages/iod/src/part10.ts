import { open } from 'node:fs/promises';
import { endianness } from 'node:os';
import type { Writable } from 'node:stream';
import { HNVUE_IMPLEMENTATION_CLASS_UID, HNVUE_IMPLEMENTATION_VERSION_NAME } from '@hnvue/core';
import { type CharacterSet, encodeText } from './charset.js';
import { IodCharsetError, IodInputError } from './errors.js';
import { dcmjs, type NaturalDataset } from './internal/dcmjs.js';

/** Explicit VR Little Endian: the one transfer syntax we write (PS3.5 A.2). */
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** Our implementation identity in the File Meta Information (PS3.10 7.1), shared by every package. */
export const IMPLEMENTATION_CLASS_UID: string = HNVUE_IMPLEMENTATION_CLASS_UID;
export const IMPLEMENTATION_VERSION_NAME: string = HNVUE_IMPLEMENTATION_VERSION_NAME;

/** Pixel samples as the builders produce them: native-endian typed arrays of one frame. */
export type PixelArray = Uint8Array | Uint16Array | Int16Array;

export interface Part10Options {
  /** Character set used to encode text values; defaults to what (0008,0005) in the dataset names. */
  readonly characterSet?: CharacterSet;
  readonly sourceApplicationEntityTitle?: string;
}

// Pixel bytes go out in slices this big: large enough for few syscalls, small enough that a
// stream's buffer never holds a second copy of a 50 MB frame.
const CHUNK = 1 << 20;

/**
 * The character set to encode text in, from (0008,0005). dcmjs writes every string as UTF-8, so
 * any other declared repertoire (ISO_IR 100, …) would be mislabelled: refuse it instead.
 */
function characterSetOf(ds: NaturalDataset): CharacterSet {
  const v = ds.SpecificCharacterSet;
  const values = (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'string' ? x.trim() : ''));
  const named = values.filter((x) => x !== '' && x !== 'ISO_IR 6' && x !== 'ISO 2022 IR 6');
  if (named.length === 0) return 'ISO_IR 6';
  if (named.length === 1 && named[0] === 'ISO_IR 192') return 'ISO_IR 192';
  if (named.length === 1 && named[0] === 'ISO 2022 IR 149') return 'ISO 2022 IR 149';
  throw new IodCharsetError('the writer encodes only ISO_IR 6, ISO_IR 192 and ISO 2022 IR 149', {
    details: { specificCharacterSet: named.join('\\') },
  });
}

/**
 * Serialises everything but Pixel Data through dcmjs: File Meta Information (PS3.10 7.1) and
 * the dataset in Explicit VR Little Endian. dcmjs encodes every text VR as UTF-8; for ISO 2022
 * IR 149 its string writer is swapped for ours during this synchronous call only.
 */
export function encodeHeader(dataset: NaturalDataset, options: Part10Options = {}): Buffer {
  const { PixelData: _pixels, _meta, _vrMap, ...rest } = dataset;
  for (const key of Object.keys(rest)) {
    const entry = dcmjs.data.DicomMetaDictionary.nameMap[key];
    if (entry !== undefined && entry.tag > '(7FE0,0010)') {
      throw new IodInputError(
        `attribute ${key} sorts after Pixel Data; it cannot be written by the streaming writer`,
      );
    }
  }
  const sopClass = rest.SOPClassUID;
  const sopInstance = rest.SOPInstanceUID;
  if (typeof sopClass !== 'string' || typeof sopInstance !== 'string') {
    throw new IodInputError('SOPClassUID and SOPInstanceUID are needed for the File Meta Information');
  }
  const meta: NaturalDataset = {
    MediaStorageSOPClassUID: sopClass,
    MediaStorageSOPInstanceUID: sopInstance,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION_NAME,
  };
  if (options.sourceApplicationEntityTitle !== undefined) {
    meta.SourceApplicationEntityTitle = options.sourceApplicationEntityTitle;
  }
  const denaturalMeta = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta);
  denaturalMeta['00020001'] = { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] };
  // dcmjs ignores a naturalized TransferSyntaxUID string (TOOLCHAIN.md): give the element form.
  denaturalMeta['00020010'] = { vr: 'UI', Value: [EXPLICIT_VR_LITTLE_ENDIAN] };
  const dict = new dcmjs.data.DicomDict(denaturalMeta);
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(rest);
  const cs = options.characterSet ?? characterSetOf(rest);
  const proto = dcmjs.data.WriteBufferStream.prototype;
  const original = proto.writeUTF8String;
  // ISO 2022 IR 149 needs our encoder; the default repertoire needs its ASCII check.
  if (cs !== 'ISO_IR 192') {
    proto.writeUTF8String = function writeEncoded(this: unknown, value: string): number {
      const s = this as {
        checkSize(n: number): void;
        view: { writeBuffer(b: Uint8Array, offset: number): void };
        offset: number;
        increment(n: number): number;
      };
      const bytes = encodeText(value, cs);
      s.checkSize(bytes.byteLength);
      s.view.writeBuffer(bytes, s.offset);
      return s.increment(bytes.byteLength);
    };
  }
  try {
    return Buffer.from(dict.write({ fragmentMultiframe: false }));
  } finally {
    proto.writeUTF8String = original;
  }
}

function pixelBytes(pixels: PixelArray): Buffer {
  if (pixels.BYTES_PER_ELEMENT > 1 && endianness() !== 'LE') {
    throw new IodInputError('big-endian hosts are not supported by the pixel writer');
  }
  return Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
}

/** Element header of (7FE0,0010) in Explicit VR LE: OB for 8-bit samples, OW otherwise (PS3.5 8.2). */
function pixelElementHeader(pixels: PixelArray, byteLength: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16LE(0x7fe0, 0);
  h.writeUInt16LE(0x0010, 2);
  h.write(pixels.BYTES_PER_ELEMENT === 1 ? 'OB' : 'OW', 4, 'latin1');
  h.writeUInt32LE(byteLength, 8);
  return h;
}

/** The whole Part 10 file in memory: one copy of the pixels, none through dcmjs. */
export function toPart10Buffer(
  dataset: NaturalDataset,
  pixelData?: PixelArray,
  options?: Part10Options,
): Buffer {
  const header = encodeHeader(dataset, options);
  if (pixelData === undefined) return header;
  const bytes = pixelBytes(pixelData);
  const padded = bytes.byteLength + (bytes.byteLength & 1);
  const parts = [header, pixelElementHeader(pixelData, padded), bytes];
  if (padded !== bytes.byteLength) parts.push(Buffer.alloc(1));
  return Buffer.concat(parts);
}

async function writeToStream(stream: Writable, chunk: Buffer): Promise<void> {
  if (stream.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const onDrain = (): void => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (err: Error): void => {
      stream.off('drain', onDrain);
      reject(err);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

/**
 * Writes a Part 10 file: header and non-pixel elements through dcmjs, then the (7FE0,0010)
 * element header and the pixel bytes straight from the typed array in 1 MiB slices, so peak
 * memory stays near the header size instead of dcmjs' ~6x the pixels (TOOLCHAIN.md). A stream
 * is left open for the caller; a path is created or truncated.
 */
export async function writePart10(
  dataset: NaturalDataset,
  pixelData: PixelArray | undefined,
  target: string | Writable,
  options?: Part10Options,
): Promise<number> {
  const header = encodeHeader(dataset, options);
  const chunks: Buffer[] = [header];
  if (pixelData !== undefined) {
    const bytes = pixelBytes(pixelData);
    const padded = bytes.byteLength + (bytes.byteLength & 1);
    chunks.push(pixelElementHeader(pixelData, padded));
    for (let off = 0; off < bytes.byteLength; off += CHUNK) {
      chunks.push(bytes.subarray(off, Math.min(off + CHUNK, bytes.byteLength)));
    }
    if (padded !== bytes.byteLength) chunks.push(Buffer.alloc(1));
  }
  let total = 0;
  if (typeof target === 'string') {
    const fh = await open(target, 'w');
    try {
      for (const c of chunks) {
        let off = 0;
        while (off < c.byteLength) {
          const { bytesWritten } = await fh.write(c, off, c.byteLength - off);
          off += bytesWritten;
        }
        total += c.byteLength;
      }
    } finally {
      await fh.close();
    }
    return total;
  }
  for (const c of chunks) {
    await writeToStream(target, c);
    total += c.byteLength;
  }
  return total;
}

/** Reads a Part 10 buffer into a naturalized dcmjs dataset (for validators and tests). */
export function readPart10(buffer: Uint8Array): NaturalDataset {
  // dcmjs misreads a Buffer that is a view into a pooled ArrayBuffer (TOOLCHAIN.md): copy to offset 0.
  const ab = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
  const file = dcmjs.data.DicomMessage.readFile(ab, { ignoreErrors: true });
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(file.dict);
}
