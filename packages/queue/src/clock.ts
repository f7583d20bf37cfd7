/** Time source and timers, injected so tests drive the scheduler without real waiting. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fn` once after `ms`; the returned handle cancels it. */
  setTimer(fn: () => void, ms: number): { cancel(): void };
}

// setTimeout fires at once for delays above 2^31 - 1 ms; longer waits re-arm.
const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const handle = setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    return { cancel: () => clearTimeout(handle) };
  },
};
