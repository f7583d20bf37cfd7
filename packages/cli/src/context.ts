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

// Set once stdout's reader has gone (`hnvue worklist | head -5`): the rest of the output is dropped
// and the command still ends with its own exit code, rather than dying of an unhandled EPIPE.
let stdoutClosed = false;
let watchingStdout = false;

function watchStdout(): void {
  if (watchingStdout) return;
  watchingStdout = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stdoutClosed = true;
  });
}

export function processContext(signal: AbortSignal): CliContext {
  watchStdout();
  return {
    out: (text) => {
      if (!stdoutClosed) process.stdout.write(text);
    },
    err: (text) => process.stderr.write(text),
    interactive: process.stderr.isTTY === true,
    // NFR-SEC-01: every log line passes the PHI guard, whatever a package logs.
    logger: (level) => guardLogger(createJsonLogger({ level, bindings: { app: 'hnvue' } })),
    signal,
  };
}
