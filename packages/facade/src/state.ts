/**
 * What the facade must remember across restarts, next to the queue: the studies whose images are
 * still being delivered (so commitment is requested once the last one is), the commitments
 * awaiting their N-EVENT-REPORT (FR-DICOM-07: pending commitments survive restarts) and the
 * procedures in progress (so a console switched off mid-procedure can still complete or
 * discontinue it, FR-DICOM-05). UIDs, times and exposure numbers only, no patient data
 * (NFR-SEC-01). One small JSON file, replaced atomically (write, fsync, rename).
 *
 * The worklist attributes images copy (patient, accession, requested procedure) are PHI and are
 * kept apart, one file per open procedure (`procedures/<id>.json`), deleted when it ends.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { CharacterSet, SopRef, WorklistItem } from '@hnvue/dicom';

export type { SopRef };

export interface StudyState {
  /** Everything queued for the PACS in this study (images, dose report). */
  readonly references: SopRef[];
  readonly delivered: string[];
  /** No more objects will be added (procedure completed or discontinued). */
  closed: boolean;
  /** Transaction UID once the commitment was queued. */
  commitment?: string;
}

export interface PendingCommitmentState {
  readonly studyInstanceUid: string;
  readonly references: readonly SopRef[];
  /** Epoch ms of the N-ACTION. */
  readonly requestedAt: number;
  timedOut: boolean;
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

export interface FacadeState {
  studies: Record<string, StudyState>;
  commitments: Record<string, PendingCommitmentState>;
  procedures: Record<string, ProcedureState>;
}

export function emptyState(): FacadeState {
  return { studies: {}, commitments: {}, procedures: {} };
}

export function readState(path: string): FacadeState {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<FacadeState>;
    return {
      studies: parsed.studies ?? {},
      commitments: parsed.commitments ?? {},
      // A state file written before procedures were kept has none.
      procedures: parsed.procedures ?? {},
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw err;
  }
}

export function writeState(path: string, state: FacadeState): void {
  writeAtomically(path, JSON.stringify(state));
}

/** `procedures/<id>.json` beside the state file: the worklist slice of one open procedure. */
export function subjectPath(dir: string, procedureId: string): string {
  return join(dir, 'procedures', `${procedureId}.json`);
}

export function writeSubject(dir: string, procedureId: string, item: WorklistItem): void {
  mkdirSync(join(dir, 'procedures'), { recursive: true });
  writeAtomically(subjectPath(dir, procedureId), JSON.stringify(item));
}

/** Undefined when the file is gone (a crash between the two writes of startProcedure). */
export function readSubject(dir: string, procedureId: string): WorklistItem | undefined {
  try {
    const item = JSON.parse(readFileSync(subjectPath(dir, procedureId), 'utf8')) as WorklistItem;
    // A file written before the shared WorklistItem (facade 0.x `{ patient, … }`) is not one.
    if (!Array.isArray(item.scheduledProcedureSteps)) throw new TypeError('not a WorklistItem');
    return item;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function removeSubject(dir: string, procedureId: string): void {
  rmSync(subjectPath(dir, procedureId), { force: true });
}

/**
 * Removes worklist files of procedures not in `keep` (a crash after the file was written but before
 * the state was, or during its write: `.tmp`), so no patient data outlives its procedure.
 */
export function sweepSubjects(dir: string, keep: ReadonlySet<string>): void {
  let names: string[];
  try {
    names = readdirSync(join(dir, 'procedures'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const name of names) {
    if (name.endsWith('.json') && keep.has(name.slice(0, -'.json'.length))) continue;
    rmSync(join(dir, 'procedures', name), { force: true });
  }
}

function writeAtomically(path: string, text: string): void {
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}
