/**
 * The one element walker of HnVue (PS3.5 Section 7): every reader (the data set codec, Part 10,
 * C-STORE) walks bytes through it. Explicit or Implicit VR, little or big endian, defined and
 * undefined lengths, nested sequences and items, encapsulated Pixel Data as its Basic Offset Table
 * and fragments (PS3.5 A.4), and a stop-before-tag for readers that need only the first groups.
 *
 * Zero-copy: the result holds offsets into the `ByteSource` (see source.ts for how long a view
 * of it stays valid); no value is read or allocated, so a declared 4 GB length costs nothing
 * more than a bounds check. Every loop advances by at least one 8-byte header and nesting is
 * bounded, so a malformed input ends in a typed error, never a hang or a stack overflow:
 * DatasetTruncatedError when the data ends inside an element or a length overruns its container,
 * DatasetError for other malformed structure. Messages carry offsets and tags, never values.
 *
 * Where PS3.5 leaves room, we read as DCMTK 3.6.7 does: an unknown Explicit VR is read as UN
 * with a 4-byte length ("assuming 4 byte length field"); odd lengths are accepted; UN of
 * undefined length holds Implicit VR Little Endian items (PS3.5 6.2.2), read as a sequence.
 */
import { DatasetError, DatasetTruncatedError, tagString } from './errors.js';
import { dictionaryVr, PIXEL_DATA_TAG } from './implicit-vr.js';
import { type ByteSource, memorySource } from './source.js';
import { KNOWN_VRS, LONG_VRS } from './vr.js';

export const UNDEFINED_LENGTH = 0xffffffff;
export const ITEM_TAG = 0xfffee000;
export const ITEM_DELIMITATION_TAG = 0xfffee00d;
export const SEQUENCE_DELIMITATION_TAG = 0xfffee0dd;
/** Deeper nesting than this is refused (DCMTK has no limit; real objects stay under ~10). */
export const MAX_NESTING = 64;

/** How a data set is coded: the two properties the walker needs (`datasetEncoding(uid)` gives them). */
export interface WalkEncoding {
  readonly explicitVr: boolean;
  readonly littleEndian: boolean;
}

export const IMPLICIT_LITTLE: WalkEncoding = { explicitVr: false, littleEndian: true };
export const EXPLICIT_LITTLE: WalkEncoding = { explicitVr: true, littleEndian: true };
export const EXPLICIT_BIG: WalkEncoding = { explicitVr: true, littleEndian: false };

/** A span of bytes of the source. */
export interface Span {
  readonly start: number;
  readonly length: number;
}

/** Encapsulated Pixel Data (PS3.5 A.4): the Basic Offset Table item's value, then each fragment's. */
export interface Fragments {
  readonly offsetTable: Span;
  readonly fragments: readonly Span[];
}

/** One item of a sequence. */
export interface Item {
  /** First byte of the item header. */
  readonly start: number;
  readonly valueStart: number;
  /** One past the item (past its Item Delimitation Item for undefined length). */
  readonly end: number;
  readonly undefinedLength: boolean;
  readonly elements: readonly WalkedElement[];
  /** The encoding of the item's elements (Implicit VR LE inside an undefined-length UN). */
  readonly encoding: WalkEncoding;
}

/** One element of a data set, as offsets into the source. */
export interface WalkedElement {
  readonly tag: number;
  /** The VR as written (Explicit VR; an unknown one is reported as 'UN'), or undefined (Implicit VR). */
  readonly vr: string | undefined;
  /** First byte of the element header. */
  readonly start: number;
  readonly valueStart: number;
  /** The declared value length; UNDEFINED_LENGTH for undefined. */
  readonly length: number;
  /** One past the value (past the Sequence Delimitation Item for undefined lengths). */
  readonly end: number;
  readonly undefinedLength: boolean;
  /** Set for sequences: SQ, an Implicit VR element the dictionary calls SQ, UN of undefined length. */
  readonly items?: readonly Item[];
  /** Set for encapsulated Pixel Data. */
  readonly fragments?: Fragments;
}

export interface WalkOptions extends WalkEncoding {
  readonly start?: number;
  readonly end?: number;
  /** Stop at the first top-level element whose tag is ≥ this (it is not read). */
  readonly stopBeforeTag?: number;
  /**
   * Stop at the first top-level element of another group (it is not read): the Part 10 meta
   * group, followed by a data set that may be deflated and so is no element at all.
   */
  readonly onlyGroup?: number;
  /** The VR of an Implicit VR tag (default: the data dictionary); only 'SQ' changes the walk. */
  readonly implicitVr?: (tag: number) => string | undefined;
}

export interface WalkResult {
  readonly elements: WalkedElement[];
  /** Where the walk ended: `end`, or the first byte of the stop tag's element. */
  readonly end: number;
}

/** Reads the 16/32-bit fields of headers from cached windows of the source. */
class HeaderReader {
  private base = 0;
  private bytes: Uint8Array = new Uint8Array(0);
  private dv: DataView = new DataView(new ArrayBuffer(0));
  constructor(
    readonly source: ByteSource,
    readonly limit: number,
  ) {}
  /** Makes [pos, pos + n) readable; false if it passes `limit`. */
  has(pos: number, n: number, limit: number): boolean {
    if (pos + n > limit) return false;
    if (pos < this.base || pos + n > this.base + this.bytes.length) {
      const want = Math.min(Math.max(n, this.source.windowSize), this.limit - pos);
      this.bytes = this.source.view(pos, want);
      this.dv = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
      this.base = pos;
    }
    return true;
  }
  u16(pos: number, le: boolean): number {
    return this.dv.getUint16(pos - this.base, le);
  }
  u32(pos: number, le: boolean): number {
    return this.dv.getUint32(pos - this.base, le);
  }
  tag(pos: number, le: boolean): number {
    return ((this.u16(pos, le) << 16) | this.u16(pos + 2, le)) >>> 0;
  }
  byte(pos: number): number {
    return this.bytes[pos - this.base] as number;
  }
}

/** Explicit VR codes (first character in the high byte) of the VRs of PS3.5. */
const VR_BY_CODE: ReadonlyMap<number, string> = new Map(
  [...KNOWN_VRS].map((vr) => [(vr.charCodeAt(0) << 8) | vr.charCodeAt(1), vr]),
);
const LONG_CODES: ReadonlySet<number> = new Set(
  [...LONG_VRS].map((vr) => (vr.charCodeAt(0) << 8) | vr.charCodeAt(1)),
);

interface Context {
  readonly r: HeaderReader;
  readonly implicitVr: (tag: number) => string | undefined;
}

/**
 * Walks the data set in `source` (or bytes) from `start` to `end`. The whole structure is
 * checked: every element, item and fragment fits inside its container.
 */
export function walkDataset(source: ByteSource | Uint8Array, options: WalkOptions): WalkResult {
  const src = source instanceof Uint8Array ? memorySource(source) : source;
  const end = options.end ?? src.length;
  const ctx: Context = { r: new HeaderReader(src, end), implicitVr: options.implicitVr ?? dictionaryVr };
  const elements: WalkedElement[] = [];
  const stop = options.stopBeforeTag ?? 0x100000000;
  const next = walkElements(
    ctx,
    options,
    options.start ?? 0,
    end,
    false,
    0,
    elements,
    stop,
    options.onlyGroup,
  );
  return { elements, end: next };
}

/** Walks elements into `out` until `end`, or (in an undefined-length item) its delimiter. */
function walkElements(
  ctx: Context,
  enc: WalkEncoding,
  start: number,
  end: number,
  untilDelimiter: boolean,
  depth: number,
  out: WalkedElement[],
  stopBeforeTag: number,
  onlyGroup?: number,
): number {
  const { r } = ctx;
  const le = enc.littleEndian;
  let pos = start;
  while (pos < end) {
    if (onlyGroup !== undefined && r.has(pos, 2, end) && r.u16(pos, le) !== onlyGroup) return pos;
    if (!r.has(pos, 8, end)) throw new DatasetTruncatedError('data ends inside an element header', pos);
    const tag = r.tag(pos, le);
    if (tag >= stopBeforeTag) return pos;
    if (tag === ITEM_DELIMITATION_TAG) {
      if (untilDelimiter) return pos + 8;
      if (depth > 0 && pos + 8 === end) return end; // a delimiter closing a defined-length item: tolerated
      throw new DatasetError(`Item Delimitation Item outside an item at byte ${pos}`, {
        details: { offset: pos },
      });
    }
    if (tag === ITEM_TAG || tag === SEQUENCE_DELIMITATION_TAG) {
      throw new DatasetError(`${tagString(tag)} outside a sequence at byte ${pos}`, {
        details: { offset: pos, tag: tagString(tag) },
      });
    }
    let vr: string | undefined;
    let length: number;
    let header = 8;
    if (enc.explicitVr) {
      const code = (r.byte(pos + 4) << 8) | r.byte(pos + 5);
      vr = VR_BY_CODE.get(code);
      if (vr === undefined || LONG_CODES.has(code)) {
        vr ??= 'UN';
        if (!r.has(pos, 12, end))
          throw new DatasetTruncatedError('data ends inside an element header', pos, tag);
        length = r.u32(pos + 8, le);
        header = 12;
      } else {
        length = r.u16(pos + 6, le);
      }
    } else {
      length = r.u32(pos + 4, le);
    }
    const valueStart = pos + header;
    out.push(walkValue(ctx, enc, tag, vr, pos, valueStart, length, end, depth));
    pos = (out[out.length - 1] as WalkedElement).end;
  }
  if (untilDelimiter) throw new DatasetTruncatedError('data ends before the Item Delimitation Item', pos);
  return pos;
}

function walkValue(
  ctx: Context,
  enc: WalkEncoding,
  tag: number,
  vr: string | undefined,
  start: number,
  valueStart: number,
  length: number,
  limit: number,
  depth: number,
): WalkedElement {
  const undefinedLength = length === UNDEFINED_LENGTH;
  // Results are object literals with one key order, not `{ ...base, end }`: V8 (Node 20) builds a
  // spread followed by more properties on a slow path, which was 20% of decoding a worklist item
  // (measured, `node --cpu-prof`), and the literals share hidden classes for the readers.
  if (!undefinedLength && valueStart + length > limit) {
    throw new DatasetTruncatedError(`value length ${length} overruns the data`, start, tag);
  }
  const isSequence =
    vr === 'SQ' ||
    (vr === 'UN' && undefinedLength) ||
    (vr === undefined && tag !== PIXEL_DATA_TAG && (undefinedLength || ctx.implicitVr(tag) === 'SQ'));
  if (isSequence) {
    if (depth >= MAX_NESTING) {
      throw new DatasetError(`sequences nested deeper than ${MAX_NESTING} at byte ${start}`, {
        details: { offset: start, tag: tagString(tag) },
      });
    }
    // PS3.5 6.2.2: the items of an undefined-length UN are Implicit VR Little Endian.
    const itemEnc = vr === 'UN' ? IMPLICIT_LITTLE : enc;
    const { items, end } = walkItems(ctx, itemEnc, tag, valueStart, length, limit, depth);
    return { tag, vr, start, valueStart, length, undefinedLength, end, items };
  }
  if (undefinedLength) {
    if (tag !== PIXEL_DATA_TAG) {
      throw new DatasetError(
        `undefined length for ${tagString(tag)} (${vr ?? 'implicit'}) at byte ${start}`,
        {
          details: { offset: start, tag: tagString(tag) },
        },
      );
    }
    const { fragments, end } = walkFragments(ctx.r, enc.littleEndian, tag, valueStart, limit);
    return { tag, vr, start, valueStart, length, undefinedLength, end, fragments };
  }
  return { tag, vr, start, valueStart, length, undefinedLength, end: valueStart + length };
}

function walkItems(
  ctx: Context,
  enc: WalkEncoding,
  tag: number,
  start: number,
  length: number,
  limit: number,
  depth: number,
): { items: Item[]; end: number } {
  const { r } = ctx;
  const undefinedLength = length === UNDEFINED_LENGTH;
  const end = undefinedLength ? limit : start + length;
  // In an undefined-length UN the item headers and the delimiter are Implicit VR LE too.
  const le = enc.littleEndian;
  const items: Item[] = [];
  let pos = start;
  while (pos < end) {
    if (!r.has(pos, 8, end)) throw new DatasetTruncatedError('data ends inside an item header', pos, tag);
    const itemTag = r.tag(pos, le);
    const itemLength = r.u32(pos + 4, le);
    if (itemTag === SEQUENCE_DELIMITATION_TAG) {
      if (undefinedLength) return { items, end: pos + 8 };
      throw new DatasetError(`Sequence Delimitation Item in a defined-length sequence at byte ${pos}`, {
        details: { offset: pos, tag: tagString(tag) },
      });
    }
    if (itemTag !== ITEM_TAG) {
      throw new DatasetError(
        `expected an item in ${tagString(tag)}, found ${tagString(itemTag)} at byte ${pos}`,
        {
          details: { offset: pos, tag: tagString(tag) },
        },
      );
    }
    const elements: WalkedElement[] = [];
    let itemEnd: number;
    if (itemLength === UNDEFINED_LENGTH) {
      itemEnd = walkElements(ctx, enc, pos + 8, end, true, depth + 1, elements, 0x100000000);
    } else {
      itemEnd = pos + 8 + itemLength;
      if (itemEnd > end)
        throw new DatasetTruncatedError(`item length ${itemLength} overruns the sequence`, pos, tag);
      walkElements(ctx, enc, pos + 8, itemEnd, false, depth + 1, elements, 0x100000000);
    }
    items.push({
      start: pos,
      valueStart: pos + 8,
      end: itemEnd,
      undefinedLength: itemLength === UNDEFINED_LENGTH,
      elements,
      encoding: enc,
    });
    pos = itemEnd;
  }
  if (undefinedLength)
    throw new DatasetTruncatedError('data ends before the Sequence Delimitation Item', pos, tag);
  return { items, end };
}

/** PS3.5 A.4: items of defined length — the Basic Offset Table, then the fragments — and a delimiter. */
function walkFragments(
  r: HeaderReader,
  le: boolean,
  tag: number,
  start: number,
  limit: number,
): { fragments: Fragments; end: number } {
  const spans: Span[] = [];
  let pos = start;
  while (r.has(pos, 8, limit)) {
    const itemTag = r.tag(pos, le);
    const length = r.u32(pos + 4, le);
    if (itemTag === SEQUENCE_DELIMITATION_TAG) {
      if (spans.length === 0) {
        throw new DatasetError(`encapsulated Pixel Data without a Basic Offset Table item at byte ${start}`, {
          details: { offset: start, tag: tagString(tag) },
        });
      }
      const [offsetTable, ...fragments] = spans as [Span, ...Span[]];
      return { fragments: { offsetTable, fragments }, end: pos + 8 };
    }
    if (itemTag !== ITEM_TAG || length === UNDEFINED_LENGTH) {
      throw new DatasetError(`malformed fragment item in encapsulated Pixel Data at byte ${pos}`, {
        details: { offset: pos, tag: tagString(tag) },
      });
    }
    if (pos + 8 + length > limit) {
      throw new DatasetTruncatedError(`fragment length ${length} overruns the data`, pos, tag);
    }
    spans.push({ start: pos + 8, length });
    pos += 8 + length;
  }
  throw new DatasetTruncatedError('data ends before the end of the encapsulated Pixel Data', pos, tag);
}

/** Depth-first visit of every element, items included; `path` is the chain of enclosing tags. */
export function visitElements(
  elements: readonly WalkedElement[],
  visit: (element: WalkedElement, depth: number) => void,
  depth = 0,
): void {
  for (const e of elements) {
    visit(e, depth);
    if (e.items) for (const item of e.items) visitElements(item.elements, visit, depth + 1);
  }
}
