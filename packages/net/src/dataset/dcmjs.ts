import { createRequire } from 'node:module';

/**
 * The slice of dcmjs 0.52.2 the data set codec uses (dictionary and name ⇄ tag mapping), typed
 * here because the package ships no declarations; loaded through `require` (its CommonJS build).
 */
interface DcmjsDictionary {
  naturalizeDataset(dict: Record<string, unknown>): Record<string, unknown>;
  denaturalizeDataset(ds: Record<string, unknown>): Record<string, unknown>;
  nameMap: Record<string, { tag: string; vr: string; vm: string; name: string }>;
}

const require = createRequire(import.meta.url);

export const DicomMetaDictionary: DcmjsDictionary = (
  require('dcmjs') as { data: { DicomMetaDictionary: DcmjsDictionary } }
).data.DicomMetaDictionary;
