/**
 * Differential check of the native PDU framing (lib/framer.ts) against the TypeScript framer of
 * @hnvue/net: the same seeded random and mutated streams (valid PDU sequences, bit flips,
 * truncations, lying lengths, oversize, random split points) must give identical PDUs (bytes),
 * identical bufferedBytes, identical PDV splits and identical errors (code, reason, message); the
 * native P-DATA builder must give the bytes fragmentMessage gives.
 *
 * Long run: node --conditions=@hnvue/source --import tsx native/scripts/framer-diff.ts [seconds] [seed]
 * The bounded run is native/test/framer-diff.test.ts.
 */
import { fileURLToPath } from 'node:url';
import { fragmentMessage } from '../../packages/net/src/dimse/fragment.js';
import { createPduSource, type PduSource } from '../../packages/net/src/dul/pdu-source.js';
import { createPduFramer, decodePDataPdvs } from '../../packages/net/src/pdu/index.js';
import { decodePDataPdvParts } from '../../packages/net/src/pdu/pdata.js';
import {
  NativePduFramer,
  type NativePduFramerOptions,
  nativeDecodePDataPdvs,
  nativePDataPdus,
} from '../lib/index.js';

/** mulberry32: small, seedable, good enough to pick sizes and offsets. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = (next: Rng, n: number): number => Math.floor(next() * n);

function pdu(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(6 + body.length);
  out[0] = type;
  new DataView(out.buffer).setUint32(2, body.length);
  out.set(body, 6);
  return out;
}

function randomBytes(next: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = pick(next, 256);
  return out;
}

/** A P-DATA-TF of 1-4 well-formed PDVs (PS3.8 9.3.5), sometimes large. */
function randomPData(next: Rng): Uint8Array {
  const count = 1 + pick(next, 4);
  const items: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const size = next() < 0.1 ? pick(next, 40_000) : pick(next, 600);
    const item = new Uint8Array(6 + size);
    new DataView(item.buffer).setUint32(0, size + 2);
    item[4] = 1 + 2 * pick(next, 128);
    item[5] = pick(next, 4);
    item.fill(pick(next, 256), 6);
    items.push(item);
  }
  return pdu(4, Buffer.concat(items));
}

/** Any PDU type the framer knows (PS3.8 9.3), with bodies the framer accepts when unmutated. */
function randomPdu(next: Rng): Uint8Array {
  const r = pick(next, 10);
  if (r < 5) return randomPData(next);
  if (r < 7) return pdu(1 + pick(next, 2), randomBytes(next, 68 + pick(next, 300)));
  return pdu(3 + pick(next, 5), randomBytes(next, 4));
}

function writeU32(b: Uint8Array, at: number, v: number): void {
  if (at + 4 <= b.length) new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(at, v >>> 0);
}

/** A valid stream and where its PDUs start, then 0-3 mutations of it. */
function randomStream(next: Rng): Uint8Array {
  const pdus = Array.from({ length: 1 + pick(next, 8) }, () => randomPdu(next));
  const starts: number[] = [];
  let at = 0;
  for (const p of pdus) {
    starts.push(at);
    at += p.length;
  }
  let b: Uint8Array = new Uint8Array(Buffer.concat(pdus));
  const mutations = next() < 0.35 ? 0 : 1 + pick(next, 3);
  for (let m = 0; m < mutations && b.length > 0; m++) {
    const start = starts[pick(next, starts.length)] ?? 0;
    switch (pick(next, 8)) {
      case 0: // bit flips anywhere
        for (let i = 0, n = 1 + pick(next, 4); i < n; i++) b[pick(next, b.length)]! ^= 1 << pick(next, 8);
        break;
      case 1: // truncation
        b = b.subarray(0, pick(next, b.length));
        break;
      case 2: // a PDU length that lies by a little
        if (start + 6 <= b.length)
          writeU32(
            b,
            start + 2,
            new DataView(b.buffer, b.byteOffset).getUint32(start + 2) + pick(next, 9) - 4,
          );
        break;
      case 3: // oversize: a length past every limit, or just past the P-DATA one
        writeU32(b, start + 2, next() < 0.5 ? 0xffff_ffff - pick(next, 3) : 16_384 + pick(next, 200_000));
        break;
      case 4: // a PDV item length that lies
        writeU32(b, start + 6, pick(next, 3) === 0 ? pick(next, 3) : pick(next, 70_000));
        break;
      case 5: // an even (invalid) presentation context ID, or a random PDU type
        if (start + 10 < b.length) b[start + 10] = 2 * pick(next, 128);
        else b[start] = pick(next, 256);
        break;
      case 6: // a random PDU type
        b[start] = next() < 0.5 ? pick(next, 256) : pick(next, 9);
        break;
      default: // junk inserted
        b = new Uint8Array(
          Buffer.concat([b.subarray(0, start), randomBytes(next, 1 + pick(next, 12)), b.subarray(start)]),
        );
    }
  }
  return b;
}

/** Random split points: 1-byte dribbles, small reads, 64 KiB reads and everything at once. */
function split(next: Rng, b: Uint8Array): Uint8Array[] {
  const style = pick(next, 4);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < b.length; ) {
    const size =
      style === 0 ? 1 + pick(next, 3) : style === 1 ? 1 + pick(next, 700) : style === 2 ? 65_536 : b.length;
    // Each chunk is its own buffer, as a socket's 'data' chunks are.
    chunks.push(b.slice(at, at + size));
    at += size;
  }
  if (next() < 0.1) chunks.splice(pick(next, chunks.length + 1), 0, new Uint8Array(0));
  return chunks;
}

function randomOptions(next: Rng): NativePduFramerOptions {
  const maxPduLength = [0, 16_384, 4096, pick(next, 70_000)][pick(next, 4)] ?? 0;
  const options: { -readonly [K in keyof NativePduFramerOptions]: NativePduFramerOptions[K] } = {
    maxPduLength,
  };
  if (next() < 0.5) options.leniencyBytes = [0, 1, pick(next, 70_000)][pick(next, 3)] ?? 0;
  if (next() < 0.3) options.hardMaxPduLength = 1 + pick(next, 80_000);
  if (next() < 0.3) options.maxAssociatePduLength = pick(next, 400);
  return options;
}

interface Framerish {
  push(chunk: Uint8Array): void;
  next(): { readonly pduType: number; readonly bytes: Uint8Array } | undefined;
  readonly bufferedBytes: number;
}

/** What a framer or splitter did, one entry per event, with bytes kept for a byte compare. */
type Event =
  | { readonly kind: 'pdu'; readonly pduType: number; readonly bytes: Uint8Array }
  | { readonly kind: 'pdvs'; readonly pdvs: readonly (readonly [number, boolean, boolean, Uint8Array])[] }
  | { readonly kind: 'error'; readonly text: string }
  | { readonly kind: 'buffered'; readonly n: number };

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return `non-error ${String(err)}`;
  const e = err as Error & { code?: unknown; abortReason?: unknown };
  return `${String(e.code)} reason=${String(e.abortReason)} ${e.message}`;
}

function pdvEvent(
  split: (
    b: Uint8Array,
  ) => readonly { contextId: number; isCommand: boolean; isLast: boolean; data: Uint8Array }[],
  bytes: Uint8Array,
): Event {
  try {
    return {
      kind: 'pdvs',
      pdvs: split(bytes).map((p) => [p.contextId, p.isCommand, p.isLast, p.data] as const),
    };
  } catch (err) {
    return { kind: 'error', text: errorText(err) };
  }
}

function transcript(
  framer: Framerish,
  chunks: readonly Uint8Array[],
  splitPdvs: Parameters<typeof pdvEvent>[0],
): Event[] {
  const events: Event[] = [];
  for (const chunk of chunks) {
    framer.push(chunk);
    try {
      for (let p = framer.next(); p !== undefined; p = framer.next()) {
        events.push({ kind: 'pdu', pduType: p.pduType, bytes: p.bytes });
        if (p.pduType === 4) events.push(pdvEvent(splitPdvs, p.bytes));
      }
    } catch (err) {
      events.push({ kind: 'error', text: errorText(err) });
      // A failed framer keeps failing with the same error.
      try {
        framer.next();
        events.push({ kind: 'error', text: 'no repeat throw' });
      } catch (again) {
        events.push({ kind: 'error', text: `again ${errorText(again)}` });
      }
      break;
    }
    events.push({ kind: 'buffered', n: framer.bufferedBytes });
  }
  return events;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

function sameEvent(a: Event, b: Event): boolean {
  switch (a.kind) {
    case 'pdu':
      return b.kind === 'pdu' && a.pduType === b.pduType && sameBytes(a.bytes, b.bytes);
    case 'pdvs':
      return (
        b.kind === 'pdvs' &&
        a.pdvs.length === b.pdvs.length &&
        a.pdvs.every((p, i) => {
          const q = b.pdvs[i];
          return q !== undefined && p[0] === q[0] && p[1] === q[1] && p[2] === q[2] && sameBytes(p[3], q[3]);
        })
      );
    case 'error':
      return b.kind === 'error' && a.text === b.text;
    case 'buffered':
      return b.kind === 'buffered' && a.n === b.n;
  }
}

function describeEvent(e: Event | undefined): string {
  if (e === undefined) return 'nothing';
  switch (e.kind) {
    case 'pdu':
      return `PDU type ${e.pduType} of ${e.bytes.length} bytes`;
    case 'pdvs':
      return `${e.pdvs.length} PDVs of ${e.pdvs.map((p) => p[3].length).join('/')} bytes`;
    case 'error':
      return `error ${e.text}`;
    case 'buffered':
      return `bufferedBytes ${e.n}`;
  }
}

export interface CaseResult {
  /** Undefined when both sides agree, else where they part. */
  readonly mismatch: string | undefined;
  /** Events compared (PDUs, PDV splits, errors, buffered counts). */
  readonly events: number;
  readonly errors: number;
}

/** One framing case: a random stream, random limits, random split points, fed to both framers. */
export function framingCase(seed: number): CaseResult {
  const next = seeded(seed);
  const options = randomOptions(next);
  const chunks = split(next, randomStream(next));
  const ts = transcript(createPduFramer(options), chunks, decodePDataPdvs);
  const native = transcript(new NativePduFramer(options), chunks, nativeDecodePDataPdvs);
  const errors = ts.filter((e) => e.kind === 'error').length;
  for (let i = 0; i < Math.max(ts.length, native.length); i++) {
    const a = ts[i];
    const b = native[i];
    if (a === undefined || b === undefined || !sameEvent(a, b)) {
      return {
        mismatch: `seed ${seed} ${JSON.stringify(options)} event ${i}: TypeScript ${describeEvent(a)}, native ${describeEvent(b)}`,
        events: i,
        errors,
      };
    }
  }
  return { mismatch: undefined, events: ts.length, errors };
}

/**
 * What the upper layer sees from a PDU source (dul/pdu-source.ts): each PDU's bytes, and for a
 * P-DATA-TF its PDVs as the upper layer takes them (the source's split, else decodePDataPdvParts),
 * piece by piece, or the error; errors thrown by `next()` and the repeat throw; bufferedBytes is
 * not part of PduSource, so the chunk stream is compared on what it delivers.
 */
function sourceTranscript(source: PduSource, chunks: readonly Uint8Array[]): Event[] {
  const events: Event[] = [];
  for (const chunk of chunks) {
    source.push(chunk);
    try {
      for (let p = source.next(); p !== undefined; p = source.next()) {
        events.push({ kind: 'pdu', pduType: p.pduType, bytes: Buffer.concat(p.parts) });
        if (p.pduType !== 4) continue;
        if (p.pdvError) {
          events.push({ kind: 'error', text: errorText(p.pdvError) });
          continue;
        }
        events.push(
          pdvEvent(() => p.pdvs ?? decodePDataPdvParts(p.parts, p.length), p.parts[0] ?? new Uint8Array(0)),
        );
      }
    } catch (err) {
      events.push({ kind: 'error', text: errorText(err) });
      try {
        source.next();
        events.push({ kind: 'error', text: 'no repeat throw' });
      } catch (again) {
        events.push({ kind: 'error', text: `again ${errorText(again)}` });
      }
      break;
    }
  }
  return events;
}

/**
 * One case of the native PDU path as the upper layer uses it: net's PduSource on TypeScript
 * (framer.nextParts + decodePDataPdvParts) against the same on NativePduStream (one frameChunk
 * call per read), same stream, limits and split points as framingCase.
 */
export function chunkCase(seed: number): CaseResult {
  const next = seeded(seed);
  const options = randomOptions(next);
  const chunks = split(next, randomStream(next));
  const ts = sourceTranscript(createPduSource({ ...options, native: false }), chunks);
  const nativeSource = createPduSource({ ...options, native: true });
  if (nativeSource.kind !== 'native')
    return { mismatch: 'the native PDU path is not available', events: 0, errors: 0 };
  const native = sourceTranscript(nativeSource, chunks);
  const errors = ts.filter((e) => e.kind === 'error').length;
  for (let i = 0; i < Math.max(ts.length, native.length); i++) {
    const a = ts[i];
    const b = native[i];
    if (a === undefined || b === undefined || !sameEvent(a, b)) {
      return {
        mismatch: `seed ${seed} ${JSON.stringify(options)} event ${i}: TypeScript ${describeEvent(a)}, native ${describeEvent(b)}`,
        events: i,
        errors,
      };
    }
  }
  return { mismatch: undefined, events: ts.length, errors };
}

/** Minimal Implicit VR LE command set announcing a data set: (0000,0800) US 0000H (PS3.7 E.1). */
const COMMAND_WITH_DATASET = Uint8Array.of(0x00, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00);

/** One builder case: nativePDataPdus against fragmentMessage for a data set given in one chunk. */
export async function buildingCase(seed: number): Promise<CaseResult> {
  const next = seeded(seed);
  const peerMaxPduLength = [0, 8, 9, 16_384, 8 + pick(next, 70_000)][pick(next, 5)] ?? 0;
  // 2-byte fragments of a large value are 100k PDUs: the tiny maxima get small values.
  const largest = peerMaxPduLength > 0 && peerMaxPduLength < 10 ? 3000 : next() < 0.2 ? 300_000 : 40_000;
  const value = randomBytes(next, next() < 0.1 ? 0 : pick(next, largest));
  const pduLengthCeiling = next() < 0.3 ? 8 + pick(next, 40_000) : undefined;
  const contextId = 1 + 2 * pick(next, 128);
  const ts: Uint8Array[] = [];
  for await (const buffers of fragmentMessage({
    contextId,
    command: COMMAND_WITH_DATASET,
    dataset: [value],
    peerMaxPduLength,
    pduLengthCeiling,
  })) {
    const bytes = Buffer.concat(buffers);
    // Skip the command's PDUs (several when the peer's maximum is tiny): PS3.8 E.2 bit 0.
    if (((bytes[11] ?? 0) & 0x01) === 0) ts.push(bytes);
  }
  const native = nativePDataPdus({
    contextId,
    isCommand: false,
    value,
    peerMaxPduLength,
    ...(pduLengthCeiling === undefined ? {} : { pduLengthCeiling }),
  }).map((buffers) => Buffer.concat(buffers));
  const where = `seed ${seed} value ${value.length} peerMax ${peerMaxPduLength} ceiling ${pduLengthCeiling}`;
  if (ts.length !== native.length)
    return { mismatch: `${where}: ${ts.length} PDUs vs ${native.length}`, events: 0, errors: 0 };
  for (let i = 0; i < ts.length; i++) {
    if (!sameBytes(ts[i] ?? new Uint8Array(0), native[i] ?? new Uint8Array(0)))
      return { mismatch: `${where}: PDU ${i} differs`, events: i, errors: 0 };
  }
  return { mismatch: undefined, events: ts.length, errors: 0 };
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 60);
  let seed = Number(process.argv[3] ?? Date.now() % 1_000_000);
  const end = Date.now() + seconds * 1000;
  let cases = 0;
  let events = 0;
  let errors = 0;
  console.log(`framer-diff: ${seconds} s from seed ${seed}`);
  while (Date.now() < end) {
    const r =
      seed % 8 === 0 ? await buildingCase(seed) : seed % 2 === 0 ? chunkCase(seed) : framingCase(seed);
    if (r.mismatch !== undefined) {
      console.error(`MISMATCH ${r.mismatch}`);
      process.exitCode = 1;
      return;
    }
    cases++;
    events += r.events;
    errors += r.errors;
    seed++;
  }
  console.log(
    `framer-diff: ${cases} cases, ${events} events (${errors} errors) identical; next seed ${seed}`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
