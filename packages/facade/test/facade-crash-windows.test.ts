import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Association, type WorklistItem } from '@hnvue/net';
import { QUEUE_ERROR_CODES, QueueError, TransmissionQueue } from '@hnvue/queue';
import { RisPacsSimulator } from '@hnvue/simulator';
import { freePort, makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CommitmentInfo, createDicomServices, type DicomServices } from '../src/index.js';
import type { StudyState } from '../src/state.js';
import { readRecords, SMALL_DX, sendCommitmentReport, waitFor } from './support.js';

// The windows where a kill -9, a full disk, a purge or a failing release used to lose (or repeat) a
// study's storage commitment; the facade's state now lives in the queue's transactions (state.ts).
const ITEM: WorklistItem = {
  patientName: { alphabetic: 'Crash^Window' },
  patientId: 'CRW-1',
  patientBirthDate: '19800101',
  accessionNumber: 'CRWACC1',
  otherPatientIds: [],
  requestedProcedureCodes: [],
  referencedStudies: [],
  scheduledProcedureSteps: [{ modality: 'DX', protocolCodes: [] }],
  studyInstanceUid: '2.25.77771',
};

const IMAGE = SMALL_DX;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A simulated PACS (storage + commitment) and a config whose listener port is known up front. */
async function setup(options: { readonly register?: boolean; readonly timeoutMs?: number } = {}) {
  const dir = await makeTempDir('hnvue-facade-crash-');
  cleanups.push(() => rmTempDir(dir));
  const sim = new RisPacsSimulator({ storageDir: join(dir, 'pacs') });
  const address = await sim.start();
  cleanups.push(() => sim.stop());
  const localPort = await freePort();
  // Registered before start(): a commitment queued at start() may be reported at once.
  if (options.register ?? true) sim.registerModality('HNVUE_CW', { host: '127.0.0.1', port: localPort });
  const pacs = { aeTitle: address.pacs.aeTitle, host: '127.0.0.1', port: address.pacs.port };
  const config = {
    local: { aeTitle: 'HNVUE_CW', port: localPort },
    uid: { deviceSerial: '11' },
    pacs,
    commitment: { ...pacs, timeoutMs: options.timeoutMs ?? 600_000 },
    queue: { path: join(dir, 'q.sqlite'), initialIntervalMs: 200, backoffMultiplier: 1 },
  };
  const queueDir = join(dir, 'q');
  const open = async () => {
    const services = createDicomServices({ config });
    cleanups.push(() => services.stop({ graceMs: 0 }));
    return services;
  };
  return { sim, pacs, queueDir, open };
}

function delivered(services: DicomServices, kind: string, uid?: string): Promise<void> {
  return waitFor<void>(
    (done) =>
      services.on(
        'delivered',
        (i) => i.kind === kind && (uid === undefined || i.sopInstanceUid === uid) && done(),
      ),
    `${kind} delivery`,
  );
}

function ref(o: { readonly sopClassUid: string; readonly sopInstanceUid: string }) {
  return { sopClassUid: o.sopClassUid, sopInstanceUid: o.sopInstanceUid };
}

/** First run: one image delivered, the procedure left open, then the console goes away. */
async function firstRunWithDeliveredImage(open: () => Promise<DicomServices>) {
  const first = await open();
  await first.start();
  const procedure = await first.startProcedure({ worklist: { item: ITEM } });
  const stored = delivered(first, 'c-store');
  const image = await first.storeImage(procedure.id, IMAGE);
  await stored;
  await first.stop({ graceMs: 0 });
  return { procedure, image };
}

describe('facade crash windows', () => {
  it('FR-DICOM-07: a release failing after the N-ACTION-RSP keeps the commitment pending and the item delivered', async () => {
    const { pacs, open } = await setup();
    const realRelease = Association.prototype.release;
    // Only our N-ACTION association (called AE = the PACS) fails its release; the report association is untouched.
    const release = vi.spyOn(Association.prototype, 'release').mockImplementation(function (
      this: Association,
    ) {
      if (this.calledAeTitle === pacs.aeTitle && this.findContext('1.2.840.10008.1.20.1')) {
        return Promise.reject(new Error('A-RELEASE-RP never came'));
      }
      return realRelease.call(this);
    });
    const services = await open();
    const retries: string[] = [];
    services.on('retrying', (i) => retries.push(i.kind));
    await services.start();
    const procedure = await services.startProcedure({ worklist: { item: ITEM } });
    const image = await services.storeImage(procedure.id, IMAGE);
    const requested = delivered(services, 'storage-commitment');
    const committed = waitFor<CommitmentInfo>((done) => services.on('committed', done), 'commitment');
    await services.completeProcedure(procedure.id);
    await requested;
    const info = await committed;
    expect(release).toHaveBeenCalled();
    expect(info.committed.map((r) => r.sopInstanceUid)).toEqual([image.sopInstanceUid]);
    expect(retries).not.toContain('storage-commitment');
    const [item] = services.queueItems({ destination: 'commitment' });
    expect(item).toMatchObject({ state: 'DONE', attemptCount: 1 });
    expect(services.pendingCommitments()).toEqual([]);
  });

  it('NFR-REL-01: a delivery is recorded in the transaction that marks its item DONE; the study needs no reconciliation', async () => {
    const { open, queueDir } = await setup();
    const { procedure, image } = await firstRunWithDeliveredImage(open);
    const [study] = await readRecords<StudyState>(queueDir, 'study');
    expect(study).toEqual({
      key: ITEM.studyInstanceUid,
      value: { references: [ref(image)], delivered: [image.sopInstanceUid], closed: false },
    });

    const second = await open();
    await second.start();
    const committed = waitFor<CommitmentInfo>((done) => second.on('committed', done), 'commitment');
    await second.completeProcedure(procedure.id);
    const info = await committed;
    expect(info.committed.map((r) => r.sopInstanceUid)).toEqual([image.sopInstanceUid]);
  });

  it('NFR-REL-01: an image reference is recorded only with its queue item: a failed enqueue transaction leaves neither, nor its spool file', async () => {
    const { open, queueDir } = await setup();
    const services = await open();
    await services.start();
    const procedure = await services.startProcedure({ worklist: { item: ITEM } });
    const enqueue = TransmissionQueue.prototype.enqueue;
    // The facade's writes run, then the transaction fails (a full disk at COMMIT, say).
    vi.spyOn(TransmissionQueue.prototype, 'enqueue').mockImplementationOnce(function (
      this: TransmissionQueue,
      input,
      options = {},
    ) {
      return enqueue.call(this, input, {
        withRecords: (records, result, tx) => {
          options.withRecords?.(records, result, tx);
          throw new QueueError(QUEUE_ERROR_CODES.closed, 'transaction failed under the enqueue');
        },
      });
    });
    await expect(services.storeImage(procedure.id, IMAGE)).rejects.toMatchObject({
      code: QUEUE_ERROR_CODES.closed,
    });
    expect(services.procedure(procedure.id)?.objects).toEqual([]);
    expect(services.queueItems({ destination: 'pacs' })).toEqual([]);
    expect(readdirSync(join(queueDir, 'spool'))).toEqual([]);
    // The dose report would list the failed exposure's DAP otherwise.
    await expect(services.storeDoseReport(procedure.id)).rejects.toThrow(/no irradiation event/);
    await services.stop({ graceMs: 0 });
    const [study] = await readRecords<StudyState>(queueDir, 'study');
    expect(study?.value.references).toEqual([]);

    const second = await open();
    await second.start();
    const image = await second.storeImage(procedure.id, IMAGE);
    const committed = waitFor<CommitmentInfo>((done) => second.on('committed', done), 'commitment');
    await second.completeProcedure(procedure.id);
    const info = await committed;
    expect(info.committed.map((r) => r.sopInstanceUid)).toEqual([image.sopInstanceUid]);
  });

  it('FR-DICOM-07: purgeDone() never causes a commitment to be requested again (its bookkeeping reads no DONE row)', async () => {
    // No modality registered: the simulator cannot report; the test reports a failure itself.
    const { open, queueDir, sim } = await setup({ register: false });
    const actions: string[] = [];
    sim.on('commitmentReportFailed', (uid) => actions.push(uid));
    const first = await open();
    await first.start();
    const procedure = await first.startProcedure({ worklist: { item: ITEM } });
    const image = await first.storeImage(procedure.id, IMAGE);
    const requested = delivered(first, 'storage-commitment');
    const reportFailed = new Promise((r) => sim.once('commitmentReportFailed', r));
    await first.completeProcedure(procedure.id);
    await requested;
    await reportFailed;
    const [pending] = first.pendingCommitments();
    const failed = waitFor<CommitmentInfo>((done) => first.on('commitmentFailed', done), 'failure report');
    await sendCommitmentReport(
      first.listenerPort,
      'HNVUE_CW',
      pending!.transactionUid,
      [],
      [{ ...ref(image), failureReason: 0x0110 }],
    );
    expect((await failed).transactionUid).toBe(pending!.transactionUid);
    await first.stop({ graceMs: 0 });
    const queue = await TransmissionQueue.open({ dir: queueDir, sender: async () => {} });
    expect(queue.purgeDone(Date.now() + 60_000)).toBeGreaterThanOrEqual(2);
    await queue.close();

    // A second study after the restart: its commitment is the only one the queue sends.
    const second = await open();
    await second.start();
    const next = await second.startProcedure({
      worklist: { item: { ...ITEM, studyInstanceUid: '2.25.77772' } },
    });
    await second.storeImage(next.id, IMAGE);
    const nextRequested = delivered(second, 'storage-commitment');
    await second.completeProcedure(next.id);
    await nextRequested;
    const commitmentItems = second.queueItems({ destination: 'commitment' });
    expect(commitmentItems).toHaveLength(1);
    expect(commitmentItems[0]?.sopInstanceUid).not.toBe(pending!.transactionUid);
    expect(actions).toHaveLength(2);
    expect(actions[1]).not.toBe(pending!.transactionUid);
  });

  it('FR-DICOM-07: a study delivered before purgeDone() and closed after it still gets its commitment', async () => {
    const { open, queueDir } = await setup();
    const { procedure, image } = await firstRunWithDeliveredImage(open);
    const queue = await TransmissionQueue.open({ dir: queueDir, sender: async () => {} });
    expect(queue.purgeDone(Date.now() + 60_000)).toBe(1);
    await queue.close();
    const second = await open();
    await second.start();
    const committed = waitFor<CommitmentInfo>((done) => second.on('committed', done), 'commitment');
    await second.completeProcedure(procedure.id);
    expect((await committed).committed.map((r) => r.sopInstanceUid)).toEqual([image.sopInstanceUid]);
  });

  it('FR-DICOM-07: a commitment timeout whose state write fails is reported, not an uncaught exception', async () => {
    // No modality registered: the report cannot come, the commitment times out.
    const { open, sim } = await setup({ register: false, timeoutMs: 300 });
    const services = await open();
    await services.start();
    const procedure = await services.startProcedure({ worklist: { item: ITEM } });
    await services.storeImage(procedure.id, IMAGE);
    const requested = delivered(services, 'storage-commitment');
    const reportFailed = new Promise((r) => sim.once('commitmentReportFailed', r));
    await services.completeProcedure(procedure.id);
    await requested;
    await reportFailed;
    // The record write of the timeout fails (a full disk, say).
    vi.spyOn(TransmissionQueue.prototype, 'transaction').mockImplementationOnce(() => {
      throw new QueueError(QUEUE_ERROR_CODES.closed, 'database write failed');
    });
    const timedOut = waitFor<{ transactionUid: string }>(
      (done) => services.on('commitmentTimedOut', done),
      'commitment timeout',
    );
    const [pending] = services.pendingCommitments();
    expect((await timedOut).transactionUid).toBe(pending?.transactionUid);
    // Not recorded as timed out, still pending: a late report still counts.
    expect(services.pendingCommitments().map((p) => p.transactionUid)).toEqual([pending?.transactionUid]);
  });
});
