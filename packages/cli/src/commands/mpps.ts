import { associationOptionsFor, requireDestination } from '@hnvue/facade/config';
import {
  buildMppsCreate,
  buildMppsEnd,
  MPPS_CONTEXT,
  type PerformedSeries,
  resolveInstance,
  sendMppsCreate,
  sendMppsSet,
  withAssociation,
} from '@hnvue/net';
import { createUidGenerator } from '@hnvue/uid';
import { CONNECTION_OPTIONS, configFor, logLevelOf, parse, stringOption } from '../args.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { collectDicomFiles, splitPeer } from '../files.js';

export const MPPS_HELP = `hnvue mpps <start|complete|discontinue> [options] [host port] [files...]
  MPPS (FR-DICOM-05) to the mpps destination.
  start        N-CREATE IN PROGRESS; prints the new MPPS SOP Instance UID
               --study UID, --modality M (default DX), --patient-id ID
  complete     N-SET COMPLETED for --uid UID, referencing the objects in the files (one series each)
  discontinue  N-SET DISCONTINUED for --uid UID`;

export async function mppsCommand(argv: readonly string[], ctx: CliContext): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== 'start' && action !== 'complete' && action !== 'discontinue') {
    throw new UsageError('mpps needs an action: start, complete or discontinue');
  }
  const parsed = parse(rest, {
    ...CONNECTION_OPTIONS,
    uid: { type: 'string' },
    study: { type: 'string' },
    modality: { type: 'string' },
    'patient-id': { type: 'string' },
  });
  const { peer, rest: files } = await splitPeer(parsed.positionals);
  const config = configFor(parsed, 'mpps', peer);
  const destination = requireDestination(config, 'mpps');
  const logger = ctx.logger(logLevelOf(parsed.values));
  const uids = createUidGenerator({
    ...(config.uid.orgRoot ? { orgRoot: config.uid.orgRoot } : {}),
    deviceSerial: config.uid.deviceSerial,
  });
  const options = {
    ...associationOptionsFor(config, destination, logger),
    presentationContexts: [MPPS_CONTEXT],
    signal: ctx.signal,
  };
  // Checked before anything goes on the wire.
  const uid = action === 'start' ? undefined : stringOption(parsed.values, 'uid');
  if (action !== 'start' && !uid)
    throw new UsageError(`mpps ${action} needs --uid (the MPPS SOP Instance UID)`);
  const sopInstanceUid = await withAssociation(options, async (association) => {
    if (uid === undefined) {
      // One request per process: the stateless N-CREATE; the SCP keeps the step's state.
      const created = uids.next();
      const patientId = stringOption(parsed.values, 'patient-id');
      await sendMppsCreate(
        association,
        created,
        buildMppsCreate({
          performedProcedureStepId: created.slice(-16),
          startedAt: new Date(),
          performedStationAeTitle: config.local.aeTitle,
          modality: stringOption(parsed.values, 'modality') ?? 'DX',
          studyInstanceUid: stringOption(parsed.values, 'study') ?? uids.next(),
          ...(patientId ? { patient: { id: patientId } } : {}),
        }),
      );
      return created;
    }
    const series = new Map<
      string,
      PerformedSeries & { referencedImages: { sopClassUid: string; sopInstanceUid: string }[] }
    >();
    const seriesUid = uids.next();
    const { files: paths } = files.length ? await collectDicomFiles(files) : { files: [] };
    for (const path of paths) {
      const r = await resolveInstance(path);
      const s = series.get(seriesUid) ?? {
        seriesInstanceUid: seriesUid,
        protocolName: 'DX',
        referencedImages: [],
      };
      s.referencedImages.push({ sopClassUid: r.sopClassUid, sopInstanceUid: r.sopInstanceUid });
      series.set(seriesUid, s);
    }
    const dataset = buildMppsEnd({
      status: action === 'complete' ? 'COMPLETED' : 'DISCONTINUED',
      endedAt: new Date(),
      performedSeries: [...series.values()],
    });
    // N-SET of a step created by another process: whether it may still be updated is the
    // SCP's to say (0110 with Error ID A710, PS3.4 F.7.2.2.4), an exit 6.
    await sendMppsSet(association, uid, dataset);
    return uid;
  });
  if (parsed.values.json) ctx.out(`${JSON.stringify({ action, sopInstanceUid })}\n`);
  else ctx.out(`${sopInstanceUid}\n`);
  return EXIT_CODES.ok;
}
