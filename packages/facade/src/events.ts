/**
 * The facade's typed notifications for the UI (many listeners, no return value) and the mapping of
 * queue events onto them. Events carry UIDs and counts, never patient data (NFR-SEC-01).
 */
import type { EventEmitter } from 'node:events';
import type { PrinterStatus, PrintJobStatus } from '@hnvue/net';
import type { QueueCounts, QueueItem, TransmissionQueue } from '@hnvue/queue';
import type { SopRef } from './state.js';

/** A queue item as events show it: identifiers only. */
export interface DeliveryInfo {
  readonly queueItemId: number;
  readonly kind: QueueItem['kind'];
  readonly destination: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly attempt: number;
}

export interface CommitmentInfo {
  readonly transactionUid: string;
  readonly studyInstanceUid: string;
  /** The storage destination (`pacs` or a `storage.<name>`) whose commitment SCP reported. */
  readonly destination: string;
  readonly committed: readonly SopRef[];
  readonly failed: readonly (SopRef & { readonly failureReason: number })[];
}

export interface CommitmentTimeoutInfo {
  readonly transactionUid: string;
  readonly studyInstanceUid: string;
  /** Which request of the commitment timed out (1 the first N-ACTION). */
  readonly request: number;
  /** The last request allowed: the commitment expires. */
  readonly final: boolean;
  /** The storage destination (`pacs` or a `storage.<name>`). */
  readonly destination: string;
}

export interface CommitmentReRequestInfo {
  /** The new request's Transaction UID. */
  readonly transactionUid: string;
  readonly previousTransactionUid: string;
  readonly studyInstanceUid: string;
  /** 2 for the first re-request. */
  readonly request: number;
  readonly maxRequests: number;
  /** `timeout`: no report in time; `restart`: requested by an earlier run, its report may have been lost. */
  readonly reason: 'timeout' | 'restart';
  /** The storage destination (`pacs` or a `storage.<name>`). */
  readonly destination: string;
}

export interface CommitmentExpiredInfo {
  /** The last request's Transaction UID. */
  readonly transactionUid: string;
  /** Every request's Transaction UID, the first first. */
  readonly transactionUids: readonly string[];
  readonly studyInstanceUid: string;
  readonly references: readonly SopRef[];
  /** The storage destination (`pacs` or a `storage.<name>`). */
  readonly destination: string;
}

/** A study every required storage destination holds (committed, or accepted without commitment). */
export interface StudyDeliveredInfo {
  readonly studyInstanceUid: string;
  /** The destinations that hold it now, `pacs` first. */
  readonly destinations: readonly string[];
}

/** Typed notifications for the UI (many listeners, no return value). */
export interface DicomServicesEvents {
  delivered: [info: DeliveryInfo];
  retrying: [info: DeliveryInfo, failure: { readonly code: string; readonly reason: string }];
  failed: [info: DeliveryInfo, failure: { readonly code: string; readonly reason: string }];
  progress: [info: DeliveryInfo, bytesSent: number, bytesTotal: number];
  /** Every reference committed. */
  committed: [info: CommitmentInfo];
  /** The PACS reported failed references (operator notification, FR-DICOM-07). */
  commitmentFailed: [info: CommitmentInfo];
  /**
   * No report for a request within its timeout (`commitment.timeoutMs`, times the back-off): a
   * `commitmentReRequested` follows, or, after the last request (`final`), `commitmentExpired`.
   */
  commitmentTimedOut: [info: CommitmentTimeoutInfo];
  /** A new N-ACTION with a new Transaction UID for a commitment without its report (PS3.4 J.3.3). */
  commitmentReRequested: [info: CommitmentReRequestInfo];
  /**
   * No report for any of the commitment's requests (`commitment.reRequest.maxRequests`): it is no
   * longer pending and the PACS may not hold the study's objects (operator notification, FR-DICOM-07).
   */
  commitmentExpired: [info: CommitmentExpiredInfo];
  /**
   * Every storage destination with `requiredForDelivered` that got objects of the study holds
   * them (committed, or every C-STORE accepted where it has no commitment SCP); once per study.
   */
  studyDelivered: [info: StudyDeliveredInfo];
  /** Queue counts after any change. */
  queueStatus: [counts: QueueCounts];
  /**
   * The printer's status (FR-DICOM-11), as N-GET Printer answered before a print job's films or as
   * an N-EVENT-REPORT during it. FAILURE (`statusInfo` e.g. FILM JAM): the job waits in the queue.
   */
  printerStatus: [info: PrinterStatusInfo];
  /** A Print Job N-EVENT-REPORT from the printer (PENDING, PRINTING, DONE, FAILURE). */
  printJobStatus: [info: PrintJobStatusInfo];
  /** Every film of the print job was printed (the queue's `delivered` follows). */
  printed: [info: PrintedInfo];
}

export interface PrinterStatusInfo {
  /** The print job during which the printer said so. */
  readonly jobId: string;
  readonly status: PrinterStatus;
  /** Printer Status Info (2110,0020): a PS3.3 C.13.9.1 defined term, or ''. */
  readonly statusInfo: string;
  readonly printerName: string | undefined;
}

export interface PrintJobStatusInfo {
  readonly jobId: string;
  readonly printJobUid: string;
  readonly status: PrintJobStatus;
  readonly statusInfo: string;
}

export interface PrintedInfo {
  readonly jobId: string;
  readonly queueItemId: number;
  /** Films printed by this attempt (an earlier, interrupted attempt may have printed the others). */
  readonly films: number;
  /** Image boxes sent as 8 bits because the printer refused 12. */
  readonly convertedTo8Bit: number;
  /** Requests the printer answered with a Warning status. */
  readonly warnings: number;
}

export type FacadeEmitter = Pick<EventEmitter<DicomServicesEvents>, 'emit'>;

export function deliveryInfo(item: QueueItem): DeliveryInfo {
  return {
    queueItemId: item.id,
    kind: item.kind,
    destination: item.destination,
    sopClassUid: item.sopClassUid,
    sopInstanceUid: item.sopInstanceUid,
    attempt: item.attemptCount,
  };
}

/** Maps the queue's events onto the facade's (the bookkeeping is done in the queue's onDelivered). */
export function wireQueueEvents(
  queue: TransmissionQueue,
  emitter: FacadeEmitter,
  current: () => TransmissionQueue | undefined,
): void {
  const status = () => {
    const q = current();
    if (q) emitter.emit('queueStatus', q.counts());
  };
  queue.on('enqueued', status);
  queue.on('progress', (item, sent, total) => emitter.emit('progress', deliveryInfo(item), sent, total));
  queue.on('retrying', (item, f) => {
    emitter.emit('retrying', deliveryInfo(item), { code: f.code, reason: f.reason });
    status();
  });
  queue.on('failed', (item, f) => {
    emitter.emit('failed', deliveryInfo(item), { code: f.code, reason: f.reason });
    status();
  });
  queue.on('delivered', (item) => {
    emitter.emit('delivered', deliveryInfo(item));
    status();
  });
}
