import { HnvError, type Logger, silentLogger } from '@hnvue/core';
import { NET_ERROR_CODES } from '../errors.js';

/**
 * A bounded pool of associations to one destination (FR-DICOM-02), after undici's Client → Pool:
 * at most `maxSize` resources, each shared by up to its `capacity` concurrent users (the negotiated
 * asynchronous operations window; 1 unless the peer granted more). Acquisition waits in FIFO
 * order up to `acquisitionTimeoutMs`, then fails with code `HNV_ERR_POOL_EXHAUSTED` (reason `PoolExhausted`), which the transmission
 * queue turns into a retry. Resources idle for `idleTimeoutMs` are released by a sweep every
 * `evictionIntervalMs`. A resource that reports `usable === false` (aborted, closed by the peer)
 * is discarded and never handed out again.
 */
export interface PoolResource {
  /** False once the association is aborted, released or its socket closed. */
  readonly usable: boolean;
  /** How many operations may run on it at once (negotiated async ops window, ≥ 1). */
  readonly capacity: number;
  /** Graceful close (A-RELEASE). */
  release(): Promise<void>;
  /** Immediate close (A-ABORT). */
  abort(): void;
}

export interface PoolOptions<R extends PoolResource> {
  /** Opens a new resource; rejected promises fail the acquirer that caused the creation. */
  readonly create: () => Promise<R>;
  readonly maxSize?: number;
  readonly acquisitionTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  readonly evictionIntervalMs?: number;
  readonly logger?: Logger;
  /** Label used in logs and errors (PHI-free: AE title, host, port). */
  readonly name?: string;
}

/** The defaults FR-DICOM-02 asks for (docs/traceability.md). */
export const POOL_DEFAULTS: {
  readonly maxSize: 4;
  readonly acquisitionTimeoutMs: 30000;
  readonly idleTimeoutMs: 30000;
  readonly evictionIntervalMs: 10000;
} = { maxSize: 4, acquisitionTimeoutMs: 30_000, idleTimeoutMs: 30_000, evictionIntervalMs: 10_000 };

/** A borrowed resource. Call exactly one of `release()` or `discard()`; further calls are no-ops. */
export interface Lease<R> {
  readonly resource: R;
  release(): void;
  discard(): void;
}

export interface PoolStats {
  readonly size: number;
  readonly pending: number;
  readonly busy: number;
  readonly idle: number;
  readonly waiting: number;
}

interface Entry<R> {
  readonly resource: R;
  active: number;
  lastUsed: number;
}

interface Waiter<R> {
  resolve(lease: Lease<R>): void;
  reject(err: unknown): void;
  timer: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Every association of the pool stayed busy past `acquisitionTimeoutMs`. Code
 * HNV_ERR_POOL_EXHAUSTED (retryable); `reason` keeps the name this failure had before it joined
 * the error catalogue, 'PoolExhausted', and is in `details` too, so logs and histories that
 * searched for it still find it.
 */
export class PoolExhaustedError extends HnvError {
  readonly reason: 'PoolExhausted' = 'PoolExhausted';
  constructor(name: string, ms: number, maxSize: number) {
    super(
      NET_ERROR_CODES.poolExhausted,
      `no association to ${name} became free within ${ms} ms (max ${maxSize})`,
      {
        details: { reason: 'PoolExhausted', destination: name, acquisitionTimeoutMs: ms, maxSize },
        hint: 'the operation can be queued and retried later',
      },
    );
  }
}

export class PoolClosedError extends HnvError {
  constructor(name: string, cause?: unknown) {
    super(NET_ERROR_CODES.poolClosed, `association pool for ${name} is closed`, { cause });
  }
}

export class AssociationPool<R extends PoolResource> {
  readonly #create: () => Promise<R>;
  readonly #maxSize: number;
  readonly #acquisitionTimeoutMs: number;
  readonly #idleTimeoutMs: number;
  readonly #log: Logger;
  readonly #name: string;
  readonly #entries: Entry<R>[] = [];
  readonly #waiters: Waiter<R>[] = [];
  #pending = 0;
  #closed: 'open' | 'closing' | 'closed' = 'open';
  #sweeper: NodeJS.Timeout | undefined;
  #drained: (() => void) | undefined;

  constructor(options: PoolOptions<R>) {
    this.#create = options.create;
    this.#maxSize = positive(options.maxSize ?? POOL_DEFAULTS.maxSize, 'maxSize');
    this.#acquisitionTimeoutMs = positive(
      options.acquisitionTimeoutMs ?? POOL_DEFAULTS.acquisitionTimeoutMs,
      'acquisitionTimeoutMs',
    );
    this.#idleTimeoutMs = positive(options.idleTimeoutMs ?? POOL_DEFAULTS.idleTimeoutMs, 'idleTimeoutMs');
    const interval = positive(
      options.evictionIntervalMs ?? POOL_DEFAULTS.evictionIntervalMs,
      'evictionIntervalMs',
    );
    this.#log = options.logger ?? silentLogger;
    this.#name = options.name ?? 'destination';
    this.#sweeper = setInterval(() => this.evictIdle(), interval);
    this.#sweeper.unref();
  }

  get stats(): PoolStats {
    const busy = this.#entries.filter((e) => e.active > 0).length;
    return {
      size: this.#entries.length + this.#pending,
      pending: this.#pending,
      busy,
      idle: this.#entries.length - busy,
      waiting: this.#waiters.length,
    };
  }

  /** Borrows a resource: a free slot on an open one, a new one while below maxSize, else waits. */
  acquire(signal?: AbortSignal): Promise<Lease<R>> {
    if (this.#closed !== 'open') return Promise.reject(new PoolClosedError(this.#name));
    if (signal?.aborted) return Promise.reject(signal.reason);
    const immediate = this.#tryLease();
    if (immediate) return Promise.resolve(immediate);
    return new Promise<Lease<R>>((resolve, reject) => {
      const waiter: Waiter<R> = { resolve, reject, timer: undefined, signal, onAbort: undefined };
      waiter.timer = setTimeout(() => {
        this.#removeWaiter(waiter);
        this.#log.warn(
          { event: 'pool.exhausted', destination: this.#name, maxSize: this.#maxSize },
          'association pool exhausted',
        );
        reject(new PoolExhaustedError(this.#name, this.#acquisitionTimeoutMs, this.#maxSize));
      }, this.#acquisitionTimeoutMs);
      if (signal) {
        waiter.onAbort = () => {
          this.#removeWaiter(waiter);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
      this.#grow();
    });
  }

  /** Runs `fn` on a borrowed resource; discards the resource if it became unusable. */
  async use<T>(fn: (resource: R) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const lease = await this.acquire(signal);
    try {
      return await fn(lease.resource);
    } finally {
      if (lease.resource.usable) lease.release();
      else lease.discard();
    }
  }

  /** Releases idle resources older than idleTimeoutMs (also run by the periodic sweep). */
  evictIdle(now: number = Date.now()): number {
    let evicted = 0;
    for (const entry of [...this.#entries]) {
      if (entry.active === 0 && (now - entry.lastUsed >= this.#idleTimeoutMs || !entry.resource.usable)) {
        this.#remove(entry);
        evicted++;
        this.#log.info({ event: 'pool.evict', destination: this.#name }, 'idle association released');
        entry.resource.release().catch(() => entry.resource.abort());
      }
    }
    return evicted;
  }

  /** Stops lending, waits for borrowed resources to come back, then releases everything. */
  async close(): Promise<void> {
    if (this.#closed === 'closed') return;
    this.#closed = 'closing';
    clearInterval(this.#sweeper);
    this.#failWaiters(new PoolClosedError(this.#name));
    while (this.#entries.some((e) => e.active > 0) || this.#pending > 0) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
    }
    const entries = this.#entries.splice(0);
    await Promise.all(entries.map((e) => e.resource.release().catch(() => e.resource.abort())));
    this.#closed = 'closed';
  }

  /** Aborts every resource at once and fails every waiter with `err`. */
  destroy(err?: unknown): void {
    this.#closed = 'closed';
    clearInterval(this.#sweeper);
    this.#failWaiters(new PoolClosedError(this.#name, err));
    for (const entry of this.#entries.splice(0)) entry.resource.abort();
    this.#drained?.();
  }

  #tryLease(): Lease<R> | undefined {
    for (const entry of [...this.#entries]) {
      if (!entry.resource.usable) {
        if (entry.active === 0) {
          this.#remove(entry);
          entry.resource.abort();
        }
        continue;
      }
      if (entry.active < Math.max(1, entry.resource.capacity)) return this.#lease(entry);
    }
    return undefined;
  }

  #lease(entry: Entry<R>): Lease<R> {
    entry.active++;
    let done = false;
    const finish = (discard: boolean): void => {
      if (done) return;
      done = true;
      entry.active--;
      entry.lastUsed = Date.now();
      if (discard || !entry.resource.usable) {
        if (this.#remove(entry)) entry.resource.abort();
      }
      this.#dispatch();
    };
    return { resource: entry.resource, release: () => finish(false), discard: () => finish(true) };
  }

  /** Opens new resources for waiters while below maxSize. */
  #grow(): void {
    while (
      this.#closed === 'open' &&
      this.#waiters.length > this.#pending &&
      this.#entries.length + this.#pending < this.#maxSize
    ) {
      this.#pending++;
      this.#create().then(
        (resource) => {
          this.#pending--;
          if (this.#closed !== 'open') {
            resource.abort();
            this.#drained?.();
            return;
          }
          this.#entries.push({ resource, active: 0, lastUsed: Date.now() });
          this.#log.info(
            { event: 'pool.open', destination: this.#name, size: this.#entries.length },
            'association added',
          );
          this.#dispatch();
        },
        (err: unknown) => {
          this.#pending--;
          // The creation failure belongs to the oldest waiter; the others keep waiting for a slot.
          const waiter = this.#waiters.shift();
          if (waiter) this.#settle(waiter).reject(err);
          this.#dispatch();
        },
      );
    }
  }

  #dispatch(): void {
    while (this.#waiters.length > 0) {
      const lease = this.#tryLease();
      if (!lease) break;
      const waiter = this.#waiters.shift()!;
      this.#settle(waiter).resolve(lease);
    }
    this.#grow();
    if (this.#closed === 'closing' && this.#entries.every((e) => e.active === 0) && this.#pending === 0) {
      this.#drained?.();
    }
  }

  #settle(waiter: Waiter<R>): Waiter<R> {
    clearTimeout(waiter.timer);
    if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
    return waiter;
  }

  #removeWaiter(waiter: Waiter<R>): void {
    const i = this.#waiters.indexOf(waiter);
    if (i >= 0) this.#waiters.splice(i, 1);
    this.#settle(waiter);
  }

  #failWaiters(err: unknown): void {
    for (const waiter of this.#waiters.splice(0)) this.#settle(waiter).reject(err);
  }

  #remove(entry: Entry<R>): boolean {
    const i = this.#entries.indexOf(entry);
    if (i < 0) return false;
    this.#entries.splice(i, 1);
    return true;
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new HnvError(
      NET_ERROR_CODES.invalidArgument,
      `associationPool.${name}: expected a positive number`,
    );
  }
  return value;
}
