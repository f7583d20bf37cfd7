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

/**
 * dcmjs is loaded on first use, not at import: only data set encoding and decoding need it, and
 * requiring it costs a fresh process ~110 ms and ~17 MB RSS (measured: `node -e
 * "require('dcmjs')"` 0.31 s / 57 MB vs 0.19 s / 40 MB bare), which a process that only stores
 * files (the C-STORE path never decodes a data set) or only echoes should not pay. The exports
 * are live bindings: the first access through a placeholder loads dcmjs and rebinds them to the
 * real objects, so later accesses go straight to dcmjs.
 */
function load(): Dcmjs {
  const dcmjs = require('dcmjs') as Dcmjs;
  DicomMetaDictionary = dcmjs.data.DicomMetaDictionary;
  ValueRepresentation = dcmjs.data.ValueRepresentation;
  addAccessors = dcmjs.utilities.addAccessors;
  return dcmjs;
}

/** Stands in for an object of dcmjs until the first access loads it. */
function placeholder<T extends object>(pick: (dcmjs: Dcmjs) => T): T {
  const real = (): T => pick(load());
  return new Proxy({} as T, {
    get: (_target, key) => {
      const target = real();
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
    has: (_target, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
      // A proxy may not report a non-configurable property its (empty) target lacks.
      return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
    },
  });
}

export let DicomMetaDictionary: DcmjsDictionary = placeholder((d) => d.data.DicomMetaDictionary);
export let ValueRepresentation: DcmjsValueRepresentation = placeholder((d) => d.data.ValueRepresentation);
/** dcmjs's single-item array proxy: `seq.CodeValue` reads `seq[0].CodeValue`. */
export let addAccessors: (dest: unknown[], itemZero: unknown) => unknown[] = (dest, itemZero) =>
  load().utilities.addAccessors(dest, itemZero);
