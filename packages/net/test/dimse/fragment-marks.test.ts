import { describe, expect, it } from 'vitest';
import { fragmentMessage, type MarkedPdu, PDU_DATASET_END } from '../../src/dimse/fragment.js';
import { cStoreRq, encodeCommand } from '../../src/dimse/index.js';
import { parsePdataPdu, prng, randomBytes } from './helpers.js';

const STORE_BYTES = encodeCommand(
  cStoreRq({
    messageId: 1,
    affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.1.1',
    affectedSopInstanceUid: '1.2.410.200001.7.1.20261127.98',
  }),
);

function* chunked(data: Uint8Array, size: number): Generator<Uint8Array> {
  for (let p = 0; p < data.length; p += size) yield data.slice(p, p + size);
}

/** Data set bytes carried by a PDU's data PDVs (the message control header's bit 0 clear). */
function dataBytes(pdu: readonly Uint8Array[]): number {
  return parsePdataPdu(pdu)
    .pdvs.filter((p) => !p.isCommand)
    .reduce((n, p) => n + p.data.length, 0);
}

describe('PS3.8 Annex E: each PDU says how much of the data set it completes', () => {
  for (const [label, options] of [
    ['one PDV per PDU, 16 KiB peer maximum', { peerMaxPduLength: 16384, maxPdvsPerPdu: 1 }],
    [
      'several PDVs per PDU, command shares the first',
      { peerMaxPduLength: 40000, separateCommandAndData: false },
    ],
    ['1 MiB ceiling, tiny chunks', { peerMaxPduLength: 0, chunk: 1000 }],
  ] as const) {
    it(`FR-DICOM-04.streaming: PDU_DATASET_END is the running data set byte count (${label})`, async () => {
      const data = randomBytes(300_001, prng(7));
      const chunk = 'chunk' in options ? options.chunk : 65536;
      let running = 0;
      let pdus = 0;
      for await (const pdu of fragmentMessage({
        contextId: 1,
        command: STORE_BYTES,
        dataset: chunked(data, chunk),
        ...options,
      }) as AsyncGenerator<MarkedPdu>) {
        running += dataBytes(pdu);
        pdus++;
        if (pdu[PDU_DATASET_END] !== undefined) expect(pdu[PDU_DATASET_END]).toBe(running);
        else expect(running).toBe(0);
      }
      expect(running).toBe(data.length);
      expect(pdus).toBeGreaterThan(1);
    });
  }
});
