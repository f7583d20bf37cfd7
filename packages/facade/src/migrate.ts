/**
 * One-time migration of the state files an earlier facade kept beside the queue
 * (`facade-state.json` and one `procedures/<id>.json` worklist slice per open procedure) into the
 * queue's records (state.ts): read, written in one transaction, then the files removed. A marker
 * record written in that transaction makes a crash before the removal harmless: the next start
 * only removes the files.
 *
 * The earlier version reconciled at every start what a kill could leave between its two stores;
 * that is done here once, in the same transaction: references whose c-store item is DONE count as
 * delivered, a study ready for commitment (or whose transaction UID never reached the queue) is
 * queued.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@hnvue/core';
import type { WorklistItem } from '@hnvue/dicom';
import type { TransmissionQueue } from '@hnvue/queue';
import type { Commitments } from './commitments.js';
import { NS, type PendingCommitmentState, type ProcedureState, type StudyState } from './state.js';

interface LegacyState {
  readonly studies?: Record<string, StudyState>;
  readonly commitments?: Record<string, PendingCommitmentState>;
  readonly procedures?: Record<string, ProcedureState>;
}

const MIGRATED = 'legacy-state-migrated';

export function migrateLegacyState(
  queueDir: string,
  queue: TransmissionQueue,
  commitments: Commitments,
  log: Logger,
): void {
  const statePath = join(queueDir, 'facade-state.json');
  const subjectsDir = join(queueDir, 'procedures');
  if (!existsSync(statePath) && !existsSync(subjectsDir)) return;
  if (queue.records.get(NS.meta, MIGRATED) === undefined) {
    const state = readJson<LegacyState>(statePath) ?? {};
    const done = new Set(
      queue
        .list({ state: 'DONE' })
        .filter((i) => i.kind === 'c-store')
        .map((i) => i.sopInstanceUid),
    );
    const procedures = Object.entries(state.procedures ?? {});
    queue.transaction((records, tx) => {
      for (const [id, p] of procedures) {
        records.put(NS.procedure, id, p);
        const subject = readSubject(subjectsDir, id, log);
        if (subject) records.put(NS.subject, id, subject);
      }
      for (const [uid, c] of Object.entries(state.commitments ?? {})) records.put(NS.commitment, uid, c);
      for (const [uid, s] of Object.entries(state.studies ?? {})) {
        const delivered = [
          ...new Set([
            ...s.delivered,
            ...s.references.map((r) => r.sopInstanceUid).filter((u) => done.has(u)),
          ]),
        ];
        records.put(NS.study, uid, { ...s, delivered });
        if (s.commitment && !state.commitments?.[s.commitment]) {
          // Its transaction UID was saved, its queue item maybe not: queued again (dedup key = UID).
          commitments.enqueueRequest(tx, {
            transactionUid: s.commitment,
            studyInstanceUid: uid,
            references: s.references,
          });
        } else commitments.requestIfReady(records, tx, uid);
      }
      records.put(NS.meta, MIGRATED, Date.now());
    });
    log.info({ procedures: procedures.length }, 'facade state files migrated into the queue database');
  }
  rmSync(statePath, { force: true });
  rmSync(`${statePath}.tmp`, { force: true });
  rmSync(subjectsDir, { recursive: true, force: true });
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** A procedure's worklist slice; undefined when missing or unreadable (the procedure can still be ended). */
function readSubject(dir: string, id: string, log: Logger): WorklistItem | undefined {
  try {
    const item = readJson<WorklistItem>(join(dir, `${id}.json`));
    // A file written before the shared WorklistItem (facade 0.x `{ patient, … }`) is not one.
    return item && Array.isArray(item.scheduledProcedureSteps) ? item : undefined;
  } catch (err) {
    log.warn({ procedureId: id, err: (err as Error).name }, 'worklist file of a procedure unreadable');
    return undefined;
  }
}
