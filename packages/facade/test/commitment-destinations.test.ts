/**
 * Issue 21: storage commitment per storage destination. Two simulated PACSes (`pacs` and
 * `storage.archive2`, each its own commitment SCP) answer the N-ACTION; their reports are sent by
 * hand (the simulators have no route back to us), so the test decides who reports what: each
 * N-ACTION lists only what its destination accepted, a report from the other destination's SCP is
 * not counted, and the study is delivered once both committed.
 */
import { join } from 'node:path';
import { RisPacsSimulator } from '@hnvue/simulator';
import { freePort, makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CommitmentInfo,
  createDicomServices,
  type DicomServices,
  type StudyDeliveredInfo,
} from '../src/index.js';
import { SMALL_DX, sendCommitmentReport, waitFor } from './support.js';

const AE = 'HNVUE_CD';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function simulator(dir: string, aeTitle: string): Promise<{ sim: RisPacsSimulator; port: number }> {
  const sim = new RisPacsSimulator({ storageDir: join(dir, aeTitle), pacs: { aeTitle } });
  const address = await sim.start();
  cleanups.push(() => sim.stop());
  return { sim, port: address.pacs.port };
}

describe('storage commitment per storage destination', () => {
  it('FR-DICOM-07: each destination commits what it got; a report from the other SCP does not count', async () => {
    const dir = await makeTempDir('hnvue-commit-dest-');
    cleanups.push(() => rmTempDir(dir));
    const a = await simulator(dir, 'PACS');
    const b = await simulator(dir, 'ARCH');
    const localPort = await freePort();
    const pacs = { aeTitle: 'PACS', host: '127.0.0.1', port: a.port };
    const archive = { aeTitle: 'ARCH', host: '127.0.0.1', port: b.port };
    const services: DicomServices = createDicomServices({
      config: {
        local: { aeTitle: AE, port: localPort },
        uid: { deviceSerial: '31' },
        pacs,
        commitment: { ...pacs, timeoutMs: 60_000 },
        // archive2 gets images only: its N-ACTION must not list the dose report.
        storage: {
          archive2: { ...archive, receives: ['images'], commitment: { ...archive, timeoutMs: 60_000 } },
        },
        queue: { path: join(dir, 'q.sqlite'), initialIntervalMs: 100 },
      },
    });
    cleanups.push(() => services.stop({ graceMs: 0 }));
    const committed: CommitmentInfo[] = [];
    services.on('committed', (c) => committed.push(c));
    const delivered = waitFor<StudyDeliveredInfo>((done) => services.on('studyDelivered', done), 'delivered');
    await services.start();

    const procedure = await services.startProcedure({
      worklist: {
        item: {
          patientId: 'CD-1',
          otherPatientIds: [],
          requestedProcedureCodes: [],
          referencedStudies: [],
          scheduledProcedureSteps: [{ modality: 'DX', protocolCodes: [] }],
        },
      },
    });
    const image = await services.storeImage(procedure.id, SMALL_DX);
    const dose = await services.storeDoseReport(procedure.id);
    await services.completeProcedure(procedure.id);
    // Both N-ACTIONs answered (their queue items DONE): one pending commitment per destination.
    const requests = await new Promise<ReturnType<DicomServices['pendingCommitments']>>((resolve) => {
      const poll = () => {
        const answered = services
          .queueItems({ state: 'DONE' })
          .filter((i) => i.kind === 'storage-commitment');
        if (answered.length === 2) resolve(services.pendingCommitments());
        else setTimeout(poll, 50);
      };
      poll();
    });
    expect(requests.map((p) => p.destination).sort()).toEqual(['archive2', 'pacs']);
    const forPacs = requests.find((p) => p.destination === 'pacs')!;
    const forArchive = requests.find((p) => p.destination === 'archive2')!;
    const uids = (p: typeof forPacs) => p.references.map((r) => r.sopInstanceUid).sort();
    expect(uids(forPacs)).toEqual([image.sopInstanceUid, dose.sopInstanceUid].sort());
    expect(uids(forArchive)).toEqual([image.sopInstanceUid]);
    const queued = services.queueItems().filter((i) => i.kind === 'storage-commitment');
    expect(queued.map((i) => i.destination).sort()).toEqual(['archive2/commitment', 'commitment']);

    const imageRef = { sopClassUid: image.sopClassUid, sopInstanceUid: image.sopInstanceUid };
    const doseRef = { sopClassUid: dose.sopClassUid, sopInstanceUid: dose.sopInstanceUid };
    // The pacs SCP reports archive2's transaction: not counted, archive2's commitment still pending.
    await sendCommitmentReport(localPort, AE, forArchive.transactionUid, [imageRef], [], 'PACS');
    await new Promise((r) => setTimeout(r, 200));
    expect(committed).toEqual([]);
    expect(services.pendingCommitments().map((p) => p.transactionUid)).toContain(forArchive.transactionUid);

    await sendCommitmentReport(localPort, AE, forArchive.transactionUid, [imageRef], [], 'ARCH');
    await sendCommitmentReport(localPort, AE, forPacs.transactionUid, [imageRef, doseRef], [], 'PACS');
    const info = await delivered;
    expect(info).toEqual({
      studyInstanceUid: procedure.studyInstanceUid,
      destinations: ['pacs', 'archive2'],
    });
    expect(committed.map((c) => [c.destination, c.committed.length]).sort()).toEqual([
      ['archive2', 1],
      ['pacs', 2],
    ]);
    expect(services.pendingCommitments()).toEqual([]);
  });
});
