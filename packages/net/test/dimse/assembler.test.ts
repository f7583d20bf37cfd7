import { describe, expect, it } from 'vitest';
import {
  cEchoRq,
  cStoreRq,
  DimseAssembler,
  DimseDecodeError,
  type DimseEvent,
  DimseProtocolError,
  type DimseProtocolViolation,
  decodeCommand,
  encodeCommand,
} from '../../src/dimse/index.js';
import { NET_ERROR_CODES } from '../../src/errors.js';
import type { Pdv } from '../../src/pdu/types.js';
import { concat, hexFixture, pdv, prng, randomBytes } from './helpers.js';

const STORE = cStoreRq({
  messageId: 5,
  affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.1.1',
  affectedSopInstanceUid: '1.2.410.200001.7.1.5',
});
const STORE_BYTES = encodeCommand(STORE);
const ECHO_BYTES = encodeCommand(cEchoRq(9));

function split(bytes: Uint8Array, sizes: () => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let p = 0; p < bytes.length; ) {
    const n = Math.max(1, Math.min(bytes.length - p, sizes()));
    out.push(bytes.subarray(p, p + n));
    p += n;
  }
  return out;
}

function feed(assembler: DimseAssembler, pdvs: readonly Pdv[]): DimseEvent[] {
  const events: DimseEvent[] = [];
  for (const p of pdvs) {
    const e = assembler.push(p);
    if (e !== undefined) events.push(e);
  }
  return events;
}

function violation(fn: () => unknown): DimseProtocolViolation | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DimseProtocolError);
    expect((err as DimseProtocolError).code).toBe(NET_ERROR_CODES.protocol);
    return (err as DimseProtocolError).violation;
  }
  return undefined;
}

describe('DIMSE message assembly from PDVs (PS3.8 Annex E)', () => {
  it('FR-DICOM-02.dimse: assembles the DCMTK C-STORE-RQ command and streams its data set chunk by chunk', () => {
    const a = new DimseAssembler();
    const command = hexFixture('dcmtk-c-store-rq.hex');
    const data = new Uint8Array(288).map((_, i) => i & 0xff);
    const events = feed(a, [
      pdv(201, true, true, command),
      pdv(201, false, false, data.subarray(0, 100)),
      pdv(201, false, true, data.subarray(100)),
    ]);
    expect(events).toHaveLength(3);
    expect(events[0]).toEqual({
      kind: 'command',
      contextId: 201,
      command: decodeCommand(command),
      hasDataset: true,
    });
    expect(events[1]).toMatchObject({ kind: 'dataset-chunk', contextId: 201, isLast: false });
    expect(events[2]).toMatchObject({ kind: 'dataset-chunk', contextId: 201, isLast: true });
    expect(a.inMessage).toBe(false);
  });

  it('FR-DICOM-02.dimse: joins a command split across many PDVs of odd sizes, and emits nothing before the last', () => {
    const rand = prng(7);
    const parts = split(STORE_BYTES, () => 1 + Math.floor(rand() * 9));
    expect(parts.length).toBeGreaterThan(10);
    const a = new DimseAssembler();
    const events: DimseEvent[] = [];
    parts.forEach((part, i) => {
      const e = a.push(pdv(3, true, i === parts.length - 1, part));
      if (i < parts.length - 1) expect(e).toBeUndefined();
      if (e) events.push(e);
    });
    expect(events).toEqual([{ kind: 'command', contextId: 3, command: STORE, hasDataset: true }]);
    expect(a.inMessage).toBe(true);
  });

  it('FR-DICOM-04.streaming: passes a data set sent in 1-byte PDVs through as 1-byte chunks without copying', () => {
    const a = new DimseAssembler();
    a.push(pdv(1, true, true, STORE_BYTES));
    const data = randomBytes(501, prng(1));
    const received: Uint8Array[] = [];
    for (let i = 0; i < data.length; i++) {
      const chunk = data.subarray(i, i + 1);
      const e = a.push(pdv(1, false, i === data.length - 1, chunk));
      expect(e?.kind).toBe('dataset-chunk');
      if (e?.kind === 'dataset-chunk') {
        expect(e.chunk).toBe(chunk); // the PDV's own bytes: nothing accumulated, nothing copied
        expect(e.isLast).toBe(i === data.length - 1);
        received.push(e.chunk);
      }
    }
    expect(concat(received)).toEqual(data);
    expect(a.inMessage).toBe(false);
  });

  it('FR-DICOM-02.dimse: accepts odd-length and empty data set PDVs (fo-dicom #284)', () => {
    const a = new DimseAssembler();
    a.push(pdv(1, true, true, STORE_BYTES));
    expect(a.push(pdv(1, false, false, [1, 2, 3]))).toMatchObject({
      chunk: new Uint8Array([1, 2, 3]),
      isLast: false,
    });
    expect(a.push(pdv(1, false, false, []))).toMatchObject({ chunk: new Uint8Array(0), isLast: false });
    expect(a.push(pdv(1, false, true, []))).toMatchObject({ chunk: new Uint8Array(0), isLast: true });
  });

  it('FR-DICOM-02.dimse: handles consecutive messages, with and without data sets, on different contexts', () => {
    const a = new DimseAssembler();
    const events = feed(a, [
      pdv(1, true, true, ECHO_BYTES),
      pdv(3, true, true, STORE_BYTES),
      pdv(3, false, true, [0, 0]),
      pdv(1, true, true, ECHO_BYTES),
    ]);
    expect(events.map((e) => `${e.kind}@${e.contextId}`)).toEqual([
      'command@1',
      'command@3',
      'dataset-chunk@3',
      'command@1',
    ]);
    expect(events[0]).toMatchObject({ hasDataset: false });
  });

  it('FR-DICOM-02.dimse: rejects a data set PDV before any command', () => {
    expect(violation(() => new DimseAssembler().push(pdv(1, false, true, [0, 0])))).toBe(
      'dataset-before-command',
    );
  });

  it('FR-DICOM-02.dimse: rejects a data set PDV before the last command fragment', () => {
    const a = new DimseAssembler();
    a.push(pdv(1, true, false, STORE_BYTES.subarray(0, 10)));
    expect(violation(() => a.push(pdv(1, false, false, [0, 0])))).toBe('dataset-before-command');
  });

  it('FR-DICOM-02.dimse: rejects a command PDV in the middle of a data set (interleaved messages, PS3.8 E.1)', () => {
    const a = new DimseAssembler();
    feed(a, [pdv(1, true, true, STORE_BYTES), pdv(1, false, false, [1, 2])]);
    expect(violation(() => a.push(pdv(1, true, true, ECHO_BYTES)))).toBe('command-during-dataset');
  });

  it('FR-DICOM-02.dimse: rejects a context change inside a command and inside a data set', () => {
    const a = new DimseAssembler();
    a.push(pdv(1, true, false, STORE_BYTES.subarray(0, 8)));
    expect(violation(() => a.push(pdv(3, true, true, STORE_BYTES.subarray(8))))).toBe('context-changed');
    const b = new DimseAssembler();
    feed(b, [pdv(1, true, true, STORE_BYTES), pdv(1, false, false, [1, 2])]);
    expect(violation(() => b.push(pdv(3, false, true, [3, 4])))).toBe('context-changed');
  });

  it('FR-DICOM-02.dimse: rejects a data set after a command that announced none', () => {
    const a = new DimseAssembler();
    expect(a.push(pdv(1, true, true, ECHO_BYTES))).toMatchObject({ kind: 'command', hasDataset: false });
    expect(violation(() => a.push(pdv(1, false, true, [0, 0])))).toBe('unexpected-dataset');
  });

  it('FR-DICOM-02.dimse: caps command fragments at 64 KiB by default and at the configured limit', () => {
    const a = new DimseAssembler();
    const big = new Uint8Array(16 * 1024);
    for (let i = 0; i < 4; i++) a.push(pdv(1, true, false, big));
    expect(violation(() => a.push(pdv(1, true, false, [0, 0])))).toBe('command-too-large');
    const small = new DimseAssembler({ maxCommandLength: 100 });
    expect(violation(() => small.push(pdv(1, true, true, STORE_BYTES)))).toBe('command-too-large');
  });

  it('FR-DICOM-02.dimse: surfaces a malformed command set as DimseDecodeError', () => {
    const a = new DimseAssembler();
    expect(() => a.push(pdv(1, true, true, STORE_BYTES.subarray(0, STORE_BYTES.length - 3)))).toThrow(
      DimseDecodeError,
    );
    expect(() => new DimseAssembler().push(pdv(1, true, true, []))).toThrow(DimseDecodeError);
  });

  it('FR-DICOM-02.dimse: end() reports a message cut off in its command or its data set', () => {
    const a = new DimseAssembler();
    a.push(pdv(1, true, false, STORE_BYTES.subarray(0, 8)));
    expect(violation(() => a.end())).toBe('stream-ended-mid-message');
    const b = new DimseAssembler();
    feed(b, [pdv(1, true, true, STORE_BYTES), pdv(1, false, false, [1, 2])]);
    expect(violation(() => b.end())).toBe('stream-ended-mid-message');
    const c = new DimseAssembler();
    feed(c, [pdv(1, true, true, ECHO_BYTES)]);
    expect(() => c.end()).not.toThrow();
  });
});
