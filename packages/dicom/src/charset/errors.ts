import { HnvError, type HnvErrorOptions } from '@hnvue/core';

export const CHARSET_ERROR_CODE = 'HNV_ERR_CHARSET' as const;

/**
 * Why text could not be converted: a Specific Character Set term we do not support, bytes that
 * are not valid in the declared character set, or a character the declared set cannot encode.
 */
export type CharsetFailure = 'unsupported' | 'undecodable' | 'unencodable';

/** Text conversion failed. The message names the term and offset, never the text (NFR-SEC-01). */
export class CharsetError extends HnvError {
  readonly reason: CharsetFailure;
  constructor(reason: CharsetFailure, message: string, options: HnvErrorOptions = {}) {
    // Object.assign, not `{ ...options, details }`: V8 (Node 20) takes a slow path for a spread
    // followed by more properties, and flagged charset problems build one error per bad value.
    super(
      CHARSET_ERROR_CODE,
      message,
      Object.assign({}, options, { details: { reason, ...options.details } }),
    );
    this.reason = reason;
  }
}
