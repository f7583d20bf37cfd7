/**
 * The storage client of one destination (FR-DICOM-02, FR-DICOM-04): C-STOREs go through the
 * association pool keyed by (called AE, host, port, transfer syntax set), at most `maxSize`
 * associations per key, each carrying as many stores at once as the peer's asynchronous
 * operations window grants. An aborted or dead association is discarded, never handed out again;
 * a pool that stays full past `acquisitionTimeoutMs` fails with code `HNV_ERR_POOL_EXHAUSTED` (reason `PoolExhausted`), which the
 * transmission queue turns into a retry (NFR-REL-01).
 */
import { guardLogger, type Logger, silentLogger } from '@hnvue/core';
import type { AsyncOpsWindow, UserIdentity } from '../acse/negotiate.js';
import { Association, type AssociationTimeouts, type FramingOptions } from '../association.js';
import type { Connector } from '../connector.js';
import { AssociationPools, type PoolKey, type PoolSettings } from '../pool/agent.js';
import type { PoolStats } from '../pool/pool.js';
import {
  DEFAULT_STORE_SOP_CLASSES,
  proposedTransferSyntaxes,
  type StorageKind,
  storageContexts,
  type TransferSyntaxPolicy,
} from './negotiation.js';
import {
  describeInstance,
  resolveInstance,
  type StoreInstance,
  type StoreOptions,
  type StoreOutcome,
  type StoreResult,
  storeInstance,
  storeInstances,
} from './scu.js';

/** One storage destination (a PACS, a workstation…), as configured (NFR-CFG-01). */
export interface StorageDestination extends TransferSyntaxPolicy {
  readonly host: string;
  readonly port: number;
  readonly calledAeTitle: string;
  readonly callingAeTitle: string;
  /** SOP classes every pooled association proposes; others are added per key when needed. */
  readonly sopClasses?: readonly string[];
  readonly connector?: Connector;
  readonly timeouts?: AssociationTimeouts;
  /** Largest PDU we receive (responses are small; the default is fine). */
  readonly maxPduLength?: number;
  /** Proposed only when set (fo-dicom #1387); the granted window becomes each association's capacity. */
  readonly asyncOpsWindow?: AsyncOpsWindow;
  readonly userIdentity?: UserIdentity;
  readonly framing?: FramingOptions;
}

export interface StorageClientOptions {
  /** associationPool.* of FR-DICOM-02 (maxSize 4, acquisition 30 s, idle 30 s, sweep 10 s). */
  readonly pool?: PoolSettings;
  /** Share one map of pools between clients (an undici-like Agent); one per client by default. */
  readonly pools?: AssociationPools<Association>;
  readonly logger?: Logger;
}

/** Per-call options: the destination's policy applies; progress, priority, move originator… here. */
export type StorageCallOptions = Omit<StoreOptions, keyof TransferSyntaxPolicy>;

export class StorageClient {
  readonly destination: StorageDestination;
  readonly #pools: AssociationPools<Association>;
  readonly #ownsPools: boolean;
  readonly #log: Logger;

  constructor(destination: StorageDestination, options: StorageClientOptions = {}) {
    this.destination = destination;
    this.#log = guardLogger(options.logger ?? silentLogger).child({
      component: 'store-scu',
      calledAeTitle: destination.calledAeTitle,
    });
    this.#ownsPools = options.pools === undefined;
    this.#pools = options.pools ?? new AssociationPools<Association>(options.pool ?? {}, this.#log);
  }

  /** Stores one object through the pool. Success/Warning resolve; Failure throws DimseFailureError. */
  async store(instance: StoreInstance, options: StorageCallOptions = {}): Promise<StoreResult> {
    const resolved = await resolveInstance(instance);
    const pool = this.#poolFor([resolved]);
    return await pool.use(
      (association) => storeInstance(association, resolved, { ...this.#policy(), ...options }),
      options.signal,
    );
  }

  /**
   * Stores a study (or any batch) on one pooled association; one outcome per object. Only the meta
   * headers are read up front (for the presentation contexts); each object is read when its turn
   * comes, so a study of 1000 files is never held in memory.
   */
  async storeStudy(
    instances: readonly StoreInstance[],
    options: StorageCallOptions = {},
  ): Promise<StoreOutcome[]> {
    const kinds: StorageKind[] = [];
    const accepted: StoreInstance[] = [];
    const outcomes: StoreOutcome[] = [];
    const positions: number[] = [];
    for (const [index, instance] of instances.entries()) {
      try {
        kinds.push(await describeInstance(instance));
        accepted.push(instance);
        positions.push(index);
      } catch (err) {
        outcomes.push({ ok: false, index, error: err as Error });
      }
    }
    if (accepted.length > 0) {
      const pool = this.#poolFor(kinds);
      const stored = await pool.use(
        (association) => storeInstances(association, accepted, { ...this.#policy(), ...options }),
        options.signal,
      );
      for (const o of stored) outcomes.push({ ...o, index: positions[o.index]! });
    }
    return outcomes.sort((a, b) => a.index - b.index);
  }

  /** Pool statistics per key (size, busy, idle, waiting). */
  get stats(): PoolStats[] {
    return this.#pools.pools.map((p) => p.stats);
  }

  /** Drains: waits for the stores in progress, then releases every association. */
  async close(): Promise<void> {
    if (this.#ownsPools) await this.#pools.close();
  }

  /** Aborts every association at once; waiting stores fail. */
  destroy(err?: unknown): void {
    if (this.#ownsPools) this.#pools.destroy(err);
  }

  #policy(): TransferSyntaxPolicy {
    const d = this.destination;
    return {
      ...(d.transferSyntaxes ? { transferSyntaxes: d.transferSyntaxes } : {}),
      ...(d.proposeImplicit !== undefined ? { proposeImplicit: d.proposeImplicit } : {}),
      ...(d.allowLossy !== undefined ? { allowLossy: d.allowLossy } : {}),
    };
  }

  #poolFor(instances: readonly StorageKind[]): ReturnType<AssociationPools<Association>['get']> {
    const d = this.destination;
    const policy = this.#policy();
    const base = proposedTransferSyntaxes(undefined, policy);
    // The image's own syntax is proposed too (FR-DICOM-04); usual ones are already in the list.
    const extraSyntaxes = [
      ...new Set(
        instances.flatMap((i) =>
          i.transferSyntax && !base.includes(i.transferSyntax) ? [i.transferSyntax] : [],
        ),
      ),
    ];
    const sopClasses = d.sopClasses ?? DEFAULT_STORE_SOP_CLASSES;
    const extraClasses = [
      ...new Set(instances.map((i) => i.sopClassUid).filter((c) => !sopClasses.includes(c))),
    ];
    const key: PoolKey = {
      calledAeTitle: d.calledAeTitle,
      host: d.host,
      port: d.port,
      transferSyntaxes: [...extraSyntaxes, ...base],
      ...(extraClasses.length ? { abstractSyntaxes: [...sopClasses, ...extraClasses] } : {}),
    };
    const allClasses = [...sopClasses, ...extraClasses];
    const kinds = allClasses.flatMap((sopClassUid) => [
      { sopClassUid },
      ...extraSyntaxes.map((transferSyntax) => ({ sopClassUid, transferSyntax })),
    ]);
    const presentationContexts = storageContexts(kinds, policy);
    return this.#pools.get(key, () =>
      Association.open({
        host: d.host,
        port: d.port,
        callingAeTitle: d.callingAeTitle,
        calledAeTitle: d.calledAeTitle,
        presentationContexts,
        ...(d.connector ? { connector: d.connector } : {}),
        ...(d.timeouts ? { timeouts: d.timeouts } : {}),
        ...(d.maxPduLength ? { maxPduLength: d.maxPduLength } : {}),
        ...(d.asyncOpsWindow ? { asyncOpsWindow: d.asyncOpsWindow } : {}),
        ...(d.userIdentity ? { userIdentity: d.userIdentity } : {}),
        ...(d.framing ? { framing: d.framing } : {}),
        logger: this.#log,
      }),
    );
  }
}

/** A storage client for one destination, sending through the association pool. */
export function createStoreScu(
  destination: StorageDestination,
  options: StorageClientOptions = {},
): StorageClient {
  return new StorageClient(destination, options);
}
