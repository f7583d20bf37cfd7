/**
 * Every value of a built data set checked against its VR (PS3.5 Table 6.2-1) before the object
 * leaves the builder: a value that breaks a rule is refused with {@link IodValueError}, never
 * truncated or sent as is. The error names the attribute (keyword, tag, VR, path) and the rule,
 * never the value (NFR-SEC-01).
 */
import { checkVrValue, formatTag, lookupKeyword, type NaturalDataset } from '@hnvue/dicom';
import { IodValueError } from './errors.js';

function vrOf(ds: NaturalDataset, keyword: string): { vr: string; tag: number } | undefined {
  const entry = lookupKeyword(keyword);
  if (entry === undefined) return undefined;
  const vrMap = ds._vrMap as Record<string, string> | undefined;
  const vr = vrMap?.[keyword] ?? entry.vrs[0] ?? entry.vr;
  return { vr, tag: entry.tag };
}

function walk(ds: NaturalDataset, prefix: string): void {
  for (const keyword of Object.keys(ds)) {
    if (keyword === '_vrMap' || keyword === '_meta') continue;
    const value = ds[keyword];
    if (value === undefined) continue;
    const at = vrOf(ds, keyword);
    if (at === undefined) continue;
    const path = `${prefix}${keyword}`;
    if (at.vr === 'SQ') {
      if (Array.isArray(value)) {
        value.forEach((item, i) => {
          if (item !== null && typeof item === 'object') walk(item as NaturalDataset, `${path}[${i}].`);
        });
      }
      continue;
    }
    const values: readonly unknown[] = Array.isArray(value) ? value : [value];
    for (let i = 0; i < values.length; i++) {
      const problem = checkVrValue(at.vr, values[i]);
      if (problem === undefined) continue;
      throw new IodValueError({
        keyword,
        path,
        tag: formatTag(at.tag),
        vr: at.vr,
        rule: problem.rule,
        description: problem.description,
        ...(values.length > 1 ? { index: i } : {}),
      });
    }
  }
}

/** Throws {@link IodValueError} at the first value of `ds` (sequences included) its VR forbids. */
export function assertValidValues(ds: NaturalDataset): void {
  walk(ds, '');
}
