/**
 * Fragmentation of one DIMSE message into P-DATA-TF PDUs (PS3.8 Annex E, PS3.8 9.3.5, D.1).
 *
 * Rules followed (PS3.8 E.1): every fragment of a message uses the message's presentation
 * context; each PDV holds one fragment; the PDVs of one PDU belong to one message; every fragment
 * but a data set's odd-sized tail has an even length; PDU lengths never exceed the peer's
 * Maximum Length Received (D.1, 0 = unlimited). Interop options: one PDV per
 * PDU (fo-dicom #502) and command and data set in separate PDUs (fo-dicom #1960), which is the
 * default and also what DCMTK 3.6.7 sends (fixtures/dcmtk-c-store-rq.hex).
 *
 * Memory: the data set is read chunk by chunk from the source and at most about one PDU of it
 * is held at a time. Large chunks are sliced (subarray) into PDV values, never copied; only runs
 * of small chunks (below `coalesceBelow`) are copied together into one buffer, so that a source
 * of tiny chunks does not become thousands of writev entries. A PDV value may be several
 * buffers: each yielded item is the buffer list of ONE PDU, ready for `writev` / cork+write.
 * The yielded buffers are never touched again by this module.
 */
import { maxPdvValueLength, PDV_ITEM_OVERHEAD, singlePdvHeader } from '../pdu/pdata.js';
import { commandHasDataset, decodeCommand } from './command.js';
import { DimseEncodeError } from './errors.js';

/** Used when the peer sets no maximum (0) and as an upper bound on what we put in one PDU. */
export const DEFAULT_PDU_LENGTH_CEILING: number = 1024 * 1024;
/** Chunks below this size are copied together instead of being referenced one by one. */
export const DEFAULT_COALESCE_BELOW: number = 4096;
/**
 * Set on every PDU array yielded by fragmentMessage: how many data set bytes the message has put
 * on the wire once this PDU is written (0 for a command-only PDU). A sender that learns when the
 * transport has taken a PDU (a socket write callback) can tell its data set source which bytes
 * it may reuse: see DATASET_FLUSHED.
 */
export const PDU_DATASET_END: unique symbol = Symbol('hnvue.pduDatasetEnd');
/**
 * An optional function on a data set source (the iterable handed to fragmentMessage): called
 * with the number of data set bytes the transport has finished writing, in increasing order.
 * A source that reads into reused buffers recycles a buffer only once all of it is written.
 */
export const DATASET_FLUSHED: unique symbol = Symbol('hnvue.datasetFlushed');

/** A yielded PDU: its buffers, and the data set bytes written once it is. */
export type MarkedPdu = Uint8Array[] & { [PDU_DATASET_END]?: number };

/** Smallest usable peer maximum: 6 bytes of PDV item header plus an even 2-byte fragment. */
export const MIN_PEER_MAX_PDU_LENGTH: number = PDV_ITEM_OVERHEAD + 2;

export interface FragmentOptions {
  /** Presentation context ID of the message (odd, 1…255). */
  readonly contextId: number;
  /** The encoded command set (encodeCommand). Its Command Data Set Type must match `dataset`. */
  readonly command: Uint8Array;
  /** The data set bytes, in order; a Node Readable works. Omit when the command has no data set. */
  readonly dataset?: AsyncIterable<Uint8Array> | Iterable<Uint8Array> | undefined;
  /** The peer's Maximum Length Received (PS3.8 D.1); 0 means unlimited. */
  readonly peerMaxPduLength: number;
  /** At most this many PDVs in one PDU (fo-dicom #502: some SCPs take only one). Default: no limit. */
  readonly maxPdvsPerPdu?: number | undefined;
  /**
   * Put the command and the data set in separate PDUs (fo-dicom #1960). Default true. When false
   * (and maxPdvsPerPdu allows two), the first data set PDV shares the command's PDU.
   */
  readonly separateCommandAndData?: boolean | undefined;
  /** Upper bound on a PDU's length whatever the peer allows. Default 1 MiB. */
  readonly pduLengthCeiling?: number | undefined;
  /** Chunks smaller than this are merged by copying; larger ones are sliced. Default 4096. */
  readonly coalesceBelow?: number | undefined;
}

interface PdvOut {
  readonly isCommand: boolean;
  readonly isLast: boolean;
  readonly segments: readonly Uint8Array[];
  readonly length: number;
}

/** Collects the PDVs of one PDU within the PDU length limit. */
class PduBuilder {
  readonly #contextId: number;
  readonly #maxLength: number;
  readonly #maxPdvs: number;
  #pdvs: PdvOut[] = [];
  #length = 0;

  constructor(contextId: number, maxLength: number, maxPdvs: number) {
    this.#contextId = contextId;
    this.#maxLength = maxLength;
    this.#maxPdvs = maxPdvs;
  }

  get isEmpty(): boolean {
    return this.#pdvs.length === 0;
  }

  /** Largest even PDV value that still fits in this PDU, or -1 when no further PDV fits. */
  room(): number {
    if (this.#pdvs.length >= this.#maxPdvs) return -1;
    const free = this.#maxLength - this.#length - PDV_ITEM_OVERHEAD;
    return free < 0 ? -1 : free & ~1;
  }

  add(pdv: PdvOut): void {
    this.#pdvs.push(pdv);
    this.#length += PDV_ITEM_OVERHEAD + pdv.length;
  }

  /** The buffers of the PDU built so far (header first), or undefined when empty. */
  take(): Uint8Array[] | undefined {
    const pdvs = this.#pdvs;
    if (pdvs.length === 0) return undefined;
    this.#pdvs = [];
    const length = this.#length;
    this.#length = 0;
    const [only] = pdvs;
    if (pdvs.length === 1 && only !== undefined) {
      return [singlePdvHeader(this.#contextId, only.isCommand, only.isLast, only.length), ...only.segments];
    }
    // PS3.8 Table 9-22: type 04H, reserved, PDU length; then per PDV Table 9-23: item length,
    // context ID, and the message control header (PS3.8 E.2).
    const pduHeader = new Uint8Array(6);
    pduHeader[0] = 0x04;
    new DataView(pduHeader.buffer).setUint32(2, length);
    const out: Uint8Array[] = [pduHeader];
    for (const pdv of pdvs) {
      const header = new Uint8Array(PDV_ITEM_OVERHEAD);
      new DataView(header.buffer).setUint32(0, pdv.length + 2);
      header[4] = this.#contextId;
      header[5] = (pdv.isCommand ? 0x01 : 0) | (pdv.isLast ? 0x02 : 0);
      out.push(header, ...pdv.segments);
    }
    return out;
  }
}

/** FIFO of byte chunks that hands out exact byte counts without copying large chunks. */
class ChunkQueue {
  readonly #coalesceBelow: number;
  /** Consumed entries (before #head) are cleared at once, so a sent chunk is never kept alive. */
  #chunks: (Uint8Array | undefined)[] = [];
  #head = 0;
  #headOffset = 0;
  #available = 0;

  constructor(coalesceBelow: number) {
    this.#coalesceBelow = coalesceBelow;
  }

  get available(): number {
    return this.#available;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#available += chunk.length;
  }

  /** Removes exactly `n` bytes (n <= available) as a list of segments. */
  take(n: number): { segments: Uint8Array[]; length: number } {
    const segments: Uint8Array[] = [];
    let small: Uint8Array[] = [];
    let smallLength = 0;
    const flushSmall = (): void => {
      if (small.length === 1) segments.push(small[0]!);
      else if (small.length > 1) {
        const merged = new Uint8Array(smallLength);
        let offset = 0;
        for (const s of small) {
          merged.set(s, offset);
          offset += s.length;
        }
        segments.push(merged);
      }
      small = [];
      smallLength = 0;
    };
    let need = n;
    while (need > 0) {
      const chunk = this.#chunks[this.#head]!;
      const rest = chunk.length - this.#headOffset;
      const size = Math.min(rest, need);
      const part =
        this.#headOffset === 0 && size === chunk.length
          ? chunk
          : chunk.subarray(this.#headOffset, this.#headOffset + size);
      if (size === rest) {
        // Released now: with 1 MiB file reads, keeping consumed chunks until a later compaction
        // made a 500 MB send peak at 592 MB RSS (measured).
        this.#chunks[this.#head] = undefined;
        this.#head++;
        this.#headOffset = 0;
      } else {
        this.#headOffset += size;
      }
      need -= size;
      if (part.length < this.#coalesceBelow) {
        small.push(part);
        smallLength += part.length;
      } else {
        flushSmall();
        segments.push(part);
      }
    }
    flushSmall();
    this.#available -= n;
    // The cleared slots themselves: dropped when all is consumed, or in batches of 64.
    if (this.#head === this.#chunks.length) {
      this.#chunks.length = 0;
      this.#head = 0;
    } else if (this.#head >= 64) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
    return { segments, length: n };
  }
}

function resolveLimits(options: FragmentOptions): {
  maxLength: number;
  maxPdvs: number;
  coalesceBelow: number;
} {
  const { peerMaxPduLength, contextId } = options;
  const ceiling = options.pduLengthCeiling ?? DEFAULT_PDU_LENGTH_CEILING;
  const maxPdvs = options.maxPdvsPerPdu ?? Number.POSITIVE_INFINITY;
  if (!Number.isInteger(contextId) || contextId < 1 || contextId > 255 || contextId % 2 === 0) {
    throw new DimseEncodeError(`presentation context ID must be an odd integer 1…255, got ${contextId}`);
  }
  if (!Number.isInteger(peerMaxPduLength) || peerMaxPduLength < 0 || peerMaxPduLength > 0xffff_ffff) {
    throw new DimseEncodeError(
      `peer maximum PDU length must be an integer 0…2^32-1, got ${peerMaxPduLength}`,
    );
  }
  if (peerMaxPduLength !== 0 && peerMaxPduLength < MIN_PEER_MAX_PDU_LENGTH) {
    throw new DimseEncodeError(
      `peer maximum PDU length ${peerMaxPduLength} leaves no room for a PDV (minimum ${MIN_PEER_MAX_PDU_LENGTH})`,
    );
  }
  if (!Number.isInteger(ceiling) || ceiling < MIN_PEER_MAX_PDU_LENGTH) {
    throw new DimseEncodeError(`PDU length ceiling must be an integer >= ${MIN_PEER_MAX_PDU_LENGTH}`);
  }
  if (!(maxPdvs >= 1)) throw new DimseEncodeError(`maxPdvsPerPdu must be at least 1, got ${maxPdvs}`);
  // maxPdvValueLength is the single-PDV value room; +6 turns it back into the PDU length limit.
  const maxLength = maxPdvValueLength(peerMaxPduLength, ceiling - PDV_ITEM_OVERHEAD) + PDV_ITEM_OVERHEAD;
  return { maxLength, maxPdvs, coalesceBelow: options.coalesceBelow ?? DEFAULT_COALESCE_BELOW };
}

function* drain(
  pdu: PduBuilder,
  queue: ChunkQueue,
  isCommand: boolean,
  final: boolean,
): Generator<Uint8Array[], void, undefined> {
  for (;;) {
    let room = pdu.room();
    // A fresh PDU always has room for an even fragment of at least 2 bytes (MIN_PEER_MAX_PDU_LENGTH).
    if (room < 2 && !(final && queue.available === 0 && room >= 0)) {
      const full = pdu.take();
      if (full !== undefined) yield full;
      room = pdu.room();
    }
    // Hold back until more than `room` bytes are queued: only then is this fragment not the last.
    if (queue.available > room) {
      pdu.add({ isCommand, isLast: false, ...queue.take(room) });
    } else if (final) {
      pdu.add({ isCommand, isLast: true, ...queue.take(queue.available) });
      return;
    } else {
      return;
    }
  }
}

/**
 * Command Data Set Type of an encoded command set: read in place (the common case), else a full
 * decode, which throws DimseDecodeError for a malformed command set.
 */
function datasetFlag(command: Uint8Array): boolean {
  return commandHasDataset(command) ?? decodeCommand(command).hasDataset;
}

/**
 * True when a command set of `length` bytes goes in one P-DATA-TF for this peer maximum (PS3.8
 * D.1, 0 = unlimited), which is what fragmentCommand would then produce as a single PDU.
 */
export function commandFitsOnePdu(length: number, peerMaxPduLength: number): boolean {
  const maxLength =
    maxPdvValueLength(peerMaxPduLength, DEFAULT_PDU_LENGTH_CEILING - PDV_ITEM_OVERHEAD) + PDV_ITEM_OVERHEAD;
  return length <= ((maxLength - PDV_ITEM_OVERHEAD) & ~1);
}

/**
 * A command set that fits one PDU (always, with any usable peer maximum: command sets are ~100
 * bytes) as that PDU's buffers, without going through the PDV builder: what `drain` would yield.
 */
function singleCommandPdu(
  contextId: number,
  command: Uint8Array,
  maxLength: number,
): Uint8Array[] | undefined {
  if (command.length > ((maxLength - PDV_ITEM_OVERHEAD) & ~1)) return undefined;
  return [singlePdvHeader(contextId, true, true, command.length), command];
}

/**
 * The P-DATA-TF PDUs of one DIMSE message, each as the list of its buffers (header first).
 * The data set source is pulled only as fast as the consumer pulls PDUs: a driver that awaits
 * each socket write before asking for the next PDU gets back-pressure for free. Stopping early
 * (`return()` on the iterator, or `break` in for-await) closes the source.
 *
 * An empty data set (a source that yields no bytes) is sent as one zero-length last data PDV:
 * Command Data Set Type already promised a data set, so the peer needs its last fragment; PS3.8
 * 9.3.5.1 puts no lower bound on a PDV value.
 */
export async function* fragmentMessage(
  options: FragmentOptions,
): AsyncGenerator<Uint8Array[], void, undefined> {
  const { maxLength, maxPdvs, coalesceBelow } = resolveLimits(options);
  const hasDataset = options.dataset !== undefined;
  // A mismatch would leave the peer waiting forever.
  if (datasetFlag(options.command) !== hasDataset) {
    throw new DimseEncodeError(
      hasDataset
        ? 'a data set was given but the command says no data set follows (0000,0800 = 0101H)'
        : 'the command announces a data set but none was given',
    );
  }
  const pdu = new PduBuilder(options.contextId, maxLength, maxPdvs);

  const separate = !hasDataset || options.separateCommandAndData !== false;
  const single = separate ? singleCommandPdu(options.contextId, options.command, maxLength) : undefined;
  if (single !== undefined) {
    yield single;
  } else {
    const commandQueue = new ChunkQueue(0);
    commandQueue.push(options.command);
    yield* drain(pdu, commandQueue, true, true);
    if (separate) {
      const commandPdu = pdu.take();
      if (commandPdu !== undefined) yield commandPdu;
    }
  }
  if (options.dataset === undefined) return;

  const queue = new ChunkQueue(coalesceBelow);
  // Every byte taken from the queue is in a PDU yielded so far (drain yields right after take()).
  let pushed = 0;
  for await (const chunk of options.dataset) {
    if (!(chunk instanceof Uint8Array)) {
      throw new DimseEncodeError(`data set source yielded ${typeof chunk}, expected Uint8Array chunks`);
    }
    queue.push(chunk);
    pushed += chunk.length;
    for (const out of drain(pdu, queue, false, false)) {
      (out as MarkedPdu)[PDU_DATASET_END] = pushed - queue.available;
      yield out;
    }
  }
  for (const out of drain(pdu, queue, false, true)) {
    (out as MarkedPdu)[PDU_DATASET_END] = pushed - queue.available;
    yield out;
  }
  const last = pdu.take();
  if (last !== undefined) {
    (last as MarkedPdu)[PDU_DATASET_END] = pushed;
    yield last;
  }
}

/**
 * The PDUs of a message without a data set (C-ECHO, responses, N-* without attributes),
 * synchronously. Same framing as fragmentMessage.
 */
export function fragmentCommand(options: Omit<FragmentOptions, 'dataset' | 'coalesceBelow'>): Uint8Array[][] {
  const { maxLength, maxPdvs } = resolveLimits(options);
  if (datasetFlag(options.command)) {
    throw new DimseEncodeError('the command announces a data set; use fragmentMessage');
  }
  const single = singleCommandPdu(options.contextId, options.command, maxLength);
  if (single !== undefined) return [single];
  const pdu = new PduBuilder(options.contextId, maxLength, maxPdvs);
  const queue = new ChunkQueue(0);
  queue.push(options.command);
  const out = [...drain(pdu, queue, true, true)];
  const last = pdu.take();
  if (last !== undefined) out.push(last);
  return out;
}

/** Total byte length of one yielded PDU (handy for metrics and tests). */
export function pduByteLength(buffers: readonly Uint8Array[]): number {
  let n = 0;
  for (const b of buffers) n += b.length;
  return n;
}
