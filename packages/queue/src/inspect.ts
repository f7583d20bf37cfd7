/**
 * Read-only inspection of a queue directory from another process (`hnvue queue status|list`).
 *
 * The running queue holds queue.db in EXCLUSIVE locking mode (store.ts), so no second connection
 * can read it while the console runs, and loosening that lock would let two writers interleave.
 * Instead the running process publishes a snapshot: `status.json`, written to a temporary file,
 * fsynced and renamed over the old one (rename is atomic on POSIX), so a reader always sees one
 * whole snapshot. When no process holds the database, the reader opens it with a read-only
 * connection (`readonly`, `fileMustExist`): nothing is created, migrated or recovered.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { QUEUE_ERROR_CODES, QueueError } from './errors.js';
import type { TransmissionQueue } from './queue.js';
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
  /** In id order, at most SNAPSHOT_ITEM_LIMIT in a snapshot (`truncated` then says so). */
  readonly items: readonly InspectedItem[];
  readonly truncated: boolean;
}

export const STATUS_FILE = 'status.json';
export const SNAPSHOT_ITEM_LIMIT = 1000;
const SNAPSHOT_FORMAT = 1;

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

/**
 * Publishes `status.json` in `dir` now, after every change (debounced by `debounceMs`) and at
 * close. Returns a function that stops publishing. Call it in the process that runs the queue.
 */
export function publishQueueSnapshots(
  queue: TransmissionQueue,
  dir: string,
  options: { readonly debounceMs?: number } = {},
): () => void {
  const file = join(resolve(dir), STATUS_FILE);
  const debounceMs = options.debounceMs ?? 200;
  let timer: NodeJS.Timeout | undefined;
  const write = (): void => {
    timer = undefined;
    let items: InspectedItem[];
    let counts: QueueCounts;
    try {
      items = queue.list({ limit: SNAPSHOT_ITEM_LIMIT + 1 });
      counts = queue.counts();
    } catch (err) {
      // A queue closed before stop() has nothing newer to publish; the last snapshot stands.
      // (Its store throws better-sqlite3's TypeError "The database connection is not open".)
      if (err instanceof TypeError && /not open/.test(err.message)) return;
      throw err;
    }
    const snapshot = {
      format: SNAPSHOT_FORMAT,
      pid: process.pid,
      takenAt: Date.now(),
      counts,
      items: items.slice(0, SNAPSHOT_ITEM_LIMIT).map(slim),
      truncated: items.length > SNAPSHOT_ITEM_LIMIT,
    };
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(snapshot));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  };
  const schedule = (): void => {
    timer ??= setTimeout(write, debounceMs);
    timer.unref();
  };
  const events = ['enqueued', 'attempt', 'retrying', 'delivered', 'failed'] as const;
  for (const e of events) queue.on(e, schedule);
  write();
  return () => {
    for (const e of events) queue.off(e, schedule);
    if (timer) {
      clearTimeout(timer);
      write();
    }
  };
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
 * it without publishing snapshots.
 */
export function inspectQueue(dir: string): QueueInspection {
  const root = resolve(dir);
  const file = join(root, 'queue.db');
  if (!existsSync(file)) {
    throw new QueueError(QUEUE_ERROR_CODES.invalidItem, `no queue in ${root}`, {
      hint: 'check queue.path in the configuration; inspection never creates a queue',
      details: { dir: root },
    });
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 0 });
    const read = db.transaction(() => ({
      counts: db
        ?.prepare('SELECT destination, state, COUNT(*) AS n FROM items GROUP BY destination, state')
        .all(),
      items: db
        ?.prepare(
          `SELECT id, kind, destination, sop_instance_uid AS sopInstanceUid, state,
                  attempt_count AS attemptCount, last_error_code AS lastErrorCode,
                  created_at AS createdAt, next_attempt_at AS nextAttemptAt
             FROM items ORDER BY id`,
        )
        .all(),
    }));
    const view = read();
    return {
      source: 'database',
      pid: null,
      takenAt: Date.now(),
      counts: countsOf(view.counts as { destination: string; state: QueueState; n: number }[]),
      items: view.items as InspectedItem[],
      truncated: false,
    };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY')) throw err;
    return readSnapshot(root);
  } finally {
    db?.close();
  }
}

function readSnapshot(root: string): QueueInspection {
  const file = join(root, STATUS_FILE);
  const snapshot = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as QueueInspection & { format: number; pid: number })
    : undefined;
  if (snapshot === undefined || snapshot.format !== SNAPSHOT_FORMAT || !pidAlive(snapshot.pid)) {
    throw new QueueError(
      QUEUE_ERROR_CODES.locked,
      `queue in ${root} is held by a process that publishes no status`,
      {
        hint: 'the running process must call publishQueueSnapshots (the facade does); retry once it is up',
        details: { dir: root },
      },
    );
  }
  return { ...snapshot, source: 'snapshot' };
}
