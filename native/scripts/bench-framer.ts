/**
 * PDU framing throughput, TypeScript (@hnvue/net) against native (lib/framer.ts), end to end
 * through each public API, so the N-API call and the JS arrays it returns are counted: a P-DATA
 * stream of 16 KB or 256 KB PDUs arriving in 64 KiB socket reads, framed (push + next) and then
 * split into PDVs; and the P-DATA-TF buffers of one data set value built for writev.
 *
 *   node --conditions=@hnvue/source --import tsx native/scripts/bench-framer.ts [MiB per run]
 *
 * The numbers and the decision they support are in native/README.md, "PDU framing".
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fragmentMessage } from '../../packages/net/src/dimse/fragment.js';
import { createPduFramer, decodePDataPdvs } from '../../packages/net/src/pdu/index.js';
import {
  NativePduFramer,
  nativeDecodePDataPdvs,
  nativePDataPdus,
  nativePduFramingAvailable,
} from '../lib/index.js';

const MIB = 1024 * 1024;
const CHUNK = 64 * 1024;
const RUNS = 9;

/** A stream of single-PDV P-DATA-TFs of `pduLength` bytes each (PS3.8 9.3.5), `total` bytes in all. */
function pdataStream(pduLength: number, total: number): Uint8Array {
  const count = Math.max(1, Math.floor(total / pduLength));
  const out = new Uint8Array(count * pduLength);
  const view = new DataView(out.buffer);
  for (let i = 0, at = 0; i < count; i++, at += pduLength) {
    out[at] = 0x04;
    view.setUint32(at + 2, pduLength - 6);
    view.setUint32(at + 6, pduLength - 10);
    out[at + 10] = 1;
    out[at + 11] = i === count - 1 ? 0x02 : 0x00;
  }
  return out;
}

interface Framerish {
  push(chunk: Uint8Array): void;
  next(): { readonly pduType: number; readonly bytes: Uint8Array } | undefined;
}

function frame(
  framer: Framerish,
  chunks: readonly Uint8Array[],
  split?: (b: Uint8Array) => unknown[],
): number {
  let pdvs = 0;
  for (const chunk of chunks) {
    framer.push(chunk);
    for (let p = framer.next(); p !== undefined; p = framer.next()) {
      pdvs += split === undefined ? 1 : split(p.bytes).length;
    }
  }
  return pdvs;
}

interface Rate {
  readonly best: number;
  readonly median: number;
}

/**
 * MB/s (10^6 bytes) over RUNS timed runs after three warm-ups (the JIT settles by then): the best
 * run (the machine is shared, so the best is the steadiest estimate of the code's own cost) and
 * the median.
 */
async function mbps(bytes: number, run: () => unknown): Promise<Rate> {
  for (let i = 0; i < 3; i++) await run();
  const rates: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await run();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    rates.push(bytes / 1e6 / s);
  }
  rates.sort((a, b) => a - b);
  return { best: rates[RUNS - 1] ?? 0, median: rates[Math.floor(RUNS / 2)] ?? 0 };
}

const COMMAND_WITH_DATASET = Uint8Array.of(0x00, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00);

type Op = 'frame' | 'split' | 'build';
type Impl = 'ts' | 'native';
const OPS: readonly (readonly [Op, string])[] = [
  ['frame', 'frame (push + next)'],
  ['split', 'frame + split PDVs'],
  ['build', 'build P-DATA buffers for writev'],
];

/** One cell of the table, measured in a process of its own so no JIT state leaks between cells. */
async function cell(op: Op, impl: Impl, pduLength: number, total: number): Promise<Rate> {
  const stream = pdataStream(pduLength, total);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < stream.length; at += CHUNK) chunks.push(stream.subarray(at, at + CHUNK));
  const options = { maxPduLength: pduLength };
  const framer = (): Framerish => (impl === 'ts' ? createPduFramer(options) : new NativePduFramer(options));
  switch (op) {
    case 'frame':
      return mbps(stream.length, () => frame(framer(), chunks));
    case 'split':
      return mbps(stream.length, () =>
        frame(framer(), chunks, impl === 'ts' ? decodePDataPdvs : nativeDecodePDataPdvs),
      );
    case 'build':
      if (impl === 'native') {
        return mbps(stream.length, () =>
          nativePDataPdus({
            contextId: 1,
            isCommand: false,
            value: stream,
            peerMaxPduLength: pduLength,
            pduLengthCeiling: pduLength,
          }),
        );
      }
      return mbps(stream.length, async () => {
        let n = 0;
        for await (const pdu of fragmentMessage({
          contextId: 1,
          command: COMMAND_WITH_DATASET,
          dataset: [stream],
          peerMaxPduLength: pduLength,
          pduLengthCeiling: pduLength,
        }))
          n += pdu.length;
        return n;
      });
  }
}

function runCell(op: Op, impl: Impl, pduLength: number, mib: number): Rate {
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--cell', op, impl, String(pduLength), String(mib)],
    { encoding: 'utf8' },
  );
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{'))
    throw new Error(`cell ${op} ${impl} failed: ${child.stderr}`);
  return JSON.parse(line) as Rate;
}

async function main(): Promise<void> {
  if (!nativePduFramingAvailable()) {
    console.error('bench-framer: the native addon (with src/framer.cc) is not built');
    process.exitCode = 1;
    return;
  }
  const args = process.argv.slice(2);
  if (args[0] === '--cell') {
    const [, op, impl, pduLength, mib] = args;
    console.log(JSON.stringify(await cell(op as Op, impl as Impl, Number(pduLength), Number(mib) * MIB)));
    return;
  }
  const mib = Number(args[0] ?? 64);
  console.log(`PDU framing, ${mib} MiB per run, 64 KiB reads, best (median) of ${RUNS} runs, MB/s`);
  console.log('| operation | TypeScript | native | native / TS (best) |');
  console.log('|---|---:|---:|---:|');
  const show = (r: Rate): string => `${r.best.toFixed(0)} (${r.median.toFixed(0)})`;
  for (const pduLength of [16 * 1024, 256 * 1024]) {
    for (const [op, name] of OPS) {
      const ts = runCell(op, 'ts', pduLength, mib);
      const nat = runCell(op, 'native', pduLength, mib);
      console.log(
        `| ${name}, ${pduLength / 1024} KiB PDUs | ${show(ts)} | ${show(nat)} | ${(nat.best / ts.best).toFixed(2)} |`,
      );
    }
  }
}

await main();
