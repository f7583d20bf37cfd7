/**
 * The PS3.6 data dictionary: tag → keyword, VR(s), VM, retired, and keyword → tag. The table
 * (`./data.ts`, generated from dcmjs) is one string literal; it is split into maps on the first
 * lookup, not at import, so a program that never asks pays nothing but the literal.
 */
import { DICTIONARY_DATA } from './data.js';

export interface DictionaryEntry {
  /** The tag asked for (for a repeating group, e.g. 6002,3000, the group asked, not 6000). */
  readonly tag: number;
  /** The PS3.6 keyword, without dcmjs's `RETIRED_` prefix (`PatientName`). */
  readonly keyword: string;
  /**
   * A readable name made from the keyword (`Patient Name`, `SOP Class UID`). dcmjs, the source
   * of the table, carries no PS3.6 attribute names (`Patient's Name`), so this is not one.
   */
  readonly name: string;
  /** The VR as PS3.6 gives it, alternatives joined by `|` (`US|SS`, `OB|OW`); `NONE` for items. */
  readonly vr: string;
  /** The alternatives of `vr` (`['US', 'SS']`); empty for the item and delimitation tags. */
  readonly vrs: readonly string[];
  /** Value multiplicity as PS3.6 writes it (`1`, `1-n`, `2-2n`). */
  readonly vm: string;
  readonly retired: boolean;
}

/** The table's lines and, per line, its entry once asked for. */
let lines: string[] | undefined;
let entries: (DictionaryEntry | undefined)[] = [];
/** Line index by tag; repeating groups (50xx, 60xx, 7Fxx) under the tag of their first group. */
let byTag: Map<number, number> | undefined;
let repeating: Map<number, number> | undefined;
let byKeyword: Map<string, number> | undefined;

/** `SOPClassUID` → `SOP Class UID`, `XRayTubeCurrent` → `X Ray Tube Current`. */
function nameOf(keyword: string): string {
  return keyword
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .trim();
}

function entry(tag: number, vr: string, vm: string, keyword: string, retired: boolean): DictionaryEntry {
  return Object.freeze({
    tag,
    keyword,
    name: nameOf(keyword),
    vr,
    vrs: Object.freeze(vr === 'NONE' ? [] : vr.split('|')),
    vm,
    retired,
  });
}

// Splitting the table into lines and indexing the tags is all the first lookup does (measured:
// ~4 ms); an entry object is made when its tag is first asked for.
function loadLines(): string[] {
  if (lines !== undefined) return lines;
  const all = DICTIONARY_DATA.split('\n').filter((l) => l.length > 0);
  const tags = new Map<number, number>();
  const rep = new Map<number, number>();
  for (let i = 0; i < all.length; i++) {
    const line = all[i]!;
    if (line.charCodeAt(2) === 0x78 /* x */)
      rep.set(Number.parseInt(`${line.slice(0, 2)}00${line.slice(4, 8)}`, 16), i);
    else tags.set(Number.parseInt(line.slice(0, 8), 16), i);
  }
  entries = new Array(all.length);
  byTag = tags;
  repeating = rep;
  lines = all;
  return all;
}

function entryAt(i: number): DictionaryEntry {
  const cached = entries[i];
  if (cached !== undefined) return cached;
  const [key = '', vr = '', vm = '', kw = ''] = loadLines()[i]!.split('\t');
  const retired = kw.startsWith('~');
  const tag = Number.parseInt(key.replace('xx', '00'), 16);
  const e = entry(tag, vr, vm, retired ? kw.slice(1) : kw, retired);
  entries[i] = e;
  return e;
}

const derived = new Map<number, DictionaryEntry>();

/** Entries made for a tag the table lists by rule, not by row; bounded, as tags are unbounded. */
function derive(tag: number, make: () => DictionaryEntry): DictionaryEntry {
  let e = derived.get(tag);
  if (e === undefined) {
    e = make();
    if (derived.size < 4096) derived.set(tag, e);
  }
  return e;
}

/**
 * The dictionary entry of a tag: the table, then the repeating groups (50xx curves, 60xx
 * overlays, 7Fxx variable pixel data: PS3.5 7.6), then two rules of PS3.5 that hold for every
 * group: (gggg,0000) is a Group Length, UL (7.2); an odd group's (gggg,0010–00FF) is a Private
 * Creator, LO (7.8.1). Other private elements are `undefined`.
 */
export function lookupTag(tag: number): DictionaryEntry | undefined {
  loadLines();
  const u = tag >>> 0;
  const hit = byTag!.get(u);
  if (hit !== undefined) return entryAt(hit);
  const group = u >>> 16;
  const element = u & 0xffff;
  if (group % 2 === 0) {
    const i = repeating!.get(((group & 0xff00) * 0x10000 + element) >>> 0);
    if (i !== undefined) {
      const base = entryAt(i);
      return base.tag === u ? base : derive(u, () => entry(u, base.vr, base.vm, base.keyword, base.retired));
    }
  }
  // PS3.5 7.2: Group Length is retired except in the command (0000) and meta (0002) groups,
  // which the table lists by name.
  if (element === 0x0000) return derive(u, () => entry(u, 'UL', '1', 'GenericGroupLength', true));
  if (group % 2 === 1 && element >= 0x0010 && element <= 0x00ff)
    return derive(u, () => entry(u, 'LO', '1', 'PrivateCreator', false));
  return undefined;
}

/** The entry of a PS3.6 keyword; dcmjs's `RETIRED_X` spelling is accepted for retired `X`. */
export function lookupKeyword(keyword: string): DictionaryEntry | undefined {
  const all = loadLines();
  if (byKeyword === undefined) {
    const map = new Map<string, number>();
    for (let i = 0; i < all.length; i++) {
      const line = all[i]!;
      const at = line.lastIndexOf('\t') + 1;
      map.set(line.charCodeAt(at) === 0x7e /* ~ */ ? line.slice(at + 1) : line.slice(at), i);
    }
    byKeyword = map;
  }
  const i = byKeyword.get(keyword.startsWith('RETIRED_') ? keyword.slice(8) : keyword);
  return i === undefined ? undefined : entryAt(i);
}

/**
 * The VR to read an element with in Implicit VR Little Endian (PS3.5 A.1): by tag from the
 * dictionary, an ambiguous VR resolved as DCMTK does (`US or SS` → US, `OB or OW` → OW,
 * `US or OW` → OW), `undefined` for an item tag or an element the dictionary does not know.
 */
export function implicitVr(tag: number): string | undefined {
  const vrs = lookupTag(tag)?.vrs;
  if (vrs === undefined || vrs.length === 0) return undefined;
  if (vrs.length === 1) return vrs[0];
  if (vrs.includes('OW')) return 'OW';
  if (vrs.includes('US')) return 'US';
  return vrs[0];
}

/** `(GGGG,EEEE)`, as PS3.5 writes a tag. */
export function formatTag(tag: number): string {
  const hex = (tag >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}

/** Parses `(GGGG,EEEE)`, `GGGG,EEEE` or `GGGGEEEE`; `undefined` if it is none of them. */
export function parseTag(text: string): number | undefined {
  const m = /^\(?([0-9A-Fa-f]{4}),?([0-9A-Fa-f]{4})\)?$/.exec(text.trim());
  if (!m) return undefined;
  return Number.parseInt(`${m[1]}${m[2]}`, 16);
}
