/** Default values of `DicomServiceOptions` and the constants they are built from (NFR-CFG-01). */
import { HNVUE_IMPLEMENTATION_CLASS_UID, HNVUE_IMPLEMENTATION_VERSION_NAME } from '@hnvue/core';
import { TRANSFER_SYNTAXES, TS } from '@hnvue/dicom';

/**
 * Transfer syntax UIDs the configuration refers to by name: the registry's `TS` (@hnvue/dicom),
 * re-exported for callers of the facade.
 */
export const TRANSFER_SYNTAX: typeof TS = TS;

/**
 * The known lossy (or lossy-content) transfer syntaxes, for display: every syntax the registry
 * marks lossy (PS3.5 8.2) — JPEG Baseline/Extended and the retired lossy processes, JPEG-LS
 * near-lossless, JPEG 2000 and Part 2, MPEG/HEVC, JPEG XL, HTJ2K, JPIP. The configuration check
 * asks the registry's `isLossyTransferSyntax`, which also counts a UID it does not know as lossy.
 */
export const LOSSY_TRANSFER_SYNTAXES: readonly string[] = Object.freeze(
  TRANSFER_SYNTAXES.filter((t) => t.lossy).map((t) => t.uid),
);

/** FR-DICOM-04 order: JPEG 2000 Lossless, JPEG Lossless SV1, Explicit VR LE, Implicit VR LE last. */
export const DEFAULT_STORAGE_TRANSFER_SYNTAXES: readonly string[] = Object.freeze([
  TRANSFER_SYNTAX.jpeg2000Lossless,
  TRANSFER_SYNTAX.jpegLosslessSv1,
  TRANSFER_SYNTAX.explicitVrLittleEndian,
  TRANSFER_SYNTAX.implicitVrLittleEndian,
]);

/** Non-image services (worklist, MPPS, commitment, query, print) only need the uncompressed pair. */
export const DEFAULT_TRANSFER_SYNTAXES: readonly string[] = Object.freeze([
  TRANSFER_SYNTAX.explicitVrLittleEndian,
  TRANSFER_SYNTAX.implicitVrLittleEndian,
]);

/** Our Implementation Class UID and version name (PS3.7 D.3.3.2): @hnvue/core's, shared by every package. */
export const DEFAULT_IMPLEMENTATION_CLASS_UID: string = HNVUE_IMPLEMENTATION_CLASS_UID;
export const DEFAULT_IMPLEMENTATION_VERSION_NAME: string = HNVUE_IMPLEMENTATION_VERSION_NAME;

/** IANA registered port for DICOM ("dicom", 11112): port 104 needs privileges on Linux. */
export const DEFAULT_LISTEN_PORT = 11112;

/** Node's timers hold at most 2^31-1 ms; a larger delay silently fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

export const DEFAULTS = {
  local: {
    bindAddress: '127.0.0.1',
    port: 11112, // DEFAULT_LISTEN_PORT (a literal: isolatedDeclarations)
    maxAssociations: 8,
    strictCallingAe: false,
    // PS3.8 D.1 leaves it to us; 256 KiB keeps the per-PDU overhead of a 50 MB C-STORE negligible.
    maxPduLength: 262_144,
    timeouts: { acseMs: 30_000, dimseMs: 60_000, idleMs: 60_000 },
    tls: { enabled: false, requireClientCertificate: true },
  },
  destination: {
    port: 104,
    // acse 30 s as pynetdicom's and DCMTK's defaults; dimse/idle 60 s, not 30 s, because a PACS
    // may take that long to write a large image before its C-STORE-RSP (pynetdicom #825).
    timeouts: { connectMs: 15_000, acseMs: 30_000, dimseMs: 60_000, idleMs: 60_000 },
    maxPduLength: 262_144,
    allowLossy: false,
    dropImplicitFallback: false,
    pdv: { separateCommandAndDataPdus: false },
    tls: { enabled: false, rejectUnauthorized: true },
  },
  commitment: {
    timeoutMs: 600_000,
    reportOn: 'either',
    reRequest: { maxRequests: 4, backoffMultiplier: 2, onRestart: true },
  },
  associationPool: {
    maxSize: 4,
    acquisitionTimeoutMs: 30_000,
    idleTimeoutMs: 30_000,
    evictionIntervalMs: 10_000,
  },
  queue: { path: 'hnvue-queue.sqlite', initialIntervalMs: 30_000, backoffMultiplier: 2, maxAttempts: 10 },
  tls: { certificateSource: 'pem', minVersion: 'TLSv1.2' },
  logging: { level: 'info' },
} as const;
