/**
 * Storage commitment bookkeeping (FR-DICOM-07): a study's commitment is queued once every object
 * of it is delivered and its procedure is closed; pending transactions survive restarts, time out
 * on our own timers (a late report still counts) and end with the N-EVENT-REPORT.
 */
import { type CommitmentResult, STORAGE_COMMITMENT_SOP_CLASS, StorageCommitmentScu } from '@hnvue/net';
import type { QueueItem, TransmissionQueue } from '@hnvue/queue';
import type { CommitmentInfo } from './events.js';
import type { SopRef } from './state.js';
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
    return Object.entries(this.#ctx.state().commitments).map(([transactionUid, p]) => ({
      transactionUid,
      studyInstanceUid: p.studyInstanceUid,
      requestedAt: new Date(p.requestedAt),
      timedOut: p.timedOut,
    }));
  }

  /** Re-arms the timers of the commitments restored from disk. */
  restore(): void {
    for (const [transactionUid, pending] of Object.entries(this.#ctx.state().commitments)) {
      this.arm(transactionUid, pending.requestedAt);
    }
  }

  /** Clears every timer (stop); the commitments stay on disk. */
  stop(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  close(): void {
    this.scu.close();
  }

  /** A delivered c-store: recorded against its study, which may now be ready for commitment. */
  onStoreDelivered(item: QueueItem): void {
    for (const [uid, study] of Object.entries(this.#ctx.state().studies)) {
      if (study.references.some((r) => r.sopInstanceUid === item.sopInstanceUid)) {
        if (!study.delivered.includes(item.sopInstanceUid)) study.delivered.push(item.sopInstanceUid);
        this.#ctx.save();
        void this.maybeRequest(uid).catch((err: Error) =>
          this.#ctx.log.error({ err: err.message }, 'storage commitment could not be queued'),
        );
      }
    }
  }

  async maybeRequest(studyInstanceUid: string): Promise<void> {
    const study = this.#ctx.state().studies[studyInstanceUid];
    if (!study?.closed || study.commitment || study.references.length === 0) return;
    if (!study.references.every((r) => study.delivered.includes(r.sopInstanceUid))) return;
    const queue = this.#ctx.queue();
    if (!this.#ctx.config.commitment || !queue) return;
    const transactionUid = this.#ctx.uids.next();
    // Set in memory at once (a concurrent delivery event must not queue a second transaction), on
    // disk only once queued: a crash or an enqueue error in between leaves no transaction UID
    // without its queue item, which start() would otherwise skip forever (NFR-REL-01).
    study.commitment = transactionUid;
    try {
      await this.#enqueue(queue, transactionUid, studyInstanceUid, study.references);
    } catch (err) {
      if (study.commitment === transactionUid) delete study.commitment;
      throw err;
    }
    this.#ctx.save();
  }

  async #enqueue(
    queue: TransmissionQueue,
    transactionUid: string,
    studyInstanceUid: string,
    references: readonly SopRef[],
  ): Promise<void> {
    // The dedup key is the transaction UID: queuing it again (start() reconciling) is a no-op.
    await queue.enqueue({
      kind: 'storage-commitment',
      destination: 'commitment',
      sopClassUid: STORAGE_COMMITMENT_SOP_CLASS,
      sopInstanceUid: transactionUid,
      source: { bytes: Buffer.from(JSON.stringify({ transactionUid, studyInstanceUid, references })) },
    });
  }

  /** After a restart: every study ready for commitment is queued (a crash after its last delivery). */
  async requestReady(): Promise<void> {
    for (const studyInstanceUid of Object.keys(this.#ctx.state().studies))
      await this.maybeRequest(studyInstanceUid);
  }

  /**
   * A kill between the queue committing a delivery (DONE) and the facade recording it: the study
   * would wait forever. Every reference whose c-store item is DONE counts as delivered.
   */
  reconcileWithQueue(queue: TransmissionQueue): void {
    const studies = Object.values(this.#ctx.state().studies).filter(
      (s) => s.delivered.length < s.references.length,
    );
    if (studies.length === 0) return;
    const done = new Set(
      queue
        .list({ state: 'DONE', destination: 'pacs' })
        .filter((i) => i.kind === 'c-store')
        .map((i) => i.sopInstanceUid),
    );
    let marked = 0;
    for (const study of studies) {
      for (const ref of study.references) {
        if (done.has(ref.sopInstanceUid) && !study.delivered.includes(ref.sopInstanceUid)) {
          study.delivered.push(ref.sopInstanceUid);
          marked++;
        }
      }
    }
    if (marked === 0) return;
    this.#ctx.save();
    this.#ctx.log.info({ delivered: marked }, 'deliveries recorded from the queue after a restart');
  }

  /**
   * A transaction UID on disk with neither a queue item nor a pending commitment (a crash between
   * the two writes of an earlier version): queue it again. Idempotent through the dedup key.
   */
  async requeueLost(queue: TransmissionQueue): Promise<void> {
    if (!this.#ctx.config.commitment) return;
    const state = this.#ctx.state();
    for (const [studyInstanceUid, study] of Object.entries(state.studies)) {
      const transactionUid = study.commitment;
      if (!transactionUid || state.commitments[transactionUid]) continue;
      try {
        await this.#enqueue(queue, transactionUid, studyInstanceUid, study.references);
      } catch (err) {
        this.#ctx.log.error(
          { transactionUid, err: (err as Error).name },
          'storage commitment could not be queued',
        );
      }
    }
  }

  arm(transactionUid: string, requestedAt: number): void {
    const timeoutMs = this.#ctx.config.commitment?.timeoutMs ?? 600_000;
    const pending = this.#ctx.state().commitments[transactionUid];
    if (!pending || pending.timedOut) return;
    const delay = Math.max(0, requestedAt + timeoutMs - Date.now());
    // A retried request re-arms: one timer per transaction.
    clearTimeout(this.#timers.get(transactionUid));
    const timer = setTimeout(() => {
      this.#timers.delete(transactionUid);
      const current = this.#ctx.state().commitments[transactionUid];
      if (!current) return;
      current.timedOut = true;
      try {
        this.#ctx.save();
      } catch (err) {
        // A timer callback has no caller: a throw here would be an uncaught exception that ends the
        // console. The flag stays set in memory and reaches the disk with the next save.
        this.#ctx.log.error({ transactionUid, err: (err as Error).name }, 'facade state not saved');
      }
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
    const state = this.#ctx.state();
    const pending = state.commitments[result.transactionUid];
    if (!pending) {
      this.#ctx.log.warn(
        { transactionUid: result.transactionUid },
        'commitment report for an unknown transaction',
      );
      return;
    }
    delete state.commitments[result.transactionUid];
    const study = state.studies[pending.studyInstanceUid];
    if (study?.commitment === result.transactionUid && result.failed.length === 0) {
      delete state.studies[pending.studyInstanceUid];
    }
    this.#ctx.save();
    const timer = this.#timers.get(result.transactionUid);
    if (timer) clearTimeout(timer);
    this.#timers.delete(result.transactionUid);
    const info: CommitmentInfo = {
      transactionUid: result.transactionUid,
      studyInstanceUid: pending.studyInstanceUid,
      committed: result.committed,
      failed: result.failed,
    };
    this.#ctx.log.info(
      { transactionUid: result.transactionUid, committed: info.committed.length, failed: info.failed.length },
      'storage commitment report',
    );
    this.#ctx.events.emit(result.failed.length === 0 ? 'committed' : 'commitmentFailed', info);
  }
}
