import type { NaturalDataset } from '@hnvue/dicom';
import type { AttributeRule, Finding, IodDefinition, ModuleRule } from './types.js';

export interface ValidateOptions {
  /**
   * Pixel Data travels beside the dataset in our builders (it is streamed, not held in the
   * dcmjs dataset): count it as present.
   */
  readonly pixelDataPresent?: boolean;
}

type Presence = 'absent' | 'empty' | 'present';

function presence(value: unknown): Presence {
  if (value === undefined) return 'absent';
  if (value === null || value === '') return 'empty';
  if (Array.isArray(value)) {
    if (value.length === 0) return 'empty';
    if (value.every((v) => v === null || v === '' || v === undefined)) return 'empty';
  }
  if (typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value)) {
    // dcmjs naturalizes PN as { Alphabetic, Ideographic, Phonetic }.
    const groups = Object.values(value as Record<string, unknown>);
    if (groups.length > 0 && groups.every((g) => g === '' || g === undefined)) return 'empty';
  }
  return 'present';
}

function valuesOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function normalise(v: unknown): string | number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.trim();
  return undefined;
}

function matches(v: unknown, allowed: readonly (string | number)[]): boolean {
  const n = normalise(v);
  if (n === undefined) return false;
  return allowed.some((a) => (typeof a === 'number' ? Number(n) === a : String(n) === a));
}

function checkAttributes(
  rules: readonly AttributeRule[],
  item: NaturalDataset,
  root: NaturalDataset,
  module: string,
  prefix: string,
  out: Finding[],
  options: ValidateOptions,
): void {
  for (const rule of rules) {
    const path = `${prefix}${rule.keyword}`;
    let value = item[rule.keyword];
    if (rule.keyword === 'PixelData' && value === undefined && options.pixelDataPresent)
      value = [new ArrayBuffer(0)];
    const p = presence(value);
    const conditional = rule.type === '1C' || rule.type === '2C';
    const required =
      rule.type === '1' || rule.type === '2' || (conditional && (rule.when?.(item, root) ?? false));
    const needsValue = rule.type === '1' || (rule.type === '1C' && required);
    const base = { module, keyword: rule.keyword, path };
    if (p === 'absent') {
      if (required) {
        out.push({
          ...base,
          severity: 'error',
          kind: 'missing',
          message: `missing Type ${rule.type} attribute`,
        });
      }
      continue;
    }
    if (conditional && !required && !rule.mayBePresentOtherwise) {
      out.push({
        ...base,
        severity: 'error',
        kind: 'value',
        message: 'present although its condition is not met',
      });
      continue;
    }
    if (p === 'empty') {
      if (needsValue) {
        out.push({ ...base, severity: 'error', kind: 'empty', message: `empty Type ${rule.type} attribute` });
      }
      continue;
    }
    if (rule.items !== undefined) {
      const items = valuesOf(value) as NaturalDataset[];
      if (
        (rule.minItems !== undefined && items.length < rule.minItems) ||
        (rule.maxItems !== undefined && items.length > rule.maxItems)
      ) {
        out.push({
          ...base,
          severity: 'error',
          kind: 'items',
          message: `${items.length} item(s) where ${rule.minItems ?? 0}..${rule.maxItems ?? 'n'} are allowed`,
        });
      }
      items.forEach((it, i) => {
        if (typeof it === 'object' && it !== null)
          checkAttributes(rule.items ?? [], it, root, module, `${path}[${i}].`, out, options);
      });
      continue;
    }
    if (rule.enumerated !== undefined) {
      const vals = valuesOf(value);
      const checked = rule.enumIndex === undefined ? vals : vals.slice(rule.enumIndex, rule.enumIndex + 1);
      if (checked.some((v) => !matches(v, rule.enumerated ?? []))) {
        const severity = rule.enumSeverity ?? 'error';
        out.push({ ...base, severity, kind: 'enumerated', message: 'value not among the enumerated values' });
        continue;
      }
    }
    const reason = rule.check?.(value, item, root);
    if (reason !== undefined) out.push({ ...base, severity: 'error', kind: 'value', message: reason });
  }
}

function modulePresent(module: ModuleRule, ds: NaturalDataset): boolean {
  return module.attributes.some((a) => ds[a.keyword] !== undefined);
}

/**
 * Checks a naturalized dataset module by module against an IOD definition: Type 1 (present,
 * non-empty), Type 2 (present), 1C/2C under their conditions, enumerated values and a few
 * cross-attribute rules. Mandatory modules are always checked; conditional ones when their
 * condition holds or they are present; user-optional ones when present.
 */
export function validateAgainst(
  iod: IodDefinition,
  ds: NaturalDataset,
  options: ValidateOptions = {},
): Finding[] {
  const out: Finding[] = [];
  for (const module of iod.modules) {
    const check =
      module.usage === 'M' ||
      (module.usage === 'C' && (module.required?.(ds) ?? false)) ||
      modulePresent(module, ds);
    if (check) checkAttributes(module.attributes, ds, ds, module.name, '', out, options);
  }
  if (iod.check !== undefined) out.push(...iod.check(ds));
  return out;
}
