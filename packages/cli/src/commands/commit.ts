import { associationOptionsFor, requireDestination } from '@hnvue/facade/config';
import { requestCommitment, resolveInstance } from '@hnvue/net';
import { createUidGenerator } from '@hnvue/uid';
import { CONNECTION_OPTIONS, configFor, logLevelOf, numberOption, parse } from '../args.js';
import type { CliContext } from '../context.js';
import { PartialFailureError, UsageError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { collectDicomFiles, splitPeer } from '../files.js';

export const COMMIT_HELP = `hnvue commit [options] [host port] <file|folder>...
  Storage Commitment (FR-DICOM-07) for the objects in the files: N-ACTION to the commitment SCP,
  then waits for the N-EVENT-REPORT on the same association or on a new one to our listener.
  --listen-port N    port of our listener for the report (default: local.port; 0 = any)
  --wait S           seconds to wait for the report (default: commitment.timeoutMs, at most 120 s here)
  Exit 0: all committed; 7: failed references or no report in time.`;

export async function commitCommand(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = parse(argv, {
    ...CONNECTION_OPTIONS,
    'listen-port': { type: 'string' },
    wait: { type: 'string' },
  });
  const { peer, rest } = await splitPeer(parsed.positionals);
  if (rest.length === 0) throw new UsageError('commit needs at least one file or folder');
  const config = configFor(parsed, 'commitment', peer);
  const destination = requireDestination(config, 'commitment');
  const logger = ctx.logger(logLevelOf(parsed.values));
  const { files } = await collectDicomFiles(rest);
  const references = [];
  for (const file of files) {
    const r = await resolveInstance(file);
    references.push({ sopClassUid: r.sopClassUid, sopInstanceUid: r.sopInstanceUid });
  }
  const uids = createUidGenerator({
    ...(config.uid.orgRoot ? { orgRoot: config.uid.orgRoot } : {}),
    deviceSerial: config.uid.deviceSerial,
  });
  // A person waits at the terminal: the console's (long) commitment timeout is capped unless --wait.
  const waitMs = (numberOption(parsed.values, 'wait') ?? Math.min(destination.timeoutMs / 1000, 120)) * 1000;
  const listenPort = numberOption(parsed.values, 'listen-port') ?? config.local.port;
  const { listenerPort: port, result } = await requestCommitment({
    association: { ...associationOptionsFor(config, destination, logger), signal: ctx.signal },
    transactionUid: uids.next(),
    references,
    waitMs,
    listener: {
      aeTitles: [config.local.aeTitle],
      logger,
      port: listenPort,
      host: config.local.bindAddress,
    },
    // Never silent while waiting: where the report may come, and for how long (stderr).
    onWaiting: ({ listenerPort }) =>
      ctx.err(
        `waiting up to ${waitMs / 1000} s for the report from ${destination.aeTitle}: on this association, or on our listener ${config.local.aeTitle}@${config.local.bindAddress ?? '0.0.0.0'}:${listenerPort}\n`,
      ),
  });
  const summary = {
    listenerPort: port,
    requested: references.length,
    committed: result?.committed.length ?? 0,
    failed: result?.failed.map((f) => ({ ...f })) ?? [],
    timedOut: result === undefined,
    transactionUid: result?.transactionUid,
    reportedBy: result?.reportedBy,
  };
  if (parsed.values.json) ctx.out(`${JSON.stringify(summary)}\n`);
  else if (result === undefined) ctx.out(`no commitment report within ${waitMs / 1000} s\n`);
  else {
    ctx.out(
      `commitment ${result.transactionUid} reported by ${result.reportedBy}: ${summary.committed} committed, ${summary.failed.length} failed\n`,
    );
    for (const f of result.failed)
      ctx.out(
        `  failed ${f.sopInstanceUid} reason 0x${f.failureReason.toString(16).toUpperCase().padStart(4, '0')}\n`,
      );
  }
  if (result === undefined)
    throw new PartialFailureError('no storage commitment report in time', {
      hint: 'check that the PACS knows our AE title, host and --listen-port',
    });
  if (result.failed.length > 0)
    throw new PartialFailureError(`${result.failed.length} of ${references.length} objects not committed`);
  return EXIT_CODES.ok;
}
