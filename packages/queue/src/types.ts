/**
 * What a queued operation asks the destination to do; the payload lives in the spool file.
 * `print`: one Basic Grayscale Print job (FR-DICOM-11), its films and prepared image boxes.
 */
export const QUEUE_KINDS = ['c-store', 'mpps-create', 'mpps-set', 'storage-commitment', 'print'] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];

/**
 * NFR-REL-01 life cycle: PENDING → IN_PROGRESS → DONE, or → RETRYING → IN_PROGRESS … until
 * DONE or FAILED. FAILED is terminal: kept, never retried automatically (see `requeue`).
 */
export const QUEUE_STATES = ['PENDING', 'IN_PROGRESS', 'RETRYING', 'DONE', 'FAILED'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** One queued operation. Only what delivery needs: no patient data (NFR-SEC-01). */
export interface QueueItem {
  readonly id: number;
  readonly kind: QueueKind;
  /** Destination name as configured in the facade (e.g. 'PACS'), not a host. */
  readonly destination: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  /** Payload size in bytes. */
  readonly size: number;
  /** Higher first; equal priorities go oldest first. */
  readonly priority: number;
  readonly state: QueueState;
  readonly attemptCount: number;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly lastAttemptAt: number | null;
  /** When the item is next due (PENDING/RETRYING); epoch ms. */
  readonly nextAttemptAt: number;
  readonly lastErrorCode: string | null;
  readonly lastErrorReason: string | null;
  readonly completedAt: number | null;
  /** Absolute path of the spool file holding the payload (a DICOM file for C-STORE). */
  readonly path: string;
  /** Items sharing an order key are delivered one at a time, in enqueue order (MPPS N-CREATE, N-SET). */
  readonly orderKey: string | null;
}

export const ATTEMPT_OUTCOMES = ['in-progress', 'delivered', 'retry', 'failed', 'interrupted'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** One delivery attempt, kept so retries stay visible in history. */
export interface AttemptRecord {
  readonly itemId: number;
  /** 1-based attempt number for this item. */
  readonly attempt: number;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly outcome: AttemptOutcome;
  readonly errorCode: string | null;
  readonly errorReason: string | null;
}

export type StateCounts = Record<QueueState, number>;

export interface QueueCounts {
  readonly total: StateCounts;
  readonly byDestination: Readonly<Record<string, StateCounts>>;
}
