import { HnvError, type HnvErrorCode, type HnvErrorOptions, isHnvErrorCode } from '@hnvue/core';

/** Stable codes of @hnvue/queue's own errors; callers switch on these, never on messages. */
export const QUEUE_ERROR_CODES = {
  /** The database file is not a SQLite database, fails `quick_check`, or has an unknown schema. */
  corrupt: 'HNV_ERR_QUEUE_CORRUPT',
  /** Another process (or another queue object) holds the database: two writers would corrupt the spool. */
  locked: 'HNV_ERR_QUEUE_LOCKED',
  /** The database was written by a newer @hnvue/queue (its user_version is above ours). */
  schemaTooNew: 'HNV_ERR_QUEUE_SCHEMA_TOO_NEW',
  /** The queue is closed. */
  closed: 'HNV_ERR_QUEUE_CLOSED',
  /** An item's spool file vanished: its payload cannot be sent again. */
  spoolMissing: 'HNV_ERR_QUEUE_SPOOL_MISSING',
  /** No item with that id, or an operation that its state does not allow. */
  invalidItem: 'HNV_ERR_QUEUE_INVALID_ITEM',
  /** Failed by `discard(id, { failSuccessors: true })`: an earlier item with the same order key was dropped. */
  predecessorDiscarded: 'HNV_ERR_QUEUE_PREDECESSOR_DISCARDED',
  /** A sender failed without any recognisable `code`. */
  delivery: 'HNV_ERR_DELIVERY',
} as const;

export class QueueError extends HnvError {}

/**
 * Thrown by a sender to state explicitly whether the failure may succeed on a later attempt,
 * overriding the catalogue. `code` defaults to HNV_ERR_DELIVERY; pass the underlying code (e.g.
 * 'HNV_ERR_CONNECT') so the queue's history stays searchable. A code of the site's own (not in
 * the catalogue) is kept as `senderCode` for the history, under HNV_ERR_DELIVERY.
 */
export class DeliveryError extends HnvError {
  declare readonly retryable: boolean;
  /** The code the queue's history records: `options.code` as given, else this error's code. */
  readonly senderCode: string;
  constructor(
    message: string,
    options: HnvErrorOptions & { readonly retryable: boolean; readonly code?: HnvErrorCode | (string & {}) },
  ) {
    const code = options.code;
    super(isHnvErrorCode(code) ? code : QUEUE_ERROR_CODES.delivery, message, options);
    this.senderCode = code ?? this.code;
  }
}
