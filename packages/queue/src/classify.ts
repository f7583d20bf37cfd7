import { errorCategory, isHnvErrorCode, isPermanentDimseStatus, isRetryable } from '@hnvue/core';
import { QUEUE_ERROR_CODES } from './errors.js';

export { isPermanentDimseStatus };

/** What the queue does with a failed attempt: try again later, or FAILED at once. */
export interface FailureClass {
  readonly retryable: boolean;
  /** Stable code stored in the item's `lastErrorCode` (the error's own `code` when it has one). */
  readonly code: string;
  /** A PHI-free, human-readable reason stored in `lastErrorReason`. */
  readonly reason: string;
}

export type FailureClassifier = (err: unknown) => FailureClass;

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

/** The message of an error, cut short; senders keep PHI out of messages (NFR-SEC-01). */
function messageOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}

/**
 * The default classifier. An error's own `retryable` boolean decides: every HnvError carries the
 * catalogue's answer for its code (refined where it was thrown, e.g. by the A-ASSOCIATE-RJ result
 * or the DIMSE status), and a {@link DeliveryError} states it outright. An error-like value
 * without one (another copy of @hnvue/core, a hand-made error) is looked up in the catalogue by
 * its `code`. Anything else is retried, bounded by `maxAttempts`, since a spurious permanent
 * failure loses an image while a spurious retry only costs time.
 */
export const classifyFailure: FailureClassifier = (err) => {
  const senderCode = field(err, 'senderCode');
  const rawCode = typeof senderCode === 'string' ? senderCode : field(err, 'code');
  const code = typeof rawCode === 'string' && rawCode !== '' ? rawCode : QUEUE_ERROR_CODES.delivery;
  const message = messageOf(err);
  const status = field(err, 'status');
  const catalogued = isHnvErrorCode(code);
  // A DIMSE failure names its status in the history (PS3.7 Annex C), whatever decided the retry.
  const reason =
    catalogued && errorCategory(code) === 'dimse' && typeof status === 'number'
      ? `${message} (status ${hex4(status)})`
      : message;
  const explicit =
    typeof err === 'object' && err !== null ? (err as { retryable?: unknown }).retryable : undefined;
  if (typeof explicit === 'boolean') return { retryable: explicit, code, reason };
  if (catalogued) {
    return { retryable: isRetryable(code, { result: field(err, 'result'), status }), code, reason };
  }
  return { retryable: true, code, reason };
};
