/** Transfer syntaxes this package reads or writes (PS3.5 Section 10 and Annex A). */
export const TransferSyntax = {
  implicitVrLittleEndian: '1.2.840.10008.1.2',
  explicitVrLittleEndian: '1.2.840.10008.1.2.1',
  rleLossless: '1.2.840.10008.1.2.5',
  /** JPEG Lossless, Non-Hierarchical (Process 14). */
  jpegLossless: '1.2.840.10008.1.2.4.57',
  /** JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, selection value 1). */
  jpegLosslessSv1: '1.2.840.10008.1.2.4.70',
  jpeg2000Lossless: '1.2.840.10008.1.2.4.90',
  /** JPEG 2000 (lossy or lossless); we decode it, and encode it only reversibly. */
  jpeg2000: '1.2.840.10008.1.2.4.91',
} as const;

export type TransferSyntaxUid = (typeof TransferSyntax)[keyof typeof TransferSyntax];

/** Native (uncompressed) transfer syntaxes: pixel data is one contiguous value, not fragments. */
export function isNativeTransferSyntax(uid: string): boolean {
  return uid === TransferSyntax.implicitVrLittleEndian || uid === TransferSyntax.explicitVrLittleEndian;
}

/** Encapsulated transfer syntaxes (PS3.5 A.4): pixel data is a sequence of fragments. */
export function isEncapsulatedTransferSyntax(uid: string): boolean {
  return (
    uid === TransferSyntax.rleLossless ||
    uid === TransferSyntax.jpegLossless ||
    uid === TransferSyntax.jpegLosslessSv1 ||
    uid === TransferSyntax.jpeg2000Lossless ||
    uid === TransferSyntax.jpeg2000
  );
}

/** Transfer syntaxes whose encoding may discard information (PS3.5 8.2). */
export function isLossyTransferSyntax(uid: string): boolean {
  return uid === TransferSyntax.jpeg2000;
}
