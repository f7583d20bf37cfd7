/** Retry scheduling parameters (NFR-REL-01). */
export interface BackoffOptions {
  /** Delay before the first retry, in ms. */
  readonly initialIntervalMs: number;
  /** Factor applied per further attempt. */
  readonly backoffMultiplier: number;
  /** Upper bound of one delay, in ms; unbounded when absent. */
  readonly maxIntervalMs?: number;
}

/**
 * NFR-REL-01: `nextRetryAt = lastAttemptAt + initialInterval × backoffMultiplier ^ attemptCount`,
 * where `attemptCount` counts the attempts made before the one that just failed (0 after the
 * first failure, so the first retry waits exactly `initialIntervalMs`).
 */
export function nextRetryAt(lastAttemptAt: number, attemptsBefore: number, options: BackoffOptions): number {
  const delay = options.initialIntervalMs * options.backoffMultiplier ** Math.max(0, attemptsBefore);
  return lastAttemptAt + Math.min(delay, options.maxIntervalMs ?? Number.POSITIVE_INFINITY);
}
