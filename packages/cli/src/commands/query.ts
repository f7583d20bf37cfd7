/**
 * `hnvue query`: Query/Retrieve C-FIND (FR-DICOM-06), findscu-compatible: `-S` / `-P`,
 * `-k key=value` (repeatable; an empty value asks for the key back), `--level`. Output: a table
 * per level, or DICOM JSON (PS3.18 F) with --json.
 */
import { formatPersonName, type NaturalDataset, personNameFromDcmjs } from '@hnvue/dicom';
import { associationOptionsFor, requireDestination } from '@hnvue/facade/config';
import {
  buildQrIdentifier,
  type InformationModel,
  isLevelOf,
  LEVELS,
  type QrMatch,
  type QueryLevel,
  qrContexts,
  qrFind,
  withAssociation,
} from '@hnvue/net';
import {
  CONNECTION_OPTIONS,
  configFor,
  logLevelOf,
  numberOption,
  type Parsed,
  parse,
  stringOption,
} from '../args.js';
import type { CliContext } from '../context.js';
import { toDicomJson } from '../dicom-json.js';
import { UsageError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { destinationName } from './common.js';

export const QUERY_HELP = `hnvue query [options] [host port]
  Query/Retrieve C-FIND (FR-DICOM-06) to the queryRetrieve destination (or --to): a table, or
  DICOM JSON (PS3.18 F) with --json. findscu spellings:
  -S                  Study Root information model (default)
  -P                  Patient Root information model
  --level L           PATIENT, STUDY (default), SERIES or IMAGE (or -k QueryRetrieveLevel=L)
  -k KEY=VALUE        a matching key by keyword, repeatable: wildcards * ?, ranges 20240101-,
                      UID lists a\\b; KEY alone (or KEY=) asks for it back
  --limit N           stop after N matches (C-CANCEL)
  --to NAME           configured destination (default queryRetrieve)`;

/** The options both `query` and `retrieve` read. */
export const QR_OPTIONS = {
  S: { type: 'boolean' },
  P: { type: 'boolean' },
  k: { type: 'string', multiple: true },
  level: { type: 'string' },
  to: { type: 'string' },
} as const;

export interface QrCommandKeys {
  readonly model: InformationModel;
  readonly level: QueryLevel;
  /** The -k keys: a value, a list (backslash), or null (return key). */
  readonly keys: NaturalDataset;
}

/** -S/-P, --level and the -k keys of a parsed command line. */
export function qrKeysOf(parsed: Parsed, defaultLevel: QueryLevel = 'STUDY'): QrCommandKeys {
  const v = parsed.values;
  if (v.S && v.P) throw new UsageError('-S and -P exclude each other');
  const model: InformationModel = v.P ? 'patient' : 'study';
  const keys: Record<string, unknown> = {};
  const raw = Array.isArray(v.k) ? v.k : [];
  for (const entry of raw) {
    const at = entry.indexOf('=');
    const key = (at < 0 ? entry : entry.slice(0, at)).trim();
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) throw new UsageError(`-k ${entry}: expected KEYWORD=VALUE`);
    const value = at < 0 ? '' : entry.slice(at + 1);
    // PS3.5 6.4: backslash separates values; multi-valued keys (UID lists) go out as lists.
    keys[key] = value === '' ? null : value.includes('\\') ? value.split('\\') : value;
  }
  const fromKeys = typeof keys.QueryRetrieveLevel === 'string' ? keys.QueryRetrieveLevel : undefined;
  delete keys.QueryRetrieveLevel;
  const level = (stringOption(v, 'level') ?? fromKeys ?? defaultLevel).toUpperCase();
  if (!isLevelOf(model, level)) {
    throw new UsageError(`--level: expected one of ${LEVELS[model].join(', ')} for the ${model} root model`);
  }
  return { model, level, keys: keys as NaturalDataset };
}

export async function queryCommand(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = parse(argv, { ...CONNECTION_OPTIONS, ...QR_OPTIONS, limit: { type: 'string' } });
  const name = destinationName(stringOption(parsed.values, 'to'), 'queryRetrieve');
  const config = configFor(parsed, name);
  const destination = requireDestination(config, name);
  const logger = ctx.logger(logLevelOf(parsed.values));
  const { model, level, keys } = qrKeysOf(parsed);
  const identifier = buildQrIdentifier({ model, level, keys });
  const limit = numberOption(parsed.values, 'limit');
  const results: QrMatch[] = [];
  await withAssociation(
    {
      ...associationOptionsFor(config, destination, logger),
      presentationContexts: qrContexts([model], ['find']),
      signal: ctx.signal,
    },
    async (association) => {
      const options = { signal: ctx.signal, ...(limit === undefined ? {} : { limit }) };
      for await (const m of qrFind(association, { model, identifier }, options)) results.push(m);
    },
  );
  if (parsed.values.json) {
    ctx.out(`${JSON.stringify(results.map((r) => toDicomJson(r.dataset)))}\n`);
    return EXIT_CODES.ok;
  }
  ctx.out(
    table([
      COLUMNS[level].map((c) => c[0]),
      ...results.map((r) => COLUMNS[level].map((c) => cell(r.dataset, c[1]))),
    ]),
  );
  ctx.out(`${results.length} match${results.length === 1 ? '' : 'es'}\n`);
  return EXIT_CODES.ok;
}

const COLUMNS: Readonly<Record<QueryLevel, readonly (readonly [string, string])[]>> = {
  PATIENT: [
    ['Patient ID', 'PatientID'],
    ['Patient name', 'PatientName'],
    ['Birth date', 'PatientBirthDate'],
    ['Sex', 'PatientSex'],
    ['Studies', 'NumberOfPatientRelatedStudies'],
  ],
  STUDY: [
    ['Date', 'StudyDate'],
    ['Time', 'StudyTime'],
    ['Patient ID', 'PatientID'],
    ['Patient name', 'PatientName'],
    ['Accession', 'AccessionNumber'],
    ['Modalities', 'ModalitiesInStudy'],
    ['Description', 'StudyDescription'],
    ['Study Instance UID', 'StudyInstanceUID'],
  ],
  SERIES: [
    ['#', 'SeriesNumber'],
    ['Mod', 'Modality'],
    ['Description', 'SeriesDescription'],
    ['Images', 'NumberOfSeriesRelatedInstances'],
    ['Series Instance UID', 'SeriesInstanceUID'],
  ],
  IMAGE: [
    ['#', 'InstanceNumber'],
    ['SOP Class UID', 'SOPClassUID'],
    ['SOP Instance UID', 'SOPInstanceUID'],
  ],
};

function cell(ds: NaturalDataset, key: string): string {
  const v = ds[key];
  if (v === undefined || v === null) return '';
  const values = Array.isArray(v) ? v : [v];
  return values
    .map((x) => {
      if (typeof x !== 'object' || x === null) return String(x);
      const pn = personNameFromDcmjs(x);
      return pn === undefined ? '' : formatPersonName(pn);
    })
    .join('\\');
}

/** Display width: CJK and Hangul take two columns in a terminal. */
function width(text: string): number {
  let w = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    w +=
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xff00 && c <= 0xff60)
        ? 2
        : 1;
  }
  return w;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => width(r[i] ?? ''))));
  return rows
    .map(
      (r) =>
        `${r
          .map((c, i) => c + ' '.repeat((widths[i] ?? 0) - width(c)))
          .join('  ')
          .trimEnd()}\n`,
    )
    .join('');
}
