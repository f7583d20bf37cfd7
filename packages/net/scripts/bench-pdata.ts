/**
 * Throughput of the P-DATA-TF path (not a test: speed lives in benchmarks, this is a quick check).
 *
 *   pnpm exec tsx --conditions @hnvue/source packages/net/scripts/bench-pdata.ts
 *
 * For 16 KiB and 256 KiB PDUs: encodePDataTf (one copy of the value), singlePdvHeader (header only,
 * value written separately), and receive = framer over 64 KiB socket-like chunks + decodePDataPdvs.
 */
import { createPduFramer, decodePDataPdvs, encodePDataTf, singlePdvHeader } from '../src/pdu/index.js';

const TOTAL = 256 * 1024 * 1024;

function measure(label: string, bytes: number, fn: () => void): void {
  fn(); // warm-up
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const start = process.hrtime.bigint();
    fn();
    rounds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  rounds.sort((a, b) => a - b);
  const median = rounds[2] ?? 1;
  console.log(`${label.padEnd(44)} ${(bytes / 1e6 / median).toFixed(0).padStart(6)} MB/s`);
}

for (const pduValue of [16 * 1024 - 6, 256 * 1024 - 6]) {
  const count = Math.floor(TOTAL / pduValue);
  const value = new Uint8Array(pduValue).fill(0x5a);
  const kib = Math.round((pduValue + 6) / 1024);
  measure(`encodePDataTf ${kib} KiB PDUs`, count * pduValue, () => {
    for (let i = 0; i < count; i++)
      encodePDataTf([{ contextId: 1, isCommand: false, isLast: false, data: value }]);
  });
  measure(`singlePdvHeader ${kib} KiB PDUs (no value copy)`, count * pduValue, () => {
    for (let i = 0; i < count; i++) singlePdvHeader(1, false, false, pduValue);
  });
  // A stream of PDUs cut into 64 KiB chunks, as a socket delivers them.
  const pdu = encodePDataTf([{ contextId: 1, isCommand: false, isLast: false, data: value }]);
  const streamPdus = Math.floor((64 * 1024 * 1024) / pdu.length);
  const stream = new Uint8Array(streamPdus * pdu.length);
  for (let i = 0; i < streamPdus; i++) stream.set(pdu, i * pdu.length);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < stream.length; at += 65536) chunks.push(stream.subarray(at, at + 65536));
  measure(`framer + decodePDataPdvs ${kib} KiB PDUs`, stream.length, () => {
    const framer = createPduFramer({ maxPduLength: pdu.length });
    let seen = 0;
    for (const chunk of chunks) {
      framer.push(chunk);
      for (let raw = framer.next(); raw !== undefined; raw = framer.next())
        seen += decodePDataPdvs(raw.bytes).length;
    }
    if (seen !== streamPdus) throw new Error(`framed ${seen} of ${streamPdus}`);
  });
}
