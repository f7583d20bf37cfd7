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

/** The terms as a message names them ('default repertoire' for none). Terms are not PHI. */
export function termLabel(terms: readonly string[]): string {
  return terms.join('\\') || 'default repertoire';
}

/** Bytes at `offset` that the declared set cannot read. Names the terms, never the text. */
export function undecodable(
  terms: readonly string[],
  offset: number,
  what: string,
  cause?: unknown,
): CharsetError {
  return new CharsetError('undecodable', `${what} at byte ${offset} is not valid in '${termLabel(terms)}'`, {
    ...(cause === undefined ? {} : { cause }),
    details: { terms: terms.join('\\'), offset },
  });
}

/** The character at UTF-16 `index` is in no set the terms allow. Never names the character. */
export function unencodable(terms: readonly string[], index: number): CharsetError {
  return new CharsetError(
    'unencodable',
    `character at index ${index} cannot be encoded in '${termLabel(terms)}'`,
    { details: { terms: terms.join('\\'), index } },
  );
}
