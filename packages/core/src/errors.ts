import { type ErrorCategory, errorSpec, type HnvErrorCode, isRetryable } from './catalogue.js';

/**
 * One error base for every HnVue DICOM package. `code` is stable and part of the public API; its
 * `category` and `retryable` come from the catalogue (catalogue.ts), so callers decide on those
 * and never copy code strings. Messages never carry PHI (NFR-SEC-01): they may name UIDs, AE
 * titles, hosts, status codes and sizes, never dataset values.
 */
export interface HnvErrorOptions {
  readonly cause?: unknown;
  /** A short hint on how to fix the problem, shown by the CLI after the message. */
  readonly hint?: string;
  /** Structured, PHI-free details (status codes, AE titles, sizes…). */
  readonly details?: Readonly<Record<string, unknown>>;
  /**
   * Overrides the catalogue's retryability, for a thrower that knows more than the code (a
   * sender that decided the failure is final). Without it: {@link isRetryable}(code, details).
   */
  readonly retryable?: boolean;
}

export class HnvError extends Error {
  readonly code: HnvErrorCode;
  /** The code's category in the catalogue. */
  readonly category: ErrorCategory;
  /** Whether the same request may succeed on a later attempt (catalogue, refined by details). */
  readonly retryable: boolean;
  readonly hint: string | undefined;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: HnvErrorCode, message: string, options: HnvErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.category = errorSpec(code).category;
    this.hint = options.hint;
    this.details = options.details ?? {};
    this.retryable = options.retryable ?? isRetryable(code, this.details);
  }

  /** A log-safe view: code, message and details; never the cause's own fields. */
  toJSON(): { name: string; code: string; message: string; details: Readonly<Record<string, unknown>> } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** True when `err` is an HnvError, optionally with the given code. */
export function isHnvError(err: unknown, code?: HnvErrorCode): err is HnvError {
  return err instanceof HnvError && (code === undefined || err.code === code);
}

/** Configuration failed validation; `issues` lists `path: expected …, got …` lines. */
export class ConfigError extends HnvError {
  readonly issues: readonly string[];
  constructor(issues: readonly string[], options: HnvErrorOptions = {}) {
    super('HNV_ERR_CONFIG', `invalid configuration: ${issues.join('; ')}`, options);
    this.issues = issues;
  }
}
