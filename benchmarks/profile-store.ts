/**
 * Profiling harness for the two C-STORE cases behind DCMTK (issue 19 item 1; not a benchmark:
 * store.ts is). Run under the CPU profiler and/or strace:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --conditions=@hnvue/source --import tsx \
 *     benchmarks/profile-store.ts small [N] [--count 1000]
 *   node ... benchmarks/profile-store.ts scp [N] [--count 100]
 *
 * - `small`: N runs of `count` 100 KB DX objects on one association to `storescp --ignore
 *   -pdu 131072` (TCP_NODELAY=1), ours vs storescu vs a raw replay (the very PDUs our sender
 *   writes, pre-encoded, one object's request written and its response awaited before the next:
 *   storescp's own turnaround per object, the floor under any one-at-a-time sender);
 * - `scp`: N runs of storescu sending `count` 2 MiB objects to our SCP (fsync off, /dev/shm) vs
 *   to storescp writing to /dev/shm.
 *
 * Prints median (min–max) per side and the per-object time.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { run, startStorescp } from '@hnvue/testing/peers';
import { encodePart10Header } from '../packages/dicom/src/index.js';
import { Association } from '../packages/net/src/association.js';
import { tcpConnector } from '../packages/net/src/connector.js';
import { encodeCommand } from '../packages/net/src/dimse/command.js';
import { encodePdu, singlePdvHeader } from '../packages/net/src/pdu/index.js';
import { STORAGE_SOP_CLASS, storageContexts } from '../packages/net/src/storage/negotiation.js';
import { createStorageScp } from '../packages/net/src/storage/scp.js';
import { storeInstances } from '../packages/net/src/storage/scu.js';

const EXPLICIT = '1.2.840.10008.1.2.1';
const DX = STORAGE_SOP_CLASS.digitalXRayForPresentation;
const mode = process.argv[2] ?? 'small';
const n = Number(process.argv.slice(3).find((a) => /^\d+$/.test(a)) ?? 5);
const countAt = process.argv.indexOf('--count');
const count = countAt > 0 ? Number(process.argv[countAt + 1]) : mode === 'scp' ? 100 : 1000;
/** `--ours`: only our side (for a profile of our process alone). */
const oursOnly = process.argv.includes('--ours');

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const fmt = (v: readonly number[]): string =>
  `${median(v).toFixed(0)} ms (${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)})`;

function element(tag: number, vr: string, value: Uint8Array): Buffer {
  const long = vr === 'OW' || vr === 'OB';
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(tag >>> 16, 0);
  head.writeUInt16LE(tag & 0xffff, 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(value.length, 8);
  else head.writeUInt16LE(value.length, 6);
  return Buffer.concat([head, value]);
}
const text = (s: string, pad = 0x20): Buffer =>
  Buffer.from(s.length % 2 ? `${s}${String.fromCharCode(pad)}` : s, 'latin1');
const us = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
};

/** A DX object of rows × columns 16-bit pixels; returns its UID and data set. */
async function makeDx(path: string, rows: number, columns: number, i: number) {
  const uid = `2.25.${process.pid}${Date.now()}${i}`;
  const pixels = Buffer.alloc(rows * columns * 2, i & 0xff);
  const dataset = Buffer.concat([
    element(0x00080016, 'UI', text(DX, 0)),
    element(0x00080018, 'UI', text(uid, 0)),
    element(0x00080060, 'CS', text('DX')),
    element(0x00280002, 'US', us(1)),
    element(0x00280004, 'CS', text('MONOCHROME2')),
    element(0x00280010, 'US', us(rows)),
    element(0x00280011, 'US', us(columns)),
    element(0x00280100, 'US', us(16)),
    element(0x00280101, 'US', us(12)),
    element(0x00280102, 'US', us(11)),
    element(0x00280103, 'US', us(0)),
    element(0x7fe00010, 'OW', pixels),
  ]);
  const header = encodePart10Header({
    mediaStorageSopClassUid: DX,
    mediaStorageSopInstanceUid: uid,
    transferSyntaxUid: EXPLICIT,
    implementationClassUid: '1.2.3.4',
  });
  await writeFile(path, Buffer.concat([header, dataset]));
  return { uid, dataset };
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/**
 * The raw replay: associate with pre-encoded bytes, then for each object write its C-STORE-RQ
 * command PDU and 128 KiB data PDUs (one write, as our sender's writev does) and wait for the
 * response PDU before the next; release. No DICOM code runs during the loop.
 */
function rawReplay(port: number, objects: readonly { uid: string; dataset: Buffer }[]): () => Promise<void> {
  const rq = encodePdu({
    type: 'A-ASSOCIATE-RQ',
    protocolVersion: 1,
    calledAeTitle: 'STORESCP',
    callingAeTitle: 'HNVUE',
    applicationContext: '1.2.840.10008.3.1.1.1',
    presentationContexts: [{ id: 1, abstractSyntax: DX, transferSyntaxes: [EXPLICIT] }],
    userInformation: {
      maxPduLength: 1 << 20,
      implementationClassUid: '1.2.3.4',
      roleSelections: [],
      sopClassExtendedNegotiations: [],
      sopClassCommonExtendedNegotiations: [],
      unknownItems: [],
    },
  });
  const max = 131072 - 6;
  const messages = objects.map((o, i) => {
    const command = encodeCommand({
      commandField: 0x0001,
      messageId: i + 1,
      affectedSopClassUid: DX,
      affectedSopInstanceUid: o.uid,
      priority: 0,
      hasDataset: true,
    });
    const parts: Uint8Array[] = [singlePdvHeader(1, true, true, command.length), command];
    for (let at = 0; at < o.dataset.length; at += max) {
      const value = o.dataset.subarray(at, Math.min(o.dataset.length, at + max));
      parts.push(singlePdvHeader(1, false, at + max >= o.dataset.length, value.length), value);
    }
    return Buffer.concat(parts);
  });
  const releaseRq = Buffer.from([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0]);
  return () =>
    new Promise<void>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, noDelay: true });
      let state = 0;
      let index = 0;
      let pending: Buffer = Buffer.alloc(0);
      socket.on('connect', () => socket.write(rq));
      socket.on('error', reject);
      socket.on('close', () => resolve());
      socket.on('data', (d: Buffer) => {
        pending = pending.length ? Buffer.concat([pending, d]) : d;
        for (;;) {
          if (pending.length < 6) return;
          const len = pending.readUInt32BE(2) + 6;
          if (pending.length < len) return;
          const type = pending[0];
          pending = pending.subarray(len);
          if (type === 0x02 || type === 0x04) {
            if (state === 0) state = 1;
            if (index < messages.length) socket.write(messages[index++]!);
            else socket.write(releaseRq);
          } else if (type === 0x06) socket.end();
          else return reject(new Error(`unexpected PDU ${type}`));
        }
      });
    });
}

/** CPU time (user + system, ms) a process has used so far: this one, or another by its PID. */
function cpuMs(pid?: number): number {
  if (pid === undefined) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
  // proc(5): fields 14 and 15 of /proc/PID/stat are utime and stime in clock ticks (100 Hz here).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

interface Side {
  readonly name: string;
  readonly fn: () => Promise<unknown>;
  readonly t: number[];
  /** When given: the receiving process's CPU time per run (robust on a loaded machine). */
  readonly cpu?: { readonly pid?: number; readonly ms: number[] };
}

/** Warm-up once each, then `n` runs in ABBA order; prints median (min–max) and per object. */
async function measure(sides: Side[]): Promise<void> {
  for (const s of sides) await s.fn();
  for (let i = 0; i < n; i++)
    for (const s of i % 2 ? [...sides].reverse() : sides) {
      const c0 = s.cpu ? cpuMs(s.cpu.pid) : 0;
      s.t.push(await time(s.fn));
      if (s.cpu) s.cpu.ms.push(cpuMs(s.cpu.pid) - c0);
    }
  for (const s of sides) {
    const cpu = s.cpu
      ? `  receiver CPU ${fmt(s.cpu.ms)}, ${((median(s.cpu.ms) / count) * 1000).toFixed(0)} µs/object`
      : '';
    console.log(
      `${s.name.padEnd(12)} ${fmt(s.t)}  ${((median(s.t) / count) * 1000).toFixed(0)} µs/object${cpu}`,
    );
  }
}

async function main(): Promise<void> {
  const work = join('/dev/shm', `hnvue-profile-store-${process.pid}`);
  await mkdir(work, { recursive: true });
  console.log(`profile-store ${mode}: ${n} runs, ${count} objects, load ${loadavg()[0]!.toFixed(1)}`);
  try {
    const files: string[] = [];
    const objects: { uid: string; dataset: Buffer }[] = [];
    const [rows, columns] = mode === 'scp' ? [1024, 1024] : [224, 224];
    for (let i = 0; i < count; i++) {
      const f = join(work, `${i}.dcm`);
      objects.push(await makeDx(f, rows, columns, i));
      files.push(f);
    }
    if (mode === 'small') {
      const scp = await startStorescp({ args: ['--ignore', '-pdu', '131072'] });
      try {
        const ours = async () => {
          const a = await Association.open({
            host: '127.0.0.1',
            port: scp.port,
            callingAeTitle: 'HNVUE',
            calledAeTitle: 'STORESCP',
            presentationContexts: storageContexts([{ sopClassUid: DX, transferSyntax: EXPLICIT }]),
            connector: tcpConnector,
          });
          const outcomes = await storeInstances(a, files);
          const failed = outcomes.find((o) => !o.ok);
          if (failed && !failed.ok) throw failed.error;
          await a.release();
        };
        const dcmtk = async () => {
          const r = await run(
            'storescu',
            ['-aec', 'STORESCP', '127.0.0.1', String(scp.port), ...files],
            300_000,
          );
          if (r.code !== 0) throw new Error(r.stderr);
        };
        const replay = rawReplay(scp.port, objects);
        const sides = [
          { name: 'ours', fn: ours, t: [] as number[] },
          { name: 'storescu', fn: dcmtk, t: [] as number[] },
          { name: 'raw replay', fn: replay, t: [] as number[] },
        ];
        await measure(oursOnly ? sides.slice(0, 1) : sides);
      } finally {
        await scp.stop();
      }
    } else {
      await mkdir(join(work, 'ours'), { recursive: true });
      await mkdir(join(work, 'dcmtk'), { recursive: true });
      const ours = createStorageScp({
        directory: join(work, 'ours'),
        fsync: false,
        server: { aeTitles: ['STORESCP'] },
      });
      const port = await ours.listen(0);
      const storescp = await startStorescp({ args: ['-pdu', '131072'], outputDir: join(work, 'dcmtk') });
      try {
        const send = (p: number) => async () => {
          const r = await run('storescu', ['-aec', 'STORESCP', '127.0.0.1', String(p), ...files], 300_000);
          if (r.code !== 0) throw new Error(r.stderr);
        };
        const sides: Side[] = [
          { name: 'our SCP', fn: send(port), t: [], cpu: { ms: [] } },
          { name: 'storescp', fn: send(storescp.port), t: [], cpu: { pid: storescp.pid, ms: [] } },
        ];
        await measure(oursOnly ? sides.slice(0, 1) : sides);
      } finally {
        await ours.close();
        await storescp.stop();
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
