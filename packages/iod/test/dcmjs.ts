import { createRequire } from 'node:module';

/**
 * The slice of dcmjs 0.52.2 the tests and the write benchmark use, as a reference outside our
 * code (its dictionary for dciodvfy's attribute names, its writer for comparison), typed here
 * because the package ships no declarations. Loaded through `require` (its CommonJS build).
 */
interface DcmjsApi {
  data: {
    DicomMetaDictionary: {
      nameMap: Record<string, { tag: string; vr: string; vm: string; name: string }>;
    };
    datasetToDict(dataset: unknown): { write(): ArrayBuffer };
  };
  log: { setLevel(level: string): void };
}

const require = createRequire(import.meta.url);
export const dcmjs: DcmjsApi = require('dcmjs') as DcmjsApi;
dcmjs.log.setLevel('error');
