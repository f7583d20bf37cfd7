/**
 * Fair acceptance (docs/reliability.md): who may hold a connection or an association slot of a
 * listener. Pure accounting: no socket, no timer; the server closes what this decides to drop.
 *
 * - Pending connections (no association yet: awaiting the A-ASSOCIATE-RQ, or closing after an
 *   RJ / A-ABORT) are bounded globally and per source address. A new connection is always
 *   admitted: when a bound is reached, the most expendable pending one goes first (a disallowed
 *   address, then one already closing, then the one idle the longest). A flood of silent
 *   connections thus recycles itself, and a client that sends its request at once is not the
 *   one dropped.
 * - Association slots are reserved when an A-ASSOCIATE-RQ is decided, synchronously, before any
 *   asynchronous hook runs, and held until the association closes: a connection still awaiting
 *   its RQ holds none, and two requests decided at the same time cannot both take the last slot.
 *   Bounded globally and per calling AE title.
 */
import type { ServerLimits } from './limits.js';

export type PendingPhase = 'awaiting-rq' | 'deciding' | 'closing';

/** One connection without an association, as the server registers it. */
export interface PendingConnection {
  /** Per-address limits count under this key (addressKey()). */
  readonly address: string;
  readonly acceptedAt: number;
  /** Rejected anyway once it sends its request: dropped first. */
  readonly disallowed: boolean;
  phase: PendingPhase;
  /** Date.now() of the last byte moved on this connection. */
  lastActivity(): number;
}

export type DropReason = 'maxPendingConnections' | 'maxPendingPerAddress' | 'associationRequestTimeout';

export interface Eviction<T extends PendingConnection> {
  readonly victim: T;
  readonly reason: DropReason;
}

/** A held association slot; `release()` is idempotent. */
export interface Reservation {
  release(): void;
}

export type ReservationResult =
  | { readonly ok: true; readonly reservation: Reservation }
  | {
      readonly ok: false;
      readonly limit: 'maxAssociations' | 'maxAssociationsPerCallingAe';
      readonly active: number;
      readonly max: number;
    };

type AdmissionLimits = Pick<
  ServerLimits,
  'maxPendingConnections' | 'maxPendingPerAddress' | 'maxAssociations' | 'maxAssociationsPerCallingAe'
>;

/** Lower is dropped first. */
function expendability(c: PendingConnection): number {
  if (c.disallowed) return 0;
  return c.phase === 'closing' ? 1 : 2;
}

export class Admission<T extends PendingConnection = PendingConnection> {
  readonly #limits: AdmissionLimits;
  readonly #pending = new Set<T>();
  #active = 0;
  readonly #perAe = new Map<string, number>();

  constructor(limits: AdmissionLimits) {
    this.#limits = limits;
  }

  /** Pending connections counted against the limits (those being decided hold a slot instead). */
  get pendingCount(): number {
    let n = 0;
    for (const c of this.#pending) if (c.phase !== 'deciding') n++;
    return n;
  }

  /** Association slots held (established, or a request being decided). */
  get activeAssociations(): number {
    return this.#active;
  }

  pendingFor(address: string): number {
    let n = 0;
    for (const c of this.#pending) if (c.phase !== 'deciding' && c.address === address) n++;
    return n;
  }

  /**
   * Registers a new connection and returns the ones to close to make room for it (already
   * forgotten here). The newcomer itself is never among them.
   */
  admit(connection: T): Eviction<T>[] {
    const evictions: Eviction<T>[] = [];
    while (this.pendingFor(connection.address) >= this.#limits.maxPendingPerAddress) {
      const victim = this.#pick(connection.address);
      if (victim === undefined) break;
      this.#pending.delete(victim);
      evictions.push({ victim, reason: 'maxPendingPerAddress' });
    }
    while (this.pendingCount >= this.#limits.maxPendingConnections) {
      const victim = this.#pick(undefined);
      if (victim === undefined) break;
      this.#pending.delete(victim);
      evictions.push({ victim, reason: 'maxPendingConnections' });
    }
    this.#pending.add(connection);
    return evictions;
  }

  /** Forgets a connection (closed, or now an established association). */
  remove(connection: T): void {
    this.#pending.delete(connection);
  }

  has(connection: T): boolean {
    return this.#pending.has(connection);
  }

  /** Takes a slot for an association of `callingAe` (already normalised), or says which limit refuses it. */
  reserve(callingAe: string): ReservationResult {
    if (this.#active >= this.#limits.maxAssociations) {
      return { ok: false, limit: 'maxAssociations', active: this.#active, max: this.#limits.maxAssociations };
    }
    const forAe = this.#perAe.get(callingAe) ?? 0;
    if (forAe >= this.#limits.maxAssociationsPerCallingAe) {
      return {
        ok: false,
        limit: 'maxAssociationsPerCallingAe',
        active: forAe,
        max: this.#limits.maxAssociationsPerCallingAe,
      };
    }
    this.#active++;
    this.#perAe.set(callingAe, forAe + 1);
    let held = true;
    return {
      ok: true,
      reservation: {
        release: () => {
          if (!held) return;
          held = false;
          this.#active--;
          const left = (this.#perAe.get(callingAe) ?? 1) - 1;
          if (left <= 0) this.#perAe.delete(callingAe);
          else this.#perAe.set(callingAe, left);
        },
      },
    };
  }

  /** The most expendable counted connection (of `address` when given). */
  #pick(address: string | undefined): T | undefined {
    let best: T | undefined;
    let bestRank = 0;
    let bestIdle = 0;
    for (const c of this.#pending) {
      if (c.phase === 'deciding' || (address !== undefined && c.address !== address)) continue;
      const rank = expendability(c);
      const last = c.lastActivity();
      if (
        best === undefined ||
        rank < bestRank ||
        (rank === bestRank && (last < bestIdle || (last === bestIdle && c.acceptedAt < best.acceptedAt)))
      ) {
        best = c;
        bestRank = rank;
        bestIdle = last;
      }
    }
    return best;
  }
}
