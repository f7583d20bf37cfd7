import { createRequire } from 'node:module';

/**
 * The slice of dcmjs 0.52.2 we use, typed here because the package ships no declarations.
 * Loaded through `require` (its CommonJS build) so the ESM/CJS interop of its bundle stays out
 * of our way.
 */
export type NaturalDataset = Record<string, unknown>;

export interface DcmjsDenaturalElement {
  vr: string;
  Value?: unknown[];
}

export interface DcmjsDicomDict {
  dict: Record<string, DcmjsDenaturalElement>;
  write(options?: Record<string, unknown>): ArrayBuffer;
}

interface DcmjsApi {
  data: {
    DicomDict: new (meta: Record<string, DcmjsDenaturalElement>) => DcmjsDicomDict;
    DicomMessage: {
      readFile(
        buffer: ArrayBuffer,
        options?: Record<string, unknown>,
      ): DcmjsDicomDict & {
        meta: Record<string, DcmjsDenaturalElement>;
      };
    };
    DicomMetaDictionary: {
      naturalizeDataset(dict: Record<string, DcmjsDenaturalElement>): NaturalDataset;
      denaturalizeDataset(ds: NaturalDataset): Record<string, DcmjsDenaturalElement>;
      nameMap: Record<string, { tag: string; vr: string; vm: string; name: string }>;
    };
    WriteBufferStream: { prototype: { writeUTF8String: (this: unknown, value: string) => number } };
  };
  log: { setLevel(level: string): void };
}

const require = createRequire(import.meta.url);
export const dcmjs: DcmjsApi = require('dcmjs') as DcmjsApi;
dcmjs.log.setLevel('error');
