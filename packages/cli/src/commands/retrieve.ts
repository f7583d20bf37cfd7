/**
 * `hnvue retrieve`: Query/Retrieve C-MOVE or C-GET (FR-DICOM-06), movescu/getscu-compatible.
 * `--move AE` asks the SCP to send to AE; with `--port N` we run that AE's storage SCP here,
 * writing to --out (as `movescu +P`). `--get` receives on the association itself, the SCP role
 * asked for each storage SOP class (--sop-class, default the X-ray classes), writing to --out.
 * Progress from the pending responses; exit 0 all done, 7 some sub-operations failed or the
 * retrieve was cancelled, 6 the SCP's failure status (e.g. A801 unknown destination).
 */
import { mkdir } from 'node:fs/promises';
import { associationOptionsFor, requireDestination } from '@hnvue/facade/config';
import {
  Association,
  createStorageScp,
  DEFAULT_STORE_SOP_CLASSES,
  type DicomServer,
  getAssociationOptions,
  qrContexts,
  qrGet,
  qrMove,
  type RetrieveEvent,
  type RetrieveResult,
  retrieveIdentifier,
} from '@hnvue/net';
import { CONNECTION_OPTIONS, configFor, logLevelOf, numberOption, parse, stringOption } from '../args.js';
import type { CliContext } from '../context.js';
import { PartialFailureError, UsageError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { ProgressBar } from '../progress.js';
import { destinationName } from './common.js';
import { QR_OPTIONS, qrKeysOf } from './query.js';

export const RETRIEVE_HELP = `hnvue retrieve [options] [host port]
  Query/Retrieve C-MOVE (--move AE) or C-GET (--get) from the queryRetrieve destination (or --to).
  -S / -P, --level L, -k KEY=VALUE   as for \`hnvue query\`: the unique keys of what to retrieve
  --move AE           C-MOVE to AE (movescu -aem); with --port N, our storage SCP listens on N as AE
  --port N            (with --move) receive the sub-operations here, into --out
  --get               C-GET: receive on the association (getscu), into --out
  --out DIR           where received objects are written (default .)
  --sop-class UID     storage SOP class to accept for --get (repeatable; default: DX, CR, SC, SR, PR…)
  --progress          draw the progress bar even when stderr is not a terminal
  Exit codes: 0 all retrieved, 7 some sub-operations failed or cancelled, 6 the SCP's failure status`;

export async function retrieveCommand(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = parse(argv, {
    ...CONNECTION_OPTIONS,
    ...QR_OPTIONS,
    move: { type: 'string' },
    get: { type: 'boolean' },
    port: { type: 'string' },
    out: { type: 'string' },
    'sop-class': { type: 'string', multiple: true },
    progress: { type: 'boolean' },
  });
  const v = parsed.values;
  const moveTo = stringOption(v, 'move');
  if ((moveTo === undefined) === (v.get !== true))
    throw new UsageError('retrieve needs exactly one of --move AE and --get');
  const name = destinationName(stringOption(v, 'to'), 'queryRetrieve');
  const config = configFor(parsed, name);
  const destination = requireDestination(config, name);
  const logger = ctx.logger(logLevelOf(v));
  const { model, level, keys } = qrKeysOf(parsed);
  const out = stringOption(v, 'out') ?? '.';
  const identifier = retrieveIdentifier({ model, level, identifier: { QueryRetrieveLevel: level, ...keys } });
  const base = associationOptionsFor(config, destination, logger);
  const port = numberOption(v, 'port');
  let listener: DicomServer | undefined;
  let association: Association;
  if (moveTo !== undefined) {
    if (port !== undefined) {
      await mkdir(out, { recursive: true });
      listener = createStorageScp({ directory: out, fsync: false, logger, server: { aeTitles: [moveTo] } });
      await listener.listen(port, '0.0.0.0');
    }
    association = await Association.open({
      ...base,
      presentationContexts: qrContexts([model], ['move']),
      signal: ctx.signal,
    });
  } else {
    await mkdir(out, { recursive: true });
    const sopClasses =
      Array.isArray(v['sop-class']) && v['sop-class'].length ? v['sop-class'] : DEFAULT_STORE_SOP_CLASSES;
    association = await Association.open({
      ...base,
      ...getAssociationOptions({
        models: [model],
        operations: ['get'],
        sopClasses,
        storage: { directory: out, fsync: false, logger },
      }),
      signal: ctx.signal,
    });
  }
  const bar = new ProgressBar(ctx.err, ctx.interactive || v.progress === true);
  const started = performance.now();
  let result: RetrieveResult | undefined;
  try {
    const target = { model, level, identifier };
    const events: AsyncIterable<RetrieveEvent> =
      moveTo !== undefined
        ? qrMove(association, target, { destination: moveTo, signal: ctx.signal })
        : qrGet(association, target, { signal: ctx.signal });
    for await (const e of events) {
      if (e.final) result = e as RetrieveResult;
      else {
        const total = e.completed + e.failed + e.warning + (e.remaining ?? 0);
        bar.update(e.completed + e.failed + e.warning, total, `${e.completed}/${total}`);
      }
    }
    await association.release();
  } catch (err) {
    association.abort();
    throw err;
  } finally {
    bar.done();
    await listener?.close();
  }
  const ms = Math.round(performance.now() - started);
  if (result === undefined) throw new PartialFailureError('the retrieve ended without a final response');
  if (v.json) {
    ctx.out(
      `${JSON.stringify({
        status: result.status,
        completed: result.completed,
        failed: result.failed,
        warning: result.warning,
        cancelled: result.cancelled,
        failedSopInstanceUids: result.failedSopInstanceUids,
        ms,
      })}\n`,
    );
  } else {
    ctx.out(
      `${moveTo !== undefined ? `C-MOVE to ${moveTo}` : 'C-GET'}: ${result.completed} completed, ${result.failed} failed, ${result.warning} warning${result.cancelled ? ', cancelled' : ''} in ${ms} ms (status 0x${result.status.toString(16).toUpperCase().padStart(4, '0')})\n`,
    );
    for (const uid of result.failedSopInstanceUids) ctx.out(`FAILED  ${uid}\n`);
  }
  if (result.failed > 0 || result.cancelled) {
    throw new PartialFailureError(
      result.cancelled ? 'the retrieve was cancelled' : `${result.failed} sub-operations failed`,
    );
  }
  return EXIT_CODES.ok;
}
