import { describe, expect, it } from 'vitest';
import { createPduFramer } from '../../src/pdu/framer.js';
import { decodePDataPdvParts, decodePDataPdvs, encodePDataTf } from '../../src/pdu/pdata.js';

/** mulberry32, as in native/scripts/framer-diff.ts. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    const e = err as Error & { abortReason?: number };
    return `${e.abortReason} ${e.message}`;
  }
  return 'no error';
}

/** Merges the pieces of PDVs split at part boundaries back into whole PDVs. */
function merged(pdvs: ReturnType<typeof decodePDataPdvs>): [number, boolean, boolean, string][] {
  const out: [number, boolean, boolean, string][] = [];
  let open: [number, boolean, boolean, string] | undefined;
  for (const p of pdvs) {
    const hex = Buffer.from(p.data).toString('hex');
    if (open) open[3] += hex;
    else open = [p.contextId, p.isCommand, false, hex];
    // Every PDV here is encoded with isLast set: a piece without it is followed by the rest.
    if (p.isLast) {
      open[2] = p.isLast;
      out.push(open);
      open = undefined;
    }
  }
  if (open) out.push(open);
  return out;
}

describe('P-DATA-TF split over the reads it arrived in (framer nextParts + decodePDataPdvParts)', () => {
  it('FR-DICOM-02.pdu: every cut of a P-DATA-TF gives the bytes, PDVs and errors of the joined PDU', () => {
    const next = seeded(7);
    for (let round = 0; round < 300; round++) {
      const pdvs = Array.from({ length: 1 + Math.floor(next() * 3) }, (_, i) => ({
        contextId: 1 + 2 * Math.floor(next() * 10),
        isCommand: next() < 0.3,
        isLast: true,
        data: new Uint8Array(Math.floor(next() * 50)).map(() => Math.floor(next() * 256)),
        i,
      }));
      const bytes = encodePDataTf(pdvs);
      if (round % 3 === 1) {
        // A bit flip after the PDU header: a PDV length, context ID or value byte.
        const at = 6 + Math.floor(next() * (bytes.length - 6));
        bytes[at] = (bytes[at] ?? 0) ^ (1 << Math.floor(next() * 8));
      }
      const cuts = [
        ...new Set(Array.from({ length: 3 }, () => 1 + Math.floor(next() * (bytes.length - 1)))),
      ].sort((a, b) => a - b);
      const framer = createPduFramer({ maxPduLength: 0 });
      let at = 0;
      for (const cut of [...cuts, bytes.length]) {
        framer.push(bytes.slice(at, cut));
        at = cut;
      }
      const framed = framer.nextParts();
      expect(framed?.length).toBe(bytes.length);
      expect(Buffer.concat(framed?.parts ?? [])).toEqual(Buffer.from(bytes));
      const whole = thrown(() => decodePDataPdvs(bytes));
      const parts = thrown(() => decodePDataPdvParts(framed?.parts ?? [], bytes.length));
      expect(parts).toBe(whole);
      if (whole === 'no error') {
        const a = merged(decodePDataPdvs(bytes));
        const b = merged(decodePDataPdvParts(framed?.parts ?? [], bytes.length));
        expect(b).toEqual(a);
      }
    }
  });

  it('FR-DICOM-02.pdu: a PDV crossing a read comes as views of both reads, isLast on the final piece only', () => {
    const bytes = encodePDataTf([
      { contextId: 3, isCommand: false, isLast: true, data: new Uint8Array(20).fill(9) },
    ]);
    const framer = createPduFramer({ maxPduLength: 0 });
    const a = bytes.slice(0, 15);
    const b = bytes.slice(15);
    framer.push(a);
    framer.push(b);
    const framed = framer.nextParts();
    expect(framed?.parts.map((p) => p.buffer)).toEqual([a.buffer, b.buffer]);
    const pdvs = decodePDataPdvParts(framed?.parts ?? [], framed?.length ?? 0);
    expect(pdvs.map((p) => [p.isLast, p.data.length])).toEqual([
      [false, 3],
      [true, 17],
    ]);
    expect(pdvs[0]?.data.buffer).toBe(a.buffer);
    expect(framer.bufferedBytes).toBe(0);
  });
});
