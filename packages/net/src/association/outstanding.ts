/**
 * The requests this association has outstanding (PS3.7 10.1: the Message ID identifies a request
 * among those outstanding, and its responses carry it as Message ID Being Responded To), and the
 * asynchronous operations window that bounds them (PS3.7 D.3.3.3: one at a time unless negotiated).
 */
import type { DimseCommand } from '../dimse/command.js';
import { classifyStatus } from '../dimse/status.js';
import { CancelledError, ProtocolError } from '../errors.js';
import { armDimseTimer, clearDimseTimer, type DimseTimed } from './timers.js';
import type { DimseResponse } from './types.js';

export interface Outstanding extends DimseTimed {
  readonly messageId: number;
  readonly commandField: number;
  readonly contextId: number;
  readonly transferSyntax: string;
  readonly responses: DimseResponse[];
  /** The consumer waiting for the next response, if any. */
  wake: (() => void) | undefined;
  error: Error | undefined;
}

/** The message IDs in use, the window slots taken, and who waits for a slot or for none in use. */
export class OutstandingTable {
  readonly #byId = new Map<number, Outstanding>();
  #nextMessageId = 1;
  #inFlight = 0;
  readonly #windowWaiters: (() => void)[] = [];
  /** release() waits here until no request is outstanding. */
  readonly #idleWaiters: (() => void)[] = [];
  /** Called when an outstanding request's DIMSE timer expires. */
  readonly #expired: (o: Outstanding) => void;

  constructor(expired: (o: Outstanding) => void) {
    this.#expired = expired;
  }

  get size(): number {
    return this.#byId.size;
  }

  get(messageId: number): Outstanding | undefined {
    return this.#byId.get(messageId);
  }

  /** Takes a window slot when one is free, without a promise (the common case). */
  tryAcquire(capacity: number): boolean {
    if (this.#inFlight >= capacity) return false;
    this.#inFlight++;
    return true;
  }

  /** Waits for a window slot; throws CancelledError on `signal`, or `closed()`'s error once closed. */
  async acquire(
    signal: AbortSignal | undefined,
    capacity: () => number,
    closed: () => Error | undefined,
  ): Promise<void> {
    while (this.#inFlight >= capacity()) {
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const index = this.#windowWaiters.indexOf(wake);
          if (index >= 0) this.#windowWaiters.splice(index, 1);
          reject(new CancelledError());
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.#windowWaiters.push(wake);
      });
      const error = closed();
      if (error) throw error;
    }
    this.#inFlight++;
  }

  /** A free message ID (1…65535, PS3.7 E.1: US), cycling so a late response matches nothing new. */
  allocateMessageId(): number {
    for (let i = 0; i < 0x10000; i++) {
      const id = this.#nextMessageId;
      this.#nextMessageId = id === 0xffff ? 1 : id + 1;
      if (!this.#byId.has(id)) return id;
    }
    throw new ProtocolError('no free DIMSE message ID');
  }

  add(o: Outstanding): void {
    this.#byId.set(o.messageId, o);
  }

  /** Frees the message ID and the window slot of `o` (once). */
  finish(o: Outstanding): void {
    if (this.#byId.get(o.messageId) !== o) return;
    this.#byId.delete(o.messageId);
    this.#inFlight--;
    const wake = this.#windowWaiters.shift();
    wake?.();
    if (this.#byId.size === 0) for (const idle of this.#idleWaiters.splice(0)) idle();
  }

  /** (Re)starts the DIMSE timer of `o` (see timers.ts). */
  arm(o: Outstanding, now?: number): void {
    armDimseTimer(o, this.#expired, now);
  }

  /** Response assembly: Pending responses re-arm the DIMSE timer, any other ends the request. */
  deliver(
    o: Outstanding | undefined,
    command: DimseCommand,
    contextId: number,
    dataset: Uint8Array | undefined,
  ): void {
    if (o === undefined || o.done) return;
    const status = command.status ?? 0xffff;
    const statusClass = classifyStatus(status);
    o.responses.push({ command, status, statusClass, dataset, contextId, transferSyntax: o.transferSyntax });
    if (statusClass !== 'pending') {
      o.done = true;
      clearDimseTimer(o);
    } else {
      this.arm(o);
    }
    o.wake?.();
  }

  /** Any incoming data is progress: long responses must not trip the timeout. */
  progress(): void {
    if (this.#byId.size === 0) return;
    const now = Date.now();
    for (const o of this.#byId.values()) if (o.sent && !o.done) this.arm(o, now);
  }

  /** Ends every outstanding request with `error` (those already done keep their own outcome). */
  failAll(error: Error): void {
    for (const o of this.#byId.values()) {
      clearDimseTimer(o);
      if (o.done) {
        o.wake?.();
        continue;
      }
      o.error ??= error;
      o.done = true;
      o.wake?.();
    }
  }

  /** Resolves once no request is outstanding, or `established()` turned false. */
  async idle(established: () => boolean): Promise<void> {
    while (this.#byId.size > 0 && established()) {
      await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    }
  }

  /** The transport closed: wake everyone waiting for a slot or for idleness. */
  wakeAll(): void {
    for (const wake of this.#windowWaiters.splice(0)) wake();
    for (const idle of this.#idleWaiters.splice(0)) idle();
  }
}
