/**
 * Native PDU framing (src/framer.cc) behind the interface of the TypeScript framer of @hnvue/net
 * (packages/net/src/pdu/framer.ts): same options, same push/next/bufferedBytes/reset semantics,
 * same error messages and PS3.8 A-ABORT reasons (native/test/framer-diff.test.ts checks it).
 * @hnvue/native cannot import @hnvue/net (net depends on native), so the defaults and the error
 * type are mirrored here; net maps NativePduDecodeError onto its PduDecodeError by `abortReason`.
 *
 * The addon frames every complete PDU of a chunk in one call and returns offsets, so a PDU lying
 * inside one chunk is a view of it (no copy), as in the TypeScript framer; a PDU spread over
 * chunks is copied once, when its last byte has arrived.
 */
import { HnvError, type HnvErrorOptions } from '@hnvue/core';
import { ChunkQueue, Fifo } from './chunk-queue.js';
import { CODEC_ERROR_CODES, CodecError } from './errors.js';
import { NATIVE_FIX_HINT, type NativeBinding, nativeBinding } from './native.js';

/** The code of PduDecodeError in @hnvue/net (NET_ERROR_CODES.pduDecode). */
export const PDU_DECODE_ERROR_CODE = 'HNV_ERR_PDU_DECODE' as const;

/** Bytes that cannot be framed or split. `abortReason` is the PS3.8 Table 9-26 A-ABORT reason. */
export class NativePduDecodeError extends HnvError {
  declare readonly code: typeof PDU_DECODE_ERROR_CODE;
  readonly abortReason: number;
  constructor(message: string, abortReason: number, options: HnvErrorOptions = {}) {
    super(PDU_DECODE_ERROR_CODE, message, { ...options, details: { abortReason, ...options.details } });
    this.abortReason = abortReason;
  }
}

/** One framed PDU: the whole PDU, header included (a view of a pushed chunk or a fresh copy). */
export interface NativeRawPdu {
  readonly pduType: number;
  readonly bytes: Uint8Array;
}

/** The options of createPduFramer in @hnvue/net, with the same defaults. */
export interface NativePduFramerOptions {
  /** Our Maximum Length Received (PS3.8 D.1); 0 = no limit but `hardMaxPduLength`. */
  readonly maxPduLength: number;
  /** Largest A-ASSOCIATE-RQ/AC body accepted. Default 1 MiB. */
  readonly maxAssociatePduLength?: number;
  /** Ceiling for every PDU. Default 64 MiB. */
  readonly hardMaxPduLength?: number;
  /** Bytes a P-DATA-TF may exceed `maxPduLength` by (fo-dicom #1084). Default 64 KiB. */
  readonly leniencyBytes?: number;
}

/** Same values as DEFAULT_MAX_ASSOCIATE_PDU_LENGTH, DEFAULT_HARD_MAX_PDU_LENGTH, DEFAULT_PDATA_LENIENCY_BYTES of net. */
const DEFAULT_MAX_ASSOCIATE_PDU_LENGTH = 1024 * 1024;
const DEFAULT_HARD_MAX_PDU_LENGTH = 64 * 1024 * 1024;
const DEFAULT_PDATA_LENIENCY_BYTES = 64 * 1024;
/** PS3.8 9.3.1: type, reserved, 32-bit length. */
const PDU_HEADER_LENGTH = 6;
/** Per-PDV overhead in a P-DATA-TF: item length (4), context ID (1), control header (1). */
const PDV_ITEM_OVERHEAD = 6;
/** src/framer.cc FramePdus status slot. */
const STATUS_PARTIAL = 1;
const STATUS_ERROR = 2;
/**
 * Result arrays the addon writes into, reused across calls (single-threaded; read right after the
 * call): a fresh JS array per call cost 1.3 µs (measured), more than TypeScript spends per PDU.
 */
const frameOut = new Float64Array(5 + 3 * 256);
let splitOut = new Float64Array(4 * 64);

type FramerBinding = Required<Pick<NativeBinding, 'framePdus' | 'splitPdvs' | 'buildPDataHeaders'>>;

function framerBinding(): FramerBinding | undefined {
  const b = nativeBinding();
  if (b?.framePdus === undefined || b.splitPdvs === undefined || b.buildPDataHeaders === undefined)
    return undefined;
  return b as FramerBinding;
}

function requireBinding(): FramerBinding {
  const b = framerBinding();
  if (b === undefined) {
    throw new CodecError(CODEC_ERROR_CODES.unavailable, 'native PDU framing is not available', {
      hint: NATIVE_FIX_HINT,
    });
  }
  return b;
}

/** True when the loaded addon has the PDU framing functions (false with HNVUE_NATIVE=0). */
export function nativePduFramingAvailable(): boolean {
  return framerBinding() !== undefined;
}

interface Pending {
  readonly pduType: number;
  readonly total: number;
}

/** The framer's two header limits from its options, with net's checks and defaults. */
function framerLimits(options: NativePduFramerOptions): { pdataLimit: number; associateLimit: number } {
  const hard = options.hardMaxPduLength ?? DEFAULT_HARD_MAX_PDU_LENGTH;
  const leniency = options.leniencyBytes ?? DEFAULT_PDATA_LENIENCY_BYTES;
  for (const [name, value] of [
    ['maxPduLength', options.maxPduLength],
    ['hardMaxPduLength', hard],
    ['leniencyBytes', leniency],
    ['maxAssociatePduLength', options.maxAssociatePduLength ?? 0],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
      throw new RangeError(`${name} must be an integer 0-4294967295, got ${value}`);
    }
  }
  return {
    pdataLimit: options.maxPduLength === 0 ? hard : Math.min(hard, options.maxPduLength + leniency),
    associateLimit: Math.min(hard, options.maxAssociatePduLength ?? DEFAULT_MAX_ASSOCIATE_PDU_LENGTH),
  };
}

/**
 * The PduFramer of @hnvue/net on the native fast path. `next()` throws NativePduDecodeError on an
 * unknown PDU type (reason 1) or a length over its limit (reason 6), after returning every PDU
 * before the bad header; the stream then stays failed until `reset()`.
 */
export class NativePduFramer {
  readonly #binding: FramerBinding;
  readonly #pdataLimit: number;
  readonly #associateLimit: number;
  /** Its `buffered`: bytes not yet framed. */
  readonly #in = new ChunkQueue();
  /** PDUs framed by the addon and not yet returned, and their total length. */
  readonly #ready = new Fifo<NativeRawPdu>();
  #readyBytes = 0;
  #pending: Pending | undefined;
  /** An error found after the ready PDUs: thrown once they are returned. */
  #deferred: NativePduDecodeError | undefined;
  #error: NativePduDecodeError | undefined;

  /** Throws CodecError HNV_ERR_CODEC_UNAVAILABLE when the addon (or its framer) is not loaded. */
  constructor(options: NativePduFramerOptions) {
    this.#binding = requireBinding();
    const limits = framerLimits(options);
    this.#pdataLimit = limits.pdataLimit;
    this.#associateLimit = limits.associateLimit;
  }

  /** Bytes pushed and not yet returned by `next()`. */
  get bufferedBytes(): number {
    return this.#in.buffered + this.#readyBytes;
  }

  /** Append bytes received from the peer; the framer keeps the chunk and never writes to it. */
  push(chunk: Uint8Array): void {
    this.#in.push(chunk);
  }

  /** Forget every buffered byte and any error (for a new connection). */
  reset(): void {
    this.#in.clear();
    this.#ready.clear();
    this.#readyBytes = 0;
    this.#pending = undefined;
    this.#deferred = undefined;
    this.#error = undefined;
  }

  /** The next complete PDU, or undefined when more bytes are needed. */
  next(): NativeRawPdu | undefined {
    for (;;) {
      if (this.#error !== undefined) throw this.#error;
      const ready = this.#ready.shift();
      if (ready !== undefined) {
        this.#readyBytes -= ready.bytes.length;
        return ready;
      }
      if (this.#deferred !== undefined) {
        this.#error = this.#deferred;
        throw this.#error;
      }
      if (this.#pending !== undefined) {
        const { pduType, total } = this.#pending;
        if (this.#in.buffered < total) return undefined;
        this.#pending = undefined;
        return { pduType, bytes: this.#take(total) };
      }
      if (this.#in.buffered < PDU_HEADER_LENGTH) return undefined;
      this.#frame();
    }
  }

  /** One addon call: frames what the head chunk holds, or reads a header spread over chunks. */
  #frame(): void {
    const out = frameOut;
    const input = this.#in;
    const first = input.first();
    if (first !== undefined && first.length - input.offset >= PDU_HEADER_LENGTH) {
      const message = this.#binding.framePdus(
        first,
        input.offset,
        this.#associateLimit,
        this.#pdataLimit,
        out,
      );
      const end = 5 + 3 * (out[4] as number);
      for (let i = 5; i < end; i += 3) {
        const start = out[i + 1] as number;
        const stop = out[i + 2] as number;
        this.#ready.push({ pduType: out[i] as number, bytes: first.subarray(start, stop) });
        this.#readyBytes += stop - start;
      }
      const consumed = (out[1] as number) - input.offset;
      input.buffered -= consumed;
      input.advance(first, consumed);
      this.#stop(message);
      return;
    }
    // The header straddles chunks: check a 6-byte copy of it, then collect the PDU by #take.
    const message = this.#binding.framePdus(
      this.#peek(PDU_HEADER_LENGTH),
      0,
      this.#associateLimit,
      this.#pdataLimit,
      out,
    );
    if (out[4] === 1) this.#pending = { pduType: out[5] as number, total: PDU_HEADER_LENGTH };
    else this.#stop(message);
  }

  #stop(message: string | undefined): void {
    const out = frameOut;
    if (out[0] === STATUS_PARTIAL) this.#pending = { pduType: out[2] as number, total: out[3] as number };
    else if (out[0] === STATUS_ERROR)
      this.#deferred = new NativePduDecodeError(message ?? '', out[2] as number);
  }

  /** The first `n` buffered bytes, copied (only used for a header spread over chunks). */
  #peek(n: number): Uint8Array {
    const out = new Uint8Array(n);
    const input = this.#in;
    let filled = 0;
    for (let i = input.head, offset = input.offset; filled < n; i++, offset = 0) {
      const chunk = input.chunks[i];
      if (chunk === undefined) break;
      const part = chunk.subarray(offset, offset + (n - filled));
      out.set(part, filled);
      filled += part.length;
    }
    return out;
  }

  /** Consume `n` buffered bytes: a view if in one chunk, else one copy. */
  #take(n: number): Uint8Array {
    const input = this.#in;
    input.buffered -= n;
    const first = input.first();
    if (first !== undefined && first.length - input.offset >= n) {
      const out = first.subarray(input.offset, input.offset + n);
      input.advance(first, n);
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = input.first();
      if (chunk === undefined) throw new Error('framer invariant: buffered bytes missing');
      const part = chunk.subarray(input.offset, input.offset + (n - filled));
      out.set(part, filled);
      filled += part.length;
      input.advance(chunk, part.length);
    }
    return out;
  }
}

/** src/framer.cc frameChunk: the PDVs of the PDU at the stop offset are malformed. */
const STATUS_PDV_ERROR = 3;

/** frameChunk of src/framer.cc (declared here until lib/native.ts lists it; optional: older addons lack it). */
type FrameChunk = (
  bytes: Uint8Array,
  offset: number,
  associateLimit: number,
  pdataLimit: number,
  out: Float64Array,
) => string | undefined;

function frameChunkBinding(): FrameChunk | undefined {
  return (nativeBinding() as { frameChunk?: FrameChunk } | undefined)?.frameChunk;
}

/** True when the addon frames a whole read and splits its PDVs in one call (NativePduStream). */
export function nativeChunkFramingAvailable(): boolean {
  return frameChunkBinding() !== undefined;
}

/**
 * One framed PDU of a NativePduStream, as views of the chunks it arrived in (`parts`, one when
 * it lay inside one chunk; `length` its size, header included). For a P-DATA-TF inside one chunk
 * the addon also split its PDVs: `pdvs` holds them, or `pdvError` says why they could not be
 * split (the error decodePDataPdvs of @hnvue/net throws); for one spread over chunks both are
 * absent and the caller splits the parts.
 */
export interface NativeFramedPdu {
  readonly pduType: number;
  readonly parts: readonly Uint8Array[];
  readonly length: number;
  readonly pdvs?: readonly NativePdv[];
  readonly pdvError?: NativePduDecodeError;
}

interface StreamPending {
  readonly pduType: number;
  readonly total: number;
  readonly parts: Uint8Array[];
  have: number;
}

/**
 * The native PDU path of @hnvue/net's upper layer (native/README.md, "PDU framing"): `framer.nextParts()` plus
 * `decodePDataPdvParts` with one addon call per socket read instead of work per PDU. Same limits,
 * same errors (a bad header is thrown after every PDU before it, then on every call until
 * `reset()`), same `bufferedBytes`; nothing is copied but the < 6 bytes of a header cut by a read.
 * Results are turned into objects right after each call, so streams never share addon output.
 */
export class NativePduStream {
  readonly #frameChunk: FrameChunk;
  readonly #pdataLimit: number;
  readonly #associateLimit: number;
  #out = new Float64Array(4096);
  /** Framing resumes at its `offset`; its `buffered` counts bytes not yet returned by `next()`. */
  readonly #in = new ChunkQueue();
  readonly #ready = new Fifo<NativeFramedPdu>();
  /** The first bytes of a header cut by a read (fewer than 6). */
  #headerTail: Uint8Array | undefined;
  #pending: StreamPending | undefined;
  #deferred: NativePduDecodeError | undefined;
  #error: NativePduDecodeError | undefined;

  /** Throws CodecError HNV_ERR_CODEC_UNAVAILABLE when the addon lacks frameChunk. */
  constructor(options: NativePduFramerOptions) {
    const frameChunk = frameChunkBinding();
    if (frameChunk === undefined) {
      throw new CodecError(CODEC_ERROR_CODES.unavailable, 'native chunk framing is not available', {
        hint: NATIVE_FIX_HINT,
      });
    }
    this.#frameChunk = frameChunk;
    const limits = framerLimits(options);
    this.#pdataLimit = limits.pdataLimit;
    this.#associateLimit = limits.associateLimit;
  }

  /** Bytes pushed and not yet returned by `next()`. */
  get bufferedBytes(): number {
    return this.#in.buffered;
  }

  /** Append bytes received from the peer; the stream keeps the chunk and never writes to it. */
  push(chunk: Uint8Array): void {
    this.#in.push(chunk);
  }

  reset(): void {
    this.#in.clear();
    this.#ready.clear();
    this.#headerTail = undefined;
    this.#pending = undefined;
    this.#deferred = undefined;
    this.#error = undefined;
  }

  /** The next complete PDU, or undefined when more bytes are needed. */
  next(): NativeFramedPdu | undefined {
    for (;;) {
      if (this.#error !== undefined) throw this.#error;
      const ready = this.#ready.shift();
      if (ready !== undefined) {
        this.#in.buffered -= ready.length;
        return ready;
      }
      if (this.#deferred !== undefined) {
        this.#error = this.#deferred;
        throw this.#error;
      }
      const chunk = this.#in.first();
      if (chunk === undefined) return undefined;
      this.#consume(chunk);
    }
  }

  /** Takes what the head chunk holds from its offset: completes a pending PDU, then one addon call. */
  #consume(chunk: Uint8Array): void {
    let pos = this.#in.offset;
    const tail = this.#headerTail;
    if (tail !== undefined) {
      const need = PDU_HEADER_LENGTH - tail.length;
      if (chunk.length - pos < need) {
        const longer = new Uint8Array(tail.length + chunk.length - pos);
        longer.set(tail);
        longer.set(chunk.subarray(pos), tail.length);
        this.#headerTail = longer;
        this.#in.nextChunk();
        return;
      }
      const header = new Uint8Array(PDU_HEADER_LENGTH);
      header.set(tail);
      header.set(chunk.subarray(pos, pos + need), tail.length);
      this.#headerTail = undefined;
      const out = this.#out;
      const message = this.#frameChunk(header, 0, this.#associateLimit, this.#pdataLimit, out);
      if (out[4] === 1) {
        // A PDU of header only (PS3.8 allows a 0-length P-DATA-TF): complete with the cut header.
        this.#ready.push({
          pduType: out[5] as number,
          parts: [tail, chunk.subarray(pos, pos + need)],
          length: 6,
        });
        this.#in.offset = pos + need;
        return;
      }
      if (out[0] === STATUS_ERROR) {
        this.#deferred = new NativePduDecodeError(message ?? '', out[2] as number);
        return;
      }
      this.#pending = {
        pduType: out[2] as number,
        total: out[3] as number,
        parts: [tail],
        have: tail.length,
      };
    }
    const pending = this.#pending;
    if (pending !== undefined) {
      const take = Math.min(pending.total - pending.have, chunk.length - pos);
      pending.parts.push(chunk.subarray(pos, pos + take));
      pending.have += take;
      pos += take;
      if (pending.have === pending.total) {
        this.#pending = undefined;
        this.#ready.push({ pduType: pending.pduType, parts: pending.parts, length: pending.total });
      }
      if (pos === chunk.length) this.#in.nextChunk();
      else this.#in.offset = pos;
      return;
    }
    if (chunk.length - pos < PDU_HEADER_LENGTH) {
      this.#headerTail = chunk.slice(pos);
      this.#in.nextChunk();
      return;
    }
    this.#frame(chunk, pos);
  }

  /** One addon call over `chunk` from `pos`; its PDUs (and their PDVs) become #ready. */
  #frame(chunk: Uint8Array, pos: number): void {
    let out = this.#out;
    let message = this.#frameChunk(chunk, pos, this.#associateLimit, this.#pdataLimit, out);
    if (out[4] === 0 && out[0] === 0 && (out[3] as number) > out.length) {
      // One PDU with more PDVs than the array holds: grow it to that PDU's worst case and retry.
      this.#out = out = new Float64Array(out[3] as number);
      message = this.#frameChunk(chunk, pos, this.#associateLimit, this.#pdataLimit, out);
    }
    const count = out[4] as number;
    for (let i = 0, at = 5; i < count; i++) {
      const start = out[at + 1] as number;
      const end = out[at + 2] as number;
      const bytes = chunk.subarray(start, end);
      const pduType = out[at] as number;
      const n = out[at + 3] as number;
      at += 4;
      if (pduType !== 0x04) {
        this.#ready.push({ pduType, parts: [bytes], length: end - start });
        continue;
      }
      const pdvs: NativePdv[] = [];
      for (let k = 0; k < n; k++, at += 4) {
        const control = out[at + 1] as number;
        pdvs.push({
          contextId: out[at] as number,
          // PS3.8 E.2 message control header bits.
          isCommand: (control & 0x01) !== 0,
          isLast: (control & 0x02) !== 0,
          data: chunk.subarray(out[at + 2] as number, out[at + 3] as number),
        });
      }
      this.#ready.push({ pduType, parts: [bytes], length: end - start, pdvs });
    }
    let next = out[1] as number;
    const status = out[0] as number;
    if (status === STATUS_PDV_ERROR) {
      // The PDU is framed (consumed, as net's nextParts does) but its PDVs are not usable.
      const total = PDU_HEADER_LENGTH + readLength(chunk, next);
      this.#ready.push({
        pduType: 0x04,
        parts: [chunk.subarray(next, next + total)],
        length: total,
        pdvError: new NativePduDecodeError(message ?? '', out[2] as number),
      });
      next += total;
    } else if (status === STATUS_ERROR) {
      this.#deferred = new NativePduDecodeError(message ?? '', out[2] as number);
      this.#in.offset = next;
      return;
    } else if (status === STATUS_PARTIAL) {
      const total = out[3] as number;
      this.#pending = {
        pduType: out[2] as number,
        total,
        parts: [chunk.subarray(next)],
        have: chunk.length - next,
      };
      this.#in.nextChunk();
      return;
    }
    if (next === chunk.length) this.#in.nextChunk();
    else this.#in.offset = next;
  }
}

/** PS3.8 9.3.1: the 32-bit big-endian PDU length at bytes 2-5 of a header. */
function readLength(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at + 2] as number) * 0x1000000 +
      (((bytes[at + 3] as number) << 16) | ((bytes[at + 4] as number) << 8) | (bytes[at + 5] as number))) >>>
    0
  );
}

/** One PDV of a P-DATA-TF; `data` is a view into the PDU (Pdv of @hnvue/net). */
export interface NativePdv {
  readonly contextId: number;
  readonly isCommand: boolean;
  readonly isLast: boolean;
  readonly data: Uint8Array;
}

/**
 * decodePDataPdvs of @hnvue/net on the addon: the PDVs of one complete P-DATA-TF (header
 * included), as views. Throws NativePduDecodeError with the same message and reason.
 */
export function nativeDecodePDataPdvs(bytes: Uint8Array): NativePdv[] {
  const binding = requireBinding();
  let r = binding.splitPdvs(bytes, splitOut);
  if (r === -1) {
    // More PDVs than the shared array holds: every PDV takes at least 6 bytes (PS3.8 9.3.5.1).
    splitOut = new Float64Array(4 * Math.ceil(bytes.length / PDV_ITEM_OVERHEAD));
    r = binding.splitPdvs(bytes, splitOut);
  }
  const out = splitOut;
  if (typeof r === 'string') throw new NativePduDecodeError(r, out[0] as number);
  const pdvs: NativePdv[] = [];
  for (let i = 0, end = 4 * r; i < end; i += 4) {
    const control = out[i + 1] as number;
    pdvs.push({
      contextId: out[i] as number,
      // PS3.8 E.2 message control header bits.
      isCommand: (control & 0x01) !== 0,
      isLast: (control & 0x02) !== 0,
      data: bytes.subarray(out[i + 2] as number, out[i + 3] as number),
    });
  }
  return pdvs;
}

export interface NativePDataOptions {
  /** Presentation context ID (odd, 1…255). */
  readonly contextId: number;
  readonly isCommand: boolean;
  /** The whole command set or data set. Sliced, never copied. */
  readonly value: Uint8Array;
  /** The peer's Maximum Length Received (PS3.8 D.1); 0 = unlimited. */
  readonly peerMaxPduLength: number;
  /** Upper bound on a PDU's length whatever the peer allows. Default 1 MiB (as fragmentMessage). */
  readonly pduLengthCeiling?: number;
}

/**
 * The P-DATA-TF PDUs carrying `value`, one PDV per PDU, each as `[header, valueSlice]` ready for
 * writev: the framing fragmentMessage of @hnvue/net produces for a value given in one chunk
 * (even fragments of the largest size the peer allows, PS3.8 E.1; an empty value is one empty
 * last PDV). Headers come from one addon call into one buffer.
 */
export function nativePDataPdus(options: NativePDataOptions): Uint8Array[][] {
  const { contextId, isCommand, value, peerMaxPduLength } = options;
  const ceiling = options.pduLengthCeiling ?? 1024 * 1024;
  if (!Number.isInteger(peerMaxPduLength) || peerMaxPduLength < 0 || peerMaxPduLength > 0xffff_ffff) {
    throw new RangeError(`peer maximum PDU length must be an integer 0…2^32-1, got ${peerMaxPduLength}`);
  }
  const minimum = PDV_ITEM_OVERHEAD + 2;
  if (
    (peerMaxPduLength !== 0 && peerMaxPduLength < minimum) ||
    !Number.isInteger(ceiling) ||
    ceiling < minimum
  ) {
    throw new RangeError(`PDU length limits must leave room for a PDV (minimum ${minimum})`);
  }
  const maxLength = peerMaxPduLength === 0 ? ceiling : Math.min(ceiling, peerMaxPduLength);
  const fragment = (maxLength - PDV_ITEM_OVERHEAD) & ~1;
  const headers = requireBinding().buildPDataHeaders(contextId, isCommand, value.length, fragment);
  const pdus: Uint8Array[][] = [];
  for (let i = 0, at = 0; i < headers.length; i += 12, at += fragment) {
    pdus.push([headers.subarray(i, i + 12), value.subarray(at, at + fragment)]);
  }
  return pdus;
}
