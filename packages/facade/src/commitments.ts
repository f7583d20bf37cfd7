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
import {
  allAccepted,
  partDone,
  partNames,
  partOf,
  studyDelivered,
  studyFinished,
  withPart,
} from './delivery.js';
import type {
  CommitmentExpiredInfo,
  CommitmentInfo,
  CommitmentReRequestInfo,
  StudyDeliveredInfo,
} from './events.js';
import { commitmentFor, commitmentQueueDestination, PACS, reportFromOtherDestination } from './routing.js';
import { NS, type PendingCommitmentState, type SopRef, type StudyState } from './state.js';
import type { FacadeContext } from './wiring.js';

/** What the queue item of a commitment request carries (senders/commitment.ts reads it). */
export interface CommitmentRequestPayload {
  readonly transactionUid: string;
  readonly studyInstanceUid: string;
  readonly references: readonly SopRef[];
  /** Which N-ACTION of the study (1 the first); absent in items of earlier versions: 1. */
  readonly request?: number;
  /** The storage destination whose commitment SCP is asked; absent (earlier versions): `pacs`. */
  readonly destination?: string;
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
  /** The storage destination (`pacs` or a `storage.<name>`) whose commitment this is. */
  readonly destination: string;
  /** What the N-ACTION asks that destination to commit: what was queued for it. */
  readonly references: readonly SopRef[];
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
      destination: value.destination ?? PACS,
      references: value.references,
    }));
  }

  /**
   * The commitments of an earlier run: asked again at once when their N-ACTION was answered before
   * the restart (`reRequest.onRestart`; the report may have come while we were down), else their
   * timers re-armed (one whose N-ACTION was not answered is still a queue item: its sender re-arms
   * it once answered).
   */
  restore(): void {
    for (const { key, value } of this.#ctx.queue()?.records.list<PendingCommitmentState>(NS.commitment) ??
      []) {
      const { onRestart, maxRequests } = this.#reRequest(value.destination ?? PACS);
      const request = value.request ?? 1;
      // Written before the request field existed: answered, and a timed-out one waits for nothing.
      const answered = value.acceptedAt !== undefined || value.request === undefined;
      if (answered && (onRestart || value.timedOut) && request < maxRequests) this.#expire(key, 'restart');
      else this.arm(key, value.requestedAt, request, value.destination ?? PACS);
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
    if (item.kind === 'c-store') this.markDelivered(records, tx, item.sopInstanceUid, item.destination);
  }

  /** The destination (`pacs` or a named one) accepted the object: counted in its part of the study. */
  markDelivered(
    records: Records,
    tx: QueueInTransaction,
    sopInstanceUid: string,
    destination: string = PACS,
  ): void {
    for (const { key, value } of records.list<StudyState>(NS.study)) {
      const part = partOf(value, destination);
      if (!part.references.some((r) => r.sopInstanceUid === sopInstanceUid)) continue;
      if (part.delivered.includes(sopInstanceUid)) continue;
      records.put(
        NS.study,
        key,
        withPart(value, destination, { ...part, delivered: [...part.delivered, sopInstanceUid] }),
      );
      this.requestIfReady(records, tx, key);
    }
  }

  /**
   * Inside a queue transaction: each destination with a commitment SCP whose part of the closed
   * study is all delivered gets its commitment queued, and its transaction UID recorded, in that
   * same transaction (NFR-REL-01); then whether the study is delivered (delivery.ts).
   */
  requestIfReady(records: Records, tx: QueueInTransaction, studyInstanceUid: string): void {
    let study = records.get<StudyState>(NS.study, studyInstanceUid);
    if (!study?.closed) return;
    for (const destination of partNames(study)) {
      const part = partOf(study, destination);
      if (part.commitment || !allAccepted(part) || !commitmentFor(this.#ctx.config, destination)) continue;
      const transactionUid = this.#ctx.uids.next();
      study = withPart(study, destination, { ...part, commitment: transactionUid });
      records.put(NS.study, studyInstanceUid, study);
      this.enqueueRequest(tx, {
        transactionUid,
        studyInstanceUid,
        references: part.references,
        request: 1,
        ...(destination === PACS ? {} : { destination }),
      });
    }
    this.settle(records, tx, studyInstanceUid, study);
  }

  /**
   * Inside a queue transaction, after a destination's part changed: the study is announced
   * delivered once (after the transaction), and its record goes once every destination holds it.
   * A pacs-only study keeps the behaviour of earlier versions: its record goes with the report.
   */
  settle(records: Records, tx: QueueInTransaction, studyInstanceUid: string, study: StudyState): void {
    const { config } = this.#ctx;
    let next = study;
    if (!study.deliveredAnnounced && studyDelivered(config, study)) {
      next = { ...study, deliveredAnnounced: true };
      const destinations = partNames(study).filter((d) => partDone(config, study, d));
      this.#announce(tx, { studyInstanceUid, destinations });
    }
    const reported = partNames(study).some((d) => commitmentFor(config, d) !== undefined);
    if ((study.others !== undefined || reported) && studyFinished(config, study)) {
      records.delete(NS.study, studyInstanceUid);
    } else if (next !== study) records.put(NS.study, studyInstanceUid, next);
  }

  #announce(tx: QueueInTransaction, info: StudyDeliveredInfo): void {
    // Once the transaction that recorded it commits (never after a rollback): the UI hears of a
    // state on disk. A turn later, so that it follows the commitment events of the same report.
    tx.afterCommit(() =>
      setImmediate(() => {
        this.#ctx.log.info({ destinations: info.destinations }, 'study delivered');
        this.#ctx.events.emit('studyDelivered', info);
      }),
    );
  }

  enqueueRequest(tx: QueueInTransaction, payload: CommitmentRequestPayload): void {
    // The dedup key is the transaction UID: one queue item per transaction.
    tx.enqueue({
      kind: 'storage-commitment',
      destination: commitmentQueueDestination(payload.destination ?? PACS),
      sopClassUid: STORAGE_COMMITMENT_SOP_CLASS,
      sopInstanceUid: payload.transactionUid,
      source: { bytes: Buffer.from(JSON.stringify(payload)) },
    });
  }

  /** How long request `request` (1 the first) waits for its report: the timeout times the back-off. */
  timeoutFor(request: number, destination: string = PACS): number {
    const timeoutMs =
      commitmentFor(this.#ctx.config, destination)?.timeoutMs ?? DEFAULTS.commitment.timeoutMs;
    const factor = this.#reRequest(destination).backoffMultiplier ** Math.max(0, request - 1);
    return Math.min(MAX_TIMER_MS, Math.round(timeoutMs * factor));
  }

  arm(transactionUid: string, requestedAt: number, request: number = 1, destination: string = PACS): void {
    const delay = Math.max(0, requestedAt + this.timeoutFor(request, destination) - Date.now());
    // A retried request re-arms: one timer per transaction.
    clearTimeout(this.#timers.get(transactionUid));
    const timer = setTimeout(() => {
      this.#timers.delete(transactionUid);
      this.#expire(transactionUid, 'timeout');
    }, delay);
    timer.unref();
    this.#timers.set(transactionUid, timer);
  }

  #reRequest(destination: string) {
    return commitmentFor(this.#ctx.config, destination)?.reRequest ?? DEFAULTS.commitment.reRequest;
  }

  /**
   * No report for `transactionUid` (its timeout, or a restart): in one queue transaction, the
   * commitment moves to a new Transaction UID and its N-ACTION is queued, or, after the last
   * request, it ends (PS3.4 J.3.3).
   */
  #expire(transactionUid: string, reason: CommitmentReRequestInfo['reason']): void {
    let maxRequests = 1;
    let current: PendingCommitmentState | undefined;
    let outcome: Outcome | undefined;
    let rearm: { readonly next: string; readonly request: number } | undefined;
    // A timer callback has no caller: a throw here would be an uncaught exception that ends the
    // console. A failed write leaves the commitment pending and asks again after another timeout.
    try {
      this.#ctx.queue()?.transaction((records, tx) => {
        current = records.get<PendingCommitmentState>(NS.commitment, transactionUid);
        if (!current) return;
        const destination = current.destination ?? PACS;
        maxRequests = this.#reRequest(destination).maxRequests;
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
              destination,
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
        if (study) {
          const part = partOf(study, destination);
          records.put(
            NS.study,
            current.studyInstanceUid,
            withPart(study, destination, { ...part, commitment: next }),
          );
        }
        this.enqueueRequest(tx, {
          transactionUid: next,
          studyInstanceUid: current.studyInstanceUid,
          references: current.references,
          request: request + 1,
          ...(destination === PACS ? {} : { destination }),
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
            destination,
          },
        };
      });
    } catch (err) {
      this.#ctx.log.error({ transactionUid, err: (err as Error).name }, 'commitment timeout not recorded');
      current = this.#ctx.queue()?.records.get<PendingCommitmentState>(NS.commitment, transactionUid);
      if (current) this.arm(transactionUid, Date.now(), current.request ?? 1, current.destination ?? PACS);
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
        destination: current.destination ?? PACS,
      });
    }
    if (rearm) this.arm(rearm.next, Date.now(), rearm.request, current.destination ?? PACS);
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
    let misdirected: string | undefined;
    try {
      // The pending commitment and (all committed) its study end in one transaction. The report
      // may be for an earlier request of a re-requested commitment: it counts the same, and the
      // later request's report, if it comes too, finds nothing (counted once).
      pending = this.#ctx.queue()?.transaction((records, tx) => {
        const direct = records.get<PendingCommitmentState>(NS.commitment, transactionUid);
        const found = direct
          ? { key: transactionUid, value: direct }
          : records
              .list<PendingCommitmentState>(NS.commitment)
              .find(({ value }) => value.earlier?.includes(transactionUid));
        if (!found) return undefined;
        const destination = found.value.destination ?? PACS;
        misdirected = reportFromOtherDestination(this.#ctx.config, destination, result.reportedBy);
        if (misdirected !== undefined) return undefined;
        records.delete(NS.commitment, found.key);
        const study = records.get<StudyState>(NS.study, found.value.studyInstanceUid);
        const part = study && partOf(study, destination);
        if (study && part?.commitment === found.key && result.failed.length === 0) {
          const committed = withPart(study, destination, { ...part, committed: true });
          records.put(NS.study, found.value.studyInstanceUid, committed);
          this.settle(records, tx, found.value.studyInstanceUid, committed);
        }
        return found;
      });
    } catch (err) {
      this.#ctx.log.error({ transactionUid, err: (err as Error).name }, 'commitment report not recorded');
      return;
    }
    if (misdirected !== undefined) {
      this.#ctx.log.warn(
        { transactionUid, reportedBy: result.reportedBy, from: misdirected },
        "commitment report from another destination's SCP: not counted",
      );
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
      destination: pending.value.destination ?? PACS,
    };
    this.#ctx.log.info(
      {
        transactionUid,
        destination: info.destination,
        committed: info.committed.length,
        failed: info.failed.length,
      },
      'storage commitment report',
    );
    this.#ctx.events.emit(result.failed.length === 0 ? 'committed' : 'commitmentFailed', info);
  }
}
