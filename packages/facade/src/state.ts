/**
 * What the facade must remember across restarts, kept as records in the queue's own SQLite
 * database (packages/queue/src/records.ts) and written in the same transaction as the queue item
 * that depends on it (NFR-REL-01), so there is no second store to reconcile at start-up:
 *
 * - `procedure/<MPPS SOP Instance UID>`: a procedure IN PROGRESS, what its N-SET and later
 *   objects need (FR-DICOM-05); written with its N-CREATE, deleted with its N-SET.
 * - `subject/<MPPS SOP Instance UID>`: the worklist slice images copy (patient, accession,
 *   requested procedure). PHI, so it lives exactly as long as its procedure and goes in the same
 *   transaction that ends it (NFR-SEC-01); the queue's spool holds PHI images already.
 * - `study/<Study Instance UID>`: per storage destination (`pacs` at the top level, named ones in
 *   `others`) what was queued, what was delivered and the commitment transaction once queued;
 *   whether the procedure is closed (FR-DICOM-07).
 * - `commitment/<Transaction UID>`: a commitment awaiting its N-EVENT-REPORT, keyed by its latest
 *   request's Transaction UID (the earlier ones of a re-requested commitment listed inside).
 * - `print/<job id>`: how many films of a queued print job the printer has printed (FR-DICOM-11),
 *   so a retry prints only the rest; deleted with the item's DONE.
 */
import type { CharacterSet, SopRef } from '@hnvue/dicom';

export type { SopRef };

/** The record namespaces of the facade in the queue's database. */
export const NS = {
  procedure: 'procedure',
  subject: 'subject',
  study: 'study',
  commitment: 'commitment',
  print: 'print',
  /** Facade bookkeeping (the one-time migration of the earlier state files). */
  meta: 'facade',
} as const;

/** One storage destination's part of a study: what was queued for it, delivered, committed. */
export interface DestinationStudyState {
  readonly references: readonly SopRef[];
  /** SOP Instance UIDs the destination accepted (C-STORE success). */
  readonly delivered: readonly string[];
  /** Transaction UID once the commitment was queued. */
  readonly commitment?: string;
  /** Its commitment report came with every reference committed. */
  readonly committed?: boolean;
}

export interface StudyState extends DestinationStudyState {
  // The top-level part is the `pacs` destination's (the shape of earlier versions).
  /** No more objects will be added (procedure completed or discontinued). */
  readonly closed: boolean;
  /** The parts of the named storage destinations (`storage.<name>`), by name. */
  readonly others?: Readonly<Record<string, DestinationStudyState>>;
  /** `studyDelivered` was announced. */
  readonly deliveredAnnounced?: boolean;
}

export interface PendingCommitmentState {
  readonly studyInstanceUid: string;
  /** The storage destination whose commitment SCP was asked; absent: `pacs`. */
  readonly destination?: string;
  readonly references: readonly SopRef[];
  /** Epoch ms of the N-ACTION. */
  readonly requestedAt: number;
  /** Written by earlier versions, which kept a timed-out commitment pending; read as "ask again". */
  readonly timedOut: boolean;
  /** Which N-ACTION of the study this is: 1 the first, n its (n−1)th re-request. Absent: 1. */
  readonly request?: number;
  /** Epoch ms of the N-ACTION-RSP: from then on only a report (or our timeout) ends the request. */
  readonly acceptedAt?: number;
  /**
   * Transaction UIDs of the study's earlier requests, superseded by this one: a late report of any
   * of them still resolves the commitment (PS3.4 J.3.3), once.
   */
  readonly earlier?: readonly string[];
}

/** An exposure of the procedure, for its dose report (FR-DICOM-09); `start` in epoch ms. */
export interface DoseEventState {
  readonly start: number;
  readonly dapDgyCm2: number;
  readonly kvp?: number;
  readonly tubeCurrentMa?: number;
  readonly exposureTimeMs?: number;
}

/** A procedure IN PROGRESS, keyed by its MPPS SOP Instance UID: what the N-SET and later objects need. */
export interface ProcedureState {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  /** Epoch ms: the N-CREATE start, also the images' Performed Procedure Step Start. */
  readonly startedAt: number;
  /** The performed step description (the default Protocol Name of the performed series). */
  readonly description?: string;
  /** The worklist answer's character set (terms only matter): images and N-SET keep it. */
  readonly characterSet?: CharacterSet;
  readonly images: readonly SopRef[];
  readonly others: readonly SopRef[];
  readonly doseEvents: readonly DoseEventState[];
}

/** A print job's progress, keyed by its job id (the queue item's SOP Instance UID). */
export interface PrintJobState {
  /** Films whose N-ACTION print the printer answered, in job order. */
  readonly printed: number;
}

export function emptyStudy(): StudyState {
  return { references: [], delivered: [], closed: false };
}
