/**
 * Storage commitment re-requests (FR-DICOM-07, PS3.4 J.3.3): a commitment without its report is
 * asked again with a new N-ACTION and a new Transaction UID, a bounded number of times; the report
 * of any request resolves it once; after the last request it expires with an event; a restart asks
 * again at once for a commitment whose report may have come while the console was down.
 * Against the simulated PACS (@hnvue/simulator), which reports on a new association to a
 * registered modality only: unregistered, its report is lost as Orthanc's is when we are down.
 */
import { join } from 'node:path';
import { encodeDataset } from '@hnvue/dicom';
import {
  Association,
  buildCommitmentReport,
  STORAGE_COMMITMENT_SOP_CLASS,
  STORAGE_COMMITMENT_SOP_INSTANCE,
} from '@hnvue/net';
import { COMMAND_FIELD } from '@hnvue/net/dimse';
import { RisPacsSimulator } from '@hnvue/simulator';
import { freePort, makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CommitmentExpiredInfo,
  type CommitmentInfo,
  type CommitmentReRequestInfo,
  type CommitmentTimeoutInfo,
  createDicomServices,
  type DicomServices,
  parseConfig,
  type StoredObject,
} from '../src/index.js';
import { dxImage, dxWorklistItem } from './support.js';

const ITEM = dxWorklistItem({
  patientName: { alphabetic: 'Recommit^Test' },
  patientId: 'RC-1',
  patientBirthDate: '19700101',
  accessionNumber: 'RCACC1',
  studyInstanceUid: '2.25.77771',
});

const IMAGE = dxImage(32);

const AE = 'HNVUE_RR';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function next<T>(services: DicomServices, event: string, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${timeoutMs} ms`)), timeoutMs);
    (services as unknown as NodeJS.EventEmitter).once(event, (info: T) => {
      clearTimeout(timer);
      resolve(info);
    });
  });
}

/** Every emission of `event`, in order. */
function all<T>(services: DicomServices, event: string): T[] {
  const seen: T[] = [];
  (services as unknown as NodeJS.EventEmitter).on(event, (info: T) => seen.push(info));
  return seen;
}

interface Rig {
  readonly sim: RisPacsSimulator;
  readonly localPort: number;
  readonly open: (reRequest: Record<string, unknown>, timeoutMs?: number) => DicomServices;
}

async function rig(): Promise<Rig> {
  const dir = await makeTempDir('hnvue-rerequest-');
  cleanups.push(() => rmTempDir(dir));
  const sim = new RisPacsSimulator({ storageDir: join(dir, 'pacs') });
  const address = await sim.start();
  cleanups.push(() => sim.stop());
  const localPort = await freePort();
  const pacs = { aeTitle: 'PACS', host: '127.0.0.1', port: address.pacs.port };
  const open = (reRequest: Record<string, unknown>, timeoutMs = 300) => {
    const services = createDicomServices({
      config: {
        local: { aeTitle: AE, port: localPort },
        uid: { deviceSerial: '9' },
        pacs,
        commitment: { ...pacs, timeoutMs, reRequest },
        queue: { path: join(dir, 'q.sqlite'), initialIntervalMs: 100 },
      },
    });
    cleanups.push(() => services.stop({ graceMs: 0 }));
    return services;
  };
  return { sim, localPort, open };
}

/** One image, completed: its commitment is requested; resolves once the simulator tried to report. */
async function day(
  rig: Rig,
  services: DicomServices,
): Promise<{ image: StoredObject; transactionUid: string }> {
  const procedure = await services.startProcedure({ worklist: { item: ITEM } });
  const image = await services.storeImage(procedure.id, IMAGE);
  const tried = new Promise<string>((resolve) => {
    rig.sim.once('commitmentReportFailed', (uid: string) => resolve(uid));
    rig.sim.once('commitmentReported', (uid: string) => resolve(uid));
  });
  await services.completeProcedure(procedure.id);
  return { image, transactionUid: await tried };
}

/** The PACS's report for `transactionUid`, sent by hand on a new association (as Orthanc does). */
async function report(services: DicomServices, transactionUid: string, image: StoredObject): Promise<void> {
  const association = await Association.open({
    host: '127.0.0.1',
    port: services.listenerPort,
    callingAeTitle: 'PACS',
    calledAeTitle: AE,
    presentationContexts: [
      { abstractSyntax: STORAGE_COMMITMENT_SOP_CLASS, transferSyntaxes: ['1.2.840.10008.1.2'] },
    ],
    roles: [{ sopClassUid: STORAGE_COMMITMENT_SOP_CLASS, scuRole: false, scpRole: true }],
  });
  const built = buildCommitmentReport(
    transactionUid,
    [{ sopClassUid: image.sopClassUid, sopInstanceUid: image.sopInstanceUid }],
    [],
  );
  await association.send({
    abstractSyntax: STORAGE_COMMITMENT_SOP_CLASS,
    command: {
      commandField: COMMAND_FIELD['N-EVENT-REPORT-RQ'],
      affectedSopClassUid: STORAGE_COMMITMENT_SOP_CLASS,
      affectedSopInstanceUid: STORAGE_COMMITMENT_SOP_INSTANCE,
      eventTypeId: built.eventTypeId,
    },
    dataset: encodeDataset(built.dataset, { transferSyntax: '1.2.840.10008.1.2' }),
  });
  await association.release();
}

describe('storage commitment re-request', () => {
  it('FR-DICOM-07: a commitment whose report was lost is requested again with a new Transaction UID, and that report commits it', async () => {
    const r = await rig();
    const services = r.open({ maxRequests: 3, backoffMultiplier: 1 });
    await services.start();
    const timedOut = next<CommitmentTimeoutInfo>(services, 'commitmentTimedOut');
    const reRequested = next<CommitmentReRequestInfo>(services, 'commitmentReRequested');
    const committed = next<CommitmentInfo>(services, 'committed');
    // The first report cannot be delivered (no modality registered yet), the second can.
    const first = await day(r, services);
    r.sim.registerModality(AE, { host: '127.0.0.1', port: r.localPort });
    expect(await timedOut).toMatchObject({ transactionUid: first.transactionUid, request: 1, final: false });
    const again = await reRequested;
    expect(again).toMatchObject({
      previousTransactionUid: first.transactionUid,
      request: 2,
      maxRequests: 3,
      reason: 'timeout',
    });
    expect(again.transactionUid).not.toBe(first.transactionUid);
    const info = await committed;
    expect(info.transactionUid).toBe(again.transactionUid);
    expect(info.committed.map((c) => c.sopInstanceUid)).toEqual([first.image.sopInstanceUid]);
    expect(services.pendingCommitments()).toEqual([]);
  });

  it('FR-DICOM-07: a late report of the earlier transaction resolves a re-requested commitment, once', async () => {
    const r = await rig();
    const services = r.open({ maxRequests: 3, backoffMultiplier: 10 });
    await services.start();
    const reRequested = next<CommitmentReRequestInfo>(services, 'commitmentReRequested');
    const committed = all<CommitmentInfo>(services, 'committed');
    const first = await day(r, services);
    const again = await reRequested;
    expect(services.pendingCommitments().map((p) => [p.transactionUid, p.request])).toEqual([
      [again.transactionUid, 2],
    ]);
    await report(services, first.transactionUid, first.image);
    expect(committed.map((c) => c.transactionUid)).toEqual([first.transactionUid]);
    expect(services.pendingCommitments()).toEqual([]);
    // The re-request's own report, if the PACS sends it too, is not counted again.
    await report(services, again.transactionUid, first.image);
    expect(committed).toHaveLength(1);
  });

  it('FR-DICOM-07: after the last request without a report the commitment expires (commitmentExpired), no longer pending', async () => {
    const r = await rig();
    const services = r.open({ maxRequests: 2, backoffMultiplier: 1 });
    await services.start();
    const timeouts = all<CommitmentTimeoutInfo>(services, 'commitmentTimedOut');
    const reRequests = all<CommitmentReRequestInfo>(services, 'commitmentReRequested');
    const expired = next<CommitmentExpiredInfo>(services, 'commitmentExpired');
    const first = await day(r, services);
    const info = await expired;
    expect(reRequests).toHaveLength(1);
    expect(info.transactionUids).toEqual([first.transactionUid, reRequests[0]?.transactionUid]);
    expect(info.transactionUid).toBe(reRequests[0]?.transactionUid);
    expect(info.references.map((x) => x.sopInstanceUid)).toEqual([first.image.sopInstanceUid]);
    expect(timeouts.map((t) => [t.request, t.final])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(services.pendingCommitments()).toEqual([]);
  });

  it('FR-DICOM-07: a re-request that cannot be sent (commitment SCP down) still expires after its timeout', async () => {
    const r = await rig();
    const services = r.open({ maxRequests: 2, backoffMultiplier: 1 });
    await services.start();
    const reRequested = next<CommitmentReRequestInfo>(services, 'commitmentReRequested');
    const expired = next<CommitmentExpiredInfo>(services, 'commitmentExpired');
    const first = await day(r, services);
    // The PACS goes away after the first N-ACTION: the re-request stays in the queue, retrying.
    await r.sim.stop();
    const again = await reRequested;
    const info = await expired;
    expect(info.transactionUids).toEqual([first.transactionUid, again.transactionUid]);
    expect(services.pendingCommitments()).toEqual([]);
    expect(
      services.queueItems().some((i) => i.sopInstanceUid === again.transactionUid && i.state !== 'DONE'),
    ).toBe(true);
  });

  it('FR-DICOM-07: a restart asks again at once for a commitment answered before it (its report may have come while down)', async () => {
    const r = await rig();
    const first = r.open({}, 600_000);
    await first.start();
    const { image, transactionUid } = await day(r, first);
    expect(first.pendingCommitments().map((p) => p.transactionUid)).toEqual([transactionUid]);
    await first.stop({ graceMs: 0 });

    r.sim.registerModality(AE, { host: '127.0.0.1', port: r.localPort });
    const second = r.open({}, 600_000);
    const reRequested = next<CommitmentReRequestInfo>(second, 'commitmentReRequested');
    const committed = next<CommitmentInfo>(second, 'committed');
    await second.start();
    expect(await reRequested).toMatchObject({
      previousTransactionUid: transactionUid,
      request: 2,
      reason: 'restart',
    });
    expect((await committed).committed.map((c) => c.sopInstanceUid)).toEqual([image.sopInstanceUid]);
    expect(second.pendingCommitments()).toEqual([]);
  });

  it('FR-DICOM-07: with onRestart off a restart re-arms the timer instead (the same Transaction UID stays pending)', async () => {
    const r = await rig();
    const first = r.open({}, 600_000);
    await first.start();
    const { transactionUid } = await day(r, first);
    await first.stop({ graceMs: 0 });
    const second = r.open({ onRestart: false }, 600_000);
    const reRequests = all<CommitmentReRequestInfo>(second, 'commitmentReRequested');
    await second.start();
    expect(second.pendingCommitments().map((p) => [p.transactionUid, p.request])).toEqual([
      [transactionUid, 1],
    ]);
    expect(reRequests).toEqual([]);
  });

  it('NFR-CFG-01: commitment.reRequest has defaults and is validated', () => {
    const base = {
      local: { aeTitle: AE },
      uid: { deviceSerial: '9' },
      commitment: { aeTitle: 'PACS', host: '127.0.0.1' },
    };
    expect(parseConfig(base).commitment?.reRequest).toEqual({
      maxRequests: 4,
      backoffMultiplier: 2,
      onRestart: true,
    });
    expect(() =>
      parseConfig({ ...base, commitment: { ...base.commitment, reRequest: { maxRequests: 0 } } }),
    ).toThrow(/maxRequests/);
    expect(() =>
      parseConfig({ ...base, commitment: { ...base.commitment, reRequest: { backoffMultiplier: 0.5 } } }),
    ).toThrow(/backoffMultiplier/);
  });
});
