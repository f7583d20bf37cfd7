/**
 * A naturalized data set → DICOM JSON (PS3.18 F.2): tags as 8 hex digits, `vr`, `Value`. Binary
 * values become InlineBinary (base64); the worklist has none in practice. Numbers are JSON
 * numbers (PS3.18 Table F.2.3-1: US, SS, UL, SL, FL, FD, DS, IS; SV and UV too while they fit a
 * double exactly, else strings as F.2.3.1 allows); a value that is not a number stays as written.
 */
import { createRequire } from 'node:module';

interface Dictionary {
  denaturalizeDataset(ds: Record<string, unknown>): Dense;
}

const require = createRequire(import.meta.url);
let dictionary: Dictionary | undefined;

/** dcmjs is required on first use (`worklist --json`), not when the worklist command loads. */
function metaDictionary(): Dictionary {
  dictionary ??= (require('dcmjs') as { data: { DicomMetaDictionary: Dictionary } }).data.DicomMetaDictionary;
  return dictionary;
}

type Dense = Record<string, { vr: string; Value?: unknown[]; InlineBinary?: string }>;

export function toDicomJson(dataset: Record<string, unknown>): Record<string, unknown> {
  const { _vrMap: _ignored, ...rest } = dataset;
  return clean(metaDictionary().denaturalizeDataset(rest));
}

const NUMBER_VRS = new Set(['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'DS', 'IS', 'SV', 'UV']);

function jsonNumber(vr: string, v: unknown): unknown {
  if (typeof v === 'number' || typeof v === 'bigint') {
    return typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v;
  }
  if (typeof v !== 'string' || v.trim() === '') return v;
  const n = Number(v.trim());
  if (!Number.isFinite(n)) return v;
  // A 64-bit integer beyond 2^53 would change as a double: keep its digits (PS3.18 F.2.3.1).
  if ((vr === 'SV' || vr === 'UV') && !Number.isSafeInteger(n)) return v.trim();
  return n;
}

/** PS3.18 F.2.2: a PN value is an object of its component groups, whatever form it came in. */
function personName(v: unknown): unknown {
  // dcmjs hands some PN values out as String objects whose toJSON nests them in an array.
  const text = v instanceof String ? v.valueOf() : v;
  if (typeof text !== 'string') return v;
  const [alphabetic, ideographic, phonetic] = text.split('=');
  return {
    ...(alphabetic ? { Alphabetic: alphabetic } : {}),
    ...(ideographic ? { Ideographic: ideographic } : {}),
    ...(phonetic ? { Phonetic: phonetic } : {}),
  };
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
    } else if (element.vr === 'PN') {
      out[tag] = { vr: 'PN', Value: value.map(personName) };
    } else if (NUMBER_VRS.has(element.vr)) {
      out[tag] = { vr: element.vr, Value: value.map((v) => jsonNumber(element.vr, v)) };
    } else {
      out[tag] = { vr: element.vr, Value: value };
    }
  }
  return out;
}
