import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { guardLogger, silentLogger } from '../src/index.js';

/** An object that counts how often its fields are read (redactPhi walks every field). */
function watched(): { object: object; reads: () => number } {
  let reads = 0;
  const object = {
    get PatientName(): string {
      reads++;
      return 'HONG^GILDONG';
    },
  };
  return { object, reads: () => reads };
}

describe('NFR-SEC-01 / NFR-OBS-01: guardLogger skips levels that are off', () => {
  it('NFR-OBS-01: silentLogger stays the no-op silentLogger', () => {
    expect(guardLogger(silentLogger)).toBe(silentLogger);
  });

  it('NFR-OBS-01: a pino logger at info never redacts (or reads) a trace object, and still redacts info', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const base = pino({ level: 'info' }, sink);
    const log = guardLogger(base);
    const traced = watched();
    log.trace(traced.object, 'per-PDU line');
    log.debug(traced.object, 'per-message line');
    expect(traced.reads()).toBe(0);
    const logged = watched();
    log.info(logged.object, 'kept');
    expect(logged.reads()).toBeGreaterThan(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('HONG');
    // pino's level can change at run time: the guard asks on every call.
    base.level = 'trace';
    log.trace({ PatientName: 'HONG^GILDONG' }, 'now on');
    expect(lines).toHaveLength(2);
    expect(lines[1]).not.toContain('HONG');
  });
});
