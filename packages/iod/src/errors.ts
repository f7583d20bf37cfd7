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

/** Where a value breaks its VR's rules: the attribute and the rule, never the value. */
export interface ValueProblem {
  readonly keyword: string;
  /** `Seq[0].Keyword` for a value inside a sequence item. */
  readonly path: string;
  /** `(GGGG,EEEE)`. */
  readonly tag: string;
  readonly vr: string;
  /** The rule of PS3.5 Table 6.2-1 broken (`too-long`, `format`, `repertoire`…). */
  readonly rule: string;
  readonly description: string;
  /** The value's index in a multi-valued element. */
  readonly index?: number;
}

/**
 * An input value breaks its VR's rules (PS3.5 Table 6.2-1: length, repertoire, DA/TM/DT
 * format, UI syntax), found before the object is built. `HNV_ERR_IOD_INPUT`; the message and
 * details name the attribute and the rule only, so the error is safe to log (NFR-SEC-01).
 */
export class IodValueError extends HnvError {
  readonly problem: ValueProblem;
  constructor(problem: ValueProblem, options: HnvErrorOptions = {}) {
    const index = problem.index === undefined ? '' : ` (value ${problem.index + 1})`;
    super(
      IOD_ERROR_CODES.input,
      `${problem.path} ${problem.tag} ${problem.vr}: the value${index} ${problem.description} (PS3.5 Table 6.2-1)`,
      {
        hint: 'correct the value at its source (worklist, patient or study input); it is not truncated or sent as is',
        ...options,
        details: { ...problem, ...options.details },
      },
    );
    this.problem = problem;
  }
}

/**
 * A data set could not be encoded for a reason the codec did not type. The cause is not kept:
 * a foreign error's message may quote a value (dcmjs's do), and loggers print causes.
 */
export class IodWriteError extends HnvError {
  constructor(message: string, options: HnvErrorOptions = {}) {
    super(IOD_ERROR_CODES.write, message, options);
  }
}
