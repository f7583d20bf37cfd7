/**
 * A naturalized data set → DICOM JSON (PS3.18 F.2): tags as 8 hex digits, `vr`, `Value`. Binary
 * values become InlineBinary (base64); the worklist has none in practice.
 */
import { createRequire } from 'node:module';

interface Dictionary {
  denaturalizeDataset(ds: Record<string, unknown>): Dense;
}

const require = createRequire(import.meta.url);
const dictionary = (require('dcmjs') as { data: { DicomMetaDictionary: Dictionary } }).data
  .DicomMetaDictionary;

type Dense = Record<string, { vr: string; Value?: unknown[]; InlineBinary?: string }>;

export function toDicomJson(dataset: Record<string, unknown>): Record<string, unknown> {
  const { _vrMap: _ignored, ...rest } = dataset;
  return clean(dictionary.denaturalizeDataset(rest));
}

function clean(dense: Dense): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const tag of Object.keys(dense).sort()) {
    const element = dense[tag]!;
    const value = element.Value;
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
      out[tag] = { vr: element.vr };
    } else if (element.vr === 'SQ') {
      out[tag] = { vr: 'SQ', Value: value.map((item) => clean(item as Dense)) };
    } else if (value.some((v) => v instanceof ArrayBuffer)) {
      const buffer = value.find((v) => v instanceof ArrayBuffer) as ArrayBuffer;
      out[tag] = { vr: element.vr, InlineBinary: Buffer.from(buffer).toString('base64') };
    } else {
      out[tag] = { vr: element.vr, Value: value };
    }
  }
  return out;
}
