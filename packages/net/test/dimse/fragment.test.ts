import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  cEchoRq,
  cStoreRq,
  DimseAssembler,
  type DimseCommand,
  DimseEncodeError,
  encodeCommand,
  type FragmentOptions,
  fragmentCommand,
  fragmentMessage,
  pduByteLength,
} from '../../src/dimse/index.js';
import type { Pdv } from '../../src/pdu/types.js';
import { concat, hexFixture, parsePdataPdu, prng, randomBytes, sameBytes } from './helpers.js';

const STORE: DimseCommand = cStoreRq({
  messageId: 1,
  affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.1.1',
  affectedSopInstanceUid: '1.2.410.200001.7.1.20261127.99',
});
const STORE_BYTES = encodeCommand(STORE);
const ECHO_BYTES = encodeCommand(cEchoRq(1));

async function collect(options: FragmentOptions): Promise<Uint8Array[][]> {
  const pdus: Uint8Array[][] = [];
  for await (const pdu of fragmentMessage(options)) pdus.push(pdu);
  return pdus;
}

function* chunked(data: Uint8Array, size: number): Generator<Uint8Array> {
  // Fresh copies, as a file or socket stream would hand out.
  for (let p = 0; p < data.length; p += size) yield data.slice(p, p + size);
}

interface Reassembled {
  command: DimseCommand;
  data: Uint8Array;
  pdus: { pduLength: number; pdvs: Pdv[] }[];
}

/** Parses every PDU, checks the PS3.8 rules, and runs the PDVs through the assembler. */
function reassemble(pdus: Uint8Array[][], limit: number, contextId: number): Reassembled {
  const assembler = new DimseAssembler();
  const parsed = pdus.map((p) => parsePdataPdu(p));
  let command: DimseCommand | undefined;
  const chunks: Uint8Array[] = [];
  let ended = false;
  const problems: string[] = [];
  parsed.forEach((pdu, i) => {
    // PS3.8 D.1: never above the peer's maximum.
    if (pdu.pduLength > limit) problems.push(`PDU ${i} length ${pdu.pduLength} > ${limit}`);
    if (pdu.pdvs.length === 0) problems.push(`PDU ${i} has no PDV`);
    for (const v of pdu.pdvs) {
      if (v.contextId !== contextId) problems.push(`PDU ${i} context ${v.contextId}`);
      // PS3.8 E.1: every fragment has an even length (a data set's odd tail aside).
      if (!v.isLast && v.data.length % 2 !== 0) problems.push(`PDU ${i} odd fragment ${v.data.length}`);
      if (ended) problems.push(`PDU ${i} after the end of the message`);
      const e = assembler.push(v);
      if (e?.kind === 'command') {
        command = e.command;
        ended = !e.hasDataset;
      }
      if (e?.kind === 'dataset-chunk') {
        chunks.push(e.chunk);
        ended = e.isLast;
      }
    }
  });
  expect(problems).toEqual([]);
  expect(ended).toBe(true);
  expect(assembler.inMessage).toBe(false);
  return { command: command!, data: concat(chunks), pdus: parsed };
}

function layout(r: Reassembled): string[] {
  return r.pdus.map((p) =>
    p.pdvs
      .map((v) => `${v.isCommand ? 'cmd' : 'data'}${v.isLast ? '/last' : ''}:${v.data.length}`)
      .join(' + '),
  );
}

describe('DIMSE fragmentation into P-DATA-TF PDUs (PS3.8 Annex E)', () => {
  it('FR-DICOM-04.streaming: by default lays out a C-STORE exactly like DCMTK storescu (command and data in separate PDUs)', async () => {
    const command = hexFixture('dcmtk-c-store-rq.hex');
    const data = randomBytes(288, prng(3));
    const r = reassemble(
      await collect({ contextId: 201, command, dataset: [data], peerMaxPduLength: 16384 }),
      16384,
      201,
    );
    // fixtures/dcmtk-c-store-rq.hex: "PDVs per P-DATA-TF PDU as sent: cmd/last:128 | data/last:288"
    expect(layout(r)).toEqual(['cmd/last:128', 'data/last:288']);
    expect(sameBytes(r.data, data)).toBe(true);
  });

  it('FR-DICOM-04.streaming: fragments a data set at peer max 16384 into full 16378-byte PDVs, one per PDU', async () => {
    const data = randomBytes(100_000, prng(4));
    const pdus = await collect({
      contextId: 1,
      command: STORE_BYTES,
      dataset: chunked(data, 65536),
      peerMaxPduLength: 16384,
    });
    const r = reassemble(pdus, 16384, 1);
    expect(r.command).toEqual(STORE);
    expect(sameBytes(r.data, data)).toBe(true);
    const sizes = r.pdus.slice(1).map((p) => p.pdvs[0]!.data.length);
    expect(sizes).toEqual([16378, 16378, 16378, 16378, 16378, 16378, 100_000 - 6 * 16378]);
    expect(r.pdus.every((p) => p.pdvs.length === 1)).toBe(true);
    expect(pdus.every((p) => pduByteLength(p) <= 16384 + 6)).toBe(true);
  });

  for (const peerMax of [16383, 4097, 1001, 9, 8]) {
    it(`FR-DICOM-02.dimse: at odd or tiny peer max ${peerMax} keeps every fragment even and within the limit`, async () => {
      const data = randomBytes(5000 + 1, prng(peerMax)); // odd total: only the last fragment may be odd
      const r = reassemble(
        await collect({
          contextId: 5,
          command: STORE_BYTES,
          dataset: chunked(data, 777),
          peerMaxPduLength: peerMax,
        }),
        peerMax,
        5,
      );
      expect(r.command).toEqual(STORE);
      expect(sameBytes(r.data, data)).toBe(true);
      const room = (peerMax - 6) & ~1;
      for (const p of r.pdus) for (const v of p.pdvs) if (!v.isLast) expect(v.data.length).toBe(room);
    });
  }

  it('FR-DICOM-02.dimse: fragments a command larger than one PDV into command PDVs with only the last flagged', async () => {
    const r = reassemble(
      await collect({
        contextId: 1,
        command: STORE_BYTES,
        peerMaxPduLength: 40,
        dataset: [new Uint8Array(4)],
      }),
      40,
      1,
    );
    const commandPdvs = r.pdus.flatMap((p) => p.pdvs).filter((v) => v.isCommand);
    expect(commandPdvs.length).toBe(Math.ceil(STORE_BYTES.length / 34));
    expect(commandPdvs.map((v) => v.isLast)).toEqual(commandPdvs.map((_, i) => i === commandPdvs.length - 1));
    expect(r.command).toEqual(STORE);
  });

  it('FR-DICOM-02.dimse: can share the command PDU with the first data PDV when separateCommandAndData is false', async () => {
    const data = randomBytes(40_000, prng(5));
    const r = reassemble(
      await collect({
        contextId: 3,
        command: STORE_BYTES,
        dataset: [data],
        peerMaxPduLength: 16384,
        separateCommandAndData: false,
      }),
      16384,
      3,
    );
    const first = r.pdus[0]!;
    expect(first.pdvs.map((v) => v.isCommand)).toEqual([true, false]);
    expect(first.pduLength).toBe(16384); // the first data PDV fills what the command left
    expect(first.pdvs[1]!.data.length).toBe(16384 - 12 - STORE_BYTES.length);
    expect(sameBytes(r.data, data)).toBe(true);
  });

  it('FR-DICOM-02.dimse: puts a small message whole into one PDU when packing is allowed', async () => {
    const r = reassemble(
      await collect({
        contextId: 3,
        command: STORE_BYTES,
        dataset: [new Uint8Array(200)],
        peerMaxPduLength: 16384,
        separateCommandAndData: false,
      }),
      16384,
      3,
    );
    expect(layout(r)).toEqual([`cmd/last:${STORE_BYTES.length} + data/last:200`]);
  });

  it('FR-DICOM-02.dimse: maxPdvsPerPdu=1 keeps one PDV per PDU even when packing is allowed (fo-dicom #502)', async () => {
    const r = reassemble(
      await collect({
        contextId: 3,
        command: STORE_BYTES,
        dataset: [new Uint8Array(200)],
        peerMaxPduLength: 16384,
        separateCommandAndData: false,
        maxPdvsPerPdu: 1,
      }),
      16384,
      3,
    );
    expect(layout(r)).toEqual([`cmd/last:${STORE_BYTES.length}`, 'data/last:200']);
  });

  it('FR-DICOM-02.dimse: sends an empty data set as one zero-length last data PDV', async () => {
    const r = reassemble(
      await collect({ contextId: 1, command: STORE_BYTES, dataset: [], peerMaxPduLength: 16384 }),
      16384,
      1,
    );
    expect(layout(r)).toEqual([`cmd/last:${STORE_BYTES.length}`, 'data/last:0']);
  });

  it('FR-DICOM-02.dimse: ends exactly on a PDV boundary with a full last PDV, not an empty extra one', async () => {
    const data = randomBytes(3 * 16378, prng(6));
    const r = reassemble(
      await collect({
        contextId: 1,
        command: STORE_BYTES,
        dataset: chunked(data, 1000),
        peerMaxPduLength: 16384,
      }),
      16384,
      1,
    );
    expect(layout(r).slice(1)).toEqual(['data:16378', 'data:16378', 'data/last:16378']);
  });

  it('FR-DICOM-02.dimse: uses the 1 MiB ceiling when the peer sets no maximum (0), or a configured ceiling', async () => {
    const data = randomBytes(2_500_000, prng(8));
    const unlimited = reassemble(
      await collect({ contextId: 1, command: STORE_BYTES, dataset: [data], peerMaxPduLength: 0 }),
      1024 * 1024,
      1,
    );
    expect(unlimited.pdus.slice(1).map((p) => p.pduLength)).toEqual([
      1048576,
      1048576,
      2_500_000 - 2 * 1048570 + 6,
    ]);
    const capped = reassemble(
      await collect({
        contextId: 1,
        command: STORE_BYTES,
        dataset: [data],
        peerMaxPduLength: 4_000_000,
        pduLengthCeiling: 65536,
      }),
      65536,
      1,
    );
    expect(sameBytes(capped.data, data)).toBe(true);
  });

  it('FR-DICOM-04.streaming: slices large chunks without copying them', async () => {
    const chunk = randomBytes(100_000, prng(9));
    const pdus = await collect({
      contextId: 1,
      command: STORE_BYTES,
      dataset: [chunk],
      peerMaxPduLength: 16384,
    });
    const dataSegments = pdus.slice(1).flatMap((p) => p.slice(1));
    expect(dataSegments.length).toBe(7);
    for (const s of dataSegments) expect(s.buffer).toBe(chunk.buffer);
  });

  it('FR-DICOM-04.streaming: coalesces runs of tiny chunks into one copy per PDV instead of thousands of buffers', async () => {
    const data = randomBytes(50_000, prng(10));
    const pdus = await collect({
      contextId: 1,
      command: STORE_BYTES,
      dataset: chunked(data, 7),
      peerMaxPduLength: 16384,
    });
    for (const p of pdus.slice(1)) expect(p.length).toBe(2); // header + one merged value
    expect(sameBytes(reassemble(pdus, 16384, 1).data, data)).toBe(true);
    // Mixed: large chunks stay referenced, small ones between them are merged.
    const big = randomBytes(20_000, prng(11));
    const mixed = [big, new Uint8Array([1, 2, 3]), new Uint8Array([4, 5]), randomBytes(9000, prng(12))];
    const mixedPdus = await collect({
      contextId: 1,
      command: STORE_BYTES,
      dataset: mixed,
      peerMaxPduLength: 16384,
    });
    expect(mixedPdus[1]![1]!.buffer).toBe(big.buffer);
    expect(sameBytes(reassemble(mixedPdus, 16384, 1).data, concat(mixed))).toBe(true);
  });

  it('FR-DICOM-02.dimse: reassemble(fragment(x)) equals x for 60 random sizes, chunkings and options', async () => {
    const rand = prng(2026);
    for (let round = 0; round < 60; round++) {
      const length = round < 5 ? round : Math.floor(rand() ** 2 * 120_000);
      const data = randomBytes(length, rand);
      const peerMax = rand() < 0.15 ? 0 : 8 + Math.floor(rand() * 20_000);
      const ceiling = 8 + Math.floor(rand() * 70_000);
      const chunks: Uint8Array[] = [];
      for (let p = 0; p < data.length; ) {
        const n = rand() < 0.3 ? 1 + Math.floor(rand() * 8) : 1 + Math.floor(rand() * 40_000);
        chunks.push(data.slice(p, p + n));
        p += n;
      }
      const options: FragmentOptions = {
        contextId: 1 + 2 * Math.floor(rand() * 127),
        command: STORE_BYTES,
        dataset: rand() < 0.5 ? chunks : Readable.from(chunks),
        peerMaxPduLength: peerMax,
        pduLengthCeiling: ceiling,
        maxPdvsPerPdu: 1 + Math.floor(rand() * 3),
        separateCommandAndData: rand() < 0.5,
        coalesceBelow: Math.floor(rand() * 5000),
      };
      const limit = peerMax === 0 ? ceiling : Math.min(peerMax, ceiling);
      const r = reassemble(await collect(options), limit, options.contextId);
      expect(r.command).toEqual(STORE);
      expect(sameBytes(r.data, data)).toBe(true);
    }
  });

  it('FR-DICOM-04.streaming: streams a file through fs.createReadStream and closes it when the consumer stops early', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hnv-dimse-fragment-'));
    try {
      const file = path.join(dir, 'dataset.bin');
      const data = randomBytes(1_000_000, prng(12));
      writeFileSync(file, data);
      const r = reassemble(
        await collect({
          contextId: 1,
          command: STORE_BYTES,
          dataset: createReadStream(file),
          peerMaxPduLength: 16384,
        }),
        16384,
        1,
      );
      expect(sameBytes(r.data, data)).toBe(true);

      const stream = createReadStream(file);
      let n = 0;
      for await (const _pdu of fragmentMessage({
        contextId: 1,
        command: STORE_BYTES,
        dataset: stream,
        peerMaxPduLength: 16384,
      })) {
        if (++n === 3) break; // e.g. the association was aborted mid-store
      }
      expect(stream.destroyed).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('FR-DICOM-04.streaming: a 50 MB data set goes through fragmentation and assembly holding at most one PDU plus one chunk', async () => {
    const total = 50 * 1024 * 1024;
    const chunkSize = 65536;
    const peerMax = 16384;
    const room = peerMax - 6;
    let pulled = 0;
    let sourceSum = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let p = 0; p < total; p += chunkSize) {
        const chunk = new Uint8Array(Math.min(chunkSize, total - p));
        for (let i = 0; i < chunk.length; i += 4096) chunk[i] = (p + i) & 0xff; // sparse marks, cheap to make
        chunk[chunk.length - 1] = 0x5a;
        for (let i = 0; i < chunk.length; i += 4096)
          sourceSum = (sourceSum + chunk[i]! * (i + 1)) % 1_000_003;
        sourceSum = (sourceSum + 0x5a) % 1_000_003;
        pulled += chunk.length;
        yield chunk;
      }
    }

    const assembler = new DimseAssembler();
    let received = 0;
    let maxAhead = 0;
    let maxPdu = 0;
    let chunks = 0;
    let sinkSum = 0;
    let offsetInChunk = 0;
    for await (const pdu of fragmentMessage({
      contextId: 1,
      command: STORE_BYTES,
      dataset: source(),
      peerMaxPduLength: peerMax,
    })) {
      maxPdu = Math.max(maxPdu, pduByteLength(pdu));
      for (const v of parsePdataPdu(pdu).pdvs) {
        const e = assembler.push(v);
        if (e?.kind !== 'dataset-chunk') continue;
        chunks++;
        expect(e.chunk.length).toBeLessThanOrEqual(room);
        // Fold the bytes into a checksum and drop them: the test itself keeps nothing.
        for (let i = 0; i < e.chunk.length; i++) {
          const pos = offsetInChunk + i;
          const inChunk = pos % chunkSize;
          const isLastOfChunk = inChunk === chunkSize - 1 || received + i === total - 1;
          if (inChunk % 4096 === 0) sinkSum = (sinkSum + e.chunk[i]! * (inChunk + 1)) % 1_000_003;
          if (isLastOfChunk) sinkSum = (sinkSum + e.chunk[i]!) % 1_000_003;
        }
        offsetInChunk += e.chunk.length;
        received += e.chunk.length;
      }
      // Read-ahead bound: what was pulled from the source but not yet delivered.
      maxAhead = Math.max(maxAhead, pulled - received);
    }
    expect(received).toBe(total);
    expect(sinkSum).toBe(sourceSum);
    expect(chunks).toBe(Math.ceil(total / room));
    expect(maxPdu).toBeLessThanOrEqual(peerMax + 6);
    expect(maxAhead).toBeLessThanOrEqual(room + chunkSize);
    expect(assembler.inMessage).toBe(false);
  });

  it('FR-DICOM-04.streaming: pulls the source only as fast as PDUs are consumed (back-pressure)', async () => {
    let pulled = 0;
    function* source(): Generator<Uint8Array> {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield new Uint8Array(10_000);
      }
    }
    const it = fragmentMessage({
      contextId: 1,
      command: STORE_BYTES,
      dataset: source(),
      peerMaxPduLength: 16384,
    })[Symbol.asyncIterator]();
    await it.next(); // command PDU
    expect(pulled).toBe(0);
    await it.next(); // first data PDU needs just over 16378 bytes
    expect(pulled).toBe(2);
    await it.return(undefined);
    expect(pulled).toBe(2);
  });

  it('FR-DICOM-02.dimse: fragmentCommand frames a message without data set synchronously', () => {
    const pdus = fragmentCommand({ contextId: 7, command: ECHO_BYTES, peerMaxPduLength: 16384 });
    expect(pdus).toHaveLength(1);
    expect(concat(pdus[0]!)).toEqual(
      concat([
        new Uint8Array([0x04, 0, 0, 0, 0, ECHO_BYTES.length + 6, 0, 0, 0, ECHO_BYTES.length + 2, 7, 0x03]),
        ECHO_BYTES,
      ]),
    );
    const tiny = fragmentCommand({
      contextId: 7,
      command: ECHO_BYTES,
      peerMaxPduLength: 20,
      maxPdvsPerPdu: 1,
    });
    expect(tiny.length).toBe(Math.ceil(ECHO_BYTES.length / 14));
    expect(reassemble(tiny, 20, 7).command).toEqual(cEchoRq(1));
    expect(() => fragmentCommand({ contextId: 7, command: STORE_BYTES, peerMaxPduLength: 16384 })).toThrow(
      DimseEncodeError,
    );
  });

  const bad: [string, Partial<FragmentOptions>][] = [
    ['an even presentation context ID', { contextId: 2 }],
    ['presentation context ID 0', { contextId: 0 }],
    ['a peer maximum below 8', { peerMaxPduLength: 7 }],
    ['a negative peer maximum', { peerMaxPduLength: -1 }],
    ['maxPdvsPerPdu 0', { maxPdvsPerPdu: 0 }],
    ['a command announcing no data set given one', { command: ECHO_BYTES, dataset: [new Uint8Array(2)] }],
    ['a command announcing a data set given none', { dataset: undefined }],
    ['a source yielding strings', { dataset: ['text' as unknown as Uint8Array] }],
  ];
  for (const [what, override] of bad) {
    it(`FR-DICOM-02.dimse: refuses ${what}`, async () => {
      const options = {
        contextId: 1,
        command: STORE_BYTES,
        dataset: [new Uint8Array(2)],
        peerMaxPduLength: 16384,
        ...override,
      };
      await expect(collect(options)).rejects.toThrow(DimseEncodeError);
    });
  }
});
