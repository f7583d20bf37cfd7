/**
 * Reading typed values out of dcmjs naturalized data sets and formatting DA/TM/DT values
 * (PS3.5 Table 6.2-1). Shared by the worklist, MPPS and storage commitment modules.
 */
import {
  type CodedEntry,
  formatPersonName,
  type NaturalDataset,
  type PersonName,
  personNameFromDcmjs,
} from '@hnvue/dicom';

// The shared value types: one PersonName and one CodedEntry for net, iod and facade.
export type { CodedEntry, PersonName } from '@hnvue/dicom';
export { formatPersonName };

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
  return personNameFromDcmjs(ds?.[key]);
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

// DA `YYYYMMDD` and TM `HHMMSS` of a Date in local time (the modality's clock, as IHE SWF expects).
export { formatDate, formatTime } from '@hnvue/dicom';

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
