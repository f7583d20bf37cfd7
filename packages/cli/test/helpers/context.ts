/**
 * A CliContext for calling `main` in this process: not interactive, silent logger, and what the
 * command writes to stdout and stderr kept for the test to read.
 */
import { silentLogger } from '@hnvue/core';
import { type CliContext, main } from '../../src/index.js';

export interface CapturedContext extends CliContext {
  /** Everything written to stdout so far. */
  readonly stdout: () => string;
  /** Everything written to stderr so far. */
  readonly stderr: () => string;
}

export function context(): CapturedContext {
  let out = '';
  let err = '';
  return {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    interactive: false,
    logger: () => silentLogger,
    signal: new AbortController().signal,
    stdout: () => out,
    stderr: () => err,
  };
}

/** `hnvue <argv>` in this process: its exit code and its stdout. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  const ctx = context();
  const code = await main(argv, ctx);
  return { code, out: ctx.stdout() };
}
