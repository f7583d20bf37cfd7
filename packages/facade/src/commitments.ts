/**
 * Storage commitment bookkeeping (FR-DICOM-07), in the queue's records (state.ts): a delivered
 * c-store is recorded against its study in the transaction that marks it DONE, and the study's
 * commitment is queued in the transaction where it becomes ready (its last object delivered, or
 * its procedure closed): no DONE row is ever read back, so `purgeDone()` changes nothing here.
 * Pending transactions survive restarts, time out on our own timers and end with the
 * N-EVENT-REPORT. A request without its report is asked again: a new N-ACTION (PS3.4 J.3.2) with a
 * new Transaction UID for the same references — never the old UID, whose report the SCP may have
 * sent (PS3.4 J.3.3: a Transaction UID is not reused after its report; an SCP may fail a reused
 * one with Failure Reason 0131, duplicate transaction UID) — queued in the transaction that
 * records it, up to `commitment.reRequest.maxRequests` in all with a growing timeout; the report of
 * any of them ends the commitment, once. Most SCPs (Orthanc) send a report once, so one sent while
 * the console was down, or lost with the SCP's own restart, never comes: a restart asks again at
 * once (`reRequest.onRestart`).
 */
import { type CommitmentResult, STORAGE_COMMITMENT_SOP_CLASS, StorageCommitmentScu } from '@hnvue/net';
import type { QueueInTransaction, QueueItem, Records } from '@hnvue/queue';
import { DEFAULTS, MAX_TIMER_MS } from './config/defaults.js';
import type { CommitmentExpiredInfo, CommitmentInfo, CommitmentReRequestInfo } from './events.js';
import { NS, type PendingCommitmentState, type SopRef, type StudyState } from './state.js';
import type { FacadeContext } from './wiring.js';

/** What the queue item of a commitment request carries (senders/commitment.ts reads it). */
export interface CommitmentRequestPayload {
  readonly transactionUid: string;
  readonly studyInstanceUid: string;
  readonly references: readonly SopRef[];
  /** Which N-ACTION of the study (1 the first); absent in items of earlier versions: 1. */
  readonly request?: number;
}

type Outcome =
  | { readonly kind: 'reRequested'; readonly info: CommitmentReRequestInfo }
  | { readonly kind: 'expired'; readonly info: CommitmentExpiredInfo };

export interface PendingCommitment {
  readonly transactionUid: string;
  readonly studyInstanceUid: string;
  readonly requestedAt: Date;
  readonly timedOut: boolean;
  /** Which N-ACTION of the study is awaited: 1 the first, 2 after one re-request, … */
  readonly request: number;
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
      request: value.request ?? 1,
    }));
  }

  /**
   * The commitments of an earlier run: asked again at once when their N-ACTION was answered before
   * the restart (`reRequest.onRestart`; the report may have come while we were down), else their
   * timers re-armed (one whose N-ACTION was not answered is still a queue item: its sender re-arms
   * it once answered).
   */
  restore(): void {
    const { onRestart, maxRequests } = this.#reRequest();
    for (const { key, value } of this.#ctx.queue()?.records.list<PendingCommitmentState>(NS.commitment) ??
      []) {
      const request = value.request ?? 1;
      // Written before the request field existed: answered, and a timed-out one waits for nothing.
      const answered = value.acceptedAt !== undefined || value.request === undefined;
      if (answered && (onRestart || value.timedOut) && request < maxRequests) this.#expire(key, 'restart');
      else this.arm(key, value.requestedAt, request);
    }
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
    this.enqueueRequest(tx, { transactionUid, studyInstanceUid, references: study.references, request: 1 });
  }

  enqueueRequest(tx: QueueInTransaction, payload: CommitmentRequestPayload): void {
    // The dedup key is the transaction UID: one queue item per transaction.
    tx.enqueue({
      kind: 'storage-commitment',
      destination: 'commitment',
      sopClassUid: STORAGE_COMMITMENT_SOP_CLASS,
      sopInstanceUid: payload.transactionUid,
      source: { bytes: Buffer.from(JSON.stringify(payload)) },
    });
  }

  /** How long request `request` (1 the first) waits for its report: the timeout times the back-off. */
  timeoutFor(request: number): number {
    const timeoutMs = this.#ctx.config.commitment?.timeoutMs ?? DEFAULTS.commitment.timeoutMs;
    const factor = this.#reRequest().backoffMultiplier ** Math.max(0, request - 1);
    return Math.min(MAX_TIMER_MS, Math.round(timeoutMs * factor));
  }

  arm(transactionUid: string, requestedAt: number, request = 1): void {
    const delay = Math.max(0, requestedAt + this.timeoutFor(request) - Date.now());
    // A retried request re-arms: one timer per transaction.
    clearTimeout(this.#timers.get(transactionUid));
    const timer = setTimeout(() => {
      this.#timers.delete(transactionUid);
      this.#expire(transactionUid, 'timeout');
    }, delay);
    timer.unref();
    this.#timers.set(transactionUid, timer);
  }

  #reRequest() {
    return this.#ctx.config.commitment?.reRequest ?? DEFAULTS.commitment.reRequest;
  }

  /**
   * No report for `transactionUid` (its timeout, or a restart): in one queue transaction, the
   * commitment moves to a new Transaction UID and its N-ACTION is queued, or, after the last
   * request, it ends (PS3.4 J.3.3).
   */
  #expire(transactionUid: string, reason: CommitmentReRequestInfo['reason']): void {
    const { maxRequests } = this.#reRequest();
    let current: PendingCommitmentState | undefined;
    let outcome: Outcome | undefined;
    let rearm: { readonly next: string; readonly request: number } | undefined;
    // A timer callback has no caller: a throw here would be an uncaught exception that ends the
    // console. A failed write leaves the commitment pending and asks again after another timeout.
    try {
      this.#ctx.queue()?.transaction((records, tx) => {
        current = records.get<PendingCommitmentState>(NS.commitment, transactionUid);
        if (!current) return;
        const request = current.request ?? 1;
        const earlier = [...(current.earlier ?? []), transactionUid];
        records.delete(NS.commitment, transactionUid);
        if (request >= maxRequests) {
          outcome = {
            kind: 'expired',
            info: {
              transactionUid,
              transactionUids: earlier,
              studyInstanceUid: current.studyInstanceUid,
              references: current.references,
            },
          };
          return;
        }
        const next = this.#ctx.uids.next();
        // Pending under the new UID before its N-ACTION (a report may beat the N-ACTION-RSP).
        const { acceptedAt: _answered, ...rest } = current;
        records.put(NS.commitment, next, {
          ...rest,
          request: request + 1,
          requestedAt: Date.now(),
          timedOut: false,
          earlier,
        } satisfies PendingCommitmentState);
        const study = records.get<StudyState>(NS.study, current.studyInstanceUid);
        if (study) records.put(NS.study, current.studyInstanceUid, { ...study, commitment: next });
        this.enqueueRequest(tx, {
          transactionUid: next,
          studyInstanceUid: current.studyInstanceUid,
          references: current.references,
          request: request + 1,
        });
        // Armed now too, so a re-request the queue cannot deliver still ends (its sender re-arms).
        rearm = { next, request: request + 1 };
        outcome = {
          kind: 'reRequested',
          info: {
            transactionUid: next,
            previousTransactionUid: transactionUid,
            studyInstanceUid: current.studyInstanceUid,
            request: request + 1,
            maxRequests,
            reason,
          },
        };
      });
    } catch (err) {
      this.#ctx.log.error({ transactionUid, err: (err as Error).name }, 'commitment timeout not recorded');
      current = this.#ctx.queue()?.records.get<PendingCommitmentState>(NS.commitment, transactionUid);
      if (current) this.arm(transactionUid, Date.now(), current.request ?? 1);
      outcome = undefined;
    }
    if (!current) return;
    const request = current.request ?? 1;
    if (reason === 'timeout') {
      this.#ctx.log.warn({ transactionUid, request }, 'storage commitment timed out');
      this.#ctx.events.emit('commitmentTimedOut', {
        transactionUid,
        studyInstanceUid: current.studyInstanceUid,
        request,
        final: outcome?.kind === 'expired',
      });
    }
    if (rearm) this.arm(rearm.next, Date.now(), rearm.request);
    if (outcome?.kind === 'reRequested') {
      const { info } = outcome;
      this.#ctx.log.info(
        { transactionUid: info.transactionUid, previous: transactionUid, request: info.request, reason },
        'storage commitment requested again',
      );
      this.#ctx.events.emit('commitmentReRequested', info);
    } else if (outcome?.kind === 'expired') {
      this.#ctx.log.warn(
        { transactionUid, requests: request },
        'storage commitment expired without a report',
      );
      this.#ctx.events.emit('commitmentExpired', outcome.info);
    }
  }

  #onReport(result: CommitmentResult): void {
    const { transactionUid } = result;
    let pending: { readonly key: string; readonly value: PendingCommitmentState } | undefined;
    try {
      // The pending commitment and (all committed) its study end in one transaction. The report
      // may be for an earlier request of a re-requested commitment: it counts the same, and the
      // later request's report, if it comes too, finds nothing (counted once).
      pending = this.#ctx.queue()?.transaction((records) => {
        const direct = records.get<PendingCommitmentState>(NS.commitment, transactionUid);
        const found = direct
          ? { key: transactionUid, value: direct }
          : records
              .list<PendingCommitmentState>(NS.commitment)
              .find(({ value }) => value.earlier?.includes(transactionUid));
        if (!found) return undefined;
        records.delete(NS.commitment, found.key);
        const study = records.get<StudyState>(NS.study, found.value.studyInstanceUid);
        if (study?.commitment === found.key && result.failed.length === 0) {
          records.delete(NS.study, found.value.studyInstanceUid);
        }
        return found;
      });
    } catch (err) {
      this.#ctx.log.error({ transactionUid, err: (err as Error).name }, 'commitment report not recorded');
      return;
    }
    if (!pending) {
      this.#ctx.log.warn({ transactionUid }, 'commitment report for an unknown transaction');
      return;
    }
    clearTimeout(this.#timers.get(pending.key));
    this.#timers.delete(pending.key);
    const info: CommitmentInfo = {
      transactionUid,
      studyInstanceUid: pending.value.studyInstanceUid,
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
