/**
 * What the facade must remember across restarts, next to the queue: the studies whose images are
 * still being delivered (so commitment is requested once the last one is), and the commitments
 * awaiting their N-EVENT-REPORT (FR-DICOM-07: pending commitments survive restarts). UIDs only, no
 * patient data (NFR-SEC-01). One small JSON file, replaced atomically (write, fsync, rename).
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

export interface SopRef {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
}

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

export interface FacadeState {
  studies: Record<string, StudyState>;
  commitments: Record<string, PendingCommitmentState>;
}

export function emptyState(): FacadeState {
  return { studies: {}, commitments: {} };
}

export function readState(path: string): FacadeState {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<FacadeState>;
    return { studies: parsed.studies ?? {}, commitments: parsed.commitments ?? {} };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw err;
  }
}

export function writeState(path: string, state: FacadeState): void {
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, JSON.stringify(state));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}
