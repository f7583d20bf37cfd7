import { describe, expect, it } from 'vitest';
import { createPduSource } from '../../packages/net/src/dul/pdu-source.js';
import { decodePDataPdvParts, decodePDataPdvs } from '../../packages/net/src/pdu/pdata.js';
import { NativePduStream, nativeChunkFramingAvailable } from '../lib/index.js';
import { chunkCase } from '../scripts/framer-diff.js';

// Without the addon (HNVUE_NATIVE=0, or a build without frameChunk) there is nothing to compare.
const native = nativeChunkFramingAvailable();

function pdata(items: readonly (readonly [number, number, readonly number[]])[]): Uint8Array {
  const body = items.flatMap(([ctx, control, value]) => {
    const len = value.length + 2;
    return [len >>> 24, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff, ctx, control, ...value];
  });
  const out = new Uint8Array(6 + body.length);
  out[0] = 0x04;
  new DataView(out.buffer).setUint32(2, body.length);
  out.set(body, 6);
  return out;
}

describe.skipIf(!native)('native PDU path (frameChunk): differential against the TypeScript path', () => {
  it('FR-DICOM-02.pdu: 1000 random and mutated streams at random split points give the same PDUs, PDVs and errors', () => {
    let events = 0;
    let errors = 0;
    for (let seed = 1; seed <= 1000; seed++) {
      const r = chunkCase(seed);
      expect(r.mismatch).toBeUndefined();
      events += r.events;
      errors += r.errors;
    }
    // Both the valid and the failing paths must be reached.
    expect(events).toBeGreaterThan(4_000);
    expect(errors).toBeGreaterThan(300);
  });

  it('FR-DICOM-02.pdu: one call frames a whole read: PDUs and their PDVs are views of it, nothing copied', () => {
    const a = pdata([
      [1, 0x03, [1, 2, 3, 4]],
      [3, 0x00, [5, 6]],
    ]);
    const b = pdata([[3, 0x02, [7, 8, 9]]]);
    const release = Uint8Array.of(0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0);
    const chunk = Uint8Array.from([...a, ...b, ...release]);
    const stream = new NativePduStream({ maxPduLength: 0 });
    stream.push(chunk);
    const first = stream.next();
    expect(first?.pdvs).toEqual(decodePDataPdvs(a));
    expect(first?.pdvs?.[0]?.data.buffer).toBe(chunk.buffer);
    expect(stream.next()?.pdvs).toEqual(decodePDataPdvs(b));
    expect(stream.next()?.parts[0]).toEqual(release);
    expect(stream.next()).toBeUndefined();
    expect(stream.bufferedBytes).toBe(0);
  });

  it('FR-DICOM-02.pdu: a PDU spread over reads comes as views of them, split by decodePDataPdvParts', () => {
    const value = Array.from({ length: 40 }, (_, i) => i);
    const bytes = pdata([[5, 0x02, value]]);
    const source = createPduSource({ maxPduLength: 0, native: true });
    expect(source.kind).toBe('native');
    // A cut inside the header (3 bytes) and one inside the PDV value.
    const reads = [bytes.slice(0, 3), bytes.slice(3, 20), bytes.slice(20)];
    for (const r of reads.slice(0, 2)) {
      source.push(r);
      expect(source.next()).toBeUndefined();
    }
    source.push(reads[2]!);
    const framed = source.next();
    expect(framed?.pdvs).toBeUndefined();
    const pdvs = decodePDataPdvParts(framed?.parts ?? [], framed?.length ?? 0);
    // One PDV in two pieces (the value crosses the second cut), isLast on the final one only.
    expect(pdvs.map((p) => [p.contextId, p.isLast, p.data.length])).toEqual([
      [5, false, 8],
      [5, true, 32],
    ]);
    expect(Buffer.concat(pdvs.map((p) => p.data))).toEqual(Buffer.from(value));
    expect(pdvs[1]?.data.buffer).toBe(reads[2]!.buffer);
  });

  it('FR-DICOM-02.pdu: a malformed P-DATA-TF is framed, then refused with the TypeScript reason and message', () => {
    const bad = pdata([[2, 0x00, [1, 2]]]);
    const ts = createPduSource({ maxPduLength: 0, native: false });
    const nat = createPduSource({ maxPduLength: 0, native: true });
    ts.push(bad);
    nat.push(bad);
    const t = ts.next();
    const n = nat.next();
    const expected = (() => {
      try {
        decodePDataPdvParts(t?.parts ?? [], t?.length ?? 0);
      } catch (err) {
        return err as Error & { abortReason?: number };
      }
      throw new Error('did not throw');
    })();
    expect(n?.pdvError?.message).toBe(expected.message);
    expect(n?.pdvError?.message).toBe('PDV presentation context ID 2 is not odd');
    expect(n?.pdvError?.abortReason).toBe(expected.abortReason);
    expect(n?.pdvError?.code).toBe('HNV_ERR_PDU_DECODE');
  });
});
