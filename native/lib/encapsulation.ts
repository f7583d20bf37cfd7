import { CODEC_ERROR_CODES, CodecError } from './errors.js';
import {
  type ExtendedOffsetTable,
  type ExtendedOffsetTableElements,
  planOffsets,
  writeExtendedOffsetTable,
} from './extended-offset-table.js';

/**
 * Encapsulated pixel data (PS3.5 A.4): the value of (7FE0,0010) with undefined length is a Basic
 * Offset Table item, one or more fragment items, and a Sequence Delimitation Item.
 */

const ITEM = 0xe000;
const SEQUENCE_DELIMITER = 0xe0dd;
const GROUP = 0xfffe;

function writeItemHeader(view: DataView, at: number, element: number, length: number): void {
  view.setUint16(at, GROUP, true);
  view.setUint16(at + 2, element, true);
  view.setUint32(at + 4, length, true);
}

/**
 * Builds the (7FE0,0010) value for the given compressed frames, one fragment per frame: the Basic
 * Offset Table (filled, PS3.5 A.4 Table A.4-1), each frame padded to even length with a trailing
 * 0x00 (PS3.5 A.4 "each fragment shall be of even length"), and the Sequence Delimitation Item.
 * The result is everything after the element's tag, VR and undefined (FFFFFFFF) length.
 */
export function encapsulate(frames: readonly Uint8Array[]): Uint8Array {
  let total = 8 + 4 * frames.length + 8;
  const padded = frames.map((f) => f.length + (f.length & 1));
  for (const len of padded) total += 8 + len;
  if (total - 8 > 0xffffffff) {
    throw new CodecError(CODEC_ERROR_CODES.invalidArgument, 'encapsulated pixel data exceeds 4 GiB', {
      details: { frames: frames.length },
    });
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  writeItemHeader(view, 0, ITEM, 4 * frames.length);
  let at = 8 + 4 * frames.length;
  let offset = 0;
  for (let i = 0; i < frames.length; i++) {
    view.setUint32(8 + 4 * i, offset, true);
    const frame = frames[i]!;
    const len = padded[i]!;
    writeItemHeader(view, at, ITEM, len);
    out.set(frame, at + 8);
    at += 8 + len;
    offset += 8 + len;
  }
  writeItemHeader(view, at, SEQUENCE_DELIMITER, 0);
  return out;
}

/** Which offset table `encapsulateParts` fills. */
export type OffsetTableChoice = 'auto' | 'basic' | 'extended';

export interface EncapsulatedParts {
  /** The (7FE0,0010) value after its undefined-length header, as buffers for writev (frames are views). */
  readonly parts: Uint8Array[];
  /** Byte length of all parts. */
  readonly length: number;
  /** The (7FE0,0001)/(7FE0,0002) values when the Extended Offset Table is used (the BOT is then empty). */
  readonly extendedOffsetTable?: ExtendedOffsetTableElements;
}

/**
 * `encapsulate` without one contiguous buffer, so without its 4 GiB limit: item headers and the
 * frames themselves (no copy), one fragment per frame. `'auto'` (the default) fills the Basic
 * Offset Table while every frame starts below 4 GiB and otherwise leaves it empty and returns the
 * Extended Offset Table (PS3.5 A.4); `'basic'` refuses what the BOT cannot hold; `'extended'`
 * always uses the Extended Offset Table.
 */
export function encapsulateParts(
  frames: readonly Uint8Array[],
  offsetTable: OffsetTableChoice = 'auto',
): EncapsulatedParts {
  const padded = frames.map((f) => f.length + (f.length & 1));
  for (const length of padded) {
    if (length > 0xfffffffe) {
      throw new CodecError(
        CODEC_ERROR_CODES.invalidArgument,
        'a frame of 4 GiB or more cannot be one fragment',
        {
          details: { length },
        },
      );
    }
  }
  const { table, fitsBasicOffsetTable } = planOffsets(padded);
  if (offsetTable === 'basic' && !fitsBasicOffsetTable) {
    throw new CodecError(
      CODEC_ERROR_CODES.invalidArgument,
      'a frame starts 4 GiB or more into the pixel data: the Basic Offset Table cannot hold its offset',
      {
        hint: "use the Extended Offset Table (offsetTable 'auto' or 'extended')",
        details: { frames: frames.length },
      },
    );
  }
  const extended = offsetTable === 'extended' || (offsetTable === 'auto' && !fitsBasicOffsetTable);
  const bot = new Uint8Array(8 + (extended ? 0 : 4 * frames.length));
  const botView = new DataView(bot.buffer);
  writeItemHeader(botView, 0, ITEM, bot.length - 8);
  if (!extended)
    for (const [k, offset] of table.offsets.entries()) botView.setUint32(8 + 4 * k, offset, true);
  const parts: Uint8Array[] = [bot];
  let length = bot.length;
  for (const [k, frame] of frames.entries()) {
    const header = new Uint8Array(8);
    writeItemHeader(new DataView(header.buffer), 0, ITEM, padded[k]!);
    parts.push(header, frame);
    if (frame.length & 1) parts.push(new Uint8Array(1));
    length += 8 + padded[k]!;
  }
  const end = new Uint8Array(8);
  writeItemHeader(new DataView(end.buffer), 0, SEQUENCE_DELIMITER, 0);
  parts.push(end);
  length += 8;
  return extended
    ? { parts, length, extendedOffsetTable: writeExtendedOffsetTable(table) }
    : { parts, length };
}

interface Fragment {
  readonly start: number;
  readonly end: number;
  /** Offset of the item header from the first byte after the Basic Offset Table item. */
  readonly offset: number;
}

function corrupt(message: string, details: Record<string, unknown>): never {
  throw new CodecError(CODEC_ERROR_CODES.corrupt, `encapsulated pixel data: ${message}`, { details });
}

function startsFrame(value: Uint8Array, f: Fragment): boolean {
  const b = value.subarray(f.start, f.start + 4);
  // JPEG SOI (T.81 B.1.1.3) or a JPEG 2000 SOC+SIZ (15444-1 A.4.1); RLE has a 64-byte header.
  return (
    (b[0] === 0xff && b[1] === 0xd8) || (b[0] === 0xff && b[1] === 0x4f && b[2] === 0xff && b[3] === 0x51)
  );
}

/**
 * Splits a (7FE0,0010) value back into frames. Frames made of one fragment are views into
 * `value` (valid as long as `value` is); frames spread over several fragments are copied.
 * Without a Basic Offset Table, `numberOfFrames` (0028,0008) decides: one frame takes every
 * fragment; as many fragments as frames maps one to one; otherwise a fragment that starts with
 * a JPEG/JPEG 2000 start marker starts a new frame. The Sequence Delimitation Item may be absent.
 * With an Extended Offset Table (`readExtendedOffsetTable` of (7FE0,0001)/(7FE0,0002)) each
 * entry names one fragment and the frame's length within it; the Basic Offset Table is then
 * empty (PS3.5 A.4) and ignored if not.
 */
export function decapsulate(
  value: Uint8Array,
  numberOfFrames = 1,
  extendedOffsetTable?: ExtendedOffsetTable,
): Uint8Array[] {
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const items: Fragment[] = [];
  let at = 0;
  let bot: Fragment | undefined;
  let firstItemStart = 0;
  while (at < value.length) {
    if (value.length - at < 8) corrupt('truncated item header', { at });
    const group = view.getUint16(at, true);
    const element = view.getUint16(at + 2, true);
    const length = view.getUint32(at + 4, true);
    if (group !== GROUP || (element !== ITEM && element !== SEQUENCE_DELIMITER)) {
      corrupt('expected an item tag (FFFE,E000)', { at });
    }
    if (element === SEQUENCE_DELIMITER) break;
    if (length === 0xffffffff) corrupt('fragment with undefined length', { at });
    if (length > value.length - at - 8) corrupt('item length runs past the end', { at, length });
    const start = at + 8;
    if (bot === undefined) {
      bot = { start, end: start + length, offset: 0 };
      firstItemStart = start + length;
    } else {
      items.push({ start, end: start + length, offset: at - firstItemStart });
    }
    at = start + length;
  }
  if (bot === undefined) corrupt('no Basic Offset Table item', {});
  if (items.length === 0) corrupt('no fragments', {});
  const botLength = bot.end - bot.start;
  if (extendedOffsetTable !== undefined)
    return byExtendedOffsets(value, items, extendedOffsetTable, numberOfFrames);
  let groups: Fragment[][];
  if (botLength > 0) {
    if (botLength % 4 !== 0) corrupt('Basic Offset Table length is not a multiple of 4', { botLength });
    const offsets: number[] = [];
    for (let i = bot.start; i < bot.end; i += 4) offsets.push(view.getUint32(i, true));
    groups = offsets.map(() => []);
    for (const item of items) {
      let frame = -1;
      for (let k = 0; k < offsets.length && offsets[k]! <= item.offset; k++) frame = k;
      if (frame < 0) corrupt('Basic Offset Table does not point at the first fragment', {});
      groups[frame]!.push(item);
    }
    for (const [k, g] of groups.entries()) {
      if (g.length === 0 || g[0]!.offset !== offsets[k]) {
        corrupt('Basic Offset Table entry does not point at a fragment', { frame: k });
      }
    }
  } else if (numberOfFrames <= 1) {
    groups = [items];
  } else if (items.length === numberOfFrames) {
    groups = items.map((f) => [f]);
  } else {
    groups = [];
    for (const item of items) {
      if (groups.length === 0 || startsFrame(value, item)) groups.push([item]);
      else groups[groups.length - 1]!.push(item);
    }
  }
  if (numberOfFrames > 1 && groups.length !== numberOfFrames) {
    corrupt('frame count does not match Number of Frames', { found: groups.length, numberOfFrames });
  }
  return groups.map((g) => {
    if (g.length === 1) return value.subarray(g[0]!.start, g[0]!.end);
    const out = new Uint8Array(g.reduce((n, f) => n + f.end - f.start, 0));
    let o = 0;
    for (const f of g) {
      out.set(value.subarray(f.start, f.end), o);
      o += f.end - f.start;
    }
    return out;
  });
}

/** Frames named by an Extended Offset Table: entry k is the fragment at offsets[k], lengths[k] long. */
function byExtendedOffsets(
  value: Uint8Array,
  items: readonly Fragment[],
  table: ExtendedOffsetTable,
  numberOfFrames: number,
): Uint8Array[] {
  if (numberOfFrames >= 1 && table.offsets.length !== numberOfFrames) {
    corrupt('Extended Offset Table entries do not match Number of Frames', {
      entries: table.offsets.length,
      numberOfFrames,
    });
  }
  const byOffset = new Map(items.map((f) => [f.offset, f]));
  return table.offsets.map((offset, k) => {
    const item = byOffset.get(offset);
    if (item === undefined) corrupt('Extended Offset Table entry does not point at a fragment', { frame: k });
    const length = table.lengths[k]!;
    if (length > item.end - item.start) {
      corrupt('Extended Offset Table length runs past its fragment', { frame: k, length });
    }
    return value.subarray(item.start, item.start + length);
  });
}
