import type { Logger } from '@hnvue/core';
import { AssociationPool, type PoolOptions, type PoolResource } from './pool.js';

/** What identifies a pool (FR-DICOM-02): called AE, host, port and the proposed transfer syntax set. */
export interface PoolKey {
  readonly calledAeTitle: string;
  readonly host: string;
  readonly port: number;
  readonly transferSyntaxes: readonly string[];
  /** SOP classes proposed, when a pool's associations must carry ones beyond the usual set. */
  readonly abstractSyntaxes?: readonly string[];
}

/** A stable string for a key; the transfer syntaxes are a set, so their order does not matter. */
export function poolKeyString(key: PoolKey): string {
  const syntaxes = [...new Set(key.transferSyntaxes)].sort().join(',');
  const classes = key.abstractSyntaxes ? `{${[...new Set(key.abstractSyntaxes)].sort().join(',')}}` : '';
  return `${key.calledAeTitle.trim()}@${key.host}:${key.port}[${syntaxes}]${classes}`;
}

export type PoolSettings = Omit<PoolOptions<PoolResource>, 'create' | 'name' | 'logger'>;

/** A map of destination → pool, as undici's Agent. Pools are created on first use. */
export class AssociationPools<R extends PoolResource> {
  readonly #pools = new Map<string, AssociationPool<R>>();
  readonly #settings: PoolSettings;
  readonly #logger: Logger | undefined;

  constructor(settings: PoolSettings = {}, logger?: Logger) {
    this.#settings = settings;
    this.#logger = logger;
  }

  /** The pool for `key`, creating it with `create` as its factory when it does not exist yet. */
  get(key: PoolKey, create: () => Promise<R>): AssociationPool<R> {
    const id = poolKeyString(key);
    let pool = this.#pools.get(id);
    if (!pool) {
      pool = new AssociationPool<R>({
        ...this.#settings,
        create,
        name: `${key.calledAeTitle.trim()}@${key.host}:${key.port}`,
        ...(this.#logger ? { logger: this.#logger } : {}),
      });
      this.#pools.set(id, pool);
    }
    return pool;
  }

  /** The pools created so far (for stats). */
  get pools(): readonly AssociationPool<R>[] {
    return [...this.#pools.values()];
  }

  get size(): number {
    return this.#pools.size;
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.close()));
  }

  destroy(err?: unknown): void {
    for (const pool of this.#pools.values()) pool.destroy(err);
    this.#pools.clear();
  }
}
