/**
 * Data set level transcoding for C-STORE (FR-DICOM-04): when the peer accepted only another
 * transfer syntax, the data set is rewritten in memory before it is sent. Between the native
 * syntaxes (Implicit VR LE, Explicit VR LE, Explicit VR BE, Deflated Explicit VR LE) that is
 * @hnvue/dicom's re-encoder alone: headers rewritten, values byte-swapped per VR when the byte
 * order changes (PS3.5 7.3: OW by 2, OF/OL by 4, OD by 8, OB never), deflate undone or applied
 * (PS3.5 A.5). When one side is encapsulated the pixels go through @hnvue/native
 * (`transcodePixelData`), which works on Little Endian data sets, and the Image Pixel attributes
 * that depend on the encoding (Photometric Interpretation, Planar Configuration) follow the
 * pixels (PS3.5 8.2, PS3.3 C.7.6.3). What can be done is asked of the registry: the syntax's
 * pixel encoding and the codecs registered for it.
 */

import { HnvError } from '@hnvue/core';
import {
  codecsFor,
  concatBytes,
  DatasetError,
  datasetEncoding,
  type ElementOverride,
  encodeElementHeader,
  findElement,
  inflateDataset,
  isExplicitLittleEndian,
  readElements,
  reencodeBetween,
  reencodeDataset,
  STORAGE_ERROR_CODES,
  stringValue,
  TAG,
  TRANSFER_SYNTAXES,
  TransferSyntaxDatasetError,
  TS,
  textValue,
  transferSyntax,
  uint16Bytes,
  uint16Value,
} from '@hnvue/dicom';
import {
  CodecError,
  type ExtendedOffsetTable,
  type FrameInfo,
  isEncapsulatedTransferSyntax,
  isNativeTransferSyntax,
  photometricAfterDecode,
  photometricAfterEncode,
  planarConfigurationFor,
  readExtendedOffsetTable,
  transcodePixelData,
} from '@hnvue/native';

/** Transcoding was impossible or not allowed (lossy target without permission, unknown codec…). */
export class TranscodeError extends HnvError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(STORAGE_ERROR_CODES.transcode, message, options);
  }
}

export interface TranscodeOptions {
  /** Permit a lossy target (PS3.5 8.2); off unless the destination's configuration allows it. */
  readonly allowLossy?: boolean;
}

/** "JPEG 2000 Image Compression (Lossless Only) (1.2.840.10008.1.2.4.90)", or the bare UID. */
function syntaxName(uid: string): string {
  const ts = transferSyntax(uid);
  return ts ? `${ts.name} (${uid})` : uid;
}

/** A syntax whose pixels we can read: native ones, or an encapsulated one with a decoder registered. */
function decodable(uid: string): boolean {
  const ts = transferSyntax(uid);
  return (
    ts?.pixelEncoding === 'native' ||
    (ts?.pixelEncoding === 'encapsulated' && codecsFor(uid, 'decode').length > 0)
  );
}

/** A syntax we can write: native ones, or an encapsulated one with an encoder registered. */
function encodable(uid: string): boolean {
  const ts = transferSyntax(uid);
  return (
    ts?.pixelEncoding === 'native' ||
    (ts?.pixelEncoding === 'encapsulated' && codecsFor(uid, 'encode').length > 0)
  );
}

/**
 * Transfer syntaxes we can transcode to and from, data set and pixels: every native syntax and
 * every encapsulated one whose codec (registered by @hnvue/native at load) both decodes and
 * encodes. RLE is read, not written, so it is a source only (see canTranscode).
 */
export const TRANSCODABLE_TRANSFER_SYNTAXES: readonly string[] = TRANSFER_SYNTAXES.filter(
  (ts) => decodable(ts.uid) && encodable(ts.uid),
).map((ts) => ts.uid);

/**
 * Why `from` cannot go to any of `accepted` here, in words for an error message: no decoder for
 * the source, no encoder for a target (and whether the addon would have one), a lossy target the
 * destination does not allow. PHI-free: it names syntaxes only.
 */
export function transcodeRefusalReason(
  from: string,
  accepted: readonly string[],
  options: TranscodeOptions = {},
): string {
  if (accepted.length === 0) return 'the peer accepted no presentation context for this SOP class';
  if (!decodable(from)) return `no decoder for ${syntaxName(from)} is registered here`;
  const why = accepted.map((to) => {
    if (!encodable(to)) {
      return `no encoder for ${syntaxName(to)} is registered here (\`hnvue doctor\` lists each syntax's codecs)`;
    }
    if (transferSyntax(to)?.lossy === true && options.allowLossy !== true) {
      return `${syntaxName(to)} is lossy and the destination does not allow lossy compression`;
    }
    return `${syntaxName(to)} cannot be reached from it`;
  });
  return [...new Set(why)].join('; ');
}

/** Whether `from` → `to` is possible here (a lossy target only with `allowLossy`). */
export function canTranscode(from: string, to: string, options: TranscodeOptions = {}): boolean {
  if (from === to) return true;
  if (!decodable(from) || !encodable(to)) return false;
  // A lossy source stays lossy whatever we do; re-encoding it to another lossy form is refused.
  if (transferSyntax(to)?.lossy === true && options.allowLossy !== true) return false;
  return true;
}

/** Little Endian and not deflated: the data sets @hnvue/native's pixel transcoding works on. */
function plainLittleEndian(uid: string): boolean {
  const enc = datasetEncoding(uid);
  return enc?.littleEndian === true && !enc.deflated;
}

/** The re-encoder's errors (truncated, malformed, inflate failure) as TranscodeError. */
function reencode(dataset: Uint8Array, from: string, to: string): Uint8Array[] {
  try {
    return reencodeBetween(dataset, from, to);
  } catch (err) {
    if (err instanceof DatasetError || err instanceof TransferSyntaxDatasetError) {
      throw new TranscodeError(`data set could not be re-encoded from ${from} to ${to}`, {
        cause: err,
        details: { from, to },
      });
    }
    throw err;
  }
}

/**
 * A data set to transcode, inflated when it is deflated (PS3.5 A.5: the inflated bytes are
 * Explicit VR LE), so that what reads it next walks it once. Other syntaxes come back unchanged.
 */
export function inflatedForTranscoding(
  dataset: Uint8Array,
  transferSyntaxUid: string,
): { readonly dataset: Uint8Array; readonly transferSyntax: string } {
  if (datasetEncoding(transferSyntaxUid)?.deflated !== true) {
    return { dataset, transferSyntax: transferSyntaxUid };
  }
  try {
    return { dataset: inflateDataset(dataset), transferSyntax: TS.explicitVrLittleEndian };
  } catch (err) {
    throw new TranscodeError('deflated data set could not be inflated', {
      cause: err,
      details: { from: transferSyntaxUid },
    });
  }
}

/**
 * The data set re-encoded from `from` to `to`, as a list of buffers (views where nothing changed).
 * Any native pair (Implicit/Explicit VR LE, Explicit VR BE, Deflated) is one pass of the
 * re-encoder; a Big Endian or deflated side of a compressed transfer goes through Explicit VR LE.
 * Throws TranscodeError when the pixels cannot be converted or a lossy target is not allowed.
 */
export async function transcodeDataset(
  dataset: Uint8Array,
  from: string,
  to: string,
  options: TranscodeOptions = {},
): Promise<Uint8Array[]> {
  if (from === to) return [dataset];
  if (!canTranscode(from, to, { allowLossy: true })) {
    throw new TranscodeError(`cannot transcode from ${from} to ${to}`, { details: { from, to } });
  }
  if (transferSyntax(to)?.lossy === true && options.allowLossy !== true) {
    throw new TranscodeError(`transcoding to ${to} may lose information and lossy is not allowed`, {
      details: { from, to },
    });
  }
  if (transferSyntax(from)?.pixelEncoding === 'native' && transferSyntax(to)?.pixelEncoding === 'native') {
    return reencode(dataset, from, to);
  }
  const explicit = TS.explicitVrLittleEndian;
  const sourceTs = plainLittleEndian(from) ? from : explicit;
  const source = sourceTs === from ? dataset : concatBytes(reencode(dataset, from, explicit));
  const targetTs = plainLittleEndian(to) ? to : explicit;
  const parts = await transcodeLittleEndian(source, sourceTs, targetTs, options);
  return targetTs === to ? parts : reencode(concatBytes(parts), targetTs, to);
}

/** Between two Little Endian, non-deflated syntaxes, at least one of them encapsulated. */
async function transcodeLittleEndian(
  input: Uint8Array,
  from: string,
  to: string,
  options: TranscodeOptions,
): Promise<Uint8Array[]> {
  let dataset = input;
  let fromExplicit: boolean;
  let toExplicit: boolean;
  try {
    fromExplicit = isExplicitLittleEndian(from);
    toExplicit = isExplicitLittleEndian(to);
  } catch (err) {
    throw new TranscodeError(`cannot transcode from ${from} to ${to}`, { cause: err, details: { from, to } });
  }
  // An irreversible encoding is recorded in the image (PS3.3 C.7.6.1.1.5): its three attributes
  // are made present first, so that the re-encoder's overrides below can set them.
  const lossyMethod = irreversibleMethod(to);
  const original = dataset;
  if (lossyMethod !== undefined) dataset = withEmptyElements(dataset, fromExplicit, LOSSY_ELEMENTS);
  const { elements } = readElements(dataset, fromExplicit);
  const bitsAllocated = uint16Value(dataset, findElement(elements, TAG.bitsAllocated)) ?? 16;
  const pixelRepresentation = uint16Value(dataset, findElement(elements, TAG.pixelRepresentation)) ?? 0;
  const context = { bitsAllocated, pixelRepresentation };
  const pixel = findElement(elements, TAG.pixelData);
  const overrides = new Map<number, ElementOverride>();
  const pixelChanges =
    pixel !== undefined && !(isNativeTransferSyntax(from) && isNativeTransferSyntax(to)) && from !== to;
  if (pixelChanges && pixel !== undefined) {
    const info = frameInfo(dataset, elements, bitsAllocated, pixelRepresentation);
    const frames =
      Number.parseInt(stringValue(dataset, findElement(elements, TAG.numberOfFrames)) ?? '1', 10) || 1;
    const photometric =
      stringValue(dataset, findElement(elements, TAG.photometricInterpretation)) ?? 'MONOCHROME2';
    const value = dataset.subarray(pixel.valueStart, pixel.end);
    const extendedOffsetTable = sourceExtendedOffsetTable(dataset, elements, from);
    // It describes the source's fragments: re-encoded pixels never keep it (PS3.5 A.4).
    for (const tag of [TAG.ExtendedOffsetTable, TAG.ExtendedOffsetTableLengths]) {
      if (findElement(elements, tag) !== undefined) overrides.set(tag, undefined);
    }
    let result: Awaited<ReturnType<typeof transcodePixelData>>;
    try {
      result = await transcodePixelData(value, info, frames, from, to, {
        allowLossy: options.allowLossy === true,
        ...(extendedOffsetTable ? { extendedOffsetTable } : {}),
      });
    } catch (err) {
      const code = err instanceof CodecError ? err.code : undefined;
      // A codec's message names the limit it hit (bits, samples, frame size), never a value of
      // the data set: it is the reason the caller needs (NFR-SEC-01 holds).
      const reason = err instanceof CodecError ? `: ${err.message}` : '';
      throw new TranscodeError(
        `pixel data could not be transcoded from ${syntaxName(from)} to ${syntaxName(to)}${reason}`,
        {
          cause: err,
          details: { from, to, codecError: code },
        },
      );
    }
    const decodedPhotometric = isEncapsulatedTransferSyntax(from)
      ? photometricAfterDecode(photometric, from)
      : photometric;
    const newPhotometric = isEncapsulatedTransferSyntax(to)
      ? photometricAfterEncode(decodedPhotometric, to, info.samplesPerPixel)
      : decodedPhotometric;
    if (newPhotometric !== photometric) {
      overrides.set(TAG.photometricInterpretation, { vr: 'CS', value: textValue(newPhotometric, 'CS') });
    }
    if (lossyMethod !== undefined) {
      const source = original;
      const sourceElements = readElements(source, fromExplicit).elements;
      const uncompressed =
        (info.rows * info.columns * info.samplesPerPixel * info.bitsAllocated * frames) / 8;
      for (const [tag, override] of lossyOverrides(
        lossyMethod,
        uncompressed / Math.max(1, result.value.length),
        stringValue(source, findElement(sourceElements, TAG.LossyImageCompressionRatio)),
        stringValue(source, findElement(sourceElements, TAG.LossyImageCompressionMethod)),
      )) {
        overrides.set(tag, override);
      }
    }
    if (info.samplesPerPixel === 3 && findElement(elements, TAG.planarConfiguration) !== undefined) {
      overrides.set(TAG.planarConfiguration, {
        vr: 'US',
        value: uint16Bytes(planarConfigurationFor(info, to)),
      });
    }
    if (result.encapsulated) {
      // PS3.5 A.4: encapsulated Pixel Data is OB with undefined length; the value already holds the
      // items and the Sequence Delimitation Item.
      return reencodeWithEncapsulatedPixels(dataset, fromExplicit, context, overrides, pixel, result.value);
    }
    overrides.set(TAG.pixelData, { vr: bitsAllocated > 8 ? 'OW' : 'OB', value: result.value });
  }
  try {
    return reencodeDataset(dataset, { fromExplicit, toExplicit, context, overrides });
  } catch (err) {
    if (err instanceof TransferSyntaxDatasetError) {
      throw new TranscodeError(`data set could not be re-encoded from ${from} to ${to}`, { cause: err });
    }
    throw err;
  }
}

/**
 * The Lossy Image Compression Method (PS3.3 C.7.6.1.1.5.2) of what our encoders do for `to`, when
 * that loses information; undefined when ours is reversible. JPEG 2000 (.91) and HTJ2K (.203) are
 * encoded reversibly here even under their lossy-capable syntaxes (native/lib/transcode.ts), so
 * their samples are the source's and 00 stays true.
 */
function irreversibleMethod(to: string): string | undefined {
  switch (to) {
    case TS.jpegBaseline:
    case TS.jpegExtended:
      return 'ISO_10918_1';
    case TS.jpegLsNearLossless:
      return 'ISO_14495_1';
    default:
      return undefined;
  }
}

const LOSSY_ELEMENTS: readonly { readonly tag: number; readonly vr: string }[] = [
  { tag: TAG.LossyImageCompression, vr: 'CS' },
  { tag: TAG.LossyImageCompressionRatio, vr: 'DS' },
  { tag: TAG.LossyImageCompressionMethod, vr: 'CS' },
];

/**
 * PS3.3 C.7.6.1.1.5: Lossy Image Compression 01 (never reset once set), and this step's ratio
 * (uncompressed / compressed size) and method appended to those of earlier lossy steps, in order.
 */
function lossyOverrides(
  method: string,
  ratio: number,
  earlierRatios: string | undefined,
  earlierMethods: string | undefined,
): [number, ElementOverride][] {
  const append = (earlier: string | undefined, value: string) =>
    earlier !== undefined && earlier.trim() !== '' ? `${earlier.trim()}\\${value}` : value;
  // DS: at most 16 characters per value (PS3.5 6.2); two decimals are what dcmcjpeg writes too.
  const ratioText = Number(ratio.toFixed(2)).toString();
  return [
    [TAG.LossyImageCompression, { vr: 'CS', value: textValue('01', 'CS') }],
    [TAG.LossyImageCompressionRatio, { vr: 'DS', value: textValue(append(earlierRatios, ratioText), 'DS') }],
    [TAG.LossyImageCompressionMethod, { vr: 'CS', value: textValue(append(earlierMethods, method), 'CS') }],
  ];
}

/** `dataset` with an empty element for each of `wanted` it lacks, each at its place in tag order. */
function withEmptyElements(
  dataset: Uint8Array,
  explicit: boolean,
  wanted: readonly { readonly tag: number; readonly vr: string }[],
): Uint8Array {
  const { elements } = readElements(dataset, explicit);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const { tag, vr } of wanted) {
    if (findElement(elements, tag) !== undefined) continue;
    const next = elements.find((e) => e.tag > tag);
    const position = next === undefined ? dataset.length : next.start;
    parts.push(dataset.subarray(at, position), encodeElementHeader(tag, explicit ? vr : undefined, 0));
    at = position;
  }
  if (parts.length === 0) return dataset;
  parts.push(dataset.subarray(at));
  return concatBytes(parts);
}

/** Encapsulated targets are always Explicit VR LE; Pixel Data gets an undefined-length OB header. */
function reencodeWithEncapsulatedPixels(
  dataset: Uint8Array,
  fromExplicit: boolean,
  context: { bitsAllocated: number; pixelRepresentation: number },
  overrides: Map<number, ElementOverride>,
  pixel: { start: number; end: number },
  encapsulated: Uint8Array,
): Uint8Array[] {
  const common = { fromExplicit, toExplicit: true, context, overrides };
  const header = new Uint8Array(12);
  const dv = new DataView(header.buffer);
  dv.setUint16(0, 0x7fe0, true);
  dv.setUint16(2, 0x0010, true);
  header[4] = 0x4f; // 'O'
  header[5] = 0x42; // 'B'
  dv.setUint32(8, 0xffffffff, true);
  // Elements after Pixel Data (e.g. (FFFA,FFFA) Digital Signatures Sequence) keep their place.
  return [
    ...reencodeDataset(dataset, { ...common, end: pixel.start }),
    header,
    encapsulated,
    ...reencodeDataset(dataset, { ...common, start: pixel.end }),
  ];
}

/**
 * The source's Extended Offset Table (PS3.3 C.7.6.3.1.8), when an encapsulated source has both
 * elements; frames are then found through it. A malformed one is a TranscodeError, not a guess.
 */
function sourceExtendedOffsetTable(
  dataset: Uint8Array,
  elements: ReturnType<typeof readElements>['elements'],
  from: string,
): ExtendedOffsetTable | undefined {
  const offsets = findElement(elements, TAG.ExtendedOffsetTable);
  const lengths = findElement(elements, TAG.ExtendedOffsetTableLengths);
  if (offsets === undefined || lengths === undefined || !isEncapsulatedTransferSyntax(from)) return undefined;
  try {
    return readExtendedOffsetTable(
      dataset.subarray(offsets.valueStart, offsets.end),
      dataset.subarray(lengths.valueStart, lengths.end),
    );
  } catch (err) {
    throw new TranscodeError(`the Extended Offset Table of the ${syntaxName(from)} pixel data is malformed`, {
      cause: err,
      details: { from, codecError: err instanceof CodecError ? err.code : undefined },
    });
  }
}

function frameInfo(
  dataset: Uint8Array,
  elements: ReturnType<typeof readElements>['elements'],
  bitsAllocated: number,
  pixelRepresentation: number,
): FrameInfo {
  const rows = uint16Value(dataset, findElement(elements, TAG.rows));
  const columns = uint16Value(dataset, findElement(elements, TAG.columns));
  if (rows === undefined || columns === undefined) {
    throw new TranscodeError('image without Rows/Columns: pixel data cannot be transcoded');
  }
  const samples = uint16Value(dataset, findElement(elements, TAG.samplesPerPixel)) ?? 1;
  return {
    rows,
    columns,
    bitsAllocated,
    bitsStored: uint16Value(dataset, findElement(elements, TAG.bitsStored)) ?? bitsAllocated,
    pixelRepresentation: pixelRepresentation === 1 ? 1 : 0,
    samplesPerPixel: samples === 3 ? 3 : 1,
    planarConfiguration: uint16Value(dataset, findElement(elements, TAG.planarConfiguration)) === 1 ? 1 : 0,
  };
}
