/**
 * Operator requests to a running queue from another process: `hnvue queue retry` while the console
 * runs. The running queue holds queue.db in EXCLUSIVE locking mode (store.ts), so another process
 * cannot write it; instead it drops a request file into `<dir>/requests/` and the queue that holds
 * the database applies it on its own thread (RequestInbox, started by `TransmissionQueue.open`).
 *
 * Protocol: the requester writes `<id>.json` through a temporary name and a rename (atomic on
 * POSIX), so the inbox never reads half a request. The inbox looks into the folder every
 * `intervalMs`, answers each request with `<id>.answer.json` (the same way), then removes the
 * request. A request is all or nothing: every id is checked before any is requeued.
 */

import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { QUEUE_ERROR_CODES, QueueError } from './errors.js';
import type { TransmissionQueue } from './queue.js';

export const REQUESTS_DIR = 'requests';
const REQUEST_FORMAT = 1;
/** Larger files are not requests of ours: refused unread. */
const MAX_REQUEST_BYTES = 64 * 1024;
const ANSWER_SUFFIX = '.answer.json';

/** Re-queue FAILED items: the listed ids, or every FAILED item. */
export interface RetryRequest {
  readonly action: 'retry';
  readonly ids?: readonly number[];
  readonly allFailed?: boolean;
}

export type QueueRequest = RetryRequest;

export type QueueRequestAnswer =
  | { readonly ok: true; readonly pid: number; readonly requeued: readonly number[] }
  | {
      readonly ok: false;
      readonly pid: number;
      /** A stable code of @hnvue/queue (QUEUE_ERROR_CODES), or HNV_ERR_USAGE for a malformed request. */
      readonly code: string;
      readonly message: string;
      readonly itemId?: number;
      readonly state?: string | null;
    };

/** Watches `<dir>/requests/` for as long as the queue is open. */
export class RequestInbox {
  readonly #queue: TransmissionQueue;
  readonly #dir: string;
  readonly #onError: (err: unknown) => void;
  readonly #timer: NodeJS.Timeout;

  /** `onError`: an unreadable folder or an answer that cannot be written; never thrown into the queue. */
  constructor(queue: TransmissionQueue, dir: string, onError: (err: unknown) => void, intervalMs = 200) {
    this.#queue = queue;
    this.#dir = join(resolve(dir), REQUESTS_DIR);
    this.#onError = onError;
    this.#timer = setInterval(() => this.poll(), intervalMs);
    this.#timer.unref();
  }

  /** Answers every request waiting now (also called by the timer). */
  poll(): void {
    let names: string[];
    try {
      if (!existsSync(this.#dir)) return;
      names = readdirSync(this.#dir).filter((n) => n.endsWith('.json') && !n.endsWith(ANSWER_SUFFIX));
    } catch (err) {
      this.#onError(err);
      return;
    }
    for (const name of names) {
      const file = join(this.#dir, name);
      const answer = this.#answer(file);
      try {
        writeAtomically(join(this.#dir, `${name.slice(0, -'.json'.length)}${ANSWER_SUFFIX}`), answer);
        rmSync(file, { force: true });
      } catch (err) {
        this.#onError(err);
      }
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #answer(file: string): QueueRequestAnswer {
    const pid = process.pid;
    let request: unknown;
    try {
      const text = readFileSync(file);
      if (text.length > MAX_REQUEST_BYTES) throw new Error('too large');
      request = JSON.parse(text.toString('utf8'));
    } catch {
      return { ok: false, pid, code: 'HNV_ERR_USAGE', message: 'the request is not a queue request' };
    }
    const retry = parseRetry(request);
    if (retry === undefined) {
      return { ok: false, pid, code: 'HNV_ERR_USAGE', message: 'the request is not a queue request' };
    }
    const ids = retry.allFailed
      ? this.#queue.list({ state: 'FAILED' }).map((i) => i.id)
      : [...new Set(retry.ids ?? [])];
    for (const id of ids) {
      const item = this.#queue.get(id);
      if (item?.state !== 'FAILED') {
        return {
          ok: false,
          pid,
          code: QUEUE_ERROR_CODES.invalidItem,
          message: item ? `queue item ${id} is ${item.state}, not FAILED` : `no queue item ${id}`,
          itemId: id,
          state: item?.state ?? null,
        };
      }
    }
    const requeued: number[] = [];
    for (const id of ids) {
      try {
        this.#queue.requeue(id);
        requeued.push(id);
      } catch (err) {
        const code = err instanceof QueueError ? err.code : QUEUE_ERROR_CODES.invalidItem;
        // The ones before it are requeued: say which, so the operator sees what happened.
        return {
          ok: false,
          pid,
          code,
          message: `queue item ${id} not requeued (${requeued.length} before it were)`,
          itemId: id,
        };
      }
    }
    return { ok: true, pid, requeued };
  }
}

function parseRetry(value: unknown): RetryRequest | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (r.format !== REQUEST_FORMAT || r.action !== 'retry') return undefined;
  if (r.allFailed === true && r.ids === undefined) return { action: 'retry', allFailed: true };
  if (r.allFailed !== undefined && r.allFailed !== false) return undefined;
  if (!Array.isArray(r.ids) || r.ids.length === 0 || r.ids.length > 10_000) return undefined;
  if (!r.ids.every((id) => Number.isSafeInteger(id) && (id as number) > 0)) return undefined;
  return { action: 'retry', ids: r.ids as number[] };
}

function writeAtomically(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, file);
}

export interface SendRequestOptions {
  /** How long to wait for the running queue's answer (default 5000 ms). */
  readonly timeoutMs?: number;
}

/**
 * Hands a request to the queue that holds `dir` and waits for its answer. Throws
 * HNV_ERR_QUEUE_LOCKED when no answer comes in time (the holder is not a queue that reads
 * requests, or is stuck); the request is withdrawn then. One that the holder was answering at
 * that very moment may still have applied: `inspectQueue` shows.
 */
export async function sendQueueRequest(
  dir: string,
  request: QueueRequest,
  options: SendRequestOptions = {},
): Promise<QueueRequestAnswer> {
  const folder = join(resolve(dir), REQUESTS_DIR);
  mkdirSync(folder, { recursive: true });
  const id = randomUUID();
  const file = join(folder, `${id}.json`);
  const answerFile = join(folder, `${id}${ANSWER_SUFFIX}`);
  writeAtomically(file, { format: REQUEST_FORMAT, ...request });
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  const answered = (): QueueRequestAnswer | undefined => {
    if (!existsSync(answerFile)) return undefined;
    const answer = JSON.parse(readFileSync(answerFile, 'utf8')) as QueueRequestAnswer;
    rmSync(answerFile, { force: true });
    return answer;
  };
  while (Date.now() < deadline) {
    const answer = answered();
    if (answer) return answer;
    await new Promise((r) => setTimeout(r, 50));
  }
  rmSync(file, { force: true });
  // Answered between the last look and the withdrawal: the answer still counts.
  const late = answered();
  if (late) return late;
  throw new QueueError(QUEUE_ERROR_CODES.locked, 'the process holding the queue did not answer the request', {
    details: { timeoutMs: options.timeoutMs ?? 5000 },
    hint: 'check that the console is running and responsive, or stop it and run the command again',
  });
}
