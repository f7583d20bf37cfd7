import { HnvError } from '@hnvue/core';
import { Part10Error, TS } from '@hnvue/dicom';
import { associationOptionsFor, requireDestination } from '@hnvue/facade/config';
import { StorageClient, type StoreOutcome } from '@hnvue/net';
import { CONNECTION_OPTIONS, configFor, logLevelOf, parse, stringOption } from '../args.js';
import type { CliContext } from '../context.js';
import { PartialFailureError, UsageError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { collectDicomFiles, splitPeer } from '../files.js';
import { formatBytes, ProgressBar } from '../progress.js';

export const STORE_HELP = `hnvue store [options] [host port] <file|folder>...
  C-STORE files (folders recursively) to the PACS (or --to), through the association pool.
  When the peer accepts none of the file's own transfer syntax, the file is transcoded in memory
  to the best syntax it accepted (FR-DICOM-04); a Big Endian or Deflated file is re-encoded to
  Explicit or Implicit VR LE. Every file's structure is checked first: a truncated one is refused
  before any association is opened (HNV_ERR_PART10_TRUNCATED with the byte offset, exit 8).
  --propose LIST   transfer syntaxes to propose, in order: j2k, jpeg-ll, explicit, implicit or UIDs
                   (DCMTK: -xv j2k, -xs jpeg-ll, -xe explicit, -xi implicit)
  --no-implicit    never propose Implicit VR LE (picky peers)
  --progress       draw the progress bar even when stderr is not a terminal
  --to NAME        configured destination (default pacs)`;

const SYNTAX_NAMES: Readonly<Record<string, string>> = {
  j2k: TS.jpeg2000Lossless,
  'jpeg-ll': TS.jpegLosslessSv1,
  explicit: TS.explicitVrLittleEndian,
  implicit: TS.implicitVrLittleEndian,
};

const DCMTK_PROPOSALS: Readonly<Record<string, string>> = {
  '-xv': 'j2k',
  '-xs': 'jpeg-ll',
  '-xe': 'explicit',
  '-xi': 'implicit',
};

export async function storeCommand(argv: readonly string[], ctx: CliContext): Promise<number> {
  const dcmtk = argv.filter((a) => a in DCMTK_PROPOSALS).map((a) => DCMTK_PROPOSALS[a]!);
  const parsed = parse(
    argv.filter((a) => !(a in DCMTK_PROPOSALS)),
    {
      ...CONNECTION_OPTIONS,
      propose: { type: 'string' },
      'no-implicit': { type: 'boolean' },
      progress: { type: 'boolean' },
      to: { type: 'string' },
    },
  );
  const { peer, rest } = await splitPeer(parsed.positionals);
  if (rest.length === 0) throw new UsageError('store needs at least one file or folder');
  const names = [...dcmtk, ...(stringOption(parsed.values, 'propose')?.split(',') ?? [])].filter(Boolean);
  const proposed = names.map((n) => SYNTAX_NAMES[n.trim()] ?? n.trim());
  const extra: Record<string, unknown> = {};
  if (proposed.length) extra.transferSyntaxes = proposed;
  if (parsed.values['no-implicit']) extra.dropImplicitFallback = true;
  const to = (stringOption(parsed.values, 'to') ?? 'pacs') as 'pacs';
  const config = configFor(parsed, to, peer, extra);
  const destination = requireDestination(config, to);
  const logger = ctx.logger(logLevelOf(parsed.values));
  const { files, skipped } = await collectDicomFiles(rest);
  if (files.length === 0) throw new UsageError('no DICOM Part 10 file found in the given paths');
  const options = associationOptionsFor(config, destination, logger);
  const client = new StorageClient(
    {
      host: options.host,
      port: options.port,
      calledAeTitle: options.calledAeTitle,
      callingAeTitle: options.callingAeTitle,
      transferSyntaxes: destination.transferSyntaxes,
      proposeImplicit: !destination.dropImplicitFallback,
      allowLossy: destination.allowLossy,
      ...(options.connector ? { connector: options.connector } : {}),
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      ...(options.maxPduLength ? { maxPduLength: options.maxPduLength } : {}),
      ...(options.framing ? { framing: options.framing } : {}),
    },
    { pool: { ...config.associationPool }, logger },
  );
  const bar = new ProgressBar(ctx.err, ctx.interactive || parsed.values.progress === true);
  const started = performance.now();
  let outcomes: StoreOutcome[];
  try {
    outcomes = await client.storeStudy(files, {
      signal: ctx.signal,
      onProgress: (p) =>
        bar.update(
          p.batchBytesSent,
          p.batchTotalBytes,
          `${p.index + 1}/${p.count} ${formatBytes(p.batchBytesSent)}`,
        ),
    });
  } finally {
    bar.done();
    await client.close();
  }
  const ms = Math.round(performance.now() - started);
  const failed = outcomes.filter((o) => !o.ok);
  const rows = outcomes.map((o) =>
    o.ok
      ? {
          file: files[o.index]!,
          ok: true,
          sopInstanceUid: o.result.sopInstanceUid,
          status: o.result.status,
          transferSyntax: o.result.transferSyntax,
          transcoded: o.result.transcoded,
          bytes: o.result.bytesSent,
        }
      : {
          file: files[o.index]!,
          ok: false,
          code: (o.error as { code?: string }).code ?? o.error.name,
          error: o.error.message,
        },
  );
  if (parsed.values.json) {
    ctx.out(
      `${JSON.stringify({ stored: outcomes.length - failed.length, failed: failed.length, skipped: skipped.length, skippedFiles: skipped, ms, files: rows })}\n`,
    );
  } else {
    for (const r of rows) {
      if (r.ok) ctx.out(`stored  ${r.file}  ${r.transferSyntax}${r.transcoded ? ' (transcoded)' : ''}\n`);
      else ctx.out(`FAILED  ${r.file}  ${r.code}: ${r.error}\n`);
    }
    for (const f of skipped) ctx.out(`skipped ${f}  (not a DICOM Part 10 file)\n`);
    ctx.out(
      `${outcomes.length - failed.length} stored, ${failed.length} failed, ${skipped.length} skipped in ${ms} ms\n`,
    );
  }
  if (failed.length === 0) return EXIT_CODES.ok;
  // All failed for one reason: that reason's exit code (network, rejected…); otherwise partial.
  if (failed.length === outcomes.length) throw namingFile(files[failed[0]!.index]!, failed[0]!.error);
  throw new PartialFailureError(`${failed.length} of ${outcomes.length} objects were not stored`);
}

/**
 * A file's own fault (truncated, not Part 10…: @hnvue/dicom's Part10Error and its codes) with
 * the file named, since the one line on stderr is all a script sees. The message stays free of
 * patient data: the path the user gave and the reader's byte offset, never a value of the file.
 */
function namingFile(file: string, err: Error): Error {
  if (!(err instanceof Part10Error)) return err;
  return new HnvError(err.code, `${file}: ${err.message}`, {
    cause: err,
    details: { ...err.details, file },
    ...(err.hint ? { hint: err.hint } : {}),
  });
}
