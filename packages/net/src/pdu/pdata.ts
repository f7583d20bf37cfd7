/**
 * P-DATA-TF framing helpers shared by the codec and the DIMSE fragmenter (PS3.8 9.3.5).
 * Pure: bytes in, bytes out. The header is built separately from the PDV value so that a
 * writer can hand `[header, value]` to `writev` without copying the value.
 */
import { PduDecodeError } from '../errors.js';
import { checkContextId, PduEncodeError } from './encode-error.js';
import { ABORT_REASON, type Pdv } from './types.js';

/** PDU type (1) + reserved (1) + PDU length (4): PS3.8 Table 9-11 and following. */
export const PDU_HEADER_LENGTH: number = 6;

/** 6-byte PDU header + 4-byte PDV item length + 1-byte context ID + 1-byte message control header. */
export const PDATA_SINGLE_PDV_HEADER_LENGTH = 12;

/** Per-PDV overhead inside a P-DATA-TF: item length (4) + context ID (1) + control header (1). */
export const PDV_ITEM_OVERHEAD = 6;

/** PS3.8 E.2 message control header bits. */
export function messageControlHeader(isCommand: boolean, isLast: boolean): number {
  return (isCommand ? 0x01 : 0) | (isLast ? 0x02 : 0);
}

/**
 * The 12 bytes that precede `valueLength` bytes of one PDV in a P-DATA-TF holding exactly that PDV.
 * The caller guarantees `valueLength + 6 <= peer max PDU length` (0 = unlimited).
 */
export function singlePdvHeader(
  contextId: number,
  isCommand: boolean,
  isLast: boolean,
  valueLength: number,
): Uint8Array {
  const header = new Uint8Array(PDATA_SINGLE_PDV_HEADER_LENGTH);
  writeSinglePdvHeader(header, contextId, isCommand, isLast, valueLength);
  return header;
}

/** singlePdvHeader written into the first 12 bytes of `out` (which must be zeroed there). */
export function writeSinglePdvHeader(
  out: Uint8Array,
  contextId: number,
  isCommand: boolean,
  isLast: boolean,
  valueLength: number,
): void {
  const pduLength = valueLength + PDV_ITEM_OVERHEAD;
  const itemLength = valueLength + 2;
  // PS3.8 Table 9-22 and 9-23: lengths are big endian.
  out[0] = 0x04;
  out[2] = pduLength >>> 24;
  out[3] = (pduLength >>> 16) & 0xff;
  out[4] = (pduLength >>> 8) & 0xff;
  out[5] = pduLength & 0xff;
  out[6] = itemLength >>> 24;
  out[7] = (itemLength >>> 16) & 0xff;
  out[8] = (itemLength >>> 8) & 0xff;
  out[9] = itemLength & 0xff;
  out[10] = contextId;
  out[11] = messageControlHeader(isCommand, isLast);
}

/** Largest PDV value that fits in one P-DATA-TF with one PDV for a peer max length (0 = unlimited). */
export function maxPdvValueLength(peerMaxPduLength: number, ceiling = 0x7fff_fff0): number {
  if (peerMaxPduLength === 0) return ceiling;
  return Math.min(ceiling, peerMaxPduLength - PDV_ITEM_OVERHEAD);
}

/**
 * The PDVs of one complete P-DATA-TF (`bytes` holds the whole PDU, header included), as views into
 * `bytes`: no PDV value is copied. Each `data` stays valid as long as `bytes` is not written to;
 * the framer never writes to a PDU it returned, so a PDV from a framed PDU may be kept.
 * Odd-length PDVs are accepted (PS3.8 does not forbid them; fo-dicom #284 met them in the wild).
 */
export function decodePDataPdvs(bytes: Uint8Array): Pdv[] {
  if (bytes.length < PDU_HEADER_LENGTH || bytes[0] !== 0x04) {
    throw new PduDecodeError('not a P-DATA-TF PDU', ABORT_REASON.unexpectedPdu);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pduLength = view.getUint32(2);
  if (pduLength !== bytes.length - PDU_HEADER_LENGTH) {
    throw new PduDecodeError(
      `P-DATA-TF length ${pduLength} does not match the ${bytes.length - PDU_HEADER_LENGTH} bytes given`,
      ABORT_REASON.invalidPduParameterValue,
    );
  }
  const pdvs: Pdv[] = [];
  let offset = PDU_HEADER_LENGTH;
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length) {
      throw new PduDecodeError('truncated PDV item length', ABORT_REASON.invalidPduParameterValue);
    }
    const itemLength = view.getUint32(offset);
    // PS3.8 9.3.5.1: the item length covers the context ID and the message control header.
    if (itemLength < 2) {
      throw new PduDecodeError(
        `PDV item length ${itemLength} is below 2`,
        ABORT_REASON.invalidPduParameterValue,
      );
    }
    const end = offset + 4 + itemLength;
    if (end > bytes.length) {
      throw new PduDecodeError(
        `PDV item of ${itemLength} bytes overruns the P-DATA-TF`,
        ABORT_REASON.invalidPduParameterValue,
      );
    }
    const contextId = bytes[offset + 4] ?? 0;
    if (contextId % 2 === 0) {
      // PS3.8 9.3.2.2: presentation context IDs are odd integers 1-255.
      throw new PduDecodeError(
        `PDV presentation context ID ${contextId} is not odd`,
        ABORT_REASON.invalidPduParameterValue,
      );
    }
    const control = bytes[offset + 5] ?? 0;
    pdvs.push({
      contextId,
      isCommand: (control & 0x01) !== 0,
      isLast: (control & 0x02) !== 0,
      data: bytes.subarray(offset + 6, end),
    });
    offset = end;
  }
  return pdvs;
}

/**
 * decodePDataPdvs for a PDU given as consecutive views (framer `nextParts()`), with the same checks
 * in the same order and the same errors, all made before any PDV is returned. A PDV whose value
 * crosses a part boundary comes back as one Pdv per part, in order, with `isLast` only on the
 * final one: PS3.8 E.2 lets a message fragment at any PDV boundary, so the DIMSE assembler reads
 * them as the one PDV they were, and no value byte is copied.
 */
export function decodePDataPdvParts(parts: readonly Uint8Array[], length: number): Pdv[] {
  if (parts.length === 1) return decodePDataPdvs(parts[0]!);
  const reader = new PartsReader(parts);
  if (length < PDU_HEADER_LENGTH || reader.byte(0) !== 0x04) {
    throw new PduDecodeError('not a P-DATA-TF PDU', ABORT_REASON.unexpectedPdu);
  }
  const pduLength = reader.uint32(2);
  if (pduLength !== length - PDU_HEADER_LENGTH) {
    throw new PduDecodeError(
      `P-DATA-TF length ${pduLength} does not match the ${length - PDU_HEADER_LENGTH} bytes given`,
      ABORT_REASON.invalidPduParameterValue,
    );
  }
  const pdvs: Pdv[] = [];
  let offset = PDU_HEADER_LENGTH;
  while (offset < length) {
    if (offset + 4 > length) {
      throw new PduDecodeError('truncated PDV item length', ABORT_REASON.invalidPduParameterValue);
    }
    const itemLength = reader.uint32(offset);
    // PS3.8 9.3.5.1: the item length covers the context ID and the message control header.
    if (itemLength < 2) {
      throw new PduDecodeError(
        `PDV item length ${itemLength} is below 2`,
        ABORT_REASON.invalidPduParameterValue,
      );
    }
    const end = offset + 4 + itemLength;
    if (end > length) {
      throw new PduDecodeError(
        `PDV item of ${itemLength} bytes overruns the P-DATA-TF`,
        ABORT_REASON.invalidPduParameterValue,
      );
    }
    const contextId = reader.byte(offset + 4);
    if (contextId % 2 === 0) {
      // PS3.8 9.3.2.2: presentation context IDs are odd integers 1-255.
      throw new PduDecodeError(
        `PDV presentation context ID ${contextId} is not odd`,
        ABORT_REASON.invalidPduParameterValue,
      );
    }
    const control = reader.byte(offset + 5);
    const isCommand = (control & 0x01) !== 0;
    const isLast = (control & 0x02) !== 0;
    const values = reader.slices(offset + 6, end);
    const last = values.length - 1;
    for (let i = 0; i <= last; i++) {
      pdvs.push({ contextId, isCommand, isLast: isLast && i === last, data: values[i]! });
    }
    offset = end;
  }
  return pdvs;
}

/** Random reads over consecutive views, forward-moving (each part is found from the last one). */
class PartsReader {
  readonly #parts: readonly Uint8Array[];
  #index = 0;
  #start = 0;

  constructor(parts: readonly Uint8Array[]) {
    this.#parts = parts;
  }

  /** The part holding byte `pos`, and sets `#start` to that part's first position. */
  #seek(pos: number): Uint8Array {
    if (pos < this.#start) {
      this.#index = 0;
      this.#start = 0;
    }
    for (;;) {
      const part = this.#parts[this.#index];
      if (part === undefined) throw new RangeError('read past the PDU');
      if (pos < this.#start + part.length) return part;
      this.#start += part.length;
      this.#index++;
    }
  }

  byte(pos: number): number {
    const part = this.#seek(pos);
    return part[pos - this.#start] ?? 0;
  }

  /** PS3.8 9.3: lengths are 32-bit big endian, possibly straddling two parts. */
  uint32(pos: number): number {
    return (
      (this.byte(pos) * 0x1000000 +
        ((this.byte(pos + 1) << 16) | (this.byte(pos + 2) << 8) | this.byte(pos + 3))) >>>
      0
    );
  }

  /** Views of bytes [start, end) in order; one empty view for an empty range. */
  slices(start: number, end: number): Uint8Array[] {
    if (start === end) return [new Uint8Array(0)];
    const out: Uint8Array[] = [];
    let pos = start;
    while (pos < end) {
      const part = this.#seek(pos);
      const from = pos - this.#start;
      const to = Math.min(part.length, end - this.#start);
      out.push(part.subarray(from, to));
      pos = this.#start + to;
    }
    return out;
  }
}

/**
 * One P-DATA-TF holding `pdvs`, in order (one copy of every value). To send a large value without
 * copying it, use `singlePdvHeader` and write the header and the value separately.
 */
export function encodePDataTf(pdvs: readonly Pdv[]): Uint8Array {
  let length = 0;
  for (const pdv of pdvs) {
    checkContextId(pdv.contextId, 'PDV');
    length += PDV_ITEM_OVERHEAD + pdv.data.length;
  }
  if (length > 0xffff_ffff) throw new PduEncodeError('P-DATA-TF longer than 4 GiB');
  const out = new Uint8Array(PDU_HEADER_LENGTH + length);
  const view = new DataView(out.buffer);
  out[0] = 0x04;
  view.setUint32(2, length);
  let offset = PDU_HEADER_LENGTH;
  for (const pdv of pdvs) {
    view.setUint32(offset, pdv.data.length + 2);
    out[offset + 4] = pdv.contextId;
    out[offset + 5] = messageControlHeader(pdv.isCommand, pdv.isLast);
    out.set(pdv.data, offset + 6);
    offset += PDV_ITEM_OVERHEAD + pdv.data.length;
  }
  return out;
}
