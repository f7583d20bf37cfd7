/**
 * Person Name (PN, PS3.5 6.2.1): up to three component groups — alphabetic, ideographic,
 * phonetic — separated by `=`, each of up to five components (family, given, middle, prefix,
 * suffix) separated by `^`. The one PersonName of HnVue: net reads it from worklist answers,
 * iod writes it into images, the facade carries it between them.
 */

/** A person name with its three component groups, each in the `Family^Given^…` form. */
export interface PersonName {
  /** Single-byte characters (or UTF-8 under ISO_IR 192); `''` when only other groups exist. */
  readonly alphabetic: string;
  readonly ideographic?: string;
  readonly phonetic?: string;
}

/** The five components of one group (PS3.5 6.2.1.1), `''` when absent. */
export interface PersonNameComponents {
  readonly familyName: string;
  readonly givenName: string;
  readonly middleName: string;
  readonly namePrefix: string;
  readonly nameSuffix: string;
}

/** dcmjs's naturalized PN value (`DicomMetaDictionary.naturalizeDataset`). */
export interface DcmjsPersonName {
  readonly Alphabetic?: string;
  readonly Ideographic?: string;
  readonly Phonetic?: string;
}

/**
 * Parses a PN value string (`Yamada^Tarou=山田^太郎=やまだ^たろう`). Surrounding spaces of the
 * value are padding (PS3.5 6.2); an empty value is `undefined`. A value with more than three
 * groups keeps the first three.
 */
export function parsePersonName(value: string): PersonName | undefined {
  const v = value.replace(/\0+$/, '').trim();
  if (v === '') return undefined;
  const [alphabetic = '', ideographic = '', phonetic = ''] = v.split('=');
  return makePersonName(alphabetic, ideographic, phonetic);
}

function makePersonName(alphabetic: string, ideographic: string, phonetic: string): PersonName | undefined {
  if (alphabetic === '' && ideographic === '' && phonetic === '') return undefined;
  return {
    alphabetic,
    ...(ideographic === '' ? {} : { ideographic }),
    ...(phonetic === '' ? {} : { phonetic }),
  };
}

/** The PN value string `alphabetic=ideographic=phonetic`, trailing empty groups dropped. */
export function formatPersonName(name: PersonName | string): string {
  if (typeof name === 'string') return name;
  const groups = [name.alphabetic, name.ideographic ?? '', name.phonetic ?? ''];
  while (groups.length > 1 && groups[groups.length - 1] === '') groups.pop();
  return groups.join('=');
}

/** Splits one component group into its five components. */
export function parsePersonNameComponents(group: string): PersonNameComponents {
  const [familyName = '', givenName = '', middleName = '', namePrefix = '', nameSuffix = ''] =
    group.split('^');
  return { familyName, givenName, middleName, namePrefix, nameSuffix };
}

/** One component group from its components, trailing empty components and `^` dropped. */
export function formatPersonNameComponents(c: Partial<PersonNameComponents>): string {
  const parts = [
    c.familyName ?? '',
    c.givenName ?? '',
    c.middleName ?? '',
    c.namePrefix ?? '',
    c.nameSuffix ?? '',
  ];
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts.join('^');
}

/**
 * A PersonName from dcmjs's naturalized value (the object form, or a plain string, which dcmjs
 * also produces for older data); the first value of an array.
 */
export function personNameFromDcmjs(value: unknown): PersonName | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null) return undefined;
  if (typeof first === 'string' || first instanceof String) return parsePersonName(String(first));
  if (typeof first !== 'object') return undefined;
  const pn = first as DcmjsPersonName;
  return makePersonName(pn.Alphabetic ?? '', pn.Ideographic ?? '', pn.Phonetic ?? '');
}

/** dcmjs's naturalized form of a PersonName; absent groups are left out. */
export function personNameToDcmjs(name: PersonName | string): DcmjsPersonName {
  const pn = typeof name === 'string' ? (parsePersonName(name) ?? { alphabetic: '' }) : name;
  return {
    Alphabetic: pn.alphabetic,
    ...(pn.ideographic === undefined || pn.ideographic === '' ? {} : { Ideographic: pn.ideographic }),
    ...(pn.phonetic === undefined || pn.phonetic === '' ? {} : { Phonetic: pn.phonetic }),
  };
}
