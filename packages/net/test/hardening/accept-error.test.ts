import { Server } from 'node:net';
import type { Logger } from '@hnvue/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServer, type DicomServer } from '../../src/index.js';

let server: DicomServer | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close({ abort: true });
  server = undefined;
});

describe('DicomServer listening socket errors', () => {
  it('NFR-SEC-01: an accept error after listen() (EMFILE) is a PHI-free connectionError, not an uncaught exception', async () => {
    // The node:net server is private: catch it when DicomServer calls listen() on it.
    const listen = vi.spyOn(Server.prototype, 'listen');
    const lines: { level: string; obj: unknown; msg: unknown }[] = [];
    const record =
      (level: string) =>
      (obj: unknown, msg?: unknown): void => {
        lines.push({ level, obj, msg });
      };
    const logger: Logger = {
      trace: record('trace'),
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
      fatal: record('fatal'),
      child() {
        return logger;
      },
    };
    server = createServer({ logger });
    const port = await server.listen(0);
    const underlying = listen.mock.contexts[0] as Server | undefined;
    expect(underlying).toBeInstanceOf(Server);
    const seen: { error: Error; peer: string }[] = [];
    server.on('connectionError', (error, peer) => seen.push({ error, peer }));
    const emfile = Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' });
    // Without a listener EventEmitter would throw this out of emit().
    expect(() => underlying?.emit('error', emfile)).not.toThrow();
    expect(seen).toEqual([{ error: emfile, peer: `127.0.0.1:${port}` }]);
    const warn = lines.find((l) => l.level === 'warn');
    expect(warn?.obj).toMatchObject({ code: 'EMFILE' });
    // Still listening: the server goes on accepting once descriptors are free again.
    expect(underlying?.listening).toBe(true);
  });
});
