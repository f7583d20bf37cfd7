/**
 * Read-only inspection of a queue directory from another process (`hnvue queue status|list`).
 *
 * The running queue holds queue.db in EXCLUSIVE locking mode (store.ts), so no second connection
 * can read it while the console runs, and loosening that lock would let two writers interleave.
 * Instead every open TransmissionQueue publishes a snapshot (SnapshotPublisher, started by
 * `TransmissionQueue.open`): `status.json`, written to a temporary file and renamed over the old
 * one (rename is atomic on POSIX), so a reader always sees one whole snapshot. It is not fsynced:
 * it matters only while the process lives, and a crash releases the lock, after which the reader
 * reads the database itself. When no process holds the database, the reader opens it with a
 * read-only connection (`readonly`, `fileMustExist`): nothing is created, migrated or recovered.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { QUEUE_ERROR_CODES, QueueError } from './errors.js';
import type { QueueEvents, TransmissionQueue } from './queue.js';
import {
  QUEUE_STATES,
  type QueueCounts,
  type QueueKind,
  type QueueState,
  type StateCounts,
} from './types.js';

/** What inspection shows of an item: identifiers, state and error code, no payload path or reason text. */
export interface InspectedItem {
  readonly id: number;
  readonly kind: QueueKind;
  readonly destination: string;
  readonly sopInstanceUid: string;
  readonly state: QueueState;
  readonly attemptCount: number;
  readonly lastErrorCode: string | null;
  readonly createdAt: number;
  readonly nextAttemptAt: number;
}

export interface QueueInspection {
  /** `snapshot`: published by the running queue (pid); `database`: read from queue.db, no queue running. */
  readonly source: 'snapshot' | 'database';
  readonly pid: number | null;
  /** Epoch ms the view was taken. */
  readonly takenAt: number;
  readonly counts: QueueCounts;
  /** The items asked for (`InspectOptions`), in id order. */
  readonly items: readonly InspectedItem[];
  /**
   * True when items of the states asked for exist that `items` does not hold: a snapshot keeps at
   * most SNAPSHOT_ITEM_LIMIT items not DONE and the SNAPSHOT_DONE_LIMIT newest DONE ones.
   */
  readonly truncated: boolean;
}

export interface InspectOptions {
  /** Only items in this state (all states by default). */
  readonly state?: QueueState;
  /** At most this many items; 0 reads the counts only. */
  readonly limit?: number;
}

export const STATUS_FILE = 'status.json';
/** Items not DONE a snapshot holds (the oldest first: those waiting longest). */
export const SNAPSHOT_ITEM_LIMIT = 1000;
/** The newest DONE items a snapshot holds. */
export const SNAPSHOT_DONE_LIMIT = 100;
const SNAPSHOT_FORMAT = 2;

/** True when `dir` holds a queue database (inspection never creates one). */
export function queueExists(dir: string): boolean {
  return existsSync(join(resolve(dir), 'queue.db'));
}

function emptyCounts(): StateCounts {
  return Object.fromEntries(QUEUE_STATES.map((s) => [s, 0])) as StateCounts;
}

function countsOf(rows: readonly { destination: string; state: QueueState; n: number }[]): QueueCounts {
  const total = emptyCounts();
  const byDestination: Record<string, StateCounts> = {};
  for (const { destination, state, n } of rows) {
    total[state] += n;
    byDestination[destination] ??= emptyCounts();
    byDestination[destination][state] += n;
  }
  return { total, byDestination };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const CHANGE_EVENTS = [
  'enqueued',
  'attempt',
  'retrying',
  'delivered',
  'failed',
] as const satisfies readonly (keyof QueueEvents)[];

/**
 * Keeps `status.json` in the queue's folder up to date for as long as the queue is open: written
 * at open, at most once per `intervalMs` after a change (the queue's events, plus `changed()` for
 * the operator actions that emit none) and once more at close. The write runs on the queue's own
 * thread, so it is kept small (counts plus a bounded list of items) and rare: with 2000 items
 * waiting one write took ~21 ms on a loaded 2-core machine, so once a second costs at most ~2 %.
 */
export class SnapshotPublisher {
  readonly #queue: TransmissionQueue;
  readonly #file: string;
  readonly #intervalMs: number;
  readonly #onError: (err: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  readonly #onChange = (): void => this.changed();

  /** `onError`: a failed write (disk full, folder gone) is reported there and never thrown into the queue. */
  constructor(queue: TransmissionQueue, dir: string, onError: (err: unknown) => void, intervalMs = 1000) {
    this.#queue = queue;
    this.#file = join(resolve(dir), STATUS_FILE);
    this.#onError = onError;
    this.#intervalMs = intervalMs;
    for (const e of CHANGE_EVENTS) queue.on(e, this.#onChange);
    this.#write();
  }

  /** Something changed that shows in a snapshot: publish soon. */
  changed(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => this.#write(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Publishes the final state now and stops; call it before the database closes. */
  stop(): void {
    for (const e of CHANGE_EVENTS) this.#queue.off(e, this.#onChange);
    this.#write();
  }

  #write(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const counts = this.#queue.counts();
    const items: InspectedItem[] = [];
    for (const state of QUEUE_STATES) {
      if (state === 'DONE') continue;
      items.push(...this.#queue.list({ state, limit: SNAPSHOT_ITEM_LIMIT }).map(slim));
    }
    items.sort((x, y) => x.id - y.id);
    items.length = Math.min(items.length, SNAPSHOT_ITEM_LIMIT);
    const offset = Math.max(0, counts.total.DONE - SNAPSHOT_DONE_LIMIT);
    items.push(...this.#queue.list({ state: 'DONE', offset }).map(slim));
    items.sort((x, y) => x.id - y.id);
    const snapshot = { format: SNAPSHOT_FORMAT, pid: process.pid, takenAt: Date.now(), counts, items };
    const tmp = `${this.#file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(snapshot));
      renameSync(tmp, this.#file);
    } catch (err) {
      this.#onError(err);
    }
  }
}

function slim(i: InspectedItem): InspectedItem {
  return {
    id: i.id,
    kind: i.kind,
    destination: i.destination,
    sopInstanceUid: i.sopInstanceUid,
    state: i.state,
    attemptCount: i.attemptCount,
    lastErrorCode: i.lastErrorCode,
    createdAt: i.createdAt,
    nextAttemptAt: i.nextAttemptAt,
  };
}

/**
 * A consistent view of the queue in `dir`: the running queue's snapshot while a process holds the
 * database, else the database read through a read-only connection. Throws QueueError
 * HNV_ERR_QUEUE_INVALID_ITEM when `dir` holds no queue, HNV_ERR_QUEUE_LOCKED when a process holds
 * it without publishing snapshots (a queue of a version before snapshots).
 */
export function inspectQueue(dir: string, options: InspectOptions = {}): QueueInspection {
  const root = resolve(dir);
  const file = join(root, 'queue.db');
  if (!existsSync(file)) {
    throw new QueueError(QUEUE_ERROR_CODES.invalidItem, `no queue in ${root}`, {
      hint: 'check queue.path in the configuration; inspection never creates a queue',
      details: { dir: root },
    });
  }
  const limit = options.limit ?? -1;
  let db: Database.Database | undefined;
  try {
    // timeout 0: a held lock is answered at once (SQLITE_BUSY), never waited for.
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 0 });
    const conn = db;
    const read = conn.transaction(() => ({
      counts: conn
        .prepare('SELECT destination, state, COUNT(*) AS n FROM items GROUP BY destination, state')
        .all() as { destination: string; state: QueueState; n: number }[],
      items:
        limit === 0
          ? []
          : (conn
              .prepare(
                `SELECT id, kind, destination, sop_instance_uid AS sopInstanceUid, state,
                        attempt_count AS attemptCount, last_error_code AS lastErrorCode,
                        created_at AS createdAt, next_attempt_at AS nextAttemptAt
                   FROM items WHERE (@state IS NULL OR state = @state) ORDER BY id LIMIT @limit`,
              )
              .all({ state: options.state ?? null, limit }) as InspectedItem[]),
    }));
    const view = read();
    return {
      source: 'database',
      pid: null,
      takenAt: Date.now(),
      counts: countsOf(view.counts),
      items: view.items,
      truncated: false,
    };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY')) throw err;
    return readSnapshot(root, options);
  } finally {
    db?.close();
  }
}

interface Snapshot {
  readonly format: number;
  readonly pid: number;
  readonly takenAt: number;
  readonly counts: QueueCounts;
  readonly items: readonly InspectedItem[];
}

function readSnapshot(root: string, options: InspectOptions): QueueInspection {
  const file = join(root, STATUS_FILE);
  const snapshot = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Snapshot) : undefined;
  if (snapshot === undefined || snapshot.format !== SNAPSHOT_FORMAT || !pidAlive(snapshot.pid)) {
    throw new QueueError(
      QUEUE_ERROR_CODES.locked,
      `queue in ${root} is held by a process that publishes no status`,
      {
        hint: 'a queue publishes its status from TransmissionQueue.open; retry once the process is up, or stop it',
        details: { dir: root },
      },
    );
  }
  const matching = snapshot.items.filter((i) => options.state === undefined || i.state === options.state);
  const held =
    options.state === undefined
      ? Object.values(snapshot.counts.total).reduce((a, n) => a + n, 0)
      : snapshot.counts.total[options.state];
  const limit = options.limit ?? -1;
  const items = limit < 0 ? matching : matching.slice(0, limit);
  return {
    source: 'snapshot',
    pid: snapshot.pid,
    takenAt: snapshot.takenAt,
    counts: snapshot.counts,
    items,
    // Short of the limit asked for while the queue holds more of them than the snapshot does.
    truncated: (limit < 0 || items.length < limit) && matching.length < held,
  };
}
