/**
 * Coded entries (PS3.3 Table 8.8-1, the Code Sequence Macro) and SOP references (SOP Class UID
 * + SOP Instance UID, PS3.3 Table 10-11): the two small value types every IOD, worklist answer
 * and commitment request carries.
 */

/** One Code Sequence item. */
export interface CodedEntry {
  readonly codeValue: string;
  readonly codingSchemeDesignator: string;
  readonly codeMeaning?: string;
  readonly codingSchemeVersion?: string;
}

/** A coded entry (`codedEntry('121311', 'DCM', 'Localizer')`). */
export function codedEntry(
  codeValue: string,
  codingSchemeDesignator: string,
  codeMeaning?: string,
  codingSchemeVersion?: string,
): CodedEntry {
  return {
    codeValue,
    codingSchemeDesignator,
    ...(codeMeaning === undefined ? {} : { codeMeaning }),
    ...(codingSchemeVersion === undefined ? {} : { codingSchemeVersion }),
  };
}

function text(v: unknown): string | undefined {
  const first: unknown = Array.isArray(v) ? v[0] : v;
  if (first === undefined || first === null) return undefined;
  const s = String(first).trim();
  return s === '' ? undefined : s;
}

/**
 * A coded entry from a naturalized Code Sequence item. Long Code Value and URN Code Value
 * (PS3.3 8.8.1.1) stand in for Code Value when it is absent. `undefined` without any value or
 * without a scheme (a URN code needs none).
 */
export function codedEntryFromDataset(item: Readonly<Record<string, unknown>>): CodedEntry | undefined {
  const urn = text(item.URNCodeValue);
  const value = text(item.CodeValue) ?? text(item.LongCodeValue) ?? urn;
  const scheme = text(item.CodingSchemeDesignator) ?? (urn === undefined ? undefined : '');
  if (value === undefined || scheme === undefined) return undefined;
  return codedEntry(value, scheme, text(item.CodeMeaning), text(item.CodingSchemeVersion));
}

/**
 * The naturalized Code Sequence item of a coded entry. A value longer than 16 characters goes
 * to Long Code Value (PS3.3 8.8.1.1 a: Code Value is SH); a `urn:`/`http` value to URN Code Value.
 */
export function codedEntryToDataset(code: CodedEntry): Record<string, string> {
  const v = code.codeValue;
  const valueKey = /^(urn:|https?:)/i.test(v)
    ? 'URNCodeValue'
    : v.length > 16
      ? 'LongCodeValue'
      : 'CodeValue';
  return {
    [valueKey]: v,
    ...(valueKey === 'URNCodeValue' && code.codingSchemeDesignator === ''
      ? {}
      : { CodingSchemeDesignator: code.codingSchemeDesignator }),
    ...(code.codingSchemeVersion === undefined ? {} : { CodingSchemeVersion: code.codingSchemeVersion }),
    ...(code.codeMeaning === undefined ? {} : { CodeMeaning: code.codeMeaning }),
  };
}

/** Same concept: same value and scheme (PS3.16 8.1: meaning and version do not identify). */
export function sameCode(a: CodedEntry, b: CodedEntry): boolean {
  return a.codeValue === b.codeValue && a.codingSchemeDesignator === b.codingSchemeDesignator;
}

/** A reference to a SOP instance. */
export interface SopRef {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
}

/** A SopRef from a naturalized item with Referenced SOP Class/Instance UID; `undefined` if either is missing. */
export function sopRefFromDataset(item: Readonly<Record<string, unknown>>): SopRef | undefined {
  const sopClassUid = text(item.ReferencedSOPClassUID);
  const sopInstanceUid = text(item.ReferencedSOPInstanceUID);
  if (sopClassUid === undefined || sopInstanceUid === undefined) return undefined;
  return { sopClassUid, sopInstanceUid };
}

/** The naturalized referenced-SOP item (`ReferencedSOPClassUID`, `ReferencedSOPInstanceUID`). */
export function sopRefToDataset(ref: SopRef): {
  ReferencedSOPClassUID: string;
  ReferencedSOPInstanceUID: string;
} {
  return { ReferencedSOPClassUID: ref.sopClassUid, ReferencedSOPInstanceUID: ref.sopInstanceUid };
}
