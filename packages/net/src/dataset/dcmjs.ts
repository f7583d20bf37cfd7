import { createRequire } from 'node:module';

/**
 * The slice of dcmjs 0.52.2 the data set codec uses (dictionary, name ⇄ tag mapping, and the
 * accessors its naturalized form carries), typed here because the package ships no declarations;
 * loaded through `require` (its CommonJS build).
 */
interface DcmjsDictionary {
  naturalizeDataset(dict: Record<string, unknown>): Record<string, unknown>;
  denaturalizeDataset(ds: Record<string, unknown>): Record<string, unknown>;
  nameMap: Record<string, { tag: string; vr: string; vm: string; name: string }>;
  /** Keyed by punctuated tag, `(GGGG,EEEE)`. */
  dictionary: Record<string, { tag: string; vr: string; vm: string; name: string } | undefined>;
}

interface DcmjsValueRepresentation {
  /** Wraps a naturalized data set in the Proxy dcmjs gives it (it adds PN accessors on assignment). */
  addTagAccessors<T extends object>(target: T): T;
  createByTypeString(vr: string): { addValueAccessors(value: unknown): unknown };
}

interface Dcmjs {
  data: { DicomMetaDictionary: DcmjsDictionary; ValueRepresentation: DcmjsValueRepresentation };
  utilities: { addAccessors(dest: unknown[], itemZero: unknown): unknown[] };
}

const require = createRequire(import.meta.url);
const dcmjs = require('dcmjs') as Dcmjs;

export const DicomMetaDictionary: DcmjsDictionary = dcmjs.data.DicomMetaDictionary;
export const ValueRepresentation: DcmjsValueRepresentation = dcmjs.data.ValueRepresentation;
/** dcmjs's single-item array proxy: `seq.CodeValue` reads `seq[0].CodeValue`. */
export const addAccessors: (dest: unknown[], itemZero: unknown) => unknown[] = dcmjs.utilities.addAccessors;
