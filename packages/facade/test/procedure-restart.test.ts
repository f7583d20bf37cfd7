import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NaturalDataset } from '@hnvue/dicom';
import type { WorklistItem } from '@hnvue/net';
import { RisPacsSimulator } from '@hnvue/simulator';
import { makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { afterEach, describe, expect, it } from 'vitest';
import { type CommitmentInfo, createDicomServices, type DicomServices } from '../src/index.js';
import { readRecords, SMALL_DX, waitFor } from './support.js';

// A console switched off mid-procedure: after the restart the operator completes or discontinues it.
const ITEM: WorklistItem = {
  patientName: { alphabetic: 'Restart^Test', phonetic: '재시작^테스트' },
  patientId: 'RST-1',
  patientBirthDate: '19650302',
  accessionNumber: 'RSTACC1',
  otherPatientIds: [],
  requestedProcedureCodes: [],
  referencedStudies: [],
  scheduledProcedureSteps: [{ modality: 'DX', protocolCodes: [] }],
  studyInstanceUid: '2.25.66661',
};
const PHI = ['Restart', '재시작', 'RST-1', '19650302', 'RSTACC1'];

const IMAGE = SMALL_DX;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Starts a procedure with one image, stops, restarts on the same queue dir; the second run ends it. */
async function restartMidProcedure(
  /** Ends the procedure; returns the SOP Instance UIDs of images it stored after the restart. */
  end: (s: DicomServices, id: string) => Promise<string[]>,
) {
  const dir = await makeTempDir('hnvue-facade-restart-');
  cleanups.push(() => rmTempDir(dir));
  const sim = new RisPacsSimulator({ storageDir: join(dir, 'pacs') });
  const address = await sim.start();
  cleanups.push(() => sim.stop());
  const pacs = { aeTitle: address.pacs.aeTitle, host: '127.0.0.1', port: address.pacs.port };
  const config = {
    local: { aeTitle: 'HNVUE_RS', port: 0 },
    uid: { deviceSerial: '9' },
    mpps: { aeTitle: address.ris.aeTitle, host: '127.0.0.1', port: address.ris.port },
    pacs,
    commitment: pacs,
    queue: { path: join(dir, 'q.sqlite'), initialIntervalMs: 200, backoffMultiplier: 1 },
  };
  const queueDir = join(dir, 'q');

  const first = createDicomServices({ config });
  await first.start();
  const procedure = await first.startProcedure({ worklist: { item: ITEM } });
  const image = await first.storeImage(procedure.id, IMAGE);
  await first.stop({ graceMs: 0 });
  // NFR-SEC-01: the procedure and study records hold UIDs, not the patient; the worklist slice is
  // kept apart, for as long as its procedure is open.
  const kept = JSON.stringify([
    ...(await readRecords(queueDir, 'procedure')),
    ...(await readRecords(queueDir, 'study')),
  ]);
  expect(kept).toContain(procedure.id);
  for (const phi of PHI) expect(kept).not.toContain(phi);
  expect((await readRecords(queueDir, 'subject')).map((r) => r.key)).toEqual([procedure.id]);

  const second = createDicomServices({ config });
  await second.start();
  cleanups.push(() => second.stop({ graceMs: 0 }));
  sim.registerModality('HNVUE_RS', { host: '127.0.0.1', port: second.listenerPort });
  expect(second.procedure(procedure.id)).toMatchObject({
    status: 'IN PROGRESS',
    studyInstanceUid: ITEM.studyInstanceUid,
    seriesInstanceUid: procedure.seriesInstanceUid,
    objects: [{ sopInstanceUid: image.sopInstanceUid }],
  });
  const nSet = waitFor<void>(
    (done) =>
      second.on('delivered', (i) => i.kind === 'mpps-set' && i.sopInstanceUid === procedure.id && done()),
    'N-SET delivery',
  );
  const committed = waitFor<CommitmentInfo>((done) => second.on('committed', done), 'commitment');
  const images = [image.sopInstanceUid, ...(await end(second, procedure.id))];
  await nSet;
  const info = await committed;
  await second.stop({ graceMs: 0 });
  // The worklist slice went in the transaction that ended the procedure.
  expect(await readRecords(queueDir, 'subject')).toEqual([]);
  expect(await readRecords(queueDir, 'procedure')).toEqual([]);
  const record = sim.mppsRecords.get(procedure.id);
  const [series] = (record?.dataset.PerformedSeriesSequence ?? []) as NaturalDataset[];
  const refs = (series?.ReferencedImageSequence ?? []) as NaturalDataset[];
  expect(series?.SeriesInstanceUID).toBe(procedure.seriesInstanceUid);
  expect(refs.map((r) => r.ReferencedSOPInstanceUID)).toEqual(images);
  expect(info.studyInstanceUid).toBe(ITEM.studyInstanceUid);
  expect(info.committed.map((r) => r.sopInstanceUid).sort()).toEqual([...images].sort());
  return { record, second, sim, images };
}

describe('procedures across a restart', () => {
  it('NFR-REL-01: FR-DICOM-05: a procedure open at shutdown is completed after the restart and its study committed', async () => {
    const { record, second, sim, images } = await restartMidProcedure(async (s, id) => {
      const later = await s.storeImage(id, IMAGE);
      await s.completeProcedure(id);
      return [later.sopInstanceUid];
    });
    expect(record?.status).toBe('COMPLETED');
    expect(second.procedure(String(record?.sopInstanceUid))?.status).toBe('COMPLETED');
    // The image built after the restart still carries the worklist subject (IHE SWF).
    const stored = sim.stored.get(images[1] ?? '');
    expect(readFileSync(String(stored?.path)).includes('RST-1')).toBe(true);
  });

  it('NFR-REL-01: FR-DICOM-05: a procedure open at shutdown is discontinued after the restart and its study committed', async () => {
    const { record } = await restartMidProcedure(async (s, id) => {
      await s.discontinueProcedure(id, {
        reason: {
          codeValue: '110514',
          codingSchemeDesignator: 'DCM',
          codeMeaning: 'Incorrect worklist entry selected',
        },
      });
      return [];
    });
    expect(record?.status).toBe('DISCONTINUED');
  });
});
