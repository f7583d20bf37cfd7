/**
 * Exit codes scripts can rely on (documented in README.md). Stable: a new failure kind gets a new
 * number, an existing number never changes meaning.
 */
import { type ErrorCategory, isHnvError } from '@hnvue/core';

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

/**
 * The exit code of each error category of the catalogue (@hnvue/core). `codec`, `queue` and
 * `state` failures are not the user's to fix from the command line: internal (1), as is a code
 * the catalogue does not know.
 */
const EXIT_BY_CATEGORY: Readonly<Record<ErrorCategory, ExitCode>> = {
  usage: EXIT_CODES.usage,
  config: EXIT_CODES.config,
  network: EXIT_CODES.network,
  association: EXIT_CODES.rejected,
  dimse: EXIT_CODES.dimseFailure,
  partial: EXIT_CODES.partial,
  input: EXIT_CODES.input,
  data: EXIT_CODES.input,
  codec: EXIT_CODES.internal,
  queue: EXIT_CODES.internal,
  state: EXIT_CODES.internal,
  internal: EXIT_CODES.internal,
};

/** The exit code for an error that ended a command: its category's (see EXIT_BY_CATEGORY). */
export function exitCodeFor(err: unknown): ExitCode {
  if (!isHnvError(err)) {
    const errno = (err as { code?: unknown } | undefined)?.code;
    if (errno === 'ENOENT' || errno === 'EACCES' || errno === 'EISDIR') return EXIT_CODES.input;
    // The environment is wrong (the catalogue's `config` category): a port taken, an address not ours.
    if (errno === 'EADDRINUSE' || errno === 'EADDRNOTAVAIL') return EXIT_CODES.config;
    return EXIT_CODES.internal;
  }
  return EXIT_BY_CATEGORY[err.category];
}
