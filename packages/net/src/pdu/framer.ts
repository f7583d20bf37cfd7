/**
 * Incremental PDU framing from a byte stream (PS3.8 9.3: a 6-byte header with a 4-byte length).
 * Pure: no socket, no timer; it only holds the chunks it was given until a PDU is complete.
 *
 * - Linear: chunks are collected and each PDU is copied once, when its last byte has arrived (a
 *   PDU lying inside one chunk is not copied at all), never re-concatenated per read.
 * - The length is checked on the header, before anything is allocated: a peer declaring 4 GB is
 *   refused at its sixth byte.
 * - Ownership: `push` takes the chunk; the caller must not write to it afterwards (Node's socket
 *   'data' buffers are fresh per read, so they qualify; a reused `onread` buffer must be copied).
 *   The framer never writes to a chunk or to a returned PDU, so `RawPdu.bytes` (a fresh copy or a
 *   view into a pushed chunk) stays valid for as long as the caller keeps it.
 */
import { PduDecodeError } from '../errors.js';
import { PDU_HEADER_LENGTH } from './pdata.js';
import { ABORT_REASON } from './types.js';

/** One framed PDU. `bytes` is the whole PDU, header included; see the module comment on ownership. */
export interface RawPdu {
  readonly pduType: number;
  readonly bytes: Uint8Array;
}

/**
 * One framed PDU as views of the chunks it arrived in, in order (one part when it lay inside one
 * chunk): nothing is copied. `length` is the PDU's size, header included.
 */
export interface RawPduParts {
  readonly pduType: number;
  readonly parts: readonly Uint8Array[];
  readonly length: number;
}

export interface PduFramer {
  /** Append bytes received from the peer. Empty chunks are ignored. */
  push(chunk: Uint8Array): void;
  /**
   * The next complete PDU, or undefined when more bytes are needed. Throws PduDecodeError on an
   * unknown PDU type (reason 1) or a length over its limit (reason 6); after a throw the stream is
   * unusable and every call throws the same error until `reset()`.
   */
  next(): RawPdu | undefined;
  /**
   * As `next()`, but a PDU spread over chunks comes as views of them instead of one copy: a
   * 128 KiB PDU in 64 KiB socket reads is then neither allocated nor copied.
   */
  nextParts(): RawPduParts | undefined;
  /** Bytes pushed and not yet returned by `next()`. */
  readonly bufferedBytes: number;
  /** Forget every buffered byte and any error (for a new connection). */
  reset(): void;
}

export interface PduFramerOptions {
  /**
   * Our advertised Maximum Length Received (PS3.8 D.1): the largest P-DATA-TF variable field we
   * accept. 0 means "no limit" on the wire; `hardMaxPduLength` still applies.
   */
  readonly maxPduLength: number;
  /** Largest A-ASSOCIATE-RQ/AC body accepted. Default DEFAULT_MAX_ASSOCIATE_PDU_LENGTH (1 MiB). */
  readonly maxAssociatePduLength?: number;
  /** Ceiling for every PDU whatever was negotiated. Default DEFAULT_HARD_MAX_PDU_LENGTH (64 MiB). */
  readonly hardMaxPduLength?: number;
  /**
   * Bytes a P-DATA-TF may exceed `maxPduLength` by and still be accepted. Some peers ignore the
   * limit they were told (fo-dicom #1084); accepting a little more costs only bounded memory.
   * Default DEFAULT_PDATA_LENIENCY_BYTES (64 KiB); 0 makes the framer strict.
   */
  readonly leniencyBytes?: number;
}

/** An association request with hundreds of presentation contexts stays far below this. */
export const DEFAULT_MAX_ASSOCIATE_PDU_LENGTH: number = 1024 * 1024;
/** dcm4che caps at 16 MiB; 64 MiB leaves room for peers that negotiate 0 (no limit). */
export const DEFAULT_HARD_MAX_PDU_LENGTH: number = 64 * 1024 * 1024;
export const DEFAULT_PDATA_LENIENCY_BYTES: number = 64 * 1024;

/** PS3.8 Table 9-21, 9-24, 9-25, 9-26: these PDUs always carry exactly 4 bytes. */
const FIXED_BODY_LENGTH = 4;

export function createPduFramer(options: PduFramerOptions): PduFramer {
  return new Framer(options);
}

interface Pending {
  readonly pduType: number;
  readonly total: number;
}

class Framer implements PduFramer {
  readonly #pdataLimit: number;
  readonly #associateLimit: number;
  #chunks: Uint8Array[] = [];
  /** Index of the first chunk still holding unread bytes, and the read offset inside it. */
  #head = 0;
  #offset = 0;
  #buffered = 0;
  #pending: Pending | undefined;
  #error: PduDecodeError | undefined;

  constructor(options: PduFramerOptions) {
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
    this.#pdataLimit = options.maxPduLength === 0 ? hard : Math.min(hard, options.maxPduLength + leniency);
    this.#associateLimit = Math.min(hard, options.maxAssociatePduLength ?? DEFAULT_MAX_ASSOCIATE_PDU_LENGTH);
  }

  get bufferedBytes(): number {
    return this.#buffered;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
  }

  reset(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#offset = 0;
    this.#buffered = 0;
    this.#pending = undefined;
    this.#error = undefined;
  }

  next(): RawPdu | undefined {
    const pending = this.#complete();
    if (pending === undefined) return undefined;
    return { pduType: pending.pduType, bytes: this.#take(pending.total) };
  }

  nextParts(): RawPduParts | undefined {
    const pending = this.#complete();
    if (pending === undefined) return undefined;
    const { pduType, total } = pending;
    const first = this.#chunks[this.#head];
    if (first !== undefined && first.length - this.#offset >= total)
      return { pduType, parts: [this.#take(total)], length: total };
    this.#buffered -= total;
    const parts: Uint8Array[] = [];
    let left = total;
    while (left > 0) {
      const chunk = this.#chunks[this.#head];
      if (chunk === undefined) throw new Error('framer invariant: buffered bytes missing');
      const part = chunk.subarray(this.#offset, this.#offset + left);
      parts.push(part);
      left -= part.length;
      this.#advance(chunk, part.length);
    }
    return { pduType, parts, length: total };
  }

  /** The header of the next PDU once all its bytes are buffered (consumed from `#pending`). */
  #complete(): Pending | undefined {
    if (this.#error !== undefined) throw this.#error;
    if (this.#pending === undefined) {
      if (this.#buffered < PDU_HEADER_LENGTH) return undefined;
      // The header usually lies in the current chunk: read it in place (no view, no DataView).
      const first = this.#chunks[this.#head];
      const inFirst = first !== undefined && first.length - this.#offset >= PDU_HEADER_LENGTH;
      const header = inFirst ? first : this.#peek(PDU_HEADER_LENGTH);
      const at = inFirst ? this.#offset : 0;
      // PS3.8 9.3.1: PDU type, reserved, then a 32-bit big-endian length.
      const length =
        ((header[at + 2] as number) * 0x1000000 +
          (((header[at + 3] as number) << 16) |
            ((header[at + 4] as number) << 8) |
            (header[at + 5] as number))) >>>
        0;
      const pduType = header[at] ?? 0;
      const error = this.#check(pduType, length);
      if (error !== undefined) {
        this.#error = error;
        throw error;
      }
      this.#pending = { pduType, total: PDU_HEADER_LENGTH + length };
    }
    const pending = this.#pending;
    if (this.#buffered < pending.total) return undefined;
    this.#pending = undefined;
    return pending;
  }

  #check(pduType: number, length: number): PduDecodeError | undefined {
    const invalid = ABORT_REASON.invalidPduParameterValue;
    switch (pduType) {
      case 0x01:
      case 0x02:
        return length > this.#associateLimit
          ? new PduDecodeError(
              `A-ASSOCIATE PDU of ${length} bytes exceeds the ${this.#associateLimit}-byte limit`,
              invalid,
            )
          : undefined;
      case 0x04:
        return length > this.#pdataLimit
          ? new PduDecodeError(
              `P-DATA-TF of ${length} bytes exceeds the ${this.#pdataLimit}-byte limit`,
              invalid,
            )
          : undefined;
      case 0x03:
      case 0x05:
      case 0x06:
      case 0x07:
        return length !== FIXED_BODY_LENGTH
          ? new PduDecodeError(
              `PDU type 0x0${pduType} with length ${length}, expected ${FIXED_BODY_LENGTH}`,
              invalid,
            )
          : undefined;
      default:
        return new PduDecodeError(
          `unrecognized PDU type 0x${pduType.toString(16).padStart(2, '0')}`,
          ABORT_REASON.unrecognizedPdu,
        );
    }
  }

  /** The first `n` buffered bytes without consuming them (n is small: the header). */
  #peek(n: number): Uint8Array {
    const first = this.#chunks[this.#head];
    if (first !== undefined && first.length - this.#offset >= n)
      return first.subarray(this.#offset, this.#offset + n);
    const out = new Uint8Array(n);
    let filled = 0;
    for (let i = this.#head, offset = this.#offset; filled < n; i++, offset = 0) {
      const chunk = this.#chunks[i];
      if (chunk === undefined) break;
      const part = chunk.subarray(offset, offset + (n - filled));
      out.set(part, filled);
      filled += part.length;
    }
    return out;
  }

  /** Consume `n` buffered bytes (the caller checked they are there): a view if in one chunk, else one copy. */
  #take(n: number): Uint8Array {
    this.#buffered -= n;
    const first = this.#chunks[this.#head];
    if (first !== undefined && first.length - this.#offset >= n) {
      const out = first.subarray(this.#offset, this.#offset + n);
      this.#advance(first, n);
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[this.#head];
      if (chunk === undefined) throw new Error('framer invariant: buffered bytes missing');
      const part = chunk.subarray(this.#offset, this.#offset + (n - filled));
      out.set(part, filled);
      filled += part.length;
      this.#advance(chunk, part.length);
    }
    return out;
  }

  #advance(chunk: Uint8Array, n: number): void {
    this.#offset += n;
    if (this.#offset < chunk.length) return;
    this.#offset = 0;
    this.#head++;
    // Drop consumed chunks in one splice once they make up half the array: amortized O(1) per chunk.
    if (this.#head >= this.#chunks.length) {
      this.#chunks = [];
      this.#head = 0;
    } else if (this.#head > 64 && this.#head * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }
}
