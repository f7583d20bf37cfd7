/**
 * The Defined Terms of Specific Character Set (0008,0005), PS3.3 C.12.1.1.2: which code elements
 * each term brings (Tables C.12-2 to C.12-5), and the non-standard spellings devices send, which we
 * read as the term they mean and never write.
 */
import type { ElementId } from './tables.js';

export type TermKind = 'single-byte' | 'iso2022' | 'utf8' | 'gb18030' | 'gbk';

export interface TermInfo {
  readonly kind: TermKind;
  /** The G0 element, when not ISO-IR 6 (romaji for IR 13; the Japanese 94×94 sets). */
  readonly g0?: ElementId;
  /** The G1 element, if the term brings one. */
  readonly g1?: ElementId;
}

const single = (g1: ElementId | undefined, g0?: ElementId): TermInfo => ({
  kind: 'single-byte',
  ...(g1 === undefined ? {} : { g1 }),
  ...(g0 === undefined ? {} : { g0 }),
});
const ext = (g1: ElementId | undefined, g0?: ElementId): TermInfo => ({
  kind: 'iso2022',
  ...(g1 === undefined ? {} : { g1 }),
  ...(g0 === undefined ? {} : { g0 }),
});

/** The standard terms, in the order of PS3.3 Tables C.12-2 to C.12-5. */
export const TERMS: Readonly<Record<string, TermInfo>> = {
  // Table C.12-2: single-byte character sets without code extensions
  'ISO_IR 6': single(undefined),
  'ISO_IR 100': single('latin1'),
  'ISO_IR 101': single('latin2'),
  'ISO_IR 109': single('latin3'),
  'ISO_IR 110': single('latin4'),
  'ISO_IR 144': single('cyrillic'),
  'ISO_IR 127': single('arabic'),
  'ISO_IR 126': single('greek'),
  'ISO_IR 138': single('hebrew'),
  'ISO_IR 148': single('latin5'),
  'ISO_IR 203': single('latin9'),
  'ISO_IR 13': single('katakana', 'romaji'),
  'ISO_IR 166': single('thai'),
  // Table C.12-3: single-byte character sets with code extensions
  'ISO 2022 IR 6': ext(undefined),
  'ISO 2022 IR 100': ext('latin1'),
  'ISO 2022 IR 101': ext('latin2'),
  'ISO 2022 IR 109': ext('latin3'),
  'ISO 2022 IR 110': ext('latin4'),
  'ISO 2022 IR 144': ext('cyrillic'),
  'ISO 2022 IR 127': ext('arabic'),
  'ISO 2022 IR 126': ext('greek'),
  'ISO 2022 IR 138': ext('hebrew'),
  'ISO 2022 IR 148': ext('latin5'),
  'ISO 2022 IR 203': ext('latin9'),
  'ISO 2022 IR 13': ext('katakana', 'romaji'),
  'ISO 2022 IR 166': ext('thai'),
  // Table C.12-4: multi-byte character sets with code extensions
  'ISO 2022 IR 87': ext(undefined, 'jisx0208'),
  'ISO 2022 IR 159': ext(undefined, 'jisx0212'),
  'ISO 2022 IR 149': ext('ksx1001'),
  'ISO 2022 IR 58': ext('gb2312'),
  // Table C.12-5: multi-byte character sets without code extensions
  'ISO_IR 192': { kind: 'utf8' },
  GB18030: { kind: 'gb18030' },
  GBK: { kind: 'gbk' },
};

/** Every standard term, as written. */
export const STANDARD_TERMS: readonly string[] = Object.keys(TERMS);

/**
 * Spellings seen from devices and other toolkits (pydicom's and fo-dicom's lists of repairs) that
 * mean a standard term: the multi-byte ISO 2022 sets written like single-byte terms, and GBK/GB2312
 * with an ISO 2022 prefix. The separator variants ('ISO IR 100', 'ISO-IR 100', 'ISO_IR100',
 * 'iso_ir 100') are handled by canonicalTerm's pattern.
 */
const ALIASES: Readonly<Record<string, string>> = {
  'ISO_IR 87': 'ISO 2022 IR 87',
  'ISO_IR 159': 'ISO 2022 IR 159',
  'ISO_IR 149': 'ISO 2022 IR 149',
  'ISO_IR 58': 'ISO 2022 IR 58',
  'ISO 2022 GBK': 'GBK',
  'ISO 2022 58': 'ISO 2022 IR 58',
  'ISO 2022 IR 192': 'ISO_IR 192',
  GB2312: 'ISO 2022 IR 58',
  'UTF-8': 'ISO_IR 192',
  UTF8: 'ISO_IR 192',
};

const LOOSE_IR = /^ISO[\s_-]*(2022)?[\s_-]*IR[\s_-]*(\d+)$/;

/** The standard term a declared value means, or undefined when we do not know it. */
export function canonicalTerm(declared: string): string | undefined {
  if (TERMS[declared] !== undefined) return declared;
  const upper = declared.toUpperCase();
  const alias = ALIASES[upper];
  if (alias !== undefined) return alias;
  if (TERMS[upper] !== undefined) return upper;
  const m = LOOSE_IR.exec(upper);
  if (m === null) return undefined;
  const spelled = `${m[1] ? 'ISO 2022 IR' : 'ISO_IR'} ${Number(m[2])}`;
  return TERMS[spelled] !== undefined ? spelled : ALIASES[spelled];
}

/** A parsed Specific Character Set: how the text VRs of one data set are coded. */
export interface CharacterSet {
  /** The terms, value 1 first ('' when value 1 is empty), spelled as the standard spells them. */
  readonly terms: readonly string[];
  /**
   * How values are read: 'ascii' (ISO_IR 6 or none) and 'latin1' (ISO_IR 100) are one byte per
   * character in Latin-1 (the codec's fast path relies on that); 'single-byte' is another
   * single-byte term without code extensions; 'iso2022' is any term list with code extensions;
   * 'utf8', 'gb18030' and 'gbk' are the multi-byte terms without code extensions.
   */
  readonly kind: 'ascii' | 'latin1' | 'single-byte' | 'utf8' | 'gb18030' | 'gbk' | 'iso2022';
  /** The G0 element active at the start of each value and after each reset (from value 1). */
  readonly initialG0: ElementId;
  /** The G1 element active at the start of each value and after each reset (from value 1). */
  readonly initialG1: ElementId | undefined;
  /** The G1 elements the terms allow. */
  readonly g1Sets: readonly ElementId[];
  /** The elements an encoder may designate, in term order (ASCII and romaji aside). */
  readonly encodeOrder: readonly ElementId[];
  /** True when the caller opted into `onUnsupported: 'replace'`: decoding never throws. */
  readonly lossy: boolean;
  /** Declared terms we do not know, dropped because of `onUnsupported: 'replace'`. */
  readonly unsupported: readonly string[];
}
