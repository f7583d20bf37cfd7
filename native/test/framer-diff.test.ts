import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPduFramer, decodePDataPdvs } from '../../packages/net/src/pdu/index.js';
import {
  NativePduDecodeError,
  NativePduFramer,
  nativeDecodePDataPdvs,
  nativePDataPdus,
  nativePduFramingAvailable,
  PDU_DECODE_ERROR_CODE,
} from '../lib/index.js';
import { buildingCase, framingCase } from '../scripts/framer-diff.js';

// Without the addon (HNVUE_NATIVE=0, or a build without src/framer.cc) there is nothing to compare.
const native = nativePduFramingAvailable();

function thrown(fn: () => unknown): { code: unknown; abortReason: unknown; message: string } {
  try {
    fn();
  } catch (err) {
    const e = err as Error & { code?: unknown; abortReason?: unknown };
    return { code: e.code, abortReason: e.abortReason, message: e.message };
  }
  throw new Error('did not throw');
}

function pdata(length: number, body: readonly number[]): Uint8Array {
  const out = new Uint8Array(6 + body.length);
  out[0] = 0x04;
  new DataView(out.buffer).setUint32(2, length);
  out.set(body, 6);
  return out;
}

describe.skipIf(!native)(
  'native PDU framing: differential against the TypeScript framer of @hnvue/net',
  () => {
    it('FR-DICOM-02.pdu: 1000 random and mutated streams at random split points frame identically', () => {
      // The long run is scripts/framer-diff.ts; this bounded run takes 2-3 s on the CI machine.
      let events = 0;
      let errors = 0;
      for (let seed = 1; seed <= 1000; seed++) {
        const r = framingCase(seed);
        expect(r.mismatch).toBeUndefined();
        events += r.events;
        errors += r.errors;
      }
      // The generator must reach both the valid and the failing paths.
      expect(events).toBeGreaterThan(10_000);
      expect(errors).toBeGreaterThan(300);
    });

    it('FR-DICOM-04.streaming: nativePDataPdus gives the P-DATA-TF bytes fragmentMessage gives', async () => {
      for (let seed = 1; seed <= 40; seed++) {
        expect((await buildingCase(seed)).mismatch).toBeUndefined();
      }
    });

    it('FR-DICOM-02.pdu: every malformed P-DATA-TF fails with the same reason and message', () => {
      const cases: Uint8Array[] = [
        Uint8Array.of(0x04, 0, 0, 0),
        Uint8Array.of(0x05, 0, 0, 0, 0, 0),
        pdata(9, [0, 0, 0, 2, 1, 0]),
        pdata(3, [0, 0, 0]),
        pdata(6, [0, 0, 0, 1, 1, 0]),
        pdata(8, [0, 0, 0, 9, 1, 0, 0, 0]),
        pdata(6, [0, 0, 0, 2, 2, 0]),
        pdata(10, [0, 0, 0, 2, 1, 3, 0, 0, 0, 0]),
      ];
      for (const bytes of cases) {
        const ts = thrown(() => decodePDataPdvs(bytes));
        expect(thrown(() => nativeDecodePDataPdvs(bytes))).toEqual(ts);
      }
      expect(thrown(() => nativeDecodePDataPdvs(cases[0] ?? new Uint8Array(0)))).toEqual({
        code: PDU_DECODE_ERROR_CODE,
        abortReason: 2,
        message: 'not a P-DATA-TF PDU',
      });
    });

    it('FR-DICOM-02.pdu: PDVs are views into the PDU, with the control header bits decoded', () => {
      const bytes = pdata(14, [0, 0, 0, 4, 3, 1, 7, 8, 0, 0, 0, 2, 3, 2]);
      const pdvs = nativeDecodePDataPdvs(bytes);
      expect(pdvs).toEqual(decodePDataPdvs(bytes));
      expect(pdvs[0]?.data.buffer).toBe(bytes.buffer);
      expect(pdvs.map((p) => [p.isCommand, p.isLast, p.data.length])).toEqual([
        [true, false, 2],
        [false, true, 0],
      ]);
    });

    it('FR-DICOM-02.pdu: a read holding 600 PDUs and a P-DATA-TF of 300 PDVs match the TypeScript path', () => {
      // Beyond the addon's reused result arrays (256 PDUs, 64 PDVs): the refill and retry paths.
      const release = [0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0];
      const pdvs = Array.from({ length: 300 }, (_, i) => [
        0,
        0,
        0,
        3,
        1 + 2 * (i % 128),
        i & 3,
        i & 0xff,
      ]).flat();
      const big = pdata(pdvs.length, pdvs);
      const chunk = Uint8Array.from([...Array.from({ length: 600 }, () => release).flat(), ...big]);
      const ts = createPduFramer({ maxPduLength: 0 });
      const nat = new NativePduFramer({ maxPduLength: 0 });
      ts.push(chunk);
      nat.push(chunk);
      const got: number[] = [];
      for (
        let a = ts.next(), b = nat.next();
        a !== undefined || b !== undefined;
        a = ts.next(), b = nat.next()
      ) {
        expect(b?.bytes).toEqual(a?.bytes);
        got.push(b?.pduType ?? -1);
      }
      expect(got.length).toBe(601);
      expect(nativeDecodePDataPdvs(big)).toEqual(decodePDataPdvs(big));
      expect(nativeDecodePDataPdvs(big)).toHaveLength(300);
      // The retry keeps the first error too.
      const bad = Uint8Array.from(big);
      bad[bad.length - 3] = 2;
      expect(thrown(() => nativeDecodePDataPdvs(bad))).toEqual(thrown(() => decodePDataPdvs(bad)));
    });

    it('a PDU inside one chunk is a view of it, a PDU spread over chunks one fresh copy', () => {
      const release = Uint8Array.of(0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0);
      const framer = new NativePduFramer({ maxPduLength: 0 });
      framer.push(release.subarray(0, 3));
      framer.push(release.subarray(3));
      const copied = framer.next();
      expect(copied?.bytes).toEqual(release);
      expect(copied?.bytes.buffer).not.toBe(release.buffer);
      const chunk = Uint8Array.from([...release, ...release, ...release.subarray(0, 4)]);
      framer.push(chunk);
      expect(framer.next()?.bytes.buffer).toBe(chunk.buffer);
      expect(framer.bufferedBytes).toBe(14);
      expect(framer.next()?.pduType).toBe(0x05);
      expect(framer.next()).toBeUndefined();
      expect(framer.bufferedBytes).toBe(4);
    });

    it('FR-DICOM-02.pdu: returns the PDUs before a bad header, then throws the same error until reset', () => {
      const release = Uint8Array.of(0x06, 0, 0, 0, 0, 4, 0, 0, 0, 0);
      const stream = Uint8Array.from([...release, 0x04, 0, 0, 0x10, 0, 0, ...release]);
      const framer = new NativePduFramer({ maxPduLength: 16, leniencyBytes: 0 });
      framer.push(stream);
      expect(framer.next()?.pduType).toBe(0x06);
      const first = thrown(() => framer.next());
      expect(first).toEqual({
        code: PDU_DECODE_ERROR_CODE,
        abortReason: 6,
        message: 'P-DATA-TF of 1048576 bytes exceeds the 16-byte limit',
      });
      expect(thrown(() => framer.next())).toEqual(first);
      expect(() => framer.next()).toThrow(NativePduDecodeError);
      framer.reset();
      expect(framer.bufferedBytes).toBe(0);
      framer.push(release);
      expect(framer.next()?.bytes).toEqual(release);
    });

    it('rejects the options the TypeScript framer rejects, with the same message', () => {
      for (const options of [
        { maxPduLength: -1 },
        { maxPduLength: 1.5 },
        { maxPduLength: 0, hardMaxPduLength: 2 ** 32 },
        { maxPduLength: 0, leniencyBytes: Number.NaN },
        { maxPduLength: 0, maxAssociatePduLength: -3 },
      ]) {
        const ts = thrown(() => createPduFramer(options));
        expect(thrown(() => new NativePduFramer(options))).toEqual(ts);
      }
    });

    it('FR-DICOM-04.streaming: nativePDataPdus slices the value (no copy) behind 12-byte headers', () => {
      const value = new Uint8Array(25).map((_, i) => i);
      const pdus = nativePDataPdus({ contextId: 3, isCommand: false, value, peerMaxPduLength: 16 });
      // (16 - 6) & ~1 = 10-byte fragments (PS3.8 E.1: even), the last one flagged last.
      expect(pdus.map((p) => p.map((b) => b.length))).toEqual([
        [12, 10],
        [12, 10],
        [12, 5],
      ]);
      expect(pdus.every((p) => p[1]?.buffer === value.buffer)).toBe(true);
      expect(pdus.map((p) => p[0]?.[11])).toEqual([0x00, 0x00, 0x02]);
      expect(() => nativePDataPdus({ contextId: 2, isCommand: true, value, peerMaxPduLength: 0 })).toThrow(
        RangeError,
      );
    });
  },
);

describe('native PDU framing without the addon', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it('HNVUE_NATIVE=0: reports itself unavailable and NativePduFramer throws HNV_ERR_CODEC_UNAVAILABLE', async () => {
    vi.stubEnv('HNVUE_NATIVE', '0');
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    vi.resetModules();
    const lib = await import('../lib/index.js');
    expect(lib.nativePduFramingAvailable()).toBe(false);
    const err = thrown(() => new lib.NativePduFramer({ maxPduLength: 0 }));
    expect(err.code).toBe(lib.CODEC_ERROR_CODES.unavailable);
  });
});
