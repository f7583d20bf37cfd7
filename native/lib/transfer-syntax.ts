/**
 * Transfer syntaxes as this package sees them: thin wrappers over @hnvue/dicom's registry (the
 * one place their UIDs and properties are written). "Encapsulated" here means a syntax a codec
 * is registered for (lib/register.ts registers ours), so callers asking whether we can handle
 * pixel data get the registry's answer, not a second list.
 */
import { codecsFor, isLossyTransferSyntax as registryIsLossy, TS, transferSyntax } from '@hnvue/dicom';

type OurKeys =
  | 'implicitVrLittleEndian'
  | 'explicitVrLittleEndian'
  | 'rleLossless'
  | 'jpegLossless'
  | 'jpegLosslessSv1'
  | 'jpeg2000Lossless'
  | 'jpeg2000'
  | 'jpegBaseline'
  | 'jpegExtended'
  | 'jpegLsLossless'
  | 'jpegLsNearLossless'
  | 'htj2kLossless'
  | 'htj2kLosslessRpcl'
  | 'htj2k';

/** Transfer syntaxes this package reads or writes (PS3.5 Section 10 and Annex A): the registry's. */
export const TransferSyntax: Pick<typeof TS, OurKeys> = {
  implicitVrLittleEndian: TS.implicitVrLittleEndian,
  explicitVrLittleEndian: TS.explicitVrLittleEndian,
  rleLossless: TS.rleLossless,
  /** JPEG Lossless, Non-Hierarchical (Process 14). */
  jpegLossless: TS.jpegLossless,
  /** JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, selection value 1). */
  jpegLosslessSv1: TS.jpegLosslessSv1,
  jpeg2000Lossless: TS.jpeg2000Lossless,
  /** JPEG 2000 (lossy or lossless); we decode it, and encode it only reversibly. */
  jpeg2000: TS.jpeg2000,
  /** JPEG Baseline (Process 1), 8-bit: decoded; encoded only with allowLossy. */
  jpegBaseline: TS.jpegBaseline,
  /** JPEG Extended (Process 2 & 4): 8- and 12-bit streams decoded; 12-bit encoded by the addon only (README "JPEG 12-bit"). */
  jpegExtended: TS.jpegExtended,
  jpegLsLossless: TS.jpegLsLossless,
  /** JPEG-LS near-lossless: decoded; encoded only with allowLossy. */
  jpegLsNearLossless: TS.jpegLsNearLossless,
  htj2kLossless: TS.htj2kLossless,
  /** HTJ2K lossless with RPCL options (RPCL progression, TLM marker, tile-parts per resolution). */
  htj2kLosslessRpcl: TS.htj2kLosslessRpcl,
  /** HTJ2K (lossy or lossless); encoded reversibly, with allowLossy as the syntax is lossy. */
  htj2k: TS.htj2k,
};

export type TransferSyntaxUid = (typeof TransferSyntax)[keyof typeof TransferSyntax];

/**
 * Native pixel data as frames reach this package: one contiguous little-endian value (Implicit
 * or Explicit VR Little Endian). Big endian and deflated data sets are re-encoded to one of
 * those by @hnvue/dicom before their pixels get here.
 */
export function isNativeTransferSyntax(uid: string): boolean {
  const ts = transferSyntax(uid);
  return ts?.pixelEncoding === 'native' && ts.byteOrder === 'little' && !ts.deflated;
}

/**
 * Encapsulated (PS3.5 A.4) and one of ours: a codec of this package is registered for it
 * (whether its backend loaded or not — `codecsFor(uid, 'decode')` says that).
 */
export function isEncapsulatedTransferSyntax(uid: string): boolean {
  return transferSyntax(uid)?.pixelEncoding === 'encapsulated' && codecsFor(uid).length > 0;
}

/** Transfer syntaxes whose encoding may discard information (PS3.5 8.2): the registry's answer. */
export function isLossyTransferSyntax(uid: string): boolean {
  return registryIsLossy(uid);
}
