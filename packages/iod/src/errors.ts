import { HnvError, type HnvErrorOptions } from '@hnvue/core';
import type { Finding } from './validate/types.js';

/** Stable codes of @hnvue/iod; callers switch on them, never on messages. */
export const IOD_ERROR_CODES = {
  invalid: 'HNV_ERR_IOD_INVALID',
  input: 'HNV_ERR_IOD_INPUT',
  charset: 'HNV_ERR_IOD_CHARSET',
  write: 'HNV_ERR_IOD_WRITE',
} as const;

/**
 * A builder refused to emit an object that fails validation. `findings` name attributes and
 * modules only, never values (NFR-SEC-01), so the error is safe to log.
 */
export class IodInvalidError extends HnvError {
  readonly findings: readonly Finding[];
  constructor(iod: string, findings: readonly Finding[], options: HnvErrorOptions = {}) {
    const errors = findings.filter((f) => f.severity === 'error');
    const head = errors
      .slice(0, 5)
      .map((f) => `${f.module}.${f.keyword}: ${f.kind}`)
      .join('; ');
    super(IOD_ERROR_CODES.invalid, `${iod}: ${errors.length} validation error(s): ${head}`, {
      hint: 'fix the input, or pass { allowInvalid: true } to emit the object anyway',
      ...options,
      details: { iod, errorCount: errors.length, ...options.details },
    });
    this.findings = findings;
  }
}

/** The typed input cannot be turned into an object (wrong pixel buffer size, bad bit depth…). */
export class IodInputError extends HnvError {
  constructor(message: string, options: HnvErrorOptions = {}) {
    super(IOD_ERROR_CODES.input, message, options);
  }
}

/** A text value has a character the chosen Specific Character Set cannot encode. */
export class IodCharsetError extends HnvError {
  constructor(message: string, options: HnvErrorOptions = {}) {
    super(IOD_ERROR_CODES.charset, message, options);
  }
}
