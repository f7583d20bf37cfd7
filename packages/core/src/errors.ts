/**
 * One error base for every HnVue DICOM package. `code` is stable and part of the public API:
 * callers switch on it, never on the message. Messages never carry PHI (NFR-SEC-01): they may
 * name UIDs, AE titles, hosts, status codes and sizes, never dataset values.
 */
export interface HnvErrorOptions {
  readonly cause?: unknown;
  /** A short hint on how to fix the problem, shown by the CLI after the message. */
  readonly hint?: string;
  /** Structured, PHI-free details (status codes, AE titles, sizes…). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export class HnvError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: HnvErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  /** A log-safe view: code, message and details; never the cause's own fields. */
  toJSON(): { name: string; code: string; message: string; details: Readonly<Record<string, unknown>> } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** True when `err` is an HnvError, optionally with the given code. */
export function isHnvError(err: unknown, code?: string): err is HnvError {
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
