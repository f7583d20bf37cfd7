import { QUEUE_ERROR_CODES } from './errors.js';

/** What the queue does with a failed attempt: try again later, or FAILED at once. */
export interface FailureClass {
  readonly retryable: boolean;
  /** Stable code stored in the item's `lastErrorCode` (the error's own `code` when it has one). */
  readonly code: string;
  /** A PHI-free, human-readable reason stored in `lastErrorReason`. */
  readonly reason: string;
}

export type FailureClassifier = (err: unknown) => FailureClass;

// Errors whose cause is outside the request: the peer or the network may recover.
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'PoolExhausted',
  'HNV_ERR_CONNECT',
  'HNV_ERR_TIMEOUT',
  'HNV_ERR_ASSOC_ABORTED',
  'HNV_ERR_ASSOC_CLOSED',
  'HNV_ERR_POOL_CLOSED',
  'HNV_ERR_CANCELLED',
  'HNV_ERR_PDU_DECODE',
  'HNV_ERR_PROTOCOL',
  'HNV_ERR_TLS',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

// The peer will refuse this request however often it is repeated.
const PERMANENT_CODES: ReadonlySet<string> = new Set([
  'HNV_ERR_NO_PRESENTATION_CONTEXT',
  'HNV_ERR_INVALID_ARGUMENT',
  QUEUE_ERROR_CODES.spoolMissing,
]);

function field(err: unknown, name: string): unknown {
  if (typeof err !== 'object' || err === null) return undefined;
  const direct = (err as Record<string, unknown>)[name];
  if (direct !== undefined) return direct;
  const details = (err as { details?: unknown }).details;
  return typeof details === 'object' && details !== null
    ? (details as Record<string, unknown>)[name]
    : undefined;
}

function hex4(status: number): string {
  return `0x${status.toString(16).toUpperCase().padStart(4, '0')}`;
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

/** The message of an error, cut short; senders keep PHI out of messages (NFR-SEC-01). */
function messageOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}

/**
 * The default classifier: an explicit `retryable` boolean (a {@link DeliveryError}) wins;
 * otherwise the error's stable `code` decides. Unknown errors are retried, bounded by
 * `maxAttempts`, since a spurious permanent failure loses an image while a spurious retry only
 * costs time.
 */
export const classifyFailure: FailureClassifier = (err) => {
  const rawCode = field(err, 'code');
  const code = typeof rawCode === 'string' && rawCode !== '' ? rawCode : QUEUE_ERROR_CODES.delivery;
  const reason = messageOf(err);
  const explicit =
    typeof err === 'object' && err !== null ? (err as { retryable?: unknown }).retryable : undefined;
  if (typeof explicit === 'boolean') return { retryable: explicit, code, reason };
  if (code === 'HNV_ERR_ASSOC_REJECTED') {
    // PS3.8 Table 9-21: result 1 = rejected-permanent, 2 = rejected-transient.
    return { retryable: field(err, 'result') !== 1, code, reason };
  }
  if (code === 'HNV_ERR_DIMSE_FAILURE') {
    const status = field(err, 'status');
    if (typeof status === 'number') {
      return {
        retryable: !isPermanentDimseStatus(status),
        code,
        reason: `${reason} (status ${hex4(status)})`,
      };
    }
    return { retryable: true, code, reason };
  }
  if (PERMANENT_CODES.has(code)) return { retryable: false, code, reason };
  if (TRANSIENT_CODES.has(code)) return { retryable: true, code, reason };
  return { retryable: true, code, reason };
};
