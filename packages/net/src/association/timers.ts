/**
 * The three timers of an association, each bounding one wait so that a silent peer cannot hang us:
 * the ACSE timer (A-ASSOCIATE-AC/RJ and A-RELEASE-RP awaited, as the ARTIM timer of PS3.8 9.1.5),
 * the DIMSE timer (the next response of an outstanding request, and each wait for 'drain') and the
 * network idle timer. Timers are unref'd only where nothing else keeps the process alive for them.
 */

/** Calls `expired` after `ms`, or never when `ms` is 0 (disabled). */
export function startAcseTimer(ms: number, expired: () => void): NodeJS.Timeout | undefined {
  return ms > 0 ? setTimeout(expired, ms) : undefined;
}

/** Aborts an association that moved no byte in either direction for `idleMs`. */
export class IdleTimer {
  #timer: NodeJS.Timeout | undefined;

  /** `quietMs()` is how long the transport has been idle; `expired` runs once, on the timeout. */
  start(idleMs: number, quietMs: () => number, expired: () => void): void {
    if (idleMs <= 0) return;
    const check = () => {
      const idle = quietMs();
      if (idle >= idleMs) {
        this.#timer = undefined;
        expired();
        return;
      }
      this.#timer = setTimeout(check, idleMs - idle);
      this.#timer.unref?.();
    };
    this.#timer = setTimeout(check, idleMs);
    this.#timer.unref?.();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/** The part of an outstanding request the DIMSE timer reads and writes. */
export interface DimseTimed {
  timer: NodeJS.Timeout | undefined;
  readonly timeoutMs: number;
  done: boolean;
  /** Timer armed only once the request has been fully written. */
  sent: boolean;
  /**
   * Date.now() of the last progress (request written, any data received). The timer is not
   * re-created per PDU: when it fires early relative to this, it re-arms for the remainder.
   */
  lastProgress: number;
}

/**
 * (Re)starts the DIMSE timeout of `o` from `now`. Only the first call creates a timer; later ones
 * only move `lastProgress` (a setTimeout + clearTimeout per received PDU was measurable on the
 * C-ECHO and C-FIND paths), and the timer re-arms itself for what is left when it fires.
 */
export function armDimseTimer<T extends DimseTimed>(
  o: T,
  expired: (o: T) => void,
  now: number = Date.now(),
): void {
  if (o.timeoutMs <= 0 || o.done || !o.sent) {
    clearDimseTimer(o);
    return;
  }
  o.lastProgress = now;
  o.timer ??= setTimeout(() => dimseTimerFired(o, expired), o.timeoutMs);
}

export function clearDimseTimer(o: DimseTimed): void {
  if (o.timer) clearTimeout(o.timer);
  o.timer = undefined;
}

function dimseTimerFired<T extends DimseTimed>(o: T, expired: (o: T) => void): void {
  o.timer = undefined;
  if (o.done) return;
  const quiet = Date.now() - o.lastProgress;
  if (quiet < o.timeoutMs) {
    o.timer = setTimeout(() => dimseTimerFired(o, expired), o.timeoutMs - quiet);
    return;
  }
  expired(o);
}

/**
 * A peer that stops reading must not block a write forever: each wait for 'drain' is bounded by
 * the DIMSE timeout, so a slow but moving transfer never trips it. On expiry `expired()` returns
 * the error to throw (after aborting the association).
 */
export async function awaitDrain(drained: Promise<void>, ms: number, expired: () => Error): Promise<void> {
  if (ms <= 0) return await drained;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), ms);
  });
  const result = await Promise.race([drained, timeout]);
  clearTimeout(timer);
  if (result === 'expired') throw expired();
}

/** Races `connecting` against `ms` (0: no limit); `expired` aborts the attempt and gives the error. */
export async function withConnectTimeout<T>(
  connecting: Promise<T>,
  ms: number,
  expired: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    if (ms > 0) timer = setTimeout(() => reject(expired()), ms);
  });
  try {
    return await Promise.race([connecting, timeout]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
