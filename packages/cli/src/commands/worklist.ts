import { associationOptionsFor, requireDestination } from '@hnvue/facade/config';
import { formatPersonName, queryWorklist, type WorklistQuery, type WorklistResult } from '@hnvue/net';
import { CONNECTION_OPTIONS, configFor, logLevelOf, numberOption, parse, stringOption } from '../args.js';
import type { CliContext } from '../context.js';
import { toDicomJson } from '../dicom-json.js';
import { EXIT_CODES } from '../exit-codes.js';

export const WORKLIST_HELP = `hnvue worklist [options] [host port]
  Modality Worklist C-FIND (FR-DICOM-03) to the RIS: a table, or DICOM JSON (PS3.18 F) with --json.
  --modality M        Modality of the scheduled step (e.g. DX)
  --date D            scheduled date: YYYYMMDD, a range YYYYMMDD-YYYYMMDD, or "today"
  --station AE        Scheduled Station AE Title
  --patient-id ID, --patient-name PATTERN, --accession N    (wildcards * and ? allowed)
  --limit N           stop after N matches (C-CANCEL)`;

function ymd(d: Date): string {
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

export async function worklistCommand(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = parse(argv, {
    ...CONNECTION_OPTIONS,
    modality: { type: 'string' },
    date: { type: 'string' },
    station: { type: 'string' },
    'patient-id': { type: 'string' },
    'patient-name': { type: 'string' },
    accession: { type: 'string' },
    limit: { type: 'string' },
  });
  const config = configFor(parsed, 'ris');
  const ris = requireDestination(config, 'ris');
  const logger = ctx.logger(logLevelOf(parsed.values));
  const v = parsed.values;
  const date = stringOption(v, 'date');
  const query: WorklistQuery = {
    ...(stringOption(v, 'modality') ? { modality: stringOption(v, 'modality')! } : {}),
    ...(date ? { scheduledDate: date === 'today' ? ymd(new Date()) : date } : {}),
    ...(stringOption(v, 'station') ? { scheduledStationAeTitle: stringOption(v, 'station')! } : {}),
    ...(stringOption(v, 'patient-id') ? { patientId: stringOption(v, 'patient-id')! } : {}),
    ...(stringOption(v, 'patient-name') ? { patientName: stringOption(v, 'patient-name')! } : {}),
    ...(stringOption(v, 'accession') ? { accessionNumber: stringOption(v, 'accession')! } : {}),
  };
  const limit = numberOption(v, 'limit');
  const results: WorklistResult[] = [];
  for await (const r of queryWorklist({
    ...associationOptionsFor(config, ris, logger),
    query,
    signal: ctx.signal,
    ...(limit === undefined ? {} : { limit }),
  })) {
    results.push(r);
  }
  if (v.json) {
    ctx.out(`${JSON.stringify(results.map((r) => toDicomJson(r.dataset)))}\n`);
    return EXIT_CODES.ok;
  }
  const header = ['Date', 'Time', 'Mod', 'Station', 'Patient name', 'Patient ID', 'Accession', 'Procedure'];
  const rows = results.map((r) => {
    const step = r.item.scheduledProcedureSteps[0];
    return [
      step?.startDate ?? '',
      step?.startTime ?? '',
      step?.modality ?? '',
      step?.scheduledStationAeTitle ?? '',
      r.item.patientName ? formatPersonName(r.item.patientName) : '',
      r.item.patientId ?? '',
      r.item.accessionNumber ?? '',
      r.item.requestedProcedureDescription ?? step?.description ?? '',
    ];
  });
  ctx.out(table([header, ...rows]));
  ctx.out(`${results.length} item${results.length === 1 ? '' : 's'}\n`);
  return EXIT_CODES.ok;
}

/** Display width: CJK and Hangul take two columns in a terminal. */
function width(text: string): number {
  let w = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
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
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => width(r[i] ?? ''))));
  return rows
    .map(
      (r) =>
        `${r
          .map((cell, i) => cell + ' '.repeat(widths[i]! - width(cell)))
          .join('  ')
          .trimEnd()}\n`,
    )
    .join('');
}
