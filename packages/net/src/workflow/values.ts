/**
 * Reading typed values out of dcmjs naturalized data sets and formatting DA/TM/DT values
 * (PS3.5 Table 6.2-1). Shared by the worklist, MPPS and storage commitment modules.
 */
import type { NaturalDataset } from '@hnvue/dicom';

/** A person name with its three component groups (PS3.5 6.2.1.1). */
export interface PersonName {
  /** `Family^Given^Middle^Prefix^Suffix` in single-byte characters (or UTF-8 with ISO_IR 192). */
  readonly alphabetic: string;
  readonly ideographic?: string;
  readonly phonetic?: string;
}

/** A Code Sequence item (PS3.3 Table 8.8-1). */
export interface CodedEntry {
  readonly codeValue: string;
  readonly codingSchemeDesignator: string;
  readonly codeMeaning?: string;
  readonly codingSchemeVersion?: string;
}

export function str(ds: NaturalDataset | undefined, key: string): string | undefined {
  const v = ds?.[key];
  if (v === undefined || v === null) return undefined;
  const first = Array.isArray(v) ? v[0] : v;
  if (first === undefined || first === null) return undefined;
  const s = String(first);
  return s === '' ? undefined : s;
}

export function strings(ds: NaturalDataset | undefined, key: string): string[] {
  const v = ds?.[key];
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => String(x ?? '')).filter((x) => x !== '');
}

export function num(ds: NaturalDataset | undefined, key: string): number | undefined {
  const v = str(ds, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export function items(ds: NaturalDataset | undefined, key: string): NaturalDataset[] {
  const v = ds?.[key];
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is NaturalDataset => typeof x === 'object' && x !== null);
}

export function personName(ds: NaturalDataset | undefined, key: string): PersonName | undefined {
  const v = ds?.[key];
  if (v === undefined || v === null) return undefined;
  const first: unknown = Array.isArray(v) ? v[0] : v;
  if (first === undefined || first === null) return undefined;
  let groups: [string, string, string];
  if (typeof first === 'object' && !(first instanceof String)) {
    const pn = first as { Alphabetic?: string; Ideographic?: string; Phonetic?: string };
    groups = [pn.Alphabetic ?? '', pn.Ideographic ?? '', pn.Phonetic ?? ''];
  } else {
    const [a = '', i = '', p = ''] = String(first).split('=');
    groups = [a, i, p];
  }
  if (groups.every((g) => g === '')) return undefined;
  return {
    alphabetic: groups[0],
    ...(groups[1] ? { ideographic: groups[1] } : {}),
    ...(groups[2] ? { phonetic: groups[2] } : {}),
  };
}

/** The PN value string `alphabetic=ideographic=phonetic`, trailing empty groups dropped. */
export function formatPersonName(name: PersonName | string): string {
  if (typeof name === 'string') return name;
  const groups = [name.alphabetic, name.ideographic ?? '', name.phonetic ?? ''];
  while (groups.length > 1 && groups[groups.length - 1] === '') groups.pop();
  return groups.join('=');
}

export function codes(ds: NaturalDataset | undefined, key: string): CodedEntry[] {
  return items(ds, key).map((item) => ({
    codeValue: str(item, 'CodeValue') ?? '',
    codingSchemeDesignator: str(item, 'CodingSchemeDesignator') ?? '',
    ...(str(item, 'CodeMeaning') === undefined ? {} : { codeMeaning: str(item, 'CodeMeaning') as string }),
    ...(str(item, 'CodingSchemeVersion') === undefined
      ? {}
      : { codingSchemeVersion: str(item, 'CodingSchemeVersion') as string }),
  }));
}

export function codeItem(code: CodedEntry): NaturalDataset {
  return {
    CodeValue: code.codeValue,
    CodingSchemeDesignator: code.codingSchemeDesignator,
    ...(code.codingSchemeVersion === undefined ? {} : { CodingSchemeVersion: code.codingSchemeVersion }),
    ...(code.codeMeaning === undefined ? {} : { CodeMeaning: code.codeMeaning }),
  };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** DA `YYYYMMDD` in local time (the modality's clock, as IHE SWF expects). */
export function formatDate(d: Date): string {
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}`;
}

/** TM `HHMMSS` in local time. */
export function formatTime(d: Date): string {
  return `${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

/** True when any string in the value (deeply) holds a character outside the default repertoire. */
export function hasNonAscii(value: unknown): boolean {
  if (typeof value === 'string') return /[^\x00-\x7f]/.test(value);
  if (Array.isArray(value)) return value.some(hasNonAscii);
  if (
    value !== null &&
    typeof value === 'object' &&
    !ArrayBuffer.isView(value) &&
    !(value instanceof ArrayBuffer)
  ) {
    return Object.values(value).some(hasNonAscii);
  }
  return false;
}

/**
 * (0008,0005) for a data set we build: the caller's choice, else ISO_IR 192 when some text is not
 * ASCII (PS3.5 6.1.2.3: without it only the default repertoire may be used), else none.
 */
export function withCharacterSet(
  dataset: Record<string, unknown>,
  specificCharacterSet: string | readonly string[] | undefined,
): Record<string, unknown> {
  if (specificCharacterSet !== undefined) {
    return {
      SpecificCharacterSet:
        typeof specificCharacterSet === 'string' ? specificCharacterSet : [...specificCharacterSet],
      ...dataset,
    };
  }
  return hasNonAscii(dataset) ? { SpecificCharacterSet: 'ISO_IR 192', ...dataset } : dataset;
}
