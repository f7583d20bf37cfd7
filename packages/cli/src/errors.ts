import { HnvError, type HnvErrorOptions, isHnvError } from '@hnvue/core';

/** A bad command line (exit code 2). */
export class UsageError extends HnvError {
  constructor(message: string, options: HnvErrorOptions = {}) {
    super('HNV_ERR_USAGE', message, { hint: 'run `hnvue help` for the commands and options', ...options });
  }
}

/** An input file that cannot be used (exit code 8). */
export class InputError extends HnvError {
  constructor(message: string, options: HnvErrorOptions = {}) {
    super('HNV_ERR_INPUT', message, options);
  }
}

/** Part of the work failed (exit code 7); the summary was already printed. */
export class PartialFailureError extends HnvError {
  constructor(message: string, options: HnvErrorOptions = {}) {
    super('HNV_ERR_PARTIAL', message, options);
  }
}

const ERRNO_HINTS: Readonly<Record<string, string>> = {
  ENOENT: 'check the path',
  EACCES: 'check the file permissions (a port below 1024 needs root or CAP_NET_BIND_SERVICE)',
  EISDIR: 'a file was expected, not a folder',
  EADDRINUSE:
    'another process listens on that port: stop it, or choose another port (`ss -ltnp` shows which)',
  EADDRNOTAVAIL: 'that address is not one of this machine’s: listen on 0.0.0.0 or an address `ip addr` shows',
  ENOSPC: 'the disk is full: free space where the files are written',
  EMFILE: 'too many open files: raise `ulimit -n`',
};

/**
 * One line per error: `hnvue: <code>: message (hint: …)`. Messages of HnVue errors are PHI-free
 * by contract (NFR-SEC-01); other errors show only their errno or class name and message.
 */
export function formatError(err: unknown): string {
  if (isHnvError(err)) {
    const hint = err.hint ? ` (hint: ${err.hint})` : '';
    return `hnvue: ${err.code}: ${oneLine(err.message)}${hint}`;
  }
  if (err instanceof Error) {
    const errno = (err as { code?: unknown }).code;
    if (typeof errno === 'string') {
      const hint = ERRNO_HINTS[errno];
      const message = err.message.startsWith(`${errno}: `)
        ? err.message.slice(errno.length + 2)
        : err.message;
      return `hnvue: ${errno}: ${oneLine(message)}${hint ? ` (hint: ${hint})` : ''}`;
    }
    return `hnvue: ${err.name}: ${oneLine(err.message)}`;
  }
  return `hnvue: ${oneLine(String(err))}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ');
}
