import { describe, expect, it } from 'vitest';
import { PduDecodeError } from '../../src/errors.js';
import {
  ABORT_REASON,
  createPduFramer,
  DEFAULT_PDATA_LENIENCY_BYTES,
  decodePdu,
  encodePdu,
  type PduFramer,
  type RawPdu,
} from '../../src/pdu/index.js';
import { fullAssociateRq, samplePdus } from './fixtures.js';

const stream = samplePdus.map((pdu) => encodePdu(pdu));
const joined = Uint8Array.from(stream.flatMap((b) => Array.from(b)));

function drain(framer: PduFramer): RawPdu[] {
  const out: RawPdu[] = [];
  for (let pdu = framer.next(); pdu !== undefined; pdu = framer.next()) out.push(pdu);
  return out;
}

function framerError(framer: PduFramer): PduDecodeError {
  try {
    drain(framer);
  } catch (err) {
    if (err instanceof PduDecodeError) return err;
    throw err;
  }
  throw new Error('next() did not throw');
}

function pdataHeader(length: number): Uint8Array {
  const header = new Uint8Array(6);
  header[0] = 0x04;
  new DataView(header.buffer).setUint32(2, length);
  return header;
}

describe('createPduFramer: incremental framing', () => {
  it('FR-DICOM-02.pdu: a stream split at every byte offset yields the same PDUs', () => {
    for (let split = 0; split <= joined.length; split++) {
      const framer = createPduFramer({ maxPduLength: 16384 });
      framer.push(joined.subarray(0, split));
      const got = drain(framer);
      framer.push(joined.subarray(split));
      got.push(...drain(framer));
      // Buffer.equals keeps this loop cheap; vitest's deep equality on every split would take seconds.
      const same =
        got.length === stream.length &&
        got.every((p, i) => Buffer.from(p.bytes).equals(stream[i] ?? new Uint8Array(0)));
      expect(same, `split at ${split}`).toBe(true);
      expect(framer.bufferedBytes).toBe(0);
    }
  });

  it('FR-DICOM-02.pdu: 1-byte chunks yield the same PDUs, with the right type and decodable bytes', () => {
    const framer = createPduFramer({ maxPduLength: 16384 });
    const got: RawPdu[] = [];
    for (let i = 0; i < joined.length; i++) {
      framer.push(joined.subarray(i, i + 1));
      got.push(...drain(framer));
    }
    expect(got.map((p) => p.bytes)).toEqual(stream);
    expect(got.map((p) => decodePdu(p.bytes))).toEqual(samplePdus);
    expect(got.map((p) => p.pduType)).toEqual(stream.map((b) => b[0]));
  });

  it('every pair of split points in a short stream yields the same PDUs', () => {
    const short = Uint8Array.from([
      ...encodePdu({ type: 'A-RELEASE-RQ' }),
      ...encodePdu({
        type: 'P-DATA-TF',
        pdvs: [{ contextId: 1, isCommand: true, isLast: true, data: Uint8Array.of(1, 2, 3) }],
      }),
      ...encodePdu({ type: 'A-ABORT', source: 2, reason: 1 }),
    ]);
    for (let a = 0; a <= short.length; a++) {
      for (let b = a; b <= short.length; b++) {
        const framer = createPduFramer({ maxPduLength: 0 });
        const got: Uint8Array[] = [];
        for (const part of [short.subarray(0, a), short.subarray(a, b), short.subarray(b)]) {
          framer.push(part);
          got.push(...drain(framer).map((p) => p.bytes));
        }
        expect(
          got.map((g) => g.length),
          `splits ${a},${b}`,
        ).toEqual([10, 15, 10]);
      }
    }
  });

  it('never rewrites bytes it returned: a PDU stays intact after later pushes and reset', () => {
    const framer = createPduFramer({ maxPduLength: 16384 });
    const first = stream[0] ?? new Uint8Array(0);
    framer.push(first.subarray(0, 10));
    framer.push(first.subarray(10));
    const got = framer.next();
    const snapshot = Uint8Array.from(got?.bytes ?? []);
    framer.push(Uint8Array.from(joined));
    drain(framer);
    framer.reset();
    framer.push(new Uint8Array(100).fill(0x05));
    expect(got?.bytes).toEqual(snapshot);
  });

  it('a PDU spread over chunks is one fresh buffer; a PDU inside one chunk is a view of it', () => {
    const release = encodePdu({ type: 'A-RELEASE-RQ' });
    const framer = createPduFramer({ maxPduLength: 0 });
    framer.push(release.subarray(0, 3));
    framer.push(release.subarray(3));
    const copied = framer.next();
    expect(copied?.bytes.buffer).not.toBe(release.buffer);
    const chunk = Uint8Array.from([...release, ...release]);
    framer.push(chunk);
    const view = framer.next();
    expect(view?.bytes.buffer).toBe(chunk.buffer);
    expect(framer.bufferedBytes).toBe(10);
  });

  it('frames a 256 KiB PDU pushed in 1-byte chunks (a per-read concatenation would copy 34 GB)', () => {
    // DICOM-PITFALLS: collect chunks, join once per PDU. No timing assertion: a quadratic framer
    // simply never finishes within the test timeout.
    const value = new Uint8Array(256 * 1024 - 12).map((_, i) => i & 0xff);
    const pdu = encodePdu({
      type: 'P-DATA-TF',
      pdvs: [{ contextId: 1, isCommand: false, isLast: true, data: value }],
    });
    const framer = createPduFramer({ maxPduLength: pdu.length });
    let got: RawPdu | undefined;
    for (let i = 0; i < pdu.length; i++) {
      framer.push(pdu.subarray(i, i + 1));
      got = framer.next();
      if (i < pdu.length - 1 && got !== undefined) throw new Error(`framed early at ${i}`);
    }
    expect(got !== undefined && Buffer.from(got.bytes).equals(pdu)).toBe(true);
    expect(framer.bufferedBytes).toBe(0);
  });

  it('reports buffered bytes and forgets them on reset', () => {
    const framer = createPduFramer({ maxPduLength: 0 });
    framer.push(joined.subarray(0, 7));
    expect(framer.next()).toBeUndefined();
    expect(framer.bufferedBytes).toBe(7);
    framer.reset();
    expect(framer.bufferedBytes).toBe(0);
    framer.push(encodePdu({ type: 'A-RELEASE-RP' }));
    expect(framer.next()?.pduType).toBe(0x06);
  });
});

describe('createPduFramer: limits (DICOM-PITFALLS: cap before allocating)', () => {
  it('FR-DICOM-02.pdu: rejects a P-DATA-TF declaring 0xFFFFFFFF bytes on its header, before any body byte', () => {
    const framer = createPduFramer({ maxPduLength: 16384 });
    framer.push(pdataHeader(0xffff_ffff));
    const err = framerError(framer);
    expect(err.abortReason).toBe(ABORT_REASON.invalidPduParameterValue);
    // The error sticks: the stream cannot be resynchronised.
    expect(() => framer.next()).toThrow(err);
  });

  it('FR-DICOM-02.pdu: rejects a P-DATA-TF longer than maxPduLength + leniencyBytes, accepts up to it', () => {
    const strict = createPduFramer({ maxPduLength: 16384, leniencyBytes: 0 });
    strict.push(pdataHeader(16385));
    expect(framerError(strict).message).toContain('16384');
    const exact = createPduFramer({ maxPduLength: 16384, leniencyBytes: 0 });
    exact.push(pdataHeader(16384));
    expect(exact.next()).toBeUndefined();
    // Peers that ignore our limit (fo-dicom #1084) get the default leniency.
    const lenient = createPduFramer({ maxPduLength: 16384 });
    lenient.push(pdataHeader(16384 + DEFAULT_PDATA_LENIENCY_BYTES));
    expect(lenient.next()).toBeUndefined();
    lenient.reset();
    lenient.push(pdataHeader(16384 + DEFAULT_PDATA_LENIENCY_BYTES + 1));
    expect(() => lenient.next()).toThrow(PduDecodeError);
  });

  it('caps a P-DATA-TF with the hard ceiling when maxPduLength is 0 (unlimited)', () => {
    const framer = createPduFramer({ maxPduLength: 0, hardMaxPduLength: 1_000_000 });
    framer.push(pdataHeader(1_000_001));
    expect(framerError(framer).message).toContain('1000000');
    const defaultCap = createPduFramer({ maxPduLength: 0 });
    defaultCap.push(pdataHeader(0xffff_fff0));
    expect(() => defaultCap.next()).toThrow(PduDecodeError);
  });

  it('rejects an A-ASSOCIATE-RQ above maxAssociatePduLength', () => {
    const rq = encodePdu(fullAssociateRq);
    const small = createPduFramer({ maxPduLength: 16384, maxAssociatePduLength: rq.length - 7 });
    small.push(rq.subarray(0, 6));
    expect(framerError(small).abortReason).toBe(ABORT_REASON.invalidPduParameterValue);
    const fits = createPduFramer({ maxPduLength: 16384, maxAssociatePduLength: rq.length - 6 });
    fits.push(rq);
    expect(fits.next()?.bytes).toEqual(rq);
    const huge = createPduFramer({ maxPduLength: 16384 });
    huge.push(Uint8Array.of(0x02, 0, 0x7f, 0xff, 0xff, 0xff));
    expect(() => huge.next()).toThrow(PduDecodeError);
  });

  it.each([
    [0x03, 5],
    [0x05, 0],
    [0x06, 8],
    [0x07, 0xffff_ffff],
  ])('rejects fixed-size PDU type %i with length %i on its header', (type, length) => {
    const framer = createPduFramer({ maxPduLength: 16384 });
    const header = Uint8Array.of(type, 0, 0, 0, 0, 0);
    new DataView(header.buffer).setUint32(2, length);
    framer.push(header);
    expect(framerError(framer).abortReason).toBe(ABORT_REASON.invalidPduParameterValue);
  });

  it('FR-DICOM-02.pdu: rejects an unknown PDU type as unrecognized (reason 1)', () => {
    for (const type of [0x00, 0x08, 0x10, 0xff]) {
      const framer = createPduFramer({ maxPduLength: 16384 });
      framer.push(Uint8Array.of(type, 0, 0, 0, 0, 4, 0, 0, 0, 0));
      expect(framerError(framer).abortReason).toBe(ABORT_REASON.unrecognizedPdu);
    }
  });

  it('validates its options', () => {
    expect(() => createPduFramer({ maxPduLength: -1 })).toThrow(RangeError);
    expect(() => createPduFramer({ maxPduLength: 1.5 })).toThrow(RangeError);
  });
});
