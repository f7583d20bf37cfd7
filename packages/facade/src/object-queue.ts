/**
 * Queues a stored object for every storage destination it goes to (routing.ts): one c-store item
 * per (object, destination), all in one transaction with the object's reference in the study's
 * part of each destination (delivery.ts), so a reference never exists without its item and its
 * bytes in the spool, and no destination gets the object without the others (NFR-REL-01).
 *
 * The first destination's payload is written before the transaction (the queue's `enqueue`); the
 * others' are written inside it (`tx.enqueue`, synchronous): one copy per destination, so each
 * item keeps its file until its own DONE.
 */
import type { EnqueueResult, QueueInTransaction, Records } from '@hnvue/queue';
import type { Commitments } from './commitments.js';
import { withReference } from './delivery.js';
import { requireDestination } from './destinations.js';
import { FACADE_ERROR_CODES, FacadeError } from './errors.js';
import { objectKindOf, storageTargets } from './routing.js';
import { NS, type SopRef, type StudyState } from './state.js';
import type { FacadeContext } from './wiring.js';

/**
 * Resolves with the first destination's queue item id once every item is queued. `inTransaction`
 * runs first in the transaction (it may throw to refuse: a procedure ended meanwhile) and returns
 * the object's study.
 */
export async function queueObject(
  ctx: FacadeContext,
  commitments: Commitments,
  ref: SopRef,
  part10: Uint8Array,
  inTransaction: (records: Records) => string,
): Promise<number> {
  const queue = ctx.requireQueue();
  const [first, ...others] = storageTargets(ctx.config, ref.sopClassUid);
  if (first === undefined) {
    // No storage destination at all: the error of earlier versions.
    if (ctx.config.storage === undefined) requireDestination(ctx.config, 'pacs');
    const kind = objectKindOf(ref.sopClassUid);
    throw new FacadeError(FACADE_ERROR_CODES.notConfigured, `no storage destination receives ${kind}`, {
      hint: 'add a "pacs" block, or a "storage" destination that receives them',
      details: { destination: 'pacs', kind },
    });
  }
  const item = (destination: string) => ({
    kind: 'c-store' as const,
    destination,
    sopClassUid: ref.sopClassUid,
    sopInstanceUid: ref.sopInstanceUid,
    source: { bytes: part10 },
  });
  const { item: queued } = await queue.enqueue(item(first), {
    withRecords: (records, result, tx) => {
      const studyInstanceUid = inTransaction(records);
      addReference(records, tx, commitments, studyInstanceUid, ref, first, result);
      for (const destination of others) {
        const r = tx.enqueue(item(destination));
        addReference(records, tx, commitments, studyInstanceUid, ref, destination, r);
      }
    },
  });
  return queued.id;
}

function addReference(
  records: Records,
  tx: QueueInTransaction,
  commitments: Commitments,
  studyInstanceUid: string,
  ref: SopRef,
  destination: string,
  result: EnqueueResult,
): void {
  const study = records.get<StudyState>(NS.study, studyInstanceUid);
  records.put(NS.study, studyInstanceUid, withReference(study, destination, ref));
  // The destination has it already (same SOP Instance UID queued and delivered before): delivered now.
  if (result.outcome === 'already-delivered') {
    commitments.markDelivered(records, tx, ref.sopInstanceUid, destination);
  }
}
