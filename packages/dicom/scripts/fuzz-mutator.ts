/**
 * The fuzzer of the element walker, the data set codec and the Part 10 reader (issue 12 Proof):
 * a deterministic PRNG, a corpus of real objects in all four encodings with every structure the
 * walker knows (nested sequences and items of defined and undefined length, UN of undefined
 * length, encapsulated Pixel Data as fragments), structure-aware mutations, the targets and the
 * classification of what each run did. Shared by scripts/fuzz-walker.ts (the long run) and
 * test/elements/fuzz.test.ts (the bounded CI run). Not part of the package.
 *
 * The one rule checked: a run ends in a result or in one of our typed errors
 * (HNV_ERR_DATASET / _PART10 / _PART10_TRUNCATED / _CHARSET), within a time bound — never a
 * TypeError, RangeError, stack overflow, zlib message or hang.
 */
import { HnvError } from '@hnvue/core';
import { FUZZ_VRS } from '../fuzz/allowed.js';
import { Rng } from '../fuzz/rng.js';
import { decodeDataset } from '../src/codec/index.js';
import { deflateDataset, inflateDataset } from '../src/elements/deflate.js';
import { DatasetTruncatedError } from '../src/elements/errors.js';
import { reencodeBetween } from '../src/elements/reencode.js';
import {
  EXPLICIT_BIG,
  EXPLICIT_LITTLE,
  IMPLICIT_LITTLE,
  type WalkEncoding,
  type WalkedElement,
  walkDataset,
} from '../src/elements/walk.js';
import { Part10TruncatedError, parsePart10File } from '../src/part10/index.js';
import { TS } from '../src/uids/index.js';
import { ourObjects, part10Bytes } from '../test/part10/real-files.js';

export type EncodingName = 'implicit' | 'explicit' | 'big' | 'deflated';
export const ENCODINGS: readonly EncodingName[] = ['implicit', 'explicit', 'big', 'deflated'];
const TS_OF: Record<EncodingName, string> = {
  implicit: TS.implicitVrLittleEndian,
  explicit: TS.explicitVrLittleEndian,
  big: TS.explicitVrBigEndian,
  deflated: TS.deflatedExplicitVrLittleEndian,
};
const WALK_OF: Record<EncodingName, WalkEncoding> = {
  implicit: IMPLICIT_LITTLE,
  explicit: EXPLICIT_LITTLE,
  big: EXPLICIT_BIG,
  deflated: EXPLICIT_LITTLE,
};

/** One seed: a data set (inflated form) and where its headers are, for structure-aware mutations. */
export interface Seed {
  readonly label: string;
  readonly encoding: EncodingName;
  /** The data set as the walker reads it (for `deflated`: the inflated Explicit VR LE bytes). */
  readonly dataset: Uint8Array;
  /** The file meta group (preamble to the first data set byte) for this encoding. */
  readonly meta: Uint8Array;
  /** Offsets of every element, item and delimiter header, at every depth. */
  readonly headers: readonly number[];
}

const u32 = (n: number, le: boolean): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, le);
  return b;
};
const tagBytes = (tag: number, le: boolean): Uint8Array => {
  const b = new Uint8Array(4);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, tag >>> 16, le);
  dv.setUint16(2, tag & 0xffff, le);
  return b;
};
const concat = (parts: readonly Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/**
 * The same data set with every sequence and item of undefined length (as DCMTK `dcmconv -e`
 * writes them), re-emitted from the walk.
 */
export function withUndefinedLengths(bytes: Uint8Array, enc: WalkEncoding): Uint8Array {
  const le = enc.littleEndian;
  const out: Uint8Array[] = [];
  const emit = (elements: readonly WalkedElement[], e: WalkEncoding): void => {
    for (const el of elements) {
      if (!el.items) {
        out.push(bytes.subarray(el.start, el.end));
        continue;
      }
      // Tag and (explicit) VR + reserved bytes as written, then an undefined length.
      const headerLength = el.valueStart - el.start;
      out.push(bytes.subarray(el.start, el.start + headerLength - 4), u32(0xffffffff, e.littleEndian));
      for (const item of el.items) {
        const ile = item.encoding.littleEndian;
        out.push(tagBytes(0xfffee000, ile), u32(0xffffffff, ile));
        emit(item.elements, item.encoding);
        out.push(tagBytes(0xfffee00d, ile), u32(0, ile));
      }
      out.push(tagBytes(0xfffee0dd, e.littleEndian), u32(0, e.littleEndian));
    }
  };
  emit(walkDataset(bytes, enc).elements, { explicitVr: enc.explicitVr, littleEndian: le });
  return concat(out);
}

/**
 * The data set with its Pixel Data replaced by an encapsulated one (PS3.5 A.4: a Basic Offset
 * Table with two offsets, two fragments, a delimiter), and a private UN of undefined length
 * holding Implicit VR LE items (PS3.5 6.2.2) in front of it, in explicit encodings.
 */
export function withFragmentsAndUn(bytes: Uint8Array, enc: WalkEncoding): Uint8Array {
  const le = enc.littleEndian;
  const { elements } = walkDataset(bytes, enc);
  const kept = elements.filter((e) => e.tag < 0x00091000 || (e.tag > 0x0009ffff && e.tag < 0x7fe00010));
  const before = kept.filter((e) => e.tag < 0x00090000).map((e) => bytes.subarray(e.start, e.end));
  const after = kept.filter((e) => e.tag > 0x0009ffff).map((e) => bytes.subarray(e.start, e.end));
  const header = (tag: number, vr: string, length: number): Uint8Array => {
    if (!enc.explicitVr) return concat([tagBytes(tag, le), u32(length, le)]);
    return concat([tagBytes(tag, le), Buffer.from(vr, 'latin1'), new Uint8Array(2), u32(length, le)]);
  };
  const itemOf = (value: Uint8Array, tag = 0xfffee000): Uint8Array =>
    concat([tagBytes(tag, le), u32(value.length, le), value]);
  const fragment1 = new Uint8Array(10).fill(0xab);
  const fragment2 = new Uint8Array(6).fill(0xcd);
  const offsets = concat([u32(0, le), u32(fragment1.length + 8, le)]);
  const pixel = concat([
    header(0x7fe00010, 'OB', 0xffffffff),
    itemOf(offsets),
    itemOf(fragment1),
    itemOf(fragment2),
    concat([tagBytes(0xfffee0dd, le), u32(0, le)]),
  ]);
  const privateBlock: Uint8Array[] = [];
  if (enc.explicitVr) {
    const creator = Buffer.from('HNVUE FUZZ', 'latin1');
    const creatorHeader = concat([tagBytes(0x00090010, le), Buffer.from('LO', 'latin1'), new Uint8Array(2)]);
    new DataView(creatorHeader.buffer).setUint16(6, creator.length, le);
    // Implicit VR LE items inside (PS3.5 6.2.2), whatever the outer byte order.
    const inner = concat([tagBytes(0x00091002, true), u32(4, true), Buffer.from('ABCD', 'latin1')]);
    const items = concat([
      tagBytes(0xfffee000, true),
      u32(0xffffffff, true),
      inner,
      tagBytes(0xfffee00d, true),
      u32(0, true),
      tagBytes(0xfffee0dd, true),
      u32(0, true),
    ]);
    privateBlock.push(creatorHeader.subarray(0, 8), creator, header(0x00091001, 'UN', 0xffffffff), items);
  }
  return concat([...before, ...privateBlock, ...after, pixel]);
}

function headersOf(bytes: Uint8Array, enc: WalkEncoding): number[] {
  const out: number[] = [];
  const visit = (elements: readonly WalkedElement[]): void => {
    for (const e of elements) {
      out.push(e.start);
      for (const item of e.items ?? []) {
        out.push(item.start);
        if (item.undefinedLength) out.push(item.end - 8);
        visit(item.elements);
      }
      if (e.undefinedLength) out.push(e.end - 8);
      if (e.fragments)
        for (const f of [e.fragments.offsetTable, ...e.fragments.fragments]) out.push(f.start - 8);
    }
  };
  visit(walkDataset(bytes, enc).elements);
  return out;
}

/** Our DX, CR and RDSR, each in the four encodings, as written and in the restructured forms. */
export function buildCorpus(): Seed[] {
  const seeds: Seed[] = [];
  for (const object of ourObjects()) {
    for (const encoding of ENCODINGS) {
      const ts = TS_OF[encoding];
      const file = part10Bytes(object.dataset, ts);
      const parsed = parsePart10File(file);
      const meta = file.subarray(0, parsed.datasetOffset);
      const enc = WALK_OF[encoding];
      const forms: [string, Uint8Array][] = [
        ['as written', parsed.dataset],
        ['undefined lengths', withUndefinedLengths(parsed.dataset, enc)],
      ];
      if (object.name !== 'rdsr') forms.push(['fragments and UN', withFragmentsAndUn(parsed.dataset, enc)]);
      for (const [form, dataset] of forms) {
        walkDataset(dataset, enc); // every seed is well formed
        seeds.push({
          label: `${object.name} ${encoding} ${form}`,
          encoding,
          dataset,
          meta,
          headers: headersOf(dataset, enc),
        });
      }
    }
  }
  return seeds;
}

const INTERESTING_32 = [
  0, 1, 2, 3, 7, 8, 0xfe, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
];
const INTERESTING_TAGS = [
  0xfffee000, 0xfffee00d, 0xfffee0dd, 0x7fe00010, 0x00020010, 0x00080005, 0x00091001, 0x00000000, 0xffffffff,
];

export const MUTATIONS = [
  'bit flip',
  'byte set',
  'length field',
  'tag',
  'vr',
  'truncate',
  'insert',
  'duplicate chunk',
  'delete chunk',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

/** 1–4 mutations of `input` (a fresh array; the seed is never changed). */
export function mutate(rng: Rng, input: Uint8Array, headers: readonly number[], le: boolean): Uint8Array {
  let bytes: Uint8Array = Uint8Array.from(input);
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    const m = rng.pick(MUTATIONS);
    const n = bytes.length;
    const at = rng.int(n);
    const header = headers.length > 0 && rng.int(4) !== 0 ? rng.pick(headers) : at;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    switch (m) {
      case 'bit flip':
        if (n > 0) bytes[at] = (bytes[at] as number) ^ (1 << rng.int(8));
        break;
      case 'byte set':
        if (n > 0) bytes[at] = rng.pick([0x00, 0xff, 0x7f, 0x80, rng.int(256)]);
        break;
      case 'length field': {
        // The 16-bit (explicit short), or 32-bit (implicit, long VR, item) length of a header.
        const field = header + rng.pick([4, 6, 8]);
        if (rng.int(2) === 0 && field + 2 <= n)
          dv.setUint16(field, rng.pick([0, 1, 0xffff, 0xfffe, rng.int(0x10000)]), le);
        else if (field + 4 <= n) {
          const v = rng.pick([...INTERESTING_32, n - field, n - field + 2, rng.next()]);
          dv.setUint32(field, v >>> 0, le);
        }
        break;
      }
      case 'tag':
        if (header + 4 <= n) {
          const tag = rng.pick(INTERESTING_TAGS);
          dv.setUint16(header, tag >>> 16, le);
          dv.setUint16(header + 2, tag & 0xffff, le);
        }
        break;
      case 'vr':
        if (header + 6 <= n) {
          const vr = rng.int(5) === 0 ? String.fromCharCode(rng.int(256), rng.int(256)) : rng.pick(FUZZ_VRS);
          bytes[header + 4] = vr.charCodeAt(0) & 0xff;
          bytes[header + 5] = vr.charCodeAt(1) & 0xff;
        }
        break;
      case 'truncate':
        bytes = bytes.subarray(0, rng.int(2) ? header : at);
        break;
      case 'insert': {
        const size = rng.pick([1, 2, 4, 8, rng.int(17)]);
        const extra = new Uint8Array(size);
        for (let i = 0; i < size; i++) extra[i] = rng.int(256);
        if (size === 8 && rng.int(2)) extra.set(tagBytes(rng.pick(INTERESTING_TAGS), le));
        const where = rng.int(2) ? header : at;
        bytes = concat([bytes.subarray(0, where), extra, bytes.subarray(where)]);
        break;
      }
      case 'duplicate chunk': {
        const from = rng.int(2) ? header : at;
        const len = 1 + rng.int(Math.min(256, Math.max(1, n - from)));
        const where = rng.int(2) ? rng.pick(headers.length ? headers : [at]) : rng.int(n + 1);
        bytes = concat([bytes.subarray(0, where), bytes.subarray(from, from + len), bytes.subarray(where)]);
        break;
      }
      case 'delete chunk': {
        const from = rng.int(2) ? header : at;
        const len = 1 + rng.int(64);
        bytes = concat([bytes.subarray(0, from), bytes.subarray(from + len)]);
        break;
      }
    }
  }
  return bytes;
}

export const TARGETS = ['walk', 'decode', 'reencode', 'part10', 'part10 meta', 'deflate stream'] as const;
export type Target = (typeof TARGETS)[number];

export type Outcome =
  | 'result'
  | 'HNV_ERR_DATASET truncated'
  | 'HNV_ERR_DATASET'
  | 'HNV_ERR_PART10_TRUNCATED'
  | 'HNV_ERR_PART10'
  | 'HNV_ERR_CHARSET';

const ALLOWED_CODES = new Set([
  'HNV_ERR_DATASET',
  'HNV_ERR_PART10',
  'HNV_ERR_PART10_TRUNCATED',
  'HNV_ERR_CHARSET',
]);

/** A run that broke the rule: an untyped error, or over the time bound. */
export interface Failure {
  readonly seed: number;
  readonly iteration: number;
  readonly target: Target;
  readonly corpusSeed: string;
  readonly input: Uint8Array;
  readonly transferSyntax: string;
  readonly toTransferSyntax?: string | undefined;
  readonly error: string;
}

export interface Case {
  readonly target: Target;
  readonly seed: Seed;
  readonly input: Uint8Array;
  /** What the input is: a data set in this transfer syntax, or a whole Part 10 file. */
  readonly transferSyntax: string;
  /** `reencode`: the transfer syntax to re-encode to. */
  readonly toTransferSyntax?: string;
}

/** The input for iteration `i`: a corpus seed, a target, the mutated bytes. */
export function makeCase(rng: Rng, corpus: readonly Seed[], iteration: number): Case {
  const seed = corpus[rng.int(corpus.length)] as Seed;
  const target = TARGETS[iteration % TARGETS.length] as Target;
  const le = seed.encoding !== 'big';
  const ts = TS_OF[seed.encoding];
  switch (target) {
    case 'walk':
    case 'decode': {
      // The walker and the codec read a data set as it is coded: deflated seeds are fuzzed as the
      // compressed stream half of the time (the codec inflates), else as their inflated bytes.
      const mutated = mutate(rng, seed.dataset, seed.headers, le);
      if (seed.encoding === 'deflated' && target === 'decode' && rng.int(2)) {
        return { target, seed, input: deflateDataset(mutated), transferSyntax: ts };
      }
      const asIs = seed.encoding === 'deflated' ? TS.explicitVrLittleEndian : ts;
      return { target, seed, input: mutated, transferSyntax: asIs };
    }
    case 'reencode': {
      const mutated = mutate(rng, seed.dataset, seed.headers, le);
      const input = seed.encoding === 'deflated' ? deflateDataset(mutated) : mutated;
      const to = TS_OF[rng.pick(ENCODINGS.filter((e) => e !== seed.encoding))];
      return { target, seed, input, transferSyntax: ts, toTransferSyntax: to };
    }
    case 'part10': {
      const mutated = mutate(rng, seed.dataset, seed.headers, le);
      const body = seed.encoding === 'deflated' ? deflateDataset(mutated) : mutated;
      return { target, seed, input: concat([seed.meta, body]), transferSyntax: ts };
    }
    case 'part10 meta': {
      // The meta group's headers (relative to the file) and the first data set headers.
      const file = concat([
        seed.meta,
        seed.encoding === 'deflated' ? deflateDataset(seed.dataset) : seed.dataset,
      ]);
      const headers = metaHeaders(seed.meta);
      return { target, seed, input: mutate(rng, file, headers, true), transferSyntax: ts };
    }
    case 'deflate stream': {
      const compressed = deflateDataset(seed.dataset);
      const mutated = mutate(rng, compressed, [], true);
      return { target, seed, input: concat([seed.meta, mutated]), transferSyntax: TS_OF.deflated };
    }
  }
}

const metaCache = new WeakMap<Uint8Array, number[]>();
function metaHeaders(meta: Uint8Array): number[] {
  let h = metaCache.get(meta);
  if (h === undefined) {
    h = walkDataset(meta, { ...EXPLICIT_LITTLE, start: 132 }).elements.map((e) => e.start);
    metaCache.set(meta, h);
  }
  return h;
}

/** Runs one case; returns the outcome, or throws what broke the rule. */
export function runCase(c: Case): Outcome {
  try {
    switch (c.target) {
      case 'walk':
        walkDataset(c.input, WALK_OF[encodingName(c.transferSyntax)]);
        break;
      case 'decode':
        decodeDataset(c.input, { transferSyntax: c.transferSyntax, charsetErrors: 'throw' });
        break;
      case 'reencode': {
        const to = c.toTransferSyntax ?? c.transferSyntax;
        const out = reencodeBetween(c.input, c.transferSyntax, to);
        // What the re-encoder writes must itself be a well-formed data set in `to`.
        const name = encodingName(to);
        const bytes = concat(out);
        try {
          walkDataset(name === 'deflated' ? inflateDataset(bytes) : bytes, WALK_OF[name]);
        } catch (err) {
          throw new Error(`re-encoded data set does not walk in ${to}: ${String(err)}`, { cause: err });
        }
        break;
      }
      case 'part10':
      case 'part10 meta':
      case 'deflate stream': {
        const file = parsePart10File(c.input);
        // What a reader does next: decode the data set it was given.
        decodeDataset(file.dataset, { transferSyntax: file.datasetTransferSyntax, charsetErrors: 'flag' });
        break;
      }
    }
    return 'result';
  } catch (err) {
    return classify(err);
  }
}

function encodingName(ts: string): EncodingName {
  return (Object.keys(TS_OF) as EncodingName[]).find((k) => TS_OF[k] === ts) ?? 'explicit';
}

/** Our typed errors by code (truncation apart); anything else is rethrown. */
export function classify(err: unknown): Outcome {
  if (err instanceof HnvError && ALLOWED_CODES.has(err.code)) {
    if (err instanceof DatasetTruncatedError) return 'HNV_ERR_DATASET truncated';
    if (err instanceof Part10TruncatedError) return 'HNV_ERR_PART10_TRUNCATED';
    return err.code as Outcome;
  }
  throw err;
}

export interface FuzzOptions {
  readonly iterations: number;
  readonly seed: number;
  /** A single case slower than this is a failure (a hang shows up here: the code is synchronous). */
  readonly timeBoundMs?: number;
  readonly onFailure?: (f: Failure) => void;
  readonly onProgress?: (done: number) => void;
  /** Cases run per target are spread over the corpus; pass one to reuse it across runs. */
  readonly corpus?: readonly Seed[];
}

export interface FuzzReport {
  readonly iterations: number;
  readonly seed: number;
  readonly outcomes: Record<string, number>;
  readonly byTarget: Record<string, Record<string, number>>;
  readonly failures: Failure[];
  readonly slowestMs: number;
  /** Time spent in each target's runs (mutation and setup excluded). */
  readonly msByTarget: Record<string, number>;
  readonly durationMs: number;
}

/** The fuzz loop: `iterations` cases from `seed`, counted by outcome and target. */
export function fuzz(options: FuzzOptions): FuzzReport {
  const corpus = options.corpus ?? buildCorpus();
  const rng = new Rng(options.seed);
  const bound = options.timeBoundMs ?? 1000;
  const outcomes: Record<string, number> = {};
  const byTarget: Record<string, Record<string, number>> = {};
  const failures: Failure[] = [];
  let slowestMs = 0;
  const msByTarget: Record<string, number> = {};
  const t0 = performance.now();
  for (let i = 0; i < options.iterations; i++) {
    const c = makeCase(rng, corpus, i);
    const start = performance.now();
    let outcome: string;
    let error: string | undefined;
    try {
      outcome = runCase(c);
    } catch (err) {
      outcome = 'FAILURE';
      error = err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err);
    }
    const ms = performance.now() - start;
    if (ms > slowestMs) slowestMs = ms;
    msByTarget[c.target] = (msByTarget[c.target] ?? 0) + ms;
    if (error === undefined && ms > bound) {
      outcome = 'FAILURE';
      error = `over the time bound: ${ms.toFixed(0)} ms > ${bound} ms`;
    }
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    const t = byTarget[c.target] ?? {};
    byTarget[c.target] = t;
    t[outcome] = (t[outcome] ?? 0) + 1;
    if (error !== undefined) {
      const f: Failure = {
        seed: options.seed,
        iteration: i,
        target: c.target,
        corpusSeed: c.seed.label,
        input: c.input,
        transferSyntax: c.transferSyntax,
        toTransferSyntax: c.toTransferSyntax,
        error,
      };
      failures.push(f);
      options.onFailure?.(f);
    }
    if (options.onProgress && (i + 1) % 100_000 === 0) options.onProgress(i + 1);
  }
  return {
    iterations: options.iterations,
    seed: options.seed,
    outcomes,
    byTarget,
    failures,
    slowestMs,
    msByTarget,
    durationMs: performance.now() - t0,
  };
}

/** Replays one failing input (from the failures folder) against its target. */
export function replay(
  target: Target,
  input: Uint8Array,
  transferSyntax: string,
  toTransferSyntax?: string,
): Outcome {
  const dummy: Seed = { label: 'replay', encoding: 'explicit', dataset: input, meta: input, headers: [] };
  return runCase({
    target,
    seed: dummy,
    input,
    transferSyntax,
    ...(toTransferSyntax === undefined ? {} : { toTransferSyntax }),
  });
}
