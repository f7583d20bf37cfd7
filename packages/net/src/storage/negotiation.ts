/**
 * Transfer syntax negotiation for C-STORE (FR-DICOM-04, PS3.4 B.3, PS3.8 9.3.2.2): per SOP class,
 * one presentation context per transfer syntax (the image's own, then the destination's list,
 * Implicit VR LE last), so that the acceptor's answer shows exactly which syntaxes it takes; then
 * the choice of the one to send in: the image's own when accepted (bytes sent unchanged), else the
 * first accepted one of the destination's list we can transcode to.
 */
import { datasetEncoding, type KnownSopClassUid, SOP_CLASS, TS } from '@hnvue/dicom';
import type { NegotiatedContext, ProposedContext, SupportedContext } from '../acse/negotiate.js';
import { InvalidArgumentError } from '../errors.js';
import { canTranscode } from './transcode.js';

/** The transfer syntaxes the storage service names: the registry's own table (kept under this name for callers). */
export const STORE_TRANSFER_SYNTAX: typeof TS = TS;

/** The default proposal after the image's own syntax (FR-DICOM-04), Implicit VR LE last. */
export const DEFAULT_STORE_TRANSFER_SYNTAXES: readonly string[] = [
  STORE_TRANSFER_SYNTAX.jpeg2000Lossless,
  STORE_TRANSFER_SYNTAX.jpegLosslessSv1,
  STORE_TRANSFER_SYNTAX.explicitVrLittleEndian,
  STORE_TRANSFER_SYNTAX.implicitVrLittleEndian,
];

/** The short names callers know for the storage SOP classes below. */
export type StorageSopClassName =
  | 'computedRadiography'
  | 'digitalXRayForPresentation'
  | 'digitalXRayForProcessing'
  | 'digitalMammographyForPresentation'
  | 'digitalMammographyForProcessing'
  | 'digitalIntraOralForPresentation'
  | 'ct'
  | 'enhancedCt'
  | 'ultrasoundMultiFrame'
  | 'mr'
  | 'enhancedMr'
  | 'ultrasound'
  | 'secondaryCapture'
  | 'multiFrameGrayscaleWordSecondaryCapture'
  | 'xRayAngiographic'
  | 'xRayRadiofluoroscopic'
  | 'nuclearMedicine'
  | 'vlPhotographic'
  | 'grayscaleSoftcopyPresentationState'
  | 'basicTextSr'
  | 'enhancedSr'
  | 'comprehensiveSr'
  | 'keyObjectSelection'
  | 'xRayRadiationDoseSr'
  | 'encapsulatedPdf'
  | 'positronEmissionTomography'
  | 'rtImage';

/**
 * Storage SOP classes (PS3.4 B.5) an X-ray console sends and receives, under the short names
 * callers know; the UIDs are the registry's (`SOP_CLASS`).
 */
export const STORAGE_SOP_CLASS: Readonly<Record<StorageSopClassName, KnownSopClassUid>> = {
  computedRadiography: SOP_CLASS.computedRadiographyImageStorage,
  digitalXRayForPresentation: SOP_CLASS.digitalXRayImageStorageForPresentation,
  digitalXRayForProcessing: SOP_CLASS.digitalXRayImageStorageForProcessing,
  digitalMammographyForPresentation: SOP_CLASS.digitalMammographyXRayImageStorageForPresentation,
  digitalMammographyForProcessing: SOP_CLASS.digitalMammographyXRayImageStorageForProcessing,
  digitalIntraOralForPresentation: SOP_CLASS.digitalIntraOralXRayImageStorageForPresentation,
  ct: SOP_CLASS.ctImageStorage,
  enhancedCt: SOP_CLASS.enhancedCtImageStorage,
  ultrasoundMultiFrame: SOP_CLASS.ultrasoundMultiFrameImageStorage,
  mr: SOP_CLASS.mrImageStorage,
  enhancedMr: SOP_CLASS.enhancedMrImageStorage,
  ultrasound: SOP_CLASS.ultrasoundImageStorage,
  secondaryCapture: SOP_CLASS.secondaryCaptureImageStorage,
  multiFrameGrayscaleWordSecondaryCapture: SOP_CLASS.multiFrameGrayscaleWordSecondaryCaptureImageStorage,
  xRayAngiographic: SOP_CLASS.xRayAngiographicImageStorage,
  xRayRadiofluoroscopic: SOP_CLASS.xRayRadiofluoroscopicImageStorage,
  nuclearMedicine: SOP_CLASS.nuclearMedicineImageStorage,
  vlPhotographic: SOP_CLASS.vlPhotographicImageStorage,
  grayscaleSoftcopyPresentationState: SOP_CLASS.grayscaleSoftcopyPresentationStateStorage,
  basicTextSr: SOP_CLASS.basicTextSrStorage,
  enhancedSr: SOP_CLASS.enhancedSrStorage,
  comprehensiveSr: SOP_CLASS.comprehensiveSrStorage,
  keyObjectSelection: SOP_CLASS.keyObjectSelectionDocumentStorage,
  xRayRadiationDoseSr: SOP_CLASS.xRayRadiationDoseSrStorage,
  encapsulatedPdf: SOP_CLASS.encapsulatedPdfStorage,
  positronEmissionTomography: SOP_CLASS.positronEmissionTomographyImageStorage,
  rtImage: SOP_CLASS.rtImageStorage,
};

/** What a storage SCU proposes by default: the console's own objects (DX, CR, GSPS, dose SR…). */
export const DEFAULT_STORE_SOP_CLASSES: readonly string[] = [
  STORAGE_SOP_CLASS.digitalXRayForPresentation,
  STORAGE_SOP_CLASS.digitalXRayForProcessing,
  STORAGE_SOP_CLASS.computedRadiography,
  STORAGE_SOP_CLASS.secondaryCapture,
  STORAGE_SOP_CLASS.grayscaleSoftcopyPresentationState,
  STORAGE_SOP_CLASS.xRayRadiationDoseSr,
  STORAGE_SOP_CLASS.keyObjectSelection,
  STORAGE_SOP_CLASS.enhancedSr,
  STORAGE_SOP_CLASS.comprehensiveSr,
];

/** What our storage SCP accepts by default: every class above (priors come in all modalities). */
export const DEFAULT_SCP_SOP_CLASSES: readonly string[] = Object.values(STORAGE_SOP_CLASS);

/**
 * The SCP's transfer syntaxes in preference order, for storing what arrives as it was sent. A
 * requestor lists its object's own syntax in the context (storescu -R: [JPEG, Explicit, Implicit]);
 * putting the lossless compressed ones first keeps that choice, where Explicit first would force
 * the sender to decompress (DCMTK's storescu then fails when it has no decoder). Lossy syntaxes
 * come after Explicit VR LE, so an uncompressed image is never accepted for lossy compression;
 * Implicit VR LE, the default every SCP takes (PS3.5 10.1), comes next; Explicit VR Big Endian
 * (retired) only after it, for a sender that proposes nothing else: storescu offers [BE, Implicit]
 * in one context, and an Implicit VR file must not arrive converted to Big Endian. Deflated and
 * Big Endian data sets are stored as they arrive.
 */
export const DEFAULT_SCP_TRANSFER_SYNTAXES: readonly string[] = [
  STORE_TRANSFER_SYNTAX.jpeg2000Lossless,
  STORE_TRANSFER_SYNTAX.jpegLosslessSv1,
  STORE_TRANSFER_SYNTAX.jpegLossless,
  STORE_TRANSFER_SYNTAX.jpegLsLossless,
  STORE_TRANSFER_SYNTAX.rleLossless,
  STORE_TRANSFER_SYNTAX.explicitVrLittleEndian,
  STORE_TRANSFER_SYNTAX.deflatedExplicitVrLittleEndian,
  STORE_TRANSFER_SYNTAX.jpeg2000,
  STORE_TRANSFER_SYNTAX.jpegBaseline,
  STORE_TRANSFER_SYNTAX.jpegExtended,
  STORE_TRANSFER_SYNTAX.jpegLsNearLossless,
  STORE_TRANSFER_SYNTAX.implicitVrLittleEndian,
  STORE_TRANSFER_SYNTAX.explicitVrBigEndian,
];

/** A destination's transfer syntax settings (NFR-CFG-01 `pacs.transferSyntaxes`…). */
export interface TransferSyntaxPolicy {
  /** Proposed after the image's own, in preference order. Default DEFAULT_STORE_TRANSFER_SYNTAXES. */
  readonly transferSyntaxes?: readonly string[];
  /**
   * Append Implicit VR LE (the one every SCP must accept, PS3.5 10.1) when the list lacks it.
   * Default true; false for picky peers (fo-dicom #934, #1475).
   */
  readonly proposeImplicit?: boolean;
  /** Allow transcoding to a lossy syntax (PS3.5 8.2). Default false. */
  readonly allowLossy?: boolean;
}

/** The transfer syntaxes proposed for an object in `own` syntax: own first, then the list. */
export function proposedTransferSyntaxes(
  own: string | undefined,
  policy: TransferSyntaxPolicy = {},
): string[] {
  const list = [...(own ? [own] : []), ...(policy.transferSyntaxes ?? DEFAULT_STORE_TRANSFER_SYNTAXES)];
  if (policy.proposeImplicit !== false) {
    const i = list.indexOf(STORE_TRANSFER_SYNTAX.implicitVrLittleEndian);
    if (i >= 0 && own !== STORE_TRANSFER_SYNTAX.implicitVrLittleEndian) list.splice(i, 1);
    list.push(STORE_TRANSFER_SYNTAX.implicitVrLittleEndian);
  }
  return [...new Set(list)];
}

/** An object to store, as far as negotiation cares. */
export interface StorageKind {
  readonly sopClassUid: string;
  readonly transferSyntax?: string | undefined;
}

/** Big Endian or deflated: a native syntax whose data set is re-encoded for most peers. */
function needsLittleEndianFallback(uid: string): boolean {
  const enc = datasetEncoding(uid);
  return enc !== undefined && (!enc.littleEndian || enc.deflated);
}

/** PS3.8 9.3.2.2: presentation context IDs are odd numbers 1–255, so at most 128 contexts. */
const MAX_CONTEXTS = 128;

/**
 * Presentation contexts for storing `kinds`: per SOP class, one context per transfer syntax (each
 * object's own first), so each acceptance names one syntax the SCP takes. Throws
 * InvalidArgumentError past 128 contexts (then send in several associations).
 */
export function storageContexts(
  kinds: readonly StorageKind[],
  policy: TransferSyntaxPolicy = {},
): ProposedContext[] {
  const bySopClass = new Map<string, string[]>();
  for (const kind of kinds) {
    const list = bySopClass.get(kind.sopClassUid) ?? [];
    if (kind.transferSyntax && !list.includes(kind.transferSyntax)) list.push(kind.transferSyntax);
    bySopClass.set(kind.sopClassUid, list);
  }
  const contexts: ProposedContext[] = [];
  for (const [sopClassUid, owns] of bySopClass) {
    const syntaxes = new Set<string>();
    for (const own of owns) syntaxes.add(own);
    // A Big Endian or deflated object is re-encoded to Explicit VR LE when its own syntax is
    // refused (peers that take neither are common): propose it even when the policy lists none.
    if (owns.some(needsLittleEndianFallback)) syntaxes.add(STORE_TRANSFER_SYNTAX.explicitVrLittleEndian);
    for (const ts of proposedTransferSyntaxes(undefined, policy)) syntaxes.add(ts);
    for (const ts of syntaxes) contexts.push({ abstractSyntax: sopClassUid, transferSyntaxes: [ts] });
  }
  if (contexts.length > MAX_CONTEXTS) {
    throw new InvalidArgumentError(
      `storing these objects needs ${contexts.length} presentation contexts, more than the 128 one association carries`,
      { details: { contexts: contexts.length, sopClasses: bySopClass.size } },
    );
  }
  return contexts;
}

/** Acceptor contexts for a storage SCP: each SOP class with the accepted syntaxes in our order. */
export function storageSupportedContexts(
  sopClasses: readonly string[] = DEFAULT_SCP_SOP_CLASSES,
  transferSyntaxes: readonly string[] = DEFAULT_SCP_TRANSFER_SYNTAXES,
): SupportedContext[] {
  return sopClasses.map((abstractSyntax) => ({ abstractSyntax, transferSyntaxes }));
}

/** How an object will travel: in its own syntax, or transcoded to another accepted one. */
export type TransferPlan =
  | { readonly kind: 'asIs'; readonly transferSyntax: string }
  | { readonly kind: 'transcode'; readonly transferSyntax: string; readonly candidates: readonly string[] };

/**
 * Picks the syntax to send an object of `sopClassUid` in `own` syntax: its own when accepted,
 * else the accepted syntaxes we can transcode to, in the destination's order (Implicit last).
 * Undefined when nothing accepted is usable.
 */
export function planTransfer(
  accepted: readonly NegotiatedContext[],
  sopClassUid: string,
  own: string,
  policy: TransferSyntaxPolicy = {},
): TransferPlan | undefined {
  const syntaxes = new Set(
    accepted.filter((c) => c.abstractSyntax === sopClassUid).map((c) => c.transferSyntax),
  );
  if (syntaxes.has(own)) return { kind: 'asIs', transferSyntax: own };
  const order = proposedTransferSyntaxes(undefined, { ...policy, proposeImplicit: true });
  // Accepted syntaxes outside our list (a context proposed by someone else's policy) come last.
  for (const ts of syntaxes) if (!order.includes(ts)) order.push(ts);
  const candidates = order.filter((ts) => syntaxes.has(ts) && canTranscode(own, ts, policy));
  const first = candidates[0];
  return first === undefined ? undefined : { kind: 'transcode', transferSyntax: first, candidates };
}
