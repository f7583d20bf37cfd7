/**
 * P-DATA-TF framing helpers shared by the codec and the DIMSE fragmenter (PS3.8 9.3.5).
 * Pure: bytes in, bytes out. The header is built separately from the PDV value so that a
 * writer can hand `[header, value]` to `writev` without copying the value.
 */

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
  const view = new DataView(header.buffer);
  header[0] = 0x04;
  view.setUint32(2, valueLength + PDV_ITEM_OVERHEAD);
  view.setUint32(6, valueLength + 2);
  header[10] = contextId;
  header[11] = messageControlHeader(isCommand, isLast);
  return header;
}

/** Largest PDV value that fits in one P-DATA-TF with one PDV for a peer max length (0 = unlimited). */
export function maxPdvValueLength(peerMaxPduLength: number, ceiling = 0x7fff_fff0): number {
  if (peerMaxPduLength === 0) return ceiling;
  return Math.min(ceiling, peerMaxPduLength - PDV_ITEM_OVERHEAD);
}
