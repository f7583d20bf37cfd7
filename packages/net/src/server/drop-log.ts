/**
 * PHI-free log events for connections a listener drops, rate-limited: under a flood of 1,000
 * connections a line per drop would turn the flood into a logging flood. The first drop of each
 * reason is logged at once; later ones are counted and summarised at most once per interval.
 */
import type { Logger } from '@hnvue/core';

export class DropLog {
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #counts = new Map<string, { dropped: number; lastLoggedAt: number; timer?: NodeJS.Timeout }>();

  constructor(log: Logger, intervalMs = 1000) {
    this.#log = log;
    this.#intervalMs = intervalMs;
  }

  /** One dropped connection; `fields` must be PHI-free (addresses, counts, limits). */
  drop(reason: string, fields: Record<string, unknown>): void {
    const now = Date.now();
    const entry = this.#counts.get(reason);
    if (entry === undefined || now - entry.lastLoggedAt >= this.#intervalMs) {
      if (entry?.timer) clearTimeout(entry.timer);
      const dropped = (entry?.dropped ?? 0) + 1;
      this.#log.warn({ event: 'connection.dropped', reason, dropped, ...fields }, 'connection dropped');
      this.#counts.set(reason, { dropped: 0, lastLoggedAt: now });
      return;
    }
    entry.dropped++;
    // The last drops of a burst are reported even when no further one comes.
    entry.timer ??= setTimeout(() => this.#flush(reason), this.#intervalMs - (now - entry.lastLoggedAt));
    entry.timer.unref?.();
  }

  #flush(reason: string): void {
    const entry = this.#counts.get(reason);
    if (entry === undefined) return;
    entry.timer = undefined;
    if (entry.dropped === 0) return;
    this.#log.warn({ event: 'connection.dropped', reason, dropped: entry.dropped }, 'connections dropped');
    this.#counts.set(reason, { dropped: 0, lastLoggedAt: Date.now() });
  }

  /** Logs what is still counted and stops the timers (server close). */
  close(): void {
    for (const reason of [...this.#counts.keys()]) {
      const entry = this.#counts.get(reason);
      if (entry?.timer) clearTimeout(entry.timer);
      this.#flush(reason);
    }
    this.#counts.clear();
  }
}
