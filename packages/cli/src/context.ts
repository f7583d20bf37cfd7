import { createJsonLogger, guardLogger, type Logger, type LogLevel } from '@hnvue/core';

/** Where a command writes: results to stdout, progress and errors to stderr, logs as JSON lines to stderr. */
export interface CliContext {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** True when stderr is a terminal (progress bars are drawn only then). */
  readonly interactive: boolean;
  readonly logger: (level: LogLevel) => Logger;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop gracefully. */
  readonly signal: AbortSignal;
}

export function processContext(signal: AbortSignal): CliContext {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    interactive: process.stderr.isTTY === true,
    // NFR-SEC-01: every log line passes the PHI guard, whatever a package logs.
    logger: (level) => guardLogger(createJsonLogger({ level, bindings: { app: 'hnvue' } })),
    signal,
  };
}
