/**
 * A Modality Worklist C-FIND SCP (PS3.4 Annex K) over an in-memory list: the matching of PS3.4
 * C.2.2.2 (universal, single value, wildcard `*`/`?`, date/time range, sequence matching), return
 * keys as asked (C.2.2.1.2: every requested key comes back, empty when unknown), pending responses
 * one per match, C-CANCEL honoured (FE00).
 */
import {
  type DateTimeVr,
  decodeDatasetStream,
  encodeDataset,
  formatPersonName,
  matchesDateTime,
  type NaturalDataset,
  personNameFromDcmjs,
} from '@hnvue/dicom';
import { type DimseReply, type RequestHandler, STATUS } from '@hnvue/net';

const IGNORED = new Set(['_vrMap', 'SpecificCharacterSet', 'QueryRetrieveLevel']);

function text(value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') {
    const pn = personNameFromDcmjs(v);
    return pn === undefined ? '' : formatPersonName(pn);
  }
  return String(v);
}

function wildcard(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    caseInsensitive ? 'iu' : 'u',
  );
  return re.test(value);
}

const RANGE_KEYS = /(Date|Time|DateTime)$/;

function rangeVr(key: string): DateTimeVr {
  return key.endsWith('DateTime') ? 'DT' : key.endsWith('Date') ? 'DA' : 'TM';
}

/** PS3.4 C.2.2.2: does one attribute of the item match the key's value? */
function matchesValue(key: string, keyValue: unknown, itemValue: unknown): boolean {
  const pattern = text(keyValue).trim();
  if (pattern === '') return true; // universal matching
  const value = text(itemValue).trim();
  // PS3.4 C.2.2.2.5, inclusive, truncated TM/DT ends widened (the shared @hnvue/dicom matcher).
  if (RANGE_KEYS.test(key) && pattern.includes('-')) return matchesDateTime(pattern, value, rangeVr(key));
  if (key.endsWith('Name')) {
    // PN: match the alphabetic group (and the whole value), ignoring case as most RIS do.
    const alphabetic = value.split('=')[0] ?? '';
    return wildcard(pattern, alphabetic, true) || wildcard(pattern, value, true);
  }
  if (pattern.includes('*') || pattern.includes('?')) return wildcard(pattern, value, false);
  return pattern === value;
}

/** Whether `item` matches every key of `identifier` (sequences: any item of the item's sequence). */
export function matchesIdentifier(identifier: NaturalDataset, item: NaturalDataset): boolean {
  for (const [key, keyValue] of Object.entries(identifier)) {
    if (IGNORED.has(key)) continue;
    if (Array.isArray(keyValue) && keyValue.length > 0 && isDataset(keyValue[0])) {
      const template = keyValue[0] as NaturalDataset;
      const items = (item[key] as NaturalDataset[] | undefined) ?? [];
      if (!items.some((i) => matchesIdentifier(template, i))) return false;
      continue;
    }
    if (!matchesValue(key, keyValue, item[key])) return false;
  }
  return true;
}

function isDataset(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !('Alphabetic' in v);
}

/** The item reduced to the requested keys; unknown keys come back empty (PS3.4 C.2.2.1.2). */
export function projectItem(identifier: NaturalDataset, item: NaturalDataset): NaturalDataset {
  const out: NaturalDataset = {};
  for (const [key, keyValue] of Object.entries(identifier)) {
    if (IGNORED.has(key)) continue;
    const value = item[key];
    if (Array.isArray(keyValue) && keyValue.length > 0 && isDataset(keyValue[0])) {
      const template = keyValue[0] as NaturalDataset;
      const items = (value as NaturalDataset[] | undefined) ?? [];
      out[key] = items.filter((i) => matchesIdentifier(template, i)).map((i) => projectItem(template, i));
      continue;
    }
    if (Array.isArray(keyValue) && keyValue.length === 0 && Array.isArray(value)) {
      // An empty sequence key asks for the whole sequence.
      out[key] = value;
      continue;
    }
    out[key] = value ?? (Array.isArray(keyValue) ? [] : '');
  }
  if (item.SpecificCharacterSet !== undefined) out.SpecificCharacterSet = item.SpecificCharacterSet;
  return out;
}

export interface WorklistScpOptions {
  /** The current worklist (read at each query, so items can be added while running). */
  readonly items: () => readonly NaturalDataset[];
  /** Notification after each query (match count only: PHI-free). */
  readonly onQuery?: (matches: number, callingAeTitle: string) => void;
}

/** The C-FIND handler for the Modality Worklist Information Model – FIND. */
export function worklistScpHandler(options: WorklistScpOptions): RequestHandler {
  return (request) =>
    (async function* (): AsyncGenerator<DimseReply> {
      if (request.dataset === undefined) {
        yield {
          status: STATUS.cannotUnderstand,
          command: { errorComment: 'C-FIND-RQ without an identifier' },
        };
        return;
      }
      const { dataset: identifier } = await decodeDatasetStream(request.dataset, {
        transferSyntax: request.transferSyntax,
      });
      const matches = options.items().filter((item) => matchesIdentifier(identifier, item));
      let sent = 0;
      for (const item of matches) {
        if (request.signal.aborted) break;
        const projected = projectItem(identifier, item);
        const bytes = encodeDataset(projected, { transferSyntax: request.transferSyntax });
        // PS3.4 C.4.1.1.4: FF00 pending, one identifier per match.
        yield { status: STATUS.pending, dataset: bytes };
        sent++;
      }
      options.onQuery?.(sent, request.association.callingAeTitle);
      yield { status: request.signal.aborted ? STATUS.cancel : STATUS.success };
    })();
}
