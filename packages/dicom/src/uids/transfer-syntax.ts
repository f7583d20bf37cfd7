/**
 * The one registry of transfer syntaxes (PS3.5 Section 10 and Annex A, PS3.6 Table A-1): what
 * each UID means for the encoding of a data set (VR explicit or implicit, byte order, deflate)
 * and of its pixel data (native or encapsulated, lossy or not). Every package asks here; no
 * other module lists transfer-syntax UIDs. Which codec serves a syntax is registered at run time
 * by the package that implements it (`./codecs.ts`), not written into this table.
 */

/** How the pixel data of a transfer syntax is coded (PS3.5 8.2). */
export type PixelEncoding = 'native' | 'encapsulated' | 'referenced';

/** The codec family of an encapsulated syntax; `undefined` for native pixel data. */
export type CompressionFamily =
  | 'jpeg-baseline'
  | 'jpeg-extended'
  | 'jpeg-lossless'
  | 'jpeg-ls'
  | 'jpeg2000'
  | 'htj2k'
  | 'rle'
  | 'jpeg-xl'
  | 'mpeg'
  | 'deflate-frame'
  | 'uncompressed-frame'
  | 'jpip'
  | 'smpte';

export interface TransferSyntaxInfo {
  readonly uid: string;
  /** The name in PS3.6 Table A-1. */
  readonly name: string;
  /** Short camelCase key used in code (`TS.explicitVrLittleEndian`). */
  readonly key: string;
  /** Explicit VR (every syntax except Implicit VR Little Endian). */
  readonly explicitVr: boolean;
  readonly byteOrder: 'little' | 'big';
  /** The data set after the File Meta Information is deflated (RFC 1951, PS3.5 A.5). */
  readonly deflated: boolean;
  readonly pixelEncoding: PixelEncoding;
  readonly family: CompressionFamily | undefined;
  /** Pixel data may have lost information (PS3.5 8.2; `lossyAllowed` syntaxes count as lossy). */
  readonly lossy: boolean;
  /** Retired in the current standard (still readable). */
  readonly retired: boolean;
}

type Entry = readonly [
  key: string,
  uid: string,
  name: string,
  encoding: PixelEncoding,
  family: CompressionFamily | undefined,
  lossy: boolean,
  flags?: { retired?: true; implicit?: true; big?: true; deflated?: true },
];

// PS3.6 Table A-1 (2025b), the transfer syntaxes. Lossy: PS3.5 8.2 and the syntax's own section.
// biome-ignore format: one row per transfer syntax reads as the standard's table.
const ENTRIES: readonly Entry[] = [
  ['implicitVrLittleEndian', '1.2.840.10008.1.2', 'Implicit VR Little Endian', 'native', undefined, false, { implicit: true }],
  ['explicitVrLittleEndian', '1.2.840.10008.1.2.1', 'Explicit VR Little Endian', 'native', undefined, false],
  ['encapsulatedUncompressed', '1.2.840.10008.1.2.1.98', 'Encapsulated Uncompressed Explicit VR Little Endian', 'encapsulated', 'uncompressed-frame', false],
  ['deflatedExplicitVrLittleEndian', '1.2.840.10008.1.2.1.99', 'Deflated Explicit VR Little Endian', 'native', undefined, false, { deflated: true }],
  ['explicitVrBigEndian', '1.2.840.10008.1.2.2', 'Explicit VR Big Endian', 'native', undefined, false, { retired: true, big: true }],
  ['jpegBaseline', '1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)', 'encapsulated', 'jpeg-baseline', true],
  ['jpegExtended', '1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)', 'encapsulated', 'jpeg-extended', true],
  ['jpegExtended35', '1.2.840.10008.1.2.4.52', 'JPEG Extended (Process 3 & 5)', 'encapsulated', 'jpeg-extended', true, { retired: true }],
  ['jpegSpectralSelection68', '1.2.840.10008.1.2.4.53', 'JPEG Spectral Selection, Non-Hierarchical (Process 6 & 8)', 'encapsulated', 'jpeg-extended', true, { retired: true }],
  ['jpegSpectralSelection79', '1.2.840.10008.1.2.4.54', 'JPEG Spectral Selection, Non-Hierarchical (Process 7 & 9)', 'encapsulated', 'jpeg-extended', true, { retired: true }],
  ['jpegFullProgression1012', '1.2.840.10008.1.2.4.55', 'JPEG Full Progression, Non-Hierarchical (Process 10 & 12)', 'encapsulated', 'jpeg-extended', true, { retired: true }],
  ['jpegFullProgression1113', '1.2.840.10008.1.2.4.56', 'JPEG Full Progression, Non-Hierarchical (Process 11 & 13)', 'encapsulated', 'jpeg-extended', true, { retired: true }],
  ['jpegLossless', '1.2.840.10008.1.2.4.57', 'JPEG Lossless, Non-Hierarchical (Process 14)', 'encapsulated', 'jpeg-lossless', false],
  ['jpegLosslessProcess15', '1.2.840.10008.1.2.4.58', 'JPEG Lossless, Non-Hierarchical (Process 15)', 'encapsulated', 'jpeg-lossless', false, { retired: true }],
  ['jpegLosslessSv1', '1.2.840.10008.1.2.4.70', 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])', 'encapsulated', 'jpeg-lossless', false],
  ['jpegLsLossless', '1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless Image Compression', 'encapsulated', 'jpeg-ls', false],
  ['jpegLsNearLossless', '1.2.840.10008.1.2.4.81', 'JPEG-LS Lossy (Near-Lossless) Image Compression', 'encapsulated', 'jpeg-ls', true],
  ['jpeg2000Lossless', '1.2.840.10008.1.2.4.90', 'JPEG 2000 Image Compression (Lossless Only)', 'encapsulated', 'jpeg2000', false],
  ['jpeg2000', '1.2.840.10008.1.2.4.91', 'JPEG 2000 Image Compression', 'encapsulated', 'jpeg2000', true],
  ['jpeg2000Part2Lossless', '1.2.840.10008.1.2.4.92', 'JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)', 'encapsulated', 'jpeg2000', false],
  ['jpeg2000Part2', '1.2.840.10008.1.2.4.93', 'JPEG 2000 Part 2 Multi-component Image Compression', 'encapsulated', 'jpeg2000', true],
  ['jpipReferenced', '1.2.840.10008.1.2.4.94', 'JPIP Referenced', 'referenced', 'jpip', true],
  ['jpipReferencedDeflate', '1.2.840.10008.1.2.4.95', 'JPIP Referenced Deflate', 'referenced', 'jpip', true, { deflated: true }],
  ['mpeg2MainProfile', '1.2.840.10008.1.2.4.100', 'MPEG2 Main Profile / Main Level', 'encapsulated', 'mpeg', true],
  ['mpeg2MainProfileFragmentable', '1.2.840.10008.1.2.4.100.1', 'Fragmentable MPEG2 Main Profile / Main Level', 'encapsulated', 'mpeg', true],
  ['mpeg2HighLevel', '1.2.840.10008.1.2.4.101', 'MPEG2 Main Profile / High Level', 'encapsulated', 'mpeg', true],
  ['mpeg2HighLevelFragmentable', '1.2.840.10008.1.2.4.101.1', 'Fragmentable MPEG2 Main Profile / High Level', 'encapsulated', 'mpeg', true],
  ['mpeg4Hp41', '1.2.840.10008.1.2.4.102', 'MPEG-4 AVC/H.264 High Profile / Level 4.1', 'encapsulated', 'mpeg', true],
  ['mpeg4Hp41Fragmentable', '1.2.840.10008.1.2.4.102.1', 'Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.1', 'encapsulated', 'mpeg', true],
  ['mpeg4Hp41Bd', '1.2.840.10008.1.2.4.103', 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1', 'encapsulated', 'mpeg', true],
  ['mpeg4Hp41BdFragmentable', '1.2.840.10008.1.2.4.103.1', 'Fragmentable MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1', 'encapsulated', 'mpeg', true],
  ['mpeg4Hp422d', '1.2.840.10008.1.2.4.104', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video', 'encapsulated', 'mpeg', true],
  ['mpeg4Hp422dFragmentable', '1.2.840.10008.1.2.4.104.1', 'Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video', 'encapsulated', 'mpeg', true],
  ['mpeg4Hp423d', '1.2.840.10008.1.2.4.105', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video', 'encapsulated', 'mpeg', true],
  ['mpeg4Hp423dFragmentable', '1.2.840.10008.1.2.4.105.1', 'Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video', 'encapsulated', 'mpeg', true],
  ['mpeg4Stereo', '1.2.840.10008.1.2.4.106', 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2', 'encapsulated', 'mpeg', true],
  ['mpeg4StereoFragmentable', '1.2.840.10008.1.2.4.106.1', 'Fragmentable MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2', 'encapsulated', 'mpeg', true],
  ['hevcMain', '1.2.840.10008.1.2.4.107', 'HEVC/H.265 Main Profile / Level 5.1', 'encapsulated', 'mpeg', true],
  ['hevcMain10', '1.2.840.10008.1.2.4.108', 'HEVC/H.265 Main 10 Profile / Level 5.1', 'encapsulated', 'mpeg', true],
  ['jpegXlLossless', '1.2.840.10008.1.2.4.110', 'JPEG XL Lossless', 'encapsulated', 'jpeg-xl', false],
  ['jpegXlRecompression', '1.2.840.10008.1.2.4.111', 'JPEG XL JPEG Recompression', 'encapsulated', 'jpeg-xl', true],
  ['jpegXl', '1.2.840.10008.1.2.4.112', 'JPEG XL', 'encapsulated', 'jpeg-xl', true],
  ['htj2kLossless', '1.2.840.10008.1.2.4.201', 'High-Throughput JPEG 2000 Image Compression (Lossless Only)', 'encapsulated', 'htj2k', false],
  ['htj2kLosslessRpcl', '1.2.840.10008.1.2.4.202', 'High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)', 'encapsulated', 'htj2k', false],
  ['htj2k', '1.2.840.10008.1.2.4.203', 'High-Throughput JPEG 2000 Image Compression', 'encapsulated', 'htj2k', true],
  ['jpipHtj2kReferenced', '1.2.840.10008.1.2.4.204', 'JPIP HTJ2K Referenced', 'referenced', 'jpip', true],
  ['jpipHtj2kReferencedDeflate', '1.2.840.10008.1.2.4.205', 'JPIP HTJ2K Referenced Deflate', 'referenced', 'jpip', true, { deflated: true }],
  ['rleLossless', '1.2.840.10008.1.2.5', 'RLE Lossless', 'encapsulated', 'rle', false],
  ['smpte211020Progressive', '1.2.840.10008.1.2.7.1', 'SMPTE ST 2110-20 Uncompressed Progressive Active Video', 'referenced', 'smpte', false],
  ['smpte211020Interlaced', '1.2.840.10008.1.2.7.2', 'SMPTE ST 2110-20 Uncompressed Interlaced Active Video', 'referenced', 'smpte', false],
  ['smpte211030', '1.2.840.10008.1.2.7.3', 'SMPTE ST 2110-30 PCM Digital Audio', 'referenced', 'smpte', false],
  ['deflatedImageFrame', '1.2.840.10008.1.2.8.1', 'Deflated Image Frame Compression', 'encapsulated', 'deflate-frame', false],
];

function toInfo(e: Entry): TransferSyntaxInfo {
  const [key, uid, name, pixelEncoding, family, lossy, flags = {}] = e;
  return {
    key,
    uid,
    name,
    explicitVr: flags.implicit !== true,
    byteOrder: flags.big === true ? 'big' : 'little',
    deflated: flags.deflated === true,
    pixelEncoding,
    family,
    lossy,
    retired: flags.retired === true,
  };
}

const BY_UID: ReadonlyMap<string, TransferSyntaxInfo> = new Map(ENTRIES.map((e) => [e[1], toInfo(e)]));

/** Every transfer syntax of PS3.6 Table A-1 we know, in table order. */
export const TRANSFER_SYNTAXES: readonly TransferSyntaxInfo[] = [...BY_UID.values()];

/**
 * The transfer-syntax UIDs by key: `TS.explicitVrLittleEndian`, `TS.jpeg2000Lossless`, … The only
 * place in the code base where a transfer-syntax UID is written.
 */
export const TS = {
  implicitVrLittleEndian: '1.2.840.10008.1.2',
  explicitVrLittleEndian: '1.2.840.10008.1.2.1',
  encapsulatedUncompressed: '1.2.840.10008.1.2.1.98',
  deflatedExplicitVrLittleEndian: '1.2.840.10008.1.2.1.99',
  explicitVrBigEndian: '1.2.840.10008.1.2.2',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegExtended: '1.2.840.10008.1.2.4.51',
  jpegLossless: '1.2.840.10008.1.2.4.57',
  jpegLosslessSv1: '1.2.840.10008.1.2.4.70',
  jpegLsLossless: '1.2.840.10008.1.2.4.80',
  jpegLsNearLossless: '1.2.840.10008.1.2.4.81',
  jpeg2000Lossless: '1.2.840.10008.1.2.4.90',
  jpeg2000: '1.2.840.10008.1.2.4.91',
  htj2kLossless: '1.2.840.10008.1.2.4.201',
  htj2kLosslessRpcl: '1.2.840.10008.1.2.4.202',
  htj2k: '1.2.840.10008.1.2.4.203',
  rleLossless: '1.2.840.10008.1.2.5',
} as const;

export type KnownTransferSyntaxKey = keyof typeof TS;
export type KnownTransferSyntaxUid = (typeof TS)[KnownTransferSyntaxKey];

/** The registry entry of a transfer syntax, or `undefined` for a UID PS3.6 does not define. */
export function transferSyntax(uid: string): TransferSyntaxInfo | undefined {
  return BY_UID.get(uid.replace(/\0+$/, '').trim());
}

/** Pixel data is a single contiguous value (Implicit/Explicit LE/BE, Deflated). */
export function isNativeTransferSyntax(uid: string): boolean {
  return transferSyntax(uid)?.pixelEncoding === 'native';
}

/** Pixel data is a sequence of fragments (PS3.5 A.4). */
export function isEncapsulatedTransferSyntax(uid: string): boolean {
  return transferSyntax(uid)?.pixelEncoding === 'encapsulated';
}

/** The encoding may have discarded information (PS3.5 8.2). Unknown UIDs count as lossy. */
export function isLossyTransferSyntax(uid: string): boolean {
  return transferSyntax(uid)?.lossy ?? true;
}

/** How the data set (not the pixels) is coded: what a reader or writer needs to know. */
export interface DatasetEncoding {
  readonly explicitVr: boolean;
  readonly littleEndian: boolean;
  readonly deflated: boolean;
}

/** The data set encoding of a transfer syntax; `undefined` for an unknown UID. */
export function datasetEncoding(uid: string): DatasetEncoding | undefined {
  const ts = transferSyntax(uid);
  if (ts === undefined) return undefined;
  return { explicitVr: ts.explicitVr, littleEndian: ts.byteOrder === 'little', deflated: ts.deflated };
}

// Consistency of TS with the table: a typo in one would show here at module load in every test.
for (const [key, uid] of Object.entries(TS)) {
  if (BY_UID.get(uid)?.key !== key)
    throw new Error(`transfer-syntax registry: TS.${key} does not match the table`);
}
