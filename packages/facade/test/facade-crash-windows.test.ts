import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Association, type WorklistItem } from '@hnvue/net';
import { QUEUE_ERROR_CODES, QueueError, TransmissionQueue } from '@hnvue/queue';
import { RisPacsSimulator } from '@hnvue/simulator';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort, makeTempDir, rmTempDir } from '../../../testing/peers.js';
import { type CommitmentInfo, createDicomServices, type DicomServices } from '../src/index.js';
import type { FacadeState } from '../src/state.js';
import { SMALL_DX, waitFor } from './support.js';

// The windows between two writes (queue database, facade state file, the network) where a kill -9,
// a full disk or a failing release used to lose a study's storage commitment.
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
  const statePath = join(queueDir, 'facade-state.json');
  const open = async () => {
    const services = createDicomServices({ config });
    cleanups.push(() => services.stop({ graceMs: 0 }));
    return services;
  };
  return { sim, pacs, queueDir, statePath, open };
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

function readStateFile(path: string): FacadeState {
  return JSON.parse(readFileSync(path, 'utf8')) as FacadeState;
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

  it('NFR-REL-01: a delivery the queue committed but the facade never recorded (kill -9) still leads to the commitment', async () => {
    const { open, statePath } = await setup();
    const { procedure, image } = await firstRunWithDeliveredImage(open);
    // What a kill between the queue's DONE and the facade's state write leaves on disk.
    const state = readStateFile(statePath);
    state.studies[ITEM.studyInstanceUid!]!.delivered.length = 0;
    writeFileSync(statePath, JSON.stringify(state));

    const second = await open();
    await second.start();
    expect(readStateFile(statePath).studies[ITEM.studyInstanceUid!]?.delivered).toEqual([
      image.sopInstanceUid,
    ]);
    const committed = waitFor<CommitmentInfo>((done) => second.on('committed', done), 'commitment');
    await second.completeProcedure(procedure.id);
    const info = await committed;
    expect(info.committed.map((r) => r.sopInstanceUid)).toEqual([image.sopInstanceUid]);
  });

  it('NFR-REL-01: a transaction UID saved without its queue item (crash before the enqueue) is queued at the restart', async () => {
    const { open, statePath } = await setup();
    const { image } = await firstRunWithDeliveredImage(open);
    // The study closed and its commitment recorded, but the process died before the enqueue.
    const state = readStateFile(statePath);
    const study = state.studies[ITEM.studyInstanceUid!]!;
    study.closed = true;
    study.commitment = '2.25.424242';
    state.procedures = {};
    writeFileSync(statePath, JSON.stringify(state));

    const second = await open();
    const committed = waitFor<CommitmentInfo>((done) => second.on('committed', done), 'commitment');
    await second.start();
    const info = await committed;
    expect(info.transactionUid).toBe('2.25.424242');
    expect(info.committed.map((r) => r.sopInstanceUid)).toEqual([image.sopInstanceUid]);
    expect(second.queueItems({ destination: 'commitment' })).toHaveLength(1);
  });

  it('NFR-REL-01: an image whose enqueue fails is not left in the study, the procedure or the dose events', async () => {
    const { open, statePath } = await setup();
    const services = await open();
    await services.start();
    const procedure = await services.startProcedure({ worklist: { item: ITEM } });
    vi.spyOn(TransmissionQueue.prototype, 'enqueue').mockRejectedValueOnce(
      new QueueError(QUEUE_ERROR_CODES.closed, 'queue closed under the enqueue'),
    );
    await expect(services.storeImage(procedure.id, IMAGE)).rejects.toMatchObject({
      code: QUEUE_ERROR_CODES.closed,
    });
    expect(services.procedure(procedure.id)?.objects).toEqual([]);
    expect(readStateFile(statePath).studies[ITEM.studyInstanceUid!]?.references).toEqual([]);
    // The dose report would list the failed exposure's DAP otherwise.
    await expect(services.storeDoseReport(procedure.id)).rejects.toThrow(/no irradiation event/);

    const image = await services.storeImage(procedure.id, IMAGE);
    const committed = waitFor<CommitmentInfo>((done) => services.on('committed', done), 'commitment');
    await services.completeProcedure(procedure.id);
    const info = await committed;
    expect(info.committed.map((r) => r.sopInstanceUid)).toEqual([image.sopInstanceUid]);
  });

  it('FR-DICOM-07: a commitment timeout whose state write fails is reported, not an uncaught exception', async () => {
    // No modality registered: the report cannot come, the commitment times out.
    const { open, statePath, sim } = await setup({ register: false, timeoutMs: 300 });
    const services = await open();
    await services.start();
    const procedure = await services.startProcedure({ worklist: { item: ITEM } });
    await services.storeImage(procedure.id, IMAGE);
    const requested = delivered(services, 'storage-commitment');
    const reportFailed = new Promise((r) => sim.once('commitmentReportFailed', r));
    await services.completeProcedure(procedure.id);
    await requested;
    await reportFailed;
    // The atomic write's temp path is a directory now: every state write fails (EISDIR).
    mkdirSync(`${statePath}.tmp`);
    const timedOut = waitFor<{ transactionUid: string }>(
      (done) => services.on('commitmentTimedOut', done),
      'commitment timeout',
    );
    const [pending] = services.pendingCommitments();
    expect((await timedOut).transactionUid).toBe(pending?.transactionUid);
    expect(services.pendingCommitments()[0]?.timedOut).toBe(true);
  });
});
