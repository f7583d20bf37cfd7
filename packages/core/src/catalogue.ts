/**
 * The one catalogue of HnVue DICOM error codes. Every `HNV_ERR_*` code any package throws is a
 * key here, with the category a caller acts on and whether a later attempt of the same request
 * may succeed. `HnvError` takes both from here where it is thrown; the queue's retry decision
 * and the CLI's exit codes read them and keep no list of codes of their own.
 * packages/core/test/error-catalogue.test.ts checks that this table and the codes used in the
 * source tree are the same set.
 */

/**
 * What kind of failure a code is. A caller picks its reaction from this, not from the code:
 * - `config`: the configuration or the environment is wrong (fix it, then start again);
 * - `usage`: a bad command line;
 * - `input`: the caller's input (a file, an argument, a typed object) cannot be used;
 * - `data`: a data set or text whose bytes cannot be read or written in the syntax asked for;
 * - `codec`: pixel data compression or decompression;
 * - `network`: the transport or an established association failed (connect, TLS, timeout, abort);
 * - `association`: the peer refused the association or every presentation context we need;
 * - `dimse`: the peer answered a DIMSE failure status;
 * - `queue`: the transmission queue's own database or items;
 * - `state`: an operation the object's current state does not allow (a bug in the caller);
 * - `partial`: part of a batch failed, the rest was done;
 * - `internal`: a code that is not in the catalogue, which only an untyped caller can pass.
 */
export type ErrorCategory =
  | 'config'
  | 'usage'
  | 'input'
  | 'data'
  | 'codec'
  | 'network'
  | 'association'
  | 'dimse'
  | 'queue'
  | 'state'
  | 'partial'
  | 'internal';

export interface ErrorSpec {
  readonly category: ErrorCategory;
  /**
   * Whether the same request may succeed later without anyone changing it. For
   * HNV_ERR_ASSOC_REJECTED and HNV_ERR_DIMSE_FAILURE this is the default when the wire field
   * that decides is unknown; {@link isRetryable} reads that field.
   */
  readonly retryable: boolean;
}

/** Every code an HnVue error can carry. A code missing here does not type-check. */
export type HnvErrorCode =
  // @hnvue/core
  | 'HNV_ERR_CONFIG'
  // @hnvue/uid
  | 'HNV_ERR_UID_INVALID'
  | 'HNV_ERR_UID_NO_ROOM'
  | 'HNV_ERR_UID_CONFIG'
  | 'HNV_ERR_UID_CLOCK'
  | 'HNV_ERR_UID_EXHAUSTED'
  // @hnvue/dicom
  | 'HNV_ERR_DATASET'
  | 'HNV_ERR_CHARSET'
  | 'HNV_ERR_PART10'
  | 'HNV_ERR_PART10_TRUNCATED'
  | 'HNV_ERR_STORE_DATASET'
  | 'HNV_ERR_STORE_TRANSCODE'
  // @hnvue/native
  | 'HNV_ERR_CODEC_CORRUPT'
  | 'HNV_ERR_CODEC_UNSUPPORTED'
  | 'HNV_ERR_CODEC_UNAVAILABLE'
  | 'HNV_ERR_LOSSY_NOT_ALLOWED'
  | 'HNV_ERR_CODEC_INVALID_ARGUMENT'
  | 'HNV_ERR_CODEC_RESOURCE'
  | 'HNV_ERR_CODEC_INTERNAL'
  // @hnvue/iod
  | 'HNV_ERR_IOD_INVALID'
  | 'HNV_ERR_IOD_INPUT'
  | 'HNV_ERR_IOD_CHARSET'
  | 'HNV_ERR_IOD_WRITE'
  | 'HNV_ERR_PRINT_PREPARE'
  // @hnvue/net
  | 'HNV_ERR_CONNECT'
  | 'HNV_ERR_TIMEOUT'
  | 'HNV_ERR_TLS'
  | 'HNV_ERR_ASSOC_ABORTED'
  | 'HNV_ERR_ASSOC_CLOSED'
  | 'HNV_ERR_PDU_DECODE'
  | 'HNV_ERR_PROTOCOL'
  | 'HNV_ERR_DIMSE_DECODE'
  | 'HNV_ERR_POOL_EXHAUSTED'
  | 'HNV_ERR_POOL_CLOSED'
  | 'HNV_ERR_CANCELLED'
  | 'HNV_ERR_ASSOC_REJECTED'
  | 'HNV_ERR_NO_PRESENTATION_CONTEXT'
  | 'HNV_ERR_ROLE_NOT_ACCEPTED'
  | 'HNV_ERR_DIMSE_FAILURE'
  | 'HNV_ERR_INVALID_ARGUMENT'
  | 'HNV_ERR_MPPS_STATE'
  | 'HNV_ERR_COMMITMENT'
  | 'HNV_ERR_PRINT_STATE'
  | 'HNV_ERR_PRINT_REJECTED'
  | 'HNV_ERR_PRINTER_FAILURE'
  // @hnvue/queue
  | 'HNV_ERR_QUEUE_CORRUPT'
  | 'HNV_ERR_QUEUE_LOCKED'
  | 'HNV_ERR_QUEUE_SCHEMA_TOO_NEW'
  | 'HNV_ERR_QUEUE_CLOSED'
  | 'HNV_ERR_QUEUE_SPOOL_MISSING'
  | 'HNV_ERR_QUEUE_INVALID_ITEM'
  | 'HNV_ERR_QUEUE_PREDECESSOR_DISCARDED'
  | 'HNV_ERR_DELIVERY'
  // @hnvue/facade
  | 'HNV_ERR_NOT_CONFIGURED'
  | 'HNV_ERR_NOT_RUNNING'
  | 'HNV_ERR_PROCEDURE'
  // @hnvue/cli
  | 'HNV_ERR_USAGE'
  | 'HNV_ERR_INPUT'
  | 'HNV_ERR_PARTIAL'
  | 'HNV_ERR_RENDER';

export const ERROR_CATALOGUE: Readonly<Record<HnvErrorCode, ErrorSpec>> = {
  // @hnvue/core
  HNV_ERR_CONFIG: { category: 'config', retryable: false },

  // @hnvue/uid
  HNV_ERR_UID_INVALID: { category: 'input', retryable: false },
  HNV_ERR_UID_NO_ROOM: { category: 'config', retryable: false },
  HNV_ERR_UID_CONFIG: { category: 'config', retryable: false },
  HNV_ERR_UID_CLOCK: { category: 'config', retryable: false },
  HNV_ERR_UID_EXHAUSTED: { category: 'state', retryable: false },

  // @hnvue/dicom
  HNV_ERR_DATASET: { category: 'data', retryable: false },
  HNV_ERR_CHARSET: { category: 'data', retryable: false },
  HNV_ERR_PART10: { category: 'input', retryable: false },
  HNV_ERR_PART10_TRUNCATED: { category: 'input', retryable: false },
  HNV_ERR_STORE_DATASET: { category: 'data', retryable: false },
  HNV_ERR_STORE_TRANSCODE: { category: 'data', retryable: false },

  // @hnvue/native
  HNV_ERR_CODEC_CORRUPT: { category: 'codec', retryable: false },
  HNV_ERR_CODEC_UNSUPPORTED: { category: 'codec', retryable: false },
  HNV_ERR_CODEC_UNAVAILABLE: { category: 'codec', retryable: false },
  HNV_ERR_LOSSY_NOT_ALLOWED: { category: 'codec', retryable: false },
  HNV_ERR_CODEC_INVALID_ARGUMENT: { category: 'codec', retryable: false },
  // An allocation that failed may succeed once memory is free again.
  HNV_ERR_CODEC_RESOURCE: { category: 'codec', retryable: true },
  HNV_ERR_CODEC_INTERNAL: { category: 'codec', retryable: false },

  // @hnvue/iod
  HNV_ERR_IOD_INVALID: { category: 'input', retryable: false },
  HNV_ERR_IOD_INPUT: { category: 'input', retryable: false },
  HNV_ERR_IOD_CHARSET: { category: 'input', retryable: false },
  HNV_ERR_IOD_WRITE: { category: 'data', retryable: false },
  // An image that cannot be prepared for a print image box (no native pixels, colour, bad geometry).
  HNV_ERR_PRINT_PREPARE: { category: 'input', retryable: false },

  // @hnvue/net: the transport and an association that broke once established.
  HNV_ERR_CONNECT: { category: 'network', retryable: true },
  HNV_ERR_TIMEOUT: { category: 'network', retryable: true },
  HNV_ERR_TLS: { category: 'network', retryable: true },
  HNV_ERR_ASSOC_ABORTED: { category: 'network', retryable: true },
  HNV_ERR_ASSOC_CLOSED: { category: 'network', retryable: true },
  // A peer that sent bytes we cannot frame or a DIMSE sequence out of order: the association is
  // aborted, and a new one may go well (a restarted or reconfigured peer).
  HNV_ERR_PDU_DECODE: { category: 'network', retryable: true },
  HNV_ERR_PROTOCOL: { category: 'network', retryable: true },
  HNV_ERR_DIMSE_DECODE: { category: 'network', retryable: true },
  HNV_ERR_POOL_EXHAUSTED: { category: 'network', retryable: true },
  HNV_ERR_POOL_CLOSED: { category: 'network', retryable: true },
  // Our own AbortSignal (the queue stopping): the work was not done and may be done later.
  HNV_ERR_CANCELLED: { category: 'network', retryable: true },
  // @hnvue/net: negotiation. A-ASSOCIATE-RJ rejected-transient is retried (see isRetryable).
  HNV_ERR_ASSOC_REJECTED: { category: 'association', retryable: true },
  HNV_ERR_NO_PRESENTATION_CONTEXT: { category: 'association', retryable: false },
  // The SCP refused the SCP/SCU role a C-GET needs for a storage SOP class (PS3.7 D.3.3.4).
  HNV_ERR_ROLE_NOT_ACCEPTED: { category: 'association', retryable: false },
  // @hnvue/net: a failure status; retried unless the status says the request itself is wrong.
  HNV_ERR_DIMSE_FAILURE: { category: 'dimse', retryable: true },
  HNV_ERR_INVALID_ARGUMENT: { category: 'input', retryable: false },
  HNV_ERR_MPPS_STATE: { category: 'state', retryable: false },
  HNV_ERR_COMMITMENT: { category: 'config', retryable: false },
  // Print management (FR-DICOM-11): an operation out of order (a caller bug), and a printer that
  // refused what we sent (an image depth, a format or film size it does not offer).
  HNV_ERR_PRINT_STATE: { category: 'state', retryable: false },
  HNV_ERR_PRINT_REJECTED: { category: 'dimse', retryable: false },
  // Printer Status FAILURE (FILM JAM, SUPPLY EMPTY…): the printer's state, cleared by an operator.
  HNV_ERR_PRINTER_FAILURE: { category: 'dimse', retryable: true },

  // @hnvue/queue
  HNV_ERR_QUEUE_CORRUPT: { category: 'queue', retryable: false },
  // Another process holds the database; it may let go.
  HNV_ERR_QUEUE_LOCKED: { category: 'queue', retryable: true },
  HNV_ERR_QUEUE_SCHEMA_TOO_NEW: { category: 'queue', retryable: false },
  HNV_ERR_QUEUE_CLOSED: { category: 'queue', retryable: false },
  HNV_ERR_QUEUE_SPOOL_MISSING: { category: 'queue', retryable: false },
  HNV_ERR_QUEUE_INVALID_ITEM: { category: 'queue', retryable: false },
  HNV_ERR_QUEUE_PREDECESSOR_DISCARDED: { category: 'queue', retryable: false },
  // A sender failed with nothing recognisable: retried, bounded by maxAttempts, since a spurious
  // permanent failure loses an image while a spurious retry only costs time.
  HNV_ERR_DELIVERY: { category: 'queue', retryable: true },

  // @hnvue/facade
  HNV_ERR_NOT_CONFIGURED: { category: 'config', retryable: false },
  HNV_ERR_NOT_RUNNING: { category: 'state', retryable: false },
  HNV_ERR_PROCEDURE: { category: 'state', retryable: false },

  // @hnvue/cli
  HNV_ERR_USAGE: { category: 'usage', retryable: false },
  HNV_ERR_INPUT: { category: 'input', retryable: false },
  HNV_ERR_PARTIAL: { category: 'partial', retryable: false },
  HNV_ERR_RENDER: { category: 'input', retryable: false },
};

/** What an uncatalogued code gets at run time: internal, retried like any unknown failure. */
const UNCATALOGUED: ErrorSpec = { category: 'internal', retryable: true };

/** The catalogue's entry for `code`; {@link UNCATALOGUED} for a code an untyped caller made up. */
export function errorSpec(code: HnvErrorCode): ErrorSpec {
  return Object.hasOwn(ERROR_CATALOGUE, code) ? ERROR_CATALOGUE[code] : UNCATALOGUED;
}

/** True when `code` is a catalogued code (for values read from a log, a database or a duck-typed error). */
export function isHnvErrorCode(code: unknown): code is HnvErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CATALOGUE, code);
}

/** The category of a catalogued code. */
export function errorCategory(code: HnvErrorCode): ErrorCategory {
  return errorSpec(code).category;
}

/**
 * DIMSE failure statuses that cannot succeed on retry. PS3.4 Annex B.2.3 (C-STORE): A9xx data
 * set does not match SOP class, Cxxx cannot understand; PS3.7 Annex C: 0x0122 SOP class not
 * supported. A7xx (out of resources) is the SCP's transient state, so it is retried.
 */
export function isPermanentDimseStatus(status: number): boolean {
  if ((status & 0xff00) === 0xa700) return false;
  return (status & 0xff00) === 0xa900 || (status & 0xf000) === 0xc000 || status === 0x0122;
}

/** The wire fields that refine retryability: A-ASSOCIATE-RJ `result`, a DIMSE `status`. */
export interface RetryFields {
  readonly result?: unknown;
  readonly status?: unknown;
}

/**
 * Whether an error with this code (and these wire fields) may succeed on a later attempt:
 * A-ASSOCIATE-RJ result 1 is rejected-permanent, 2 rejected-transient (PS3.8 Table 9-21); a DIMSE
 * failure status by {@link isPermanentDimseStatus}; every other code as catalogued.
 */
export function isRetryable(code: HnvErrorCode, fields: RetryFields = {}): boolean {
  if (code === 'HNV_ERR_ASSOC_REJECTED' && fields.result !== undefined) return fields.result !== 1;
  if (code === 'HNV_ERR_DIMSE_FAILURE' && typeof fields.status === 'number') {
    return !isPermanentDimseStatus(fields.status);
  }
  return errorSpec(code).retryable;
}
