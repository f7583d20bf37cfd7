/**
 * Storage commitment bookkeeping (FR-DICOM-07), in the queue's records (state.ts): a delivered
 * c-store is recorded against its study in the transaction that marks it DONE, and the study's
 * commitment is queued in the transaction where it becomes ready (its last object delivered, or
 * its procedure closed): no DONE row is ever read back, so `purgeDone()` changes nothing here.
 * Pending transactions survive restarts, time out on our own timers (a late report still counts)
 * and end with the N-EVENT-REPORT.
 */
import { type CommitmentResult, STORAGE_COMMITMENT_SOP_CLASS, StorageCommitmentScu } from '@hnvue/net';
import type { QueueInTransaction, QueueItem, Records } from '@hnvue/queue';
import type { CommitmentInfo } from './events.js';
import { NS, type PendingCommitmentState, type SopRef, type StudyState } from './state.js';
import type { FacadeContext } from './wiring.js';

export interface PendingCommitment {
  readonly transactionUid: string;
  readonly studyInstanceUid: string;
  readonly requestedAt: Date;
  readonly timedOut: boolean;
}

export class Commitments {
  readonly scu: StorageCommitmentScu;
  readonly #ctx: FacadeContext;
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(ctx: FacadeContext) {
    this.#ctx = ctx;
    // Our own timers decide timeouts, so restored commitments time out the same way (FR-DICOM-07).
    this.scu = new StorageCommitmentScu({ uids: { next: () => ctx.uids.next() }, timeoutMs: 0 });
    this.scu.on('result', (r) => this.#onReport(r));
    this.scu.on('unknownTransaction', (r) => this.#onReport(r));
  }

  pending(): PendingCommitment[] {
    const records = this.#ctx.queue()?.records;
    return (records?.list<PendingCommitmentState>(NS.commitment) ?? []).map(({ key, value }) => ({
      transactionUid: key,
      studyInstanceUid: value.studyInstanceUid,
      requestedAt: new Date(value.requestedAt),
      timedOut: value.timedOut,
    }));
  }

  /** Re-arms the timers of the commitments of an earlier run. */
  restore(): void {
    for (const p of this.pending()) if (!p.timedOut) this.arm(p.transactionUid, p.requestedAt.getTime());
  }

  /** Clears every timer (stop); the commitments stay in the queue's database. */
  stop(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  close(): void {
    this.scu.close();
  }

  /** The queue's onDelivered, inside the DONE transaction: a c-store counts against its study. */
  onDelivered(item: QueueItem, records: Records, tx: QueueInTransaction): void {
    if (item.kind === 'c-store') this.markDelivered(records, tx, item.sopInstanceUid);
  }

  markDelivered(records: Records, tx: QueueInTransaction, sopInstanceUid: string): void {
    for (const { key, value } of records.list<StudyState>(NS.study)) {
      if (!value.references.some((r) => r.sopInstanceUid === sopInstanceUid)) continue;
      if (value.delivered.includes(sopInstanceUid)) continue;
      records.put(NS.study, key, { ...value, delivered: [...value.delivered, sopInstanceUid] });
      this.requestIfReady(records, tx, key);
    }
  }

  /**
   * Inside a queue transaction: a closed study whose every object is delivered gets its commitment
   * queued, and its transaction UID recorded, in that same transaction (NFR-REL-01).
   */
  requestIfReady(records: Records, tx: QueueInTransaction, studyInstanceUid: string): void {
    const study = records.get<StudyState>(NS.study, studyInstanceUid);
    if (!study?.closed || study.commitment || study.references.length === 0) return;
    if (!study.references.every((r) => study.delivered.includes(r.sopInstanceUid))) return;
    if (!this.#ctx.config.commitment) return;
    const transactionUid = this.#ctx.uids.next();
    records.put(NS.study, studyInstanceUid, { ...study, commitment: transactionUid });
    this.enqueueRequest(tx, transactionUid, studyInstanceUid, study.references);
  }

  enqueueRequest(
    tx: QueueInTransaction,
    transactionUid: string,
    studyInstanceUid: string,
    references: readonly SopRef[],
  ): void {
    // The dedup key is the transaction UID: one queue item per transaction.
    tx.enqueue({
      kind: 'storage-commitment',
      destination: 'commitment',
      sopClassUid: STORAGE_COMMITMENT_SOP_CLASS,
      sopInstanceUid: transactionUid,
      source: { bytes: Buffer.from(JSON.stringify({ transactionUid, studyInstanceUid, references })) },
    });
  }

  arm(transactionUid: string, requestedAt: number): void {
    const timeoutMs = this.#ctx.config.commitment?.timeoutMs ?? 600_000;
    const delay = Math.max(0, requestedAt + timeoutMs - Date.now());
    // A retried request re-arms: one timer per transaction.
    clearTimeout(this.#timers.get(transactionUid));
    const timer = setTimeout(() => {
      this.#timers.delete(transactionUid);
      // A timer callback has no caller: a throw here would be an uncaught exception that ends the
      // console. The commitment stays pending; the event still tells the operator.
      let current: PendingCommitmentState | undefined;
      try {
        current = this.#ctx.queue()?.transaction((records) => {
          const c = records.get<PendingCommitmentState>(NS.commitment, transactionUid);
          if (c) records.put(NS.commitment, transactionUid, { ...c, timedOut: true });
          return c;
        });
      } catch (err) {
        this.#ctx.log.error({ transactionUid, err: (err as Error).name }, 'commitment timeout not recorded');
        current = this.#ctx.queue()?.records.get<PendingCommitmentState>(NS.commitment, transactionUid);
      }
      if (!current) return;
      this.#ctx.log.warn({ transactionUid }, 'storage commitment timed out');
      this.#ctx.events.emit('commitmentTimedOut', {
        transactionUid,
        studyInstanceUid: current.studyInstanceUid,
      });
    }, delay);
    timer.unref();
    this.#timers.set(transactionUid, timer);
  }

  #onReport(result: CommitmentResult): void {
    const { transactionUid } = result;
    let pending: PendingCommitmentState | undefined;
    try {
      // The pending commitment and (all committed) its study end in one transaction.
      pending = this.#ctx.queue()?.transaction((records) => {
        const p = records.get<PendingCommitmentState>(NS.commitment, transactionUid);
        if (!p) return undefined;
        records.delete(NS.commitment, transactionUid);
        const study = records.get<StudyState>(NS.study, p.studyInstanceUid);
        if (study?.commitment === transactionUid && result.failed.length === 0) {
          records.delete(NS.study, p.studyInstanceUid);
        }
        return p;
      });
    } catch (err) {
      this.#ctx.log.error({ transactionUid, err: (err as Error).name }, 'commitment report not recorded');
      return;
    }
    if (!pending) {
      this.#ctx.log.warn({ transactionUid }, 'commitment report for an unknown transaction');
      return;
    }
    clearTimeout(this.#timers.get(transactionUid));
    this.#timers.delete(transactionUid);
    const info: CommitmentInfo = {
      transactionUid,
      studyInstanceUid: pending.studyInstanceUid,
      committed: result.committed,
      failed: result.failed,
    };
    this.#ctx.log.info(
      { transactionUid, committed: info.committed.length, failed: info.failed.length },
      'storage commitment report',
    );
    this.#ctx.events.emit(result.failed.length === 0 ? 'committed' : 'commitmentFailed', info);
  }
}
