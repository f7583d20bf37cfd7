import { HnvError } from '@hnvue/core';

/** Stable codes of the facade's own errors (callers switch on these, never on messages). */
export const FACADE_ERROR_CODES = {
  /** A destination the operation needs is not in the configuration. */
  notConfigured: 'HNV_ERR_NOT_CONFIGURED',
  /** The services are not started, or already stopped. */
  notRunning: 'HNV_ERR_NOT_RUNNING',
  /** No procedure with that id, or an operation its state does not allow. */
  procedure: 'HNV_ERR_PROCEDURE',
} as const;

export class FacadeError extends HnvError {}
