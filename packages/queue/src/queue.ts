import { EventEmitter } from 'node:events';
import { closeSync, existsSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  ConfigError,
  ERROR_CATALOGUE,
  errorCategory,
  guardLogger,
  isHnvErrorCode,
  type Logger,
  silentLogger,
} from '@hnvue/core';
import { type BackoffOptions, nextRetryAt } from './backoff.js';
import { DestinationBreakers, type DestinationHealth } from './breaker.js';
import { classifyFailure, type FailureClass, type FailureClassifier } from './classify.js';
import { type Clock, systemClock } from './clock.js';
import { QUEUE_ERROR_CODES, QueueError } from './errors.js';
import { SnapshotPublisher } from './inspect.js';
import { type Records, recordsOf } from './records.js';
import { RequestInbox } from './requests.js';
import { type EnqueueSource, newSpoolName, removeSpoolFile, sweepSpool, writeSpoolFile } from './spool.js';
import { QueueStore } from './store.js';
import {
  type AttemptRecord,
  QUEUE_KINDS,
  QUEUE_STATES,
  type QueueCounts,
  type QueueItem,
  type QueueKind,
  type QueueState,
  type StateCounts,
} from './types.js';

/** What the worker hands each due item to; resolve = delivered, reject = classified failure. */
export type Sender = (item: QueueItem, context: SendContext) => Promise<void>;

export interface SendContext {
  /** Aborted when the queue stops and asks in-flight items back (they are requeued, not failed). */
  readonly signal: AbortSignal;
  /** Report bytes sent so far; re-emitted as the queue's `progress` event. */
  readonly onProgress: (bytesSent: number, bytesTotal?: number) => void;
}

export interface QueueOptions {
  /** Folder owned by the queue: `queue.db` and `spool/` live here. */
  readonly dir: string;
  readonly sender: Sender;
  /** Decides retry vs FAILED for a sender's error; {@link classifyFailure} by default. */
  readonly classify?: FailureClassifier;
  /** pino-compatible; wrapped with guardLogger (NFR-SEC-01). */
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Delay before the first retry (default 5000 ms). */
  readonly initialIntervalMs?: number;
  /** Default 2. */
  readonly backoffMultiplier?: number;
  /** Optional cap on one retry delay. */
  readonly maxIntervalMs?: number;
  /** Attempts before an item that keeps failing retryably goes FAILED (default 10). */
  readonly maxAttempts?: number;
  /** In-flight items per destination (default 4, the association pool's maxSize). */
  readonly maxConcurrencyPerDestination?: number;
  /**
   * Runs inside the transaction that marks an item DONE, so a record derived from the delivery
   * (e.g. "this reference reached the PACS") is committed with it or not at all. A throw rolls
   * back only the hook's writes (a savepoint): the item is DONE either way, and the error is logged.
   */
  readonly onDelivered?: (item: QueueItem, records: Records, queue: QueueInTransaction) => void;
  /**
   * Per-destination circuit breaker (default true): after a network failure one probe at a
   * time, spaced by the same back-off, decides for all the destination's items (breaker.ts).
   */
  readonly circuitBreaker?: boolean;
  /**
   * Publish `status.json` beside queue.db while the queue is open (default true), so that
   * `inspectQueue` (`hnvue queue status|list`) can show this queue from another process while this
   * one holds the database's exclusive lock (inspect.ts).
   */
  readonly statusSnapshots?: boolean;
  /**
   * Answer operator requests from other processes (default true): `sendQueueRequest`
   * (`hnvue queue retry` while the console runs) drops them into `requests/` beside queue.db
   * (requests.ts).
   */
  readonly operatorRequests?: boolean;
}

/** Options of one `enqueue`. */
export interface EnqueueOptions {
  /**
   * Runs in the transaction that records the item (new, requeued or found as a duplicate), with the
   * item as stored: the caller's records and the item are committed together. A throw rolls both
   * back and rejects the enqueue (the spool file of a new item is removed).
   */
  readonly withRecords?: (records: Records, result: EnqueueResult, queue: QueueInTransaction) => void;
}

/** A payload small enough to be written while the database transaction is open. */
export type InTransactionInput = EnqueueInput & { readonly source: { readonly bytes: Uint8Array } };

/**
 * The queue as a hook sees it inside one of the queue's transactions (`transaction`, `withRecords`,
 * `onDelivered`): `enqueue` writes the spool file synchronously and records the item in that same
 * transaction, so the item and the records that led to it commit together or not at all
 * (NFR-REL-01). `enqueued` is emitted once the outermost transaction commits; on a rollback the
 * spool file is removed (or, after a crash, swept at the next start: spool.ts).
 */
export interface QueueInTransaction {
  enqueue(input: InTransactionInput): EnqueueResult;
  /**
   * Runs `fn` once the outermost transaction has committed (not when it, or the savepoint this
   * call is in, rolls back): for announcing what the transaction recorded. A throw is logged.
   */
  afterCommit(fn: () => void): void;
}

/** What an in-transaction enqueue does once the outermost transaction commits or rolls back. */
interface TxEffect {
  committed(): void;
  rolledBack(): void;
}

export interface EnqueueInput {
  readonly kind?: QueueKind;
  readonly destination: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly source: EnqueueSource;
  /** Higher goes first (default 0). */
  readonly priority?: number;
  /**
   * Deduplication key within (destination, kind): the SOP Instance UID by default, so the same
   * image queued twice for one destination is one item; `null` disables it (MPPS N-SET, which
   * legitimately repeats for one instance).
   */
  readonly dedupKey?: string | null;
  /** Items with the same order key are delivered strictly one after another, oldest first. */
  readonly orderKey?: string | null;
}

/**
 * What `enqueue` did with the payload:
 * - `enqueued`: a new item;
 * - `requeued`: an item with the same dedup key had FAILED; it is PENDING again with the NEW payload
 *   (same id and history, fresh attempt budget);
 * - `already-queued`: the same key is PENDING, RETRYING or IN_PROGRESS; the new payload was dropped;
 * - `already-delivered`: the same key is DONE (the destination has it); the new payload was dropped.
 */
export type EnqueueOutcome = 'enqueued' | 'requeued' | 'already-queued' | 'already-delivered';

export interface EnqueueResult {
  readonly item: QueueItem;
  /**
   * True when the new payload was dropped because an item with the same dedup key is queued or
   * DONE (`outcome` says which); false for a new item and for a FAILED item requeued with it.
   */
  readonly duplicate: boolean;
  readonly outcome: EnqueueOutcome;
}

export interface DiscardOptions {
  /**
   * Also mark FAILED (HNV_ERR_QUEUE_PREDECESSOR_DISCARDED) the undelivered items queued after this
   * one under the same order key, which would otherwise go out without it. Default false.
   */
  readonly failSuccessors?: boolean;
}

export interface StopOptions {
  /**
   * How long to let in-flight deliveries finish before aborting them (their items go back to
   * RETRYING, due at once, the attempt not counted). Default 10 000 ms; 0 requeues at once.
   */
  readonly graceMs?: number;
}

/** Typed notifications for the UI. Listeners must not throw; a throw is logged and ignored. */
export interface QueueEvents {
  enqueued: [item: QueueItem];
  attempt: [item: QueueItem];
  progress: [item: QueueItem, bytesSent: number, bytesTotal: number];
  retrying: [item: QueueItem, failure: FailureClass];
  delivered: [item: QueueItem];
  failed: [item: QueueItem, failure: FailureClass];
  /** A destination's circuit breaker changed state (open, half-open: probing, closed). */
  health: [health: DestinationHealth];
}

interface InFlight {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/** The catalogue's network-category codes: the failures that mean "destination unreachable". */
const NETWORK_CODES: readonly string[] = Object.entries(ERROR_CATALOGUE)
  .filter(([, spec]) => spec.category === 'network')
  .map(([code]) => code);

function emptyCounts(): StateCounts {
  return Object.fromEntries(QUEUE_STATES.map((s) => [s, 0])) as StateCounts;
}

/** Log-safe identity of an item: UIDs, sizes and destination names only (NFR-SEC-01). */
function logFields(item: QueueItem): Record<string, unknown> {
  return {
    itemId: item.id,
    kind: item.kind,
    destination: item.destination,
    sopClassUid: item.sopClassUid,
    sopInstanceUid: item.sopInstanceUid,
    size: item.size,
    attempt: item.attemptCount,
  };
}

/**
 * The persistent transmission queue (NFR-REL-01). `open` recovers the previous run (interrupted
 * items rescheduled, orphan spool files removed, rows without a file FAILED); `start` runs the
 * delivery worker: a timer armed for the next due item, woken by `enqueue` and by every finished
 * delivery, never a polling loop.
 */
export class TransmissionQueue extends EventEmitter<QueueEvents> {
  readonly #store: QueueStore;
  readonly #spoolDir: string;
  readonly #sender: Sender;
  readonly #classify: FailureClassifier;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #backoff: BackoffOptions;
  readonly #maxAttempts: number;
  readonly #maxConcurrency: number;
  readonly #records: Records;
  readonly #onDelivered: QueueOptions['onDelivered'];
  readonly #inFlight = new Map<number, InFlight>();
  readonly #perDestination = new Map<string, number>();
  #running = false;
  #stopping = false;
  #closed = false;
  #timer: { cancel(): void } | undefined;
  #timerAt: number | undefined;
  #pumpScheduled = false;
  readonly #breakers: DestinationBreakers | undefined;
  readonly #inTx: QueueInTransaction = {
    enqueue: (input) => this.#enqueueInTransaction(input),
    afterCommit: (fn) => this.#afterCommit(fn),
  };
  /** Effects of in-transaction enqueues, while an outermost transaction of #tx is open. */
  #effects: TxEffect[] | undefined;
  #snapshots: SnapshotPublisher | undefined;
  #requests: RequestInbox | undefined;

  private constructor(store: QueueStore, spoolDir: string, options: QueueOptions, log: Logger) {
    super();
    this.#store = store;
    this.#spoolDir = spoolDir;
    this.#sender = options.sender;
    this.#classify = options.classify ?? classifyFailure;
    this.#log = log;
    this.#clock = options.clock ?? systemClock;
    this.#backoff = {
      initialIntervalMs: options.initialIntervalMs ?? 5000,
      backoffMultiplier: options.backoffMultiplier ?? 2,
      ...(options.maxIntervalMs === undefined ? {} : { maxIntervalMs: options.maxIntervalMs }),
    };
    this.#maxAttempts = options.maxAttempts ?? 10;
    this.#maxConcurrency = options.maxConcurrencyPerDestination ?? 4;
    this.#records = recordsOf(store);
    this.#onDelivered = options.onDelivered;
    this.#breakers = options.circuitBreaker === false ? undefined : new DestinationBreakers(this.#backoff);
  }

  /** The records kept beside the items; each call outside `transaction` commits on its own. */
  get records(): Records {
    this.#assertOpen();
    return this.#records;
  }

  /** Runs `fn` in one IMMEDIATE transaction of the queue's database (synchronous; nested = savepoint). */
  transaction<T>(fn: (records: Records, queue: QueueInTransaction) => T): T {
    this.#assertOpen();
    return this.#tx(() => fn(this.#records, this.#inTx));
  }

  /** One transaction (savepoint when nested) whose in-transaction enqueues settle with it. */
  #tx<T>(fn: () => T): T {
    if (this.#effects) {
      // A savepoint: its own enqueues are undone if it rolls back while the outer one goes on.
      const effects = this.#effects;
      const mark = effects.length;
      try {
        return this.#store.transaction(fn);
      } catch (err) {
        for (const e of effects.splice(mark)) e.rolledBack();
        throw err;
      }
    }
    const effects: TxEffect[] = [];
    this.#effects = effects;
    let result: T;
    try {
      result = this.#store.transaction(fn);
    } catch (err) {
      this.#effects = undefined;
      for (const e of effects) e.rolledBack();
      throw err;
    }
    this.#effects = undefined;
    for (const e of effects) e.committed();
    return result;
  }

  #validate(input: EnqueueInput): { kind: QueueKind; dedupKey: string | null } {
    const kind = input.kind ?? 'c-store';
    if (!QUEUE_KINDS.includes(kind)) {
      throw new QueueError(QUEUE_ERROR_CODES.invalidItem, `unknown queue item kind ${String(kind)}`);
    }
    for (const [name, value] of [
      ['destination', input.destination],
      ['sopClassUid', input.sopClassUid],
      ['sopInstanceUid', input.sopInstanceUid],
    ] as const) {
      if (typeof value !== 'string' || value === '') {
        throw new QueueError(QUEUE_ERROR_CODES.invalidItem, `enqueue needs a non-empty ${name}`);
      }
    }
    const dedupKey =
      input.dedupKey === undefined ? (kind === 'mpps-set' ? null : input.sopInstanceUid) : input.dedupKey;
    return { kind, dedupKey };
  }

  #afterCommit(fn: () => void): void {
    const effects = this.#effects;
    if (!effects || !this.#store.inTransaction) {
      throw new QueueError(QUEUE_ERROR_CODES.invalidItem, 'afterCommit outside a queue transaction');
    }
    effects.push({
      committed: () => {
        try {
          fn();
        } catch (err) {
          this.#log.error(
            { err: err instanceof Error ? err.message : String(err) },
            'afterCommit callback failed; the transaction stands',
          );
        }
      },
      rolledBack: () => {},
    });
  }

  /** QueueInTransaction.enqueue: the same outcomes as `enqueue`, inside the caller's transaction. */
  #enqueueInTransaction(input: InTransactionInput): EnqueueResult {
    this.#assertOpen();
    const effects = this.#effects;
    if (!effects || !this.#store.inTransaction) {
      throw new QueueError(
        QUEUE_ERROR_CODES.invalidItem,
        'in-transaction enqueue outside a queue transaction',
      );
    }
    const { kind, dedupKey } = this.#validate(input);
    const existing =
      dedupKey === null ? undefined : this.#store.findDuplicate(input.destination, kind, dedupKey);
    if (existing && existing.state !== 'FAILED') return this.#duplicate(existing);
    const spoolName = newSpoolName();
    const path = join(this.#spoolDir, spoolName);
    writeSpoolFileSync(this.#spoolDir, spoolName, input.source.bytes);
    const size = input.source.bytes.byteLength;
    let old: string | undefined;
    let item: QueueItem;
    try {
      if (existing) {
        old = this.#store.replacePayload(
          existing.id,
          { spoolName, size, sopClassUid: input.sopClassUid, priority: input.priority ?? 0 },
          this.#clock.now(),
        );
        item = this.#store.get(existing.id)!;
      } else {
        item = this.#store.insert({
          kind,
          destination: input.destination,
          sopClassUid: input.sopClassUid,
          sopInstanceUid: input.sopInstanceUid,
          dedupKey,
          orderKey: input.orderKey ?? null,
          spoolName,
          size,
          priority: input.priority ?? 0,
          createdAt: this.#clock.now(),
        })!;
      }
    } catch (err) {
      unlinkQuietly(path);
      throw err;
    }
    effects.push({
      committed: () => {
        if (old !== undefined) unlinkQuietly(join(this.#spoolDir, old));
        this.#log.info(logFields(item), 'queue item enqueued');
        this.#emit('enqueued', item);
        this.#wake();
      },
      rolledBack: () => unlinkQuietly(path),
    });
    return { item, duplicate: false, outcome: existing ? 'requeued' : 'enqueued' };
  }

  /**
   * Opens (or creates) the queue in `options.dir` and reconciles it with its spool folder.
   * Throws HNV_ERR_QUEUE_LOCKED when another queue holds the folder, HNV_ERR_QUEUE_CORRUPT when
   * the database is damaged.
   */
  static async open(options: QueueOptions): Promise<TransmissionQueue> {
    for (const [name, value, min] of [
      ['maxAttempts', options.maxAttempts, 1],
      ['maxConcurrencyPerDestination', options.maxConcurrencyPerDestination, 1],
      ['initialIntervalMs', options.initialIntervalMs, 0],
      ['backoffMultiplier', options.backoffMultiplier, 1],
    ] as const) {
      if (value !== undefined && !(Number.isFinite(value) && value >= min)) {
        throw new ConfigError([`queue.${name}: expected a number >= ${min}, got ${String(value)}`]);
      }
    }
    const log = guardLogger(options.logger ?? silentLogger).child({ component: 'queue' });
    const dir = resolve(options.dir);
    const spoolDir = join(dir, 'spool');
    await mkdir(spoolDir, { recursive: true });
    const store = QueueStore.open(join(dir, 'queue.db'), spoolDir);
    try {
      const clock = options.clock ?? systemClock;
      const now = clock.now();
      const interrupted = store.recoverInterrupted(now);
      const live = store.liveSpoolNames();
      const { removed, missing } = await sweepSpool(spoolDir, new Set(live.keys()));
      let lost = 0;
      for (const name of missing) {
        const row = live.get(name)!;
        if (row.state === 'FAILED') continue;
        store.failWithoutAttempt(
          row.id,
          now,
          QUEUE_ERROR_CODES.spoolMissing,
          'spool file missing at start-up',
        );
        log.error({ itemId: row.id, code: QUEUE_ERROR_CODES.spoolMissing }, 'queue item lost its spool file');
        lost++;
      }
      log.info({ interrupted, orphanFilesRemoved: removed, missingFiles: lost }, 'queue opened');
      const queue = new TransmissionQueue(store, spoolDir, options, log);
      if (options.statusSnapshots !== false) {
        queue.#snapshots = new SnapshotPublisher(queue, dir, (err) =>
          log.warn(
            { err: err instanceof Error ? err.message : String(err) },
            'queue status snapshot not written',
          ),
        );
      }
      if (options.operatorRequests !== false) {
        queue.#requests = new RequestInbox(queue, dir, (err) =>
          log.warn(
            { err: err instanceof Error ? err.message : String(err) },
            'queue operator request not answered',
          ),
        );
      }
      return queue;
    } catch (err) {
      store.close();
      throw err;
    }
  }

  /** Writes the payload durably, then records the item; resolves once both are on disk. */
  async enqueue(input: EnqueueInput, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    this.#assertOpen();
    const { kind, dedupKey } = this.#validate(input);
    let existing =
      dedupKey === null ? undefined : this.#store.findDuplicate(input.destination, kind, dedupKey);
    const withRecords = options.withRecords;
    if (existing && existing.state !== 'FAILED') {
      if (!withRecords) return this.#duplicate(existing);
      return this.#tx(() => {
        const result = this.#duplicate(this.#store.get(existing!.id)!);
        withRecords(this.#records, result, this.#inTx);
        return result;
      });
    }
    const spoolName = newSpoolName();
    const size = await writeSpoolFile(this.#spoolDir, spoolName, input.source);
    this.#assertOpen();
    // Re-read: a concurrent enqueue or requeue may have changed the item while we wrote.
    existing = dedupKey === null ? undefined : this.#store.findDuplicate(input.destination, kind, dedupKey);
    if (existing) {
      // A FAILED image sent again (e.g. after the operator fixed it) must not be silently dropped:
      // the row takes the new file in one commit; a crash on either side leaves one orphan file
      // that the start-up sweep removes, never a row without its file.
      const found = existing;
      let old: string | undefined;
      let duplicate: EnqueueResult | undefined;
      try {
        this.#tx(() => {
          old =
            found.state === 'FAILED'
              ? this.#store.replacePayload(
                  found.id,
                  { spoolName, size, sopClassUid: input.sopClassUid, priority: input.priority ?? 0 },
                  this.#clock.now(),
                )
              : undefined;
          const item = this.#store.get(found.id)!;
          if (old === undefined) duplicate = this.#duplicate(item);
          withRecords?.(
            this.#records,
            duplicate ?? { item, duplicate: false, outcome: 'requeued' },
            this.#inTx,
          );
        });
      } catch (err) {
        await removeSpoolFile(join(this.#spoolDir, spoolName));
        throw err;
      }
      if (old === undefined) {
        await removeSpoolFile(join(this.#spoolDir, spoolName));
        return duplicate!;
      }
      await removeSpoolFile(join(this.#spoolDir, old)).catch((err: unknown) => {
        this.#log.warn(
          { itemId: existing.id, err: err instanceof Error ? err.message : String(err) },
          'spool unlink failed',
        );
      });
      const requeued = this.#store.get(existing.id)!;
      this.#breakers?.probeNow(requeued.destination, this.#clock.now());
      this.#log.info(logFields(requeued), 'queue item requeued with a new payload');
      this.#emit('enqueued', requeued);
      this.#wake();
      return { item: requeued, duplicate: false, outcome: 'requeued' };
    }
    const newItem = {
      kind,
      destination: input.destination,
      sopClassUid: input.sopClassUid,
      sopInstanceUid: input.sopInstanceUid,
      dedupKey,
      orderKey: input.orderKey ?? null,
      spoolName,
      size,
      priority: input.priority ?? 0,
      createdAt: this.#clock.now(),
    };
    let item: QueueItem | undefined;
    let raced: EnqueueResult | undefined;
    try {
      this.#tx(() => {
        item = this.#store.insert(newItem);
        // Lost a race with a concurrent enqueue of the same key: keep theirs.
        if (!item) raced = this.#duplicate(this.#store.findDuplicate(input.destination, kind, dedupKey!)!);
        withRecords?.(
          this.#records,
          raced ?? { item: item!, duplicate: false, outcome: 'enqueued' },
          this.#inTx,
        );
      });
    } catch (err) {
      await removeSpoolFile(join(this.#spoolDir, spoolName));
      throw err;
    }
    if (!item) {
      await removeSpoolFile(join(this.#spoolDir, spoolName));
      return raced!;
    }
    this.#log.info(logFields(item), 'queue item enqueued');
    this.#emit('enqueued', item);
    this.#wake();
    return { item, duplicate: false, outcome: 'enqueued' };
  }

  /** Starts delivering; items already due go out at once. */
  start(): void {
    this.#assertOpen();
    if (this.#running) return;
    this.#running = true;
    this.#stopping = false;
    this.#wake();
  }

  /**
   * Stops taking new items and waits for in-flight ones (see {@link StopOptions}). A sender that
   * ignores the abort is abandoned after `graceMs` more: its item stays IN_PROGRESS on disk and
   * the next `open` reschedules it as interrupted.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    this.#running = false;
    this.#stopping = true;
    this.#cancelTimer();
    const pending = [...this.#inFlight.values()];
    if (pending.length === 0) return;
    const graceMs = options.graceMs ?? 10_000;
    const all = Promise.all(pending.map((f) => f.done)).then(() => true);
    const after = (ms: number) =>
      new Promise<false>((resolve) => {
        if (ms <= 0) resolve(false);
        else timers.push(this.#clock.setTimer(() => resolve(false), ms));
      });
    const timers: { cancel(): void }[] = [];
    try {
      if (await Promise.race([all, after(graceMs)])) return;
      for (const f of pending) f.controller.abort();
      if (!(await Promise.race([all, after(Math.max(graceMs, 1000))]))) {
        this.#log.warn(
          { abandoned: this.#inFlight.size },
          'queue stop abandoned deliveries that ignored the abort',
        );
      }
    } finally {
      for (const t of timers) t.cancel();
    }
  }

  /** Stops the worker and closes the database. The queue object is unusable afterwards. */
  async close(options: StopOptions = {}): Promise<void> {
    if (this.#closed) return;
    await this.stop(options);
    this.#closed = true;
    this.#requests?.stop();
    this.#snapshots?.stop();
    this.#store.close();
  }

  get(id: number): QueueItem | undefined {
    return this.#store.get(id);
  }

  list(
    filter: {
      readonly state?: QueueState;
      readonly destination?: string;
      readonly limit?: number;
      readonly offset?: number;
    } = {},
  ): QueueItem[] {
    return this.#store.list(filter);
  }

  /** Item counts per state, in total and per destination. */
  counts(): QueueCounts {
    const total = emptyCounts();
    const byDestination: Record<string, StateCounts> = {};
    for (const { destination, state, n } of this.#store.counts()) {
      total[state] += n;
      byDestination[destination] ??= emptyCounts();
      byDestination[destination][state] += n;
    }
    return { total, byDestination };
  }

  /**
   * Health of the destinations whose circuit breaker is open or probing (an empty list when
   * every destination answers); with a name, that destination's (closed when it never failed).
   */
  health(): DestinationHealth[];
  health(destination: string): DestinationHealth;
  health(destination?: string): DestinationHealth[] | DestinationHealth {
    const closed = (d: string): DestinationHealth => ({
      destination: d,
      state: 'closed',
      failures: 0,
      nextProbeAt: null,
      openedAt: null,
      lastErrorCode: null,
    });
    if (destination !== undefined) return this.#breakers?.health(destination) ?? closed(destination);
    return this.#breakers?.unhealthy() ?? [];
  }

  /** Every attempt of one item, oldest first (retries included). */
  history(id: number): AttemptRecord[] {
    return this.#store.attempts(id);
  }

  /** Explicit re-queue of a FAILED item: PENDING, due now, with a fresh attempt budget. */
  requeue(id: number): QueueItem {
    this.#assertOpen();
    const item = this.#store.get(id);
    if (item?.state !== 'FAILED') {
      throw new QueueError(QUEUE_ERROR_CODES.invalidItem, `queue item ${id} is not FAILED`, {
        details: { itemId: id, state: item?.state ?? null },
      });
    }
    if (!existsSync(item.path)) {
      throw new QueueError(
        QUEUE_ERROR_CODES.spoolMissing,
        `queue item ${id} has no spool file left to send`,
        {
          details: { itemId: id },
        },
      );
    }
    this.#store.requeue(id, this.#clock.now());
    // An operator's explicit retry: an open breaker lets its probe go now rather than later.
    this.#breakers?.probeNow(item.destination, this.#clock.now());
    const requeued = this.#store.get(id)!;
    this.#log.info(logFields(requeued), 'queue item requeued');
    this.#snapshots?.changed();
    this.#wake();
    return requeued;
  }

  /**
   * Drops a FAILED item for good: its row, history and spool file. Items queued after it under the
   * same order key stop waiting for it (a FAILED item blocks them); pass `failSuccessors` to fail
   * them as well. Returns the ids of the successors so failed.
   */
  async discard(id: number, options: DiscardOptions = {}): Promise<number[]> {
    this.#assertOpen();
    const item = this.#store.get(id);
    const result = this.#store.discard(
      id,
      this.#clock.now(),
      options.failSuccessors
        ? {
            code: QUEUE_ERROR_CODES.predecessorDiscarded,
            reason: `an earlier item with the same order key (${id}) was discarded`,
          }
        : undefined,
    );
    if (!item || !result) {
      throw new QueueError(QUEUE_ERROR_CODES.invalidItem, `queue item ${id} is not FAILED`, {
        details: { itemId: id, state: item?.state ?? null },
      });
    }
    await removeSpoolFile(join(this.#spoolDir, result.spoolName));
    // An operator's action on the destination's items, like a requeue: probe now, not later.
    this.#breakers?.probeNow(item.destination, this.#clock.now());
    this.#log.warn({ ...logFields(item), failedSuccessors: result.failed.length }, 'queue item discarded');
    this.#snapshots?.changed();
    for (const successorId of result.failed) {
      const failed = this.#store.get(successorId)!;
      this.#emit('failed', failed, {
        retryable: false,
        code: QUEUE_ERROR_CODES.predecessorDiscarded,
        reason: failed.lastErrorReason ?? '',
      });
    }
    this.#wake();
    return result.failed;
  }

  /** Deletes DONE items completed before `before` (epoch ms) and their history; returns how many. */
  purgeDone(before: number): number {
    this.#assertOpen();
    const purged = this.#store.purgeDone(before);
    this.#snapshots?.changed();
    return purged;
  }

  #assertOpen(): void {
    if (this.#closed) throw new QueueError(QUEUE_ERROR_CODES.closed, 'the transmission queue is closed');
  }

  #duplicate(item: QueueItem): EnqueueResult {
    const outcome = item.state === 'DONE' ? 'already-delivered' : 'already-queued';
    this.#log.debug(logFields(item), `queue item ${outcome}`);
    return { item, duplicate: true, outcome };
  }

  #healthChanged(destination: string, message: string): void {
    const health = this.#breakers?.health(destination);
    if (health === undefined) return;
    if (health.state === 'closed') {
      // Back: the items that failed while it was away are due again now, so the destination's
      // items resume in their order instead of each waiting out its own back-off.
      try {
        const released = this.#store.releaseAfterOutage(destination, this.#clock.now(), NETWORK_CODES);
        this.#log.info({ destination, released }, 'items held by the outage are due again');
      } catch (err) {
        this.#log.error(
          { err: err instanceof Error ? err.message : String(err) },
          'queue bookkeeping failed',
        );
      }
    }
    if (health.state === 'open') this.#log.warn({ ...health }, message);
    else this.#log.info({ ...health }, message);
    this.#emit('health', health);
  }

  #emit<K extends keyof QueueEvents>(event: K, ...args: QueueEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: QueueEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.#log.error(
        { event, err: err instanceof Error ? err.message : String(err) },
        'queue listener threw',
      );
    }
  }

  #wake(): void {
    if (this.#pumpScheduled || !this.#running) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = undefined;
  }

  #pump(): void {
    if (!this.#running || this.#closed) return;
    const now = this.#clock.now();
    try {
      for (const destination of this.#store.dueDestinations(now)) {
        const inFlight = this.#perDestination.get(destination) ?? 0;
        let free = this.#maxConcurrency - inFlight;
        const probing = this.#breakers?.isOpen(destination) === true;
        if (this.#breakers !== undefined) free = this.#breakers.admit(destination, now, free, inFlight);
        if (free <= 0) continue;
        const due = this.#store.due(destination, now, free);
        if (probing) {
          // Nothing sendable (an order key blocks it): no probe went, so none is awaited.
          if (due.length === 0) this.#breakers?.probeAbandoned(destination, now);
          else this.#healthChanged(destination, 'destination probe');
        }
        for (const candidate of due) this.#deliver(candidate.id, now);
      }
      // Due items held back by the concurrency limit or an order key wait for a delivery to finish
      // (which wakes us); the timer only covers items that are not due yet.
      let next = this.#store.nextDueAfter(now);
      // An open breaker holds items that are due: wake when its probe may go.
      const probe = this.#breakers?.nextProbeAt();
      if (probe !== undefined && probe > now && (next === undefined || probe < next)) next = probe;
      if (next !== this.#timerAt) {
        this.#cancelTimer();
        if (next !== undefined) {
          this.#timerAt = next;
          this.#timer = this.#clock.setTimer(() => {
            this.#timer = undefined;
            this.#timerAt = undefined;
            this.#pump();
          }, next - now);
        }
      }
    } catch (err) {
      this.#log.error({ err: err instanceof Error ? err.message : String(err) }, 'queue scheduling failed');
    }
  }

  #deliver(id: number, now: number): void {
    const item = this.#store.claim(id, now);
    const controller = new AbortController();
    this.#perDestination.set(item.destination, (this.#perDestination.get(item.destination) ?? 0) + 1);
    const done = this.#attempt(item, controller.signal).finally(() => {
      this.#inFlight.delete(item.id);
      const n = (this.#perDestination.get(item.destination) ?? 1) - 1;
      if (n === 0) this.#perDestination.delete(item.destination);
      else this.#perDestination.set(item.destination, n);
      this.#wake();
    });
    this.#inFlight.set(item.id, { controller, done });
  }

  async #attempt(item: QueueItem, signal: AbortSignal): Promise<void> {
    this.#log.info(logFields(item), 'queue item dequeued');
    this.#emit('attempt', item);
    try {
      if (!existsSync(item.path)) {
        throw new QueueError(QUEUE_ERROR_CODES.spoolMissing, 'spool file missing', {
          details: { itemId: item.id },
        });
      }
      const onProgress = (sent: number, total?: number) =>
        this.#emit('progress', item, sent, total ?? item.size);
      await this.#sender(item, { signal, onProgress });
    } catch (err) {
      this.#failed(item, signal, err);
      return;
    }
    // Abandoned by close(): the row stays IN_PROGRESS and the next open reschedules it.
    if (this.#closed) return;
    try {
      const delivered = this.#tx(() => {
        const done = this.#store.settle(item, {
          state: 'DONE',
          outcome: 'delivered',
          now: this.#clock.now(),
        });
        if (this.#onDelivered) {
          try {
            this.#tx(() => this.#onDelivered!(done, this.#records, this.#inTx));
          } catch (err) {
            this.#log.error(
              { itemId: item.id, err: err instanceof Error ? err.message : String(err) },
              'onDelivered hook failed; the item is DONE',
            );
          }
        }
        return done;
      });
      this.#log.info(logFields(delivered), 'queue item delivered');
      if (this.#breakers?.reached(item.destination))
        this.#healthChanged(item.destination, 'destination reachable again');
      this.#emit('delivered', delivered);
      // After the commit: a crash before this unlink leaves a file with a DONE row, which the
      // next start-up sweep removes.
      removeSpoolFile(item.path).catch((err: unknown) => {
        this.#log.warn(
          { itemId: item.id, err: err instanceof Error ? err.message : String(err) },
          'spool unlink failed',
        );
      });
    } catch (err) {
      this.#log.error(
        { itemId: item.id, err: err instanceof Error ? err.message : String(err) },
        'queue bookkeeping failed',
      );
    }
  }

  #failed(item: QueueItem, signal: AbortSignal, err: unknown): void {
    if (this.#closed) return;
    const now = this.#clock.now();
    try {
      if (signal.aborted && this.#stopping) {
        // Asked back by stop(): not the destination's fault, so no back-off and no attempt counted.
        this.#store.settle(item, {
          state: 'RETRYING',
          outcome: 'interrupted',
          now,
          nextAttemptAt: now,
          errorCode: 'HNV_ERR_CANCELLED',
          errorReason: 'queue stopped during delivery',
          countAttempt: false,
        });
        this.#log.info(logFields(item), 'queue item requeued at stop');
        this.#breakers?.probeAbandoned(item.destination, now);
        return;
      }
      const failure = this.#classify(err);
      const unreachable =
        this.#breakers !== undefined &&
        failure.retryable &&
        isHnvErrorCode(failure.code) &&
        errorCategory(failure.code) === 'network';
      if (this.#breakers !== undefined) {
        if (!unreachable) {
          if (this.#breakers.reached(item.destination)) {
            this.#healthChanged(item.destination, 'destination reachable again');
          }
        } else if (this.#breakers.unreachable(item.destination, now, failure.code)) {
          this.#healthChanged(item.destination, 'destination unreachable: its items wait for one probe');
        }
      }
      if (failure.retryable && item.attemptCount < this.#maxAttempts) {
        const at = nextRetryAt(item.lastAttemptAt ?? now, item.attemptCount - 1, this.#backoff);
        const retrying = this.#store.settle(item, {
          state: 'RETRYING',
          outcome: 'retry',
          now,
          nextAttemptAt: at,
          errorCode: failure.code,
          errorReason: failure.reason,
        });
        this.#log.warn(
          { ...logFields(retrying), code: failure.code, reason: failure.reason, nextAttemptAt: at },
          'queue item will be retried',
        );
        this.#emit('retrying', retrying, failure);
        return;
      }
      const final: FailureClass = failure.retryable
        ? { ...failure, reason: `gave up after ${item.attemptCount} attempt(s): ${failure.reason}` }
        : failure;
      const failed = this.#store.settle(item, {
        state: 'FAILED',
        outcome: 'failed',
        now,
        errorCode: final.code,
        errorReason: final.reason,
      });
      this.#log.error({ ...logFields(failed), code: final.code, reason: final.reason }, 'queue item failed');
      this.#emit('failed', failed, final);
    } catch (storeErr) {
      this.#log.error(
        { itemId: item.id, err: storeErr instanceof Error ? storeErr.message : String(storeErr) },
        'queue bookkeeping failed',
      );
    }
  }
}

/** Synchronous twin of spool.ts `writeSpoolFile` for in-transaction enqueues: temp, fsync, rename, fsync the folder. */
function writeSpoolFileSync(spoolDir: string, name: string, bytes: Uint8Array): void {
  // The `.tmp-` prefix is spool.ts's: a temp file left by a crash is swept at the next start.
  const temp = join(spoolDir, `.tmp-${name}`);
  const fd = openSync(temp, 'wx');
  try {
    for (let at = 0; at < bytes.byteLength; ) at += writeSync(fd, bytes, at);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkQuietly(temp);
    throw err;
  }
  closeSync(fd);
  renameSync(temp, join(spoolDir, name));
  if (process.platform !== 'win32') {
    const dir = openSync(spoolDir, 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone, or left for the start-up sweep (spool.ts).
  }
}
