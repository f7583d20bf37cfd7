/**
 * Exit codes scripts can rely on (documented in README.md). Stable: a new failure kind gets a new
 * number, an existing number never changes meaning.
 */
import { isHnvError } from '@hnvue/core';

export const EXIT_CODES = {
  /** Everything asked for was done. */
  ok: 0,
  /** A bug or an unexpected failure (the message says which). */
  internal: 1,
  /** Bad command line: unknown option, missing argument, unknown command. */
  usage: 2,
  /** The configuration file or environment is invalid (HNV_ERR_CONFIG). */
  config: 3,
  /** No association: connection refused, host unreachable, TLS failure, timeout, abort. */
  network: 4,
  /** The peer rejected the association (A-ASSOCIATE-RJ) or no presentation context was accepted. */
  rejected: 5,
  /** The peer answered a DIMSE failure status (C-STORE, C-FIND, N-CREATE… refused). */
  dimseFailure: 6,
  /** Part of the work failed: some files not stored, some references not committed, a commitment timed out. */
  partial: 7,
  /** An input file is missing, unreadable, not DICOM, or truncated (HNV_ERR_PART10_TRUNCATED). */
  input: 8,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

const NETWORK_CODES: ReadonlySet<string> = new Set([
  'HNV_ERR_CONNECT',
  'HNV_ERR_TIMEOUT',
  'HNV_ERR_TLS',
  'HNV_ERR_ASSOC_ABORTED',
  'HNV_ERR_ASSOC_CLOSED',
  'HNV_ERR_PDU_DECODE',
  'HNV_ERR_PROTOCOL',
  'PoolExhausted',
  'HNV_ERR_POOL_CLOSED',
]);

const INPUT_CODES: ReadonlySet<string> = new Set([
  'HNV_ERR_INPUT',
  'HNV_ERR_PART10',
  // A Part 10 file whose data set ends mid-element or overruns the file (found before sending).
  'HNV_ERR_PART10_TRUNCATED',
  'HNV_ERR_DATASET',
  'HNV_ERR_INVALID_ARGUMENT',
  'HNV_ERR_IOD_INPUT',
  'HNV_ERR_IOD_INVALID',
  'HNV_ERR_RENDER',
]);

/** The exit code for an error that ended a command. */
export function exitCodeFor(err: unknown): ExitCode {
  if (!isHnvError(err)) {
    const errno = (err as { code?: unknown } | undefined)?.code;
    if (errno === 'ENOENT' || errno === 'EACCES' || errno === 'EISDIR') return EXIT_CODES.input;
    return EXIT_CODES.internal;
  }
  const code = err.code;
  if (code === 'HNV_ERR_USAGE') return EXIT_CODES.usage;
  if (code === 'HNV_ERR_CONFIG' || code === 'HNV_ERR_NOT_CONFIGURED') return EXIT_CODES.config;
  if (code === 'HNV_ERR_ASSOC_REJECTED' || code === 'HNV_ERR_NO_PRESENTATION_CONTEXT')
    return EXIT_CODES.rejected;
  if (code === 'HNV_ERR_DIMSE_FAILURE') return EXIT_CODES.dimseFailure;
  if (code === 'HNV_ERR_PARTIAL') return EXIT_CODES.partial;
  if (NETWORK_CODES.has(code)) return EXIT_CODES.network;
  if (INPUT_CODES.has(code)) return EXIT_CODES.input;
  return EXIT_CODES.internal;
}
