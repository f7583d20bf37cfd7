/**
 * Per-destination health: a circuit breaker over the transmission queue. When a destination
 * cannot be reached (a retryable failure of category `network`: connect refused, timeout, TLS,
 * abort), its items stop going out on their own; after the NFR-REL-01 back-off one probe (the
 * first item in order) tries, and its outcome decides for all of them. A 10 s outage then costs
 * a handful of connection attempts instead of one per item per back-off step (before it: 603
 * attempts in three 2-second outages). Pure: the queue passes the time in.
 *
 * closed ──network failure──▶ open ──back-off elapsed──▶ half-open (one probe in flight)
 *   ▲                          ▲                            │
 *   └──── probe reached it ────┼──── probe network failure ─┘
 */
import { type BackoffOptions, nextRetryAt } from './backoff.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

/** What the queue shows of one destination (`TransmissionQueue.health()`, the `health` event). */
export interface DestinationHealth {
  readonly destination: string;
  readonly state: BreakerState;
  /** Consecutive network failures (the trip and each failed probe). */
  readonly failures: number;
  /** When the next probe may go (open), epoch ms; null when closed or probing. */
  readonly nextProbeAt: number | null;
  /** Epoch ms of the trip; null when closed. */
  readonly openedAt: number | null;
  /** The code of the failure that tripped or kept it open (HNV_ERR_CONNECT…). */
  readonly lastErrorCode: string | null;
}

interface Entry {
  state: BreakerState;
  failures: number;
  nextProbeAt: number | null;
  openedAt: number | null;
  lastErrorCode: string | null;
}

/** The circuit breakers of every destination; only destinations that failed have an entry. */
export class DestinationBreakers {
  readonly #backoff: BackoffOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(backoff: BackoffOptions) {
    this.#backoff = backoff;
  }

  /**
   * How many new deliveries `destination` may start now, given `free` slots: all of them when
   * closed; 0 while open before the back-off elapsed; 1 (the probe) once it has and nothing is
   * in flight there; 0 while the probe runs. Asking when a probe may go moves open → half-open.
   */
  admit(destination: string, now: number, free: number, inFlight: number): number {
    const e = this.#entries.get(destination);
    if (e === undefined || e.state === 'closed') return free;
    if (e.state === 'half-open') return 0;
    // open: a delivery started before the trip is still out; its outcome decides first.
    if (inFlight > 0 || e.nextProbeAt === null || now < e.nextProbeAt || free <= 0) return 0;
    e.state = 'half-open';
    e.nextProbeAt = null;
    return 1;
  }

  /** True when a failure with this verdict from `destination` is the breaker's to handle. */
  isOpen(destination: string): boolean {
    const e = this.#entries.get(destination);
    return e !== undefined && e.state !== 'closed';
  }

  /**
   * The destination answered (delivered, or refused for a reason of the request itself: it is
   * reachable). Returns true when this closed the breaker.
   */
  reached(destination: string): boolean {
    const e = this.#entries.get(destination);
    if (e === undefined) return false;
    this.#entries.delete(destination);
    return e.state !== 'closed';
  }

  /**
   * A network failure. Closed → open with the first back-off step; a failed probe (half-open)
   * → open with the next step (NFR-REL-01: initialInterval × multiplier ^ (failures − 1)); open
   * (a delivery that was already out when it tripped) → unchanged. Returns true on a transition.
   */
  unreachable(destination: string, now: number, code: string): boolean {
    const e = this.#entries.get(destination);
    if (e !== undefined && e.state === 'open') {
      e.lastErrorCode = code;
      return false;
    }
    const failures = (e?.failures ?? 0) + 1;
    this.#entries.set(destination, {
      state: 'open',
      failures,
      nextProbeAt: nextRetryAt(now, failures - 1, this.#backoff),
      openedAt: e?.openedAt ?? now,
      lastErrorCode: code,
    });
    return true;
  }

  /** An explicit retry (requeue): an open breaker's next probe may go at `now`. */
  probeNow(destination: string, now: number): void {
    const e = this.#entries.get(destination);
    if (e?.state === 'open' && (e.nextProbeAt === null || e.nextProbeAt > now)) e.nextProbeAt = now;
  }

  /** A probe asked back by `stop()` decided nothing: open again, the next probe due at `now`. */
  probeAbandoned(destination: string, now: number): void {
    const e = this.#entries.get(destination);
    if (e?.state !== 'half-open') return;
    e.state = 'open';
    e.nextProbeAt = now;
  }

  /** The earliest time a probe may go, over every open destination; undefined when none waits. */
  nextProbeAt(): number | undefined {
    let next: number | undefined;
    for (const e of this.#entries.values()) {
      if (e.state === 'open' && e.nextProbeAt !== null && (next === undefined || e.nextProbeAt < next)) {
        next = e.nextProbeAt;
      }
    }
    return next;
  }

  health(destination: string): DestinationHealth {
    const e = this.#entries.get(destination);
    return {
      destination,
      state: e?.state ?? 'closed',
      failures: e?.failures ?? 0,
      nextProbeAt: e?.nextProbeAt ?? null,
      openedAt: e?.openedAt ?? null,
      lastErrorCode: e?.lastErrorCode ?? null,
    };
  }

  /** Destinations whose breaker is not closed. */
  unhealthy(): DestinationHealth[] {
    return [...this.#entries.keys()].map((d) => this.health(d));
  }
}
