import type { NaturalDataset } from '@hnvue/dicom';

export type Severity = 'error' | 'warning';

/** What is wrong with an attribute; PS3.5 7.4 defines the Type semantics checked here. */
export type FindingKind =
  | 'missing' // a Type 1/2 (or triggered 1C/2C) attribute is absent
  | 'empty' // a Type 1 (or triggered 1C) attribute is present without a value
  | 'enumerated' // a value outside the enumerated or defined-term list that the IOD fixes
  | 'value' // a value that breaks another rule (range, consistency with other attributes)
  | 'items'; // a sequence with the wrong number of items

/**
 * One problem found in a dataset. It names attributes and modules only, never values, so a
 * finding is safe to log (NFR-SEC-01). `path` locates nested attributes: `Seq[0].Keyword`.
 */
export interface Finding {
  readonly severity: Severity;
  readonly module: string;
  readonly keyword: string;
  readonly path: string;
  readonly kind: FindingKind;
  readonly message: string;
}

/** PS3.5 7.4 data element types. */
export type AttributeType = '1' | '1C' | '2' | '2C' | '3';

export interface AttributeRule {
  readonly keyword: string;
  readonly type: AttributeType;
  /** For 1C/2C: whether the condition holds, given the enclosing item (or dataset) and the root. */
  readonly when?: (item: NaturalDataset, root: NaturalDataset) => boolean;
  /**
   * For 1C/2C: whether the attribute may be present when its condition does not hold (PS3.5
   * 7.4.3 vs. "shall not be present otherwise"). Default false: presence is then an error.
   */
  readonly mayBePresentOtherwise?: boolean;
  /** Severity of a value outside `enumerated`: defined terms are warnings, enumerated values errors. */
  readonly enumSeverity?: Severity;
  /** Allowed values (each value of a multi-valued attribute, or the one at `enumIndex`). */
  readonly enumerated?: readonly (string | number)[];
  readonly enumIndex?: number;
  /** A further check returning a short PHI-free reason when the value is wrong. */
  readonly check?: (value: unknown, item: NaturalDataset, root: NaturalDataset) => string | undefined;
  /** Sequence item rules, and bounds on the number of items. */
  readonly items?: readonly AttributeRule[];
  readonly minItems?: number;
  readonly maxItems?: number;
}

export type ModuleUsage = 'M' | 'C' | 'U';

export interface ModuleRule {
  /** Module name as dciodvfy prints it (`DXSeries`, `GeneralImage`…), so reports line up. */
  readonly name: string;
  readonly usage: ModuleUsage;
  /** For usage C: the condition under which the module is required. */
  readonly required?: (ds: NaturalDataset) => boolean;
  readonly attributes: readonly AttributeRule[];
}

export interface IodDefinition {
  readonly name: string;
  readonly sopClassUids: readonly string[];
  readonly modules: readonly ModuleRule[];
  /** Checks beyond attribute rules (an SR template's content tree); findings like the others. */
  readonly check?: (ds: NaturalDataset) => Finding[];
}
