/**
 * The SQLite side of the queue: one row per operation, one row per attempt. WAL with
 * synchronous=FULL, so a committed transaction survives a process kill and a power loss; an
 * EXCLUSIVE locking mode taken at open, so a second process (or a second queue object on the same
 * file) fails fast with HNV_ERR_QUEUE_LOCKED instead of interleaving with us. The kernel drops the
 * lock when the holder dies, so a restart after SIGKILL opens normally.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { QUEUE_ERROR_CODES, QueueError } from './errors.js';
import type { AttemptOutcome, AttemptRecord, QueueItem, QueueKind, QueueState } from './types.js';

type Db = Database.Database;

// Each entry moves user_version from its index to index + 1; never edit a shipped entry.
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE items (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     kind TEXT NOT NULL,
     destination TEXT NOT NULL,
     sop_class_uid TEXT NOT NULL,
     sop_instance_uid TEXT NOT NULL,
     dedup_key TEXT,
     order_key TEXT,
     spool_name TEXT NOT NULL,
     size INTEGER NOT NULL,
     priority INTEGER NOT NULL DEFAULT 0,
     state TEXT NOT NULL CHECK (state IN ('PENDING','IN_PROGRESS','RETRYING','DONE','FAILED')),
     attempt_count INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     last_attempt_at INTEGER,
     next_attempt_at INTEGER NOT NULL,
     last_error_code TEXT,
     last_error_reason TEXT,
     completed_at INTEGER
   );
   CREATE UNIQUE INDEX items_dedup ON items (destination, kind, dedup_key);
   CREATE INDEX items_due ON items (state, destination, next_attempt_at);
   CREATE INDEX items_order ON items (order_key, id) WHERE order_key IS NOT NULL;
   CREATE TABLE attempts (
     item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
     attempt INTEGER NOT NULL,
     started_at INTEGER NOT NULL,
     ended_at INTEGER,
     outcome TEXT NOT NULL,
     error_code TEXT,
     error_reason TEXT,
     PRIMARY KEY (item_id, attempt)
   );`,
  // Records a queue user keeps beside its items (the facade's procedures, references, pending
  // commitments), so they are written in the same transaction as the item that depends on them.
  `CREATE TABLE records (
     namespace TEXT NOT NULL,
     key TEXT NOT NULL,
     value TEXT NOT NULL,
     PRIMARY KEY (namespace, key)
   ) WITHOUT ROWID;`,
];

/** The schema version this build writes. */
export const SCHEMA_VERSION: number = MIGRATIONS.length;

interface ItemRow {
  id: number;
  kind: QueueKind;
  destination: string;
  sop_class_uid: string;
  sop_instance_uid: string;
  order_key: string | null;
  spool_name: string;
  size: number;
  priority: number;
  state: QueueState;
  attempt_count: number;
  created_at: number;
  last_attempt_at: number | null;
  next_attempt_at: number;
  last_error_code: string | null;
  last_error_reason: string | null;
  completed_at: number | null;
}

interface AttemptRow {
  item_id: number;
  attempt: number;
  started_at: number;
  ended_at: number | null;
  outcome: AttemptOutcome;
  error_code: string | null;
  error_reason: string | null;
}

export interface NewItem {
  readonly kind: QueueKind;
  readonly destination: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly dedupKey: string | null;
  readonly orderKey: string | null;
  readonly spoolName: string;
  readonly size: number;
  readonly priority: number;
  readonly createdAt: number;
}

function sqliteCode(err: unknown): string {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string'
    ? (err as { code: string }).code
    : '';
}

/** Maps SQLite's open-time failures to the queue's typed errors. */
function openError(err: unknown, file: string): unknown {
  const code = sqliteCode(err);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new QueueError(QUEUE_ERROR_CODES.locked, `queue database ${file} is in use by another queue`, {
      cause: err,
      hint: 'only one process may run a given queue directory; stop the other one',
      details: { file, sqlite: code },
    });
  }
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
    return new QueueError(QUEUE_ERROR_CODES.corrupt, `queue database ${file} is corrupt (${code})`, {
      cause: err,
      hint: 'move the file aside and restore a backup; the spool folder still holds the payloads',
      details: { file, sqlite: code },
    });
  }
  return err;
}

/** How long an opening queue waits for a lock someone else holds (busy_timeout, ms). */
const OPEN_BUSY_TIMEOUT_MS = 1000;

export class QueueStore {
  readonly #db: Db;
  readonly #stmts: Statements;
  readonly #spoolDir: string;
  readonly file: string;

  private constructor(db: Db, file: string, spoolDir: string) {
    this.#db = db;
    this.file = file;
    this.#spoolDir = spoolDir;
    this.#stmts = prepare(db);
  }

  /** Opens (creating and migrating) the database; `spoolDir` resolves items' `path`. */
  static open(file: string, spoolDir: string): QueueStore {
    let db: Db | undefined;
    try {
      // A read-only inspection (inspect.ts) holds a shared lock for the few milliseconds of its
      // read; a queue opening meanwhile waits that out instead of failing. Another queue holding
      // the folder keeps its lock, so this open still fails HNV_ERR_QUEUE_LOCKED, once this expires.
      db = new Database(file, { timeout: OPEN_BUSY_TIMEOUT_MS });
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      // Take the exclusive lock now, not at the first write (SQLite pragma locking_mode docs).
      db.exec('BEGIN EXCLUSIVE; COMMIT');
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') {
        throw new QueueError(QUEUE_ERROR_CODES.corrupt, `queue database ${file} failed quick_check`, {
          details: { file, check: String(check).slice(0, 200) },
        });
      }
      migrate(db, file);
      return new QueueStore(db, file, spoolDir);
    } catch (err) {
      db?.close();
      throw openError(err, file);
    }
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  get open(): boolean {
    return this.#db.open;
  }

  get inTransaction(): boolean {
    return this.#db.inTransaction;
  }

  transaction<T>(fn: () => T): T {
    // Nested inside another transaction, better-sqlite3 runs this as a SAVEPOINT.
    if (this.#db.inTransaction) return this.#db.transaction(fn)();
    return this.#db.transaction(fn).immediate();
  }

  getRecord(namespace: string, key: string): string | undefined {
    const row = this.#stmts.getRecord.get(namespace, key) as { value: string } | undefined;
    return row?.value;
  }

  putRecord(namespace: string, key: string, value: string): void {
    this.#stmts.putRecord.run(namespace, key, value);
  }

  deleteRecord(namespace: string, key: string): boolean {
    return this.#stmts.deleteRecord.run(namespace, key).changes === 1;
  }

  listRecords(namespace: string): { key: string; value: string }[] {
    return this.#stmts.listRecords.all(namespace) as { key: string; value: string }[];
  }

  /** Inserts a PENDING item due at `createdAt`; returns undefined when the dedup key already exists. */
  insert(item: NewItem): QueueItem | undefined {
    const info = this.#stmts.insert.run({
      kind: item.kind,
      destination: item.destination,
      sop_class_uid: item.sopClassUid,
      sop_instance_uid: item.sopInstanceUid,
      dedup_key: item.dedupKey,
      order_key: item.orderKey,
      spool_name: item.spoolName,
      size: item.size,
      priority: item.priority,
      created_at: item.createdAt,
    });
    if (info.changes === 0) return undefined;
    return this.get(Number(info.lastInsertRowid));
  }

  findDuplicate(destination: string, kind: QueueKind, dedupKey: string): QueueItem | undefined {
    const row = this.#stmts.findDup.get(destination, kind, dedupKey) as ItemRow | undefined;
    return row && this.#toItem(row);
  }

  get(id: number): QueueItem | undefined {
    const row = this.#stmts.get.get(id) as ItemRow | undefined;
    return row && this.#toItem(row);
  }

  /** Destinations with at least one item due at `now`. */
  dueDestinations(now: number): string[] {
    return (this.#stmts.dueDestinations.all(now) as { destination: string }[]).map((r) => r.destination);
  }

  /** Up to `limit` due items of one destination, by priority then age, honouring order keys. */
  due(destination: string, now: number, limit: number): QueueItem[] {
    return (this.#stmts.due.all(destination, now, limit) as ItemRow[]).map((r) => this.#toItem(r));
  }

  /** The earliest `next_attempt_at` after `now` among PENDING/RETRYING items, or undefined. */
  nextDueAfter(now: number): number | undefined {
    const row = this.#stmts.nextDue.get(now) as { t: number | null };
    return row.t ?? undefined;
  }

  /** PENDING/RETRYING → IN_PROGRESS, counting the attempt and opening its history row. */
  claim(id: number, now: number): QueueItem {
    // A claim need not survive a power loss: losing it only leaves the item PENDING, to be sent
    // again. WAL frames are appended in order, so the next FULL commit syncs this one as well.
    // Measured: one fsync fewer per delivery (about 4 ms of blocked event loop here).
    this.#db.pragma('synchronous = NORMAL');
    try {
      return this.transaction(() => {
        this.#stmts.claim.run(now, id);
        const item = this.get(id)!;
        this.#stmts.insertAttempt.run({ id, now });
        return item;
      });
    } finally {
      this.#db.pragma('synchronous = FULL');
    }
  }

  /** Closes the item's current attempt and moves the item to `state`. */
  settle(
    item: QueueItem,
    change: {
      readonly state: QueueState;
      readonly outcome: AttemptOutcome;
      readonly now: number;
      readonly nextAttemptAt?: number;
      readonly errorCode?: string | null;
      readonly errorReason?: string | null;
      readonly countAttempt?: boolean;
    },
  ): QueueItem {
    return this.transaction(() => {
      const terminal = change.state === 'DONE' || change.state === 'FAILED';
      this.#stmts.settle.run({
        id: item.id,
        state: change.state,
        next_attempt_at: change.nextAttemptAt ?? item.nextAttemptAt,
        last_error_code: change.state === 'DONE' ? null : (change.errorCode ?? item.lastErrorCode),
        last_error_reason: change.state === 'DONE' ? null : (change.errorReason ?? item.lastErrorReason),
        completed_at: terminal ? change.now : null,
        uncount: change.countAttempt === false ? 1 : 0,
      });
      this.#stmts.endAttempt.run({
        item_id: item.id,
        ended_at: change.now,
        outcome: change.outcome,
        error_code: change.errorCode ?? null,
        error_reason: change.errorReason ?? null,
      });
      return this.get(item.id)!;
    });
  }

  /**
   * Items of `destination` backing off after a failure with one of `codes` become due at `now`
   * (the destination is reachable again). Returns how many.
   */
  releaseAfterOutage(destination: string, now: number, codes: readonly string[]): number {
    return this.#stmts.releaseAfterOutage.run({ destination, now, codes: JSON.stringify(codes) }).changes;
  }

  /** FAILED (or DONE) → PENDING with a fresh attempt budget; history is kept. */
  requeue(id: number, now: number): boolean {
    return this.#stmts.requeue.run(now, id).changes === 1;
  }

  /**
   * FAILED → PENDING with a new payload (a fresh enqueue of the same dedup key): the row keeps its
   * id, so its place in an order key's sequence, and its history. Returns the old spool name, or
   * undefined when the item is no longer FAILED (a concurrent requeue won).
   */
  replacePayload(
    id: number,
    change: {
      readonly spoolName: string;
      readonly size: number;
      readonly sopClassUid: string;
      readonly priority: number;
    },
    now: number,
  ): string | undefined {
    return this.transaction(() => {
      const row = this.#stmts.get.get(id) as ItemRow | undefined;
      if (row?.state !== 'FAILED') return undefined;
      this.#stmts.replacePayload.run({
        id,
        spool_name: change.spoolName,
        size: change.size,
        sop_class_uid: change.sopClassUid,
        priority: change.priority,
        now,
      });
      return row.spool_name;
    });
  }

  /**
   * Deletes a FAILED item and its history; with `failSuccessors`, the undelivered items queued
   * after it under the same order key go FAILED with `code` (they are meaningless without it, e.g.
   * an MPPS N-SET whose N-CREATE never reached the RIS). Returns the spool names to unlink, or
   * undefined when the item is not FAILED.
   */
  discard(
    id: number,
    now: number,
    failSuccessors: { readonly code: string; readonly reason: string } | undefined,
  ): { readonly spoolName: string; readonly failed: number[] } | undefined {
    return this.transaction(() => {
      const row = this.#stmts.get.get(id) as ItemRow | undefined;
      if (row?.state !== 'FAILED') return undefined;
      const failed: number[] = [];
      if (failSuccessors && row.order_key !== null) {
        for (const s of this.#stmts.successors.all(row.order_key, id) as { id: number }[]) {
          this.#stmts.failNow.run(now, failSuccessors.code, failSuccessors.reason, s.id);
          this.#stmts.closeOpenAttempts.run(now, s.id);
          failed.push(s.id);
        }
      }
      this.#stmts.remove.run(id);
      return { spoolName: row.spool_name, failed };
    });
  }

  /** Marks a PENDING/RETRYING/IN_PROGRESS item FAILED without an attempt (e.g. its spool file is gone). */
  failWithoutAttempt(id: number, now: number, code: string, reason: string): void {
    this.transaction(() => {
      this.#stmts.failNow.run(now, code, reason, id);
      this.#stmts.closeOpenAttempts.run(now, id);
    });
  }

  /** Start-up recovery: IN_PROGRESS items were interrupted by a crash; due again at `now`. */
  recoverInterrupted(now: number): number {
    return this.transaction(() => {
      this.#stmts.closeAllOpenAttempts.run(now);
      return this.#stmts.recover.run(now).changes;
    });
  }

  /** Items whose spool file must exist (every state but DONE). */
  liveSpoolNames(): Map<string, { id: number; state: QueueState }> {
    const rows = this.#stmts.live.all() as { id: number; spool_name: string; state: QueueState }[];
    return new Map(rows.map((r) => [r.spool_name, { id: r.id, state: r.state }]));
  }

  list(filter: {
    readonly state?: QueueState;
    readonly destination?: string;
    readonly limit?: number;
    readonly offset?: number;
  }): QueueItem[] {
    const rows = this.#stmts.list.all({
      state: filter.state ?? null,
      destination: filter.destination ?? null,
      limit: filter.limit ?? -1,
      offset: filter.offset ?? 0,
    }) as ItemRow[];
    return rows.map((r) => this.#toItem(r));
  }

  counts(): { destination: string; state: QueueState; n: number }[] {
    return this.#stmts.counts.all() as { destination: string; state: QueueState; n: number }[];
  }

  attempts(id: number): AttemptRecord[] {
    return (this.#stmts.attempts.all(id) as AttemptRow[]).map((r) => ({
      itemId: r.item_id,
      attempt: r.attempt,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      outcome: r.outcome,
      errorCode: r.error_code,
      errorReason: r.error_reason,
    }));
  }

  /** Deletes DONE items (and their history) completed before `before`; returns how many. */
  purgeDone(before: number): number {
    return this.#stmts.purge.run(before).changes;
  }

  #toItem(r: ItemRow): QueueItem {
    return {
      id: r.id,
      kind: r.kind,
      destination: r.destination,
      sopClassUid: r.sop_class_uid,
      sopInstanceUid: r.sop_instance_uid,
      size: r.size,
      priority: r.priority,
      state: r.state,
      attemptCount: r.attempt_count,
      createdAt: r.created_at,
      lastAttemptAt: r.last_attempt_at,
      nextAttemptAt: r.next_attempt_at,
      lastErrorCode: r.last_error_code,
      lastErrorReason: r.last_error_reason,
      completedAt: r.completed_at,
      path: join(this.#spoolDir, r.spool_name),
      orderKey: r.order_key,
    };
  }
}

function migrate(db: Db, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new QueueError(
      QUEUE_ERROR_CODES.schemaTooNew,
      `queue database ${file} has schema version ${version}; this build knows up to ${MIGRATIONS.length}`,
      { details: { file, version, known: MIGRATIONS.length } },
    );
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

const ACTIVE = `('PENDING','RETRYING')`;

type Statements = Record<StatementName, Database.Statement>;
type StatementName =
  | 'insert'
  | 'findDup'
  | 'get'
  | 'dueDestinations'
  | 'due'
  | 'nextDue'
  | 'claim'
  | 'insertAttempt'
  | 'settle'
  | 'releaseAfterOutage'
  | 'endAttempt'
  | 'requeue'
  | 'replacePayload'
  | 'successors'
  | 'remove'
  | 'failNow'
  | 'closeOpenAttempts'
  | 'closeAllOpenAttempts'
  | 'recover'
  | 'live'
  | 'list'
  | 'counts'
  | 'attempts'
  | 'purge'
  | 'getRecord'
  | 'putRecord'
  | 'deleteRecord'
  | 'listRecords';

function prepare(db: Db): Statements {
  return {
    insert: db.prepare(
      `INSERT INTO items (kind, destination, sop_class_uid, sop_instance_uid, dedup_key, order_key, spool_name,
         size, priority, state, created_at, next_attempt_at)
       VALUES (@kind, @destination, @sop_class_uid, @sop_instance_uid, @dedup_key, @order_key, @spool_name,
         @size, @priority, 'PENDING', @created_at, @created_at)
       ON CONFLICT DO NOTHING`,
    ),
    findDup: db.prepare('SELECT * FROM items WHERE destination = ? AND kind = ? AND dedup_key = ?'),
    get: db.prepare('SELECT * FROM items WHERE id = ?'),
    dueDestinations: db.prepare(
      `SELECT DISTINCT destination FROM items WHERE state IN ${ACTIVE} AND next_attempt_at <= ?`,
    ),
    due: db.prepare(
      // A FAILED predecessor blocks too: an MPPS N-SET must not reach the RIS before the N-CREATE
      // that gave up (an N-SET of an instance never created fails with 0112, No Such SOP Instance,
      // PS3.7 Annex C). Successors wait until it is requeued and delivered, or discarded.
      `SELECT * FROM items i WHERE i.state IN ${ACTIVE} AND i.destination = ? AND i.next_attempt_at <= ?
         AND (i.order_key IS NULL OR NOT EXISTS (
           SELECT 1 FROM items p WHERE p.order_key = i.order_key AND p.id < i.id
             AND p.state IN ('PENDING','RETRYING','IN_PROGRESS','FAILED')))
       ORDER BY i.priority DESC, i.id ASC LIMIT ?`,
    ),
    nextDue: db.prepare(
      `SELECT MIN(next_attempt_at) AS t FROM items WHERE state IN ${ACTIVE} AND next_attempt_at > ?`,
    ),
    claim: db.prepare(
      `UPDATE items SET state = 'IN_PROGRESS', attempt_count = attempt_count + 1, last_attempt_at = ?
       WHERE id = ? AND state IN ${ACTIVE}`,
    ),
    insertAttempt: db.prepare(
      // Numbered over the item's whole life: a requeue resets attempt_count, not the history.
      `INSERT INTO attempts (item_id, attempt, started_at, outcome)
       SELECT @id, COALESCE(MAX(attempt), 0) + 1, @now, 'in-progress' FROM attempts WHERE item_id = @id`,
    ),
    settle: db.prepare(
      `UPDATE items SET state = @state, next_attempt_at = @next_attempt_at, last_error_code = @last_error_code,
         last_error_reason = @last_error_reason, completed_at = @completed_at,
         attempt_count = attempt_count - @uncount
       WHERE id = @id`,
    ),
    releaseAfterOutage: db.prepare(
      `UPDATE items SET next_attempt_at = @now
       WHERE destination = @destination AND state IN ${ACTIVE} AND next_attempt_at > @now
         AND last_error_code IN (SELECT value FROM json_each(@codes))`,
    ),
    endAttempt: db.prepare(
      `UPDATE attempts SET ended_at = @ended_at, outcome = @outcome, error_code = @error_code,
         error_reason = @error_reason
       WHERE item_id = @item_id AND outcome = 'in-progress'`,
    ),
    requeue: db.prepare(
      `UPDATE items SET state = 'PENDING', attempt_count = 0, next_attempt_at = ?, completed_at = NULL
       WHERE id = ? AND state = 'FAILED'`,
    ),
    replacePayload: db.prepare(
      `UPDATE items SET spool_name = @spool_name, size = @size, sop_class_uid = @sop_class_uid,
         priority = @priority, state = 'PENDING', attempt_count = 0, next_attempt_at = @now, completed_at = NULL
       WHERE id = @id AND state = 'FAILED'`,
    ),
    successors: db.prepare(
      `SELECT id FROM items WHERE order_key = ? AND id > ? AND state IN ${ACTIVE}
       ORDER BY id`,
    ),
    remove: db.prepare('DELETE FROM items WHERE id = ?'),
    failNow: db.prepare(
      `UPDATE items SET state = 'FAILED', completed_at = ?, last_error_code = ?, last_error_reason = ?
       WHERE id = ?`,
    ),
    closeOpenAttempts: db.prepare(
      `UPDATE attempts SET ended_at = ?, outcome = 'interrupted' WHERE item_id = ? AND outcome = 'in-progress'`,
    ),
    closeAllOpenAttempts: db.prepare(
      `UPDATE attempts SET ended_at = ?, outcome = 'interrupted' WHERE outcome = 'in-progress'`,
    ),
    recover: db.prepare(
      `UPDATE items SET state = 'RETRYING', next_attempt_at = ? WHERE state = 'IN_PROGRESS'`,
    ),
    live: db.prepare(`SELECT id, spool_name, state FROM items WHERE state <> 'DONE'`),
    list: db.prepare(
      `SELECT * FROM items WHERE (@state IS NULL OR state = @state)
         AND (@destination IS NULL OR destination = @destination)
       ORDER BY id LIMIT @limit OFFSET @offset`,
    ),
    counts: db.prepare('SELECT destination, state, COUNT(*) AS n FROM items GROUP BY destination, state'),
    attempts: db.prepare('SELECT * FROM attempts WHERE item_id = ? ORDER BY attempt'),
    purge: db.prepare(`DELETE FROM items WHERE state = 'DONE' AND completed_at < ?`),
    getRecord: db.prepare('SELECT value FROM records WHERE namespace = ? AND key = ?'),
    putRecord: db.prepare(
      `INSERT INTO records (namespace, key, value) VALUES (?, ?, ?)
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value`,
    ),
    deleteRecord: db.prepare('DELETE FROM records WHERE namespace = ? AND key = ?'),
    listRecords: db.prepare('SELECT key, value FROM records WHERE namespace = ? ORDER BY key'),
  };
}
