import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildDxImage, toPart10Buffer } from '@hnvue/iod';
import {
  Association,
  buildMppsCreate,
  createServer,
  MPPS_CONTEXT,
  MppsProcedureStep,
  queryWorklist,
  STORAGE_COMMITMENT_CONTEXT,
  STORAGE_COMMITMENT_LISTENER_CONTEXT,
  STORAGE_COMMITMENT_SOP_CLASS,
  StorageClient,
  StorageCommitmentScu,
} from '@hnvue/net';
import { makeTempDir, rmTempDir, run } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RisPacsSimulator, seedWorklist } from '../src/index.js';

let dir: string;
let sim: RisPacsSimulator;

beforeAll(async () => {
  dir = await makeTempDir('hnvue-sim-');
  sim = new RisPacsSimulator({ storageDir: join(dir, 'pacs') });
  await sim.start();
});

afterAll(async () => {
  await sim?.stop();
  await rmTempDir(dir);
});

function uidGen(prefix: string): { next(): string } {
  let n = 0;
  return { next: () => `${prefix}.${Date.now()}.${++n}` };
}

describe('simulated RIS', () => {
  it('FR-DICOM-03.charset: answers a worklist C-FIND with every seeded item, Korean names decoded', async () => {
    const { ris, host } = sim.address;
    const names: string[] = [];
    for await (const r of queryWorklist({
      host,
      port: ris.port,
      callingAeTitle: 'TESTSCU',
      calledAeTitle: ris.aeTitle,
      query: { modality: undefined },
    })) {
      names.push(`${r.item.patientName?.alphabetic}|${r.item.patientName?.phonetic ?? ''}`);
    }
    expect(names).toHaveLength(seedWorklist().length);
    expect(names).toContain('Hong^Gildong|홍^길동');
    expect(names).toContain('Kim^Minjun|김^민준');
  });

  it('FR-DICOM-03.query: matches on modality and patient name wildcard', async () => {
    const { ris, host } = sim.address;
    const ids: string[] = [];
    for await (const r of queryWorklist({
      host,
      port: ris.port,
      callingAeTitle: 'TESTSCU',
      calledAeTitle: ris.aeTitle,
      query: { modality: 'CR' },
    })) {
      ids.push(r.item.patientId ?? '');
    }
    expect(ids).toEqual(['SIM-0003']);
  });

  it('FR-DICOM-05: records an MPPS N-CREATE then N-SET COMPLETED', async () => {
    const { ris, host } = sim.address;
    const association = await Association.open({
      host,
      port: ris.port,
      callingAeTitle: 'TESTSCU',
      calledAeTitle: ris.aeTitle,
      presentationContexts: [MPPS_CONTEXT],
    });
    const step = new MppsProcedureStep(uidGen('2.25.1'));
    await step.create(
      association,
      buildMppsCreate({
        performedProcedureStepId: 'PPS1',
        startedAt: new Date(),
        performedStationAeTitle: 'TESTSCU',
        modality: 'DX',
        studyInstanceUid: '2.25.99',
      }),
    );
    await step.end(association, {
      status: 'COMPLETED',
      endedAt: new Date(),
      performedSeries: [
        {
          seriesInstanceUid: '2.25.991',
          protocolName: 'Chest PA',
          referencedImages: [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1', sopInstanceUid: '2.25.992' }],
        },
      ],
    });
    await association.release();
    expect(sim.mppsRecords.get(step.sopInstanceUid)?.status).toBe('COMPLETED');
  });
});

describe('simulated PACS', () => {
  it('FR-DICOM-04/07: stores a DX and reports the commitment on a new association', async () => {
    const { pacs, host } = sim.address;
    const dx = buildDxImage({
      patient: { name: 'Test^Sim', id: 'T1' },
      study: { studyInstanceUid: '2.25.4242' },
      equipment: { manufacturer: 'HnVue' },
      image: {
        rows: 8,
        columns: 8,
        bitsStored: 12,
        pixels: new Uint16Array(64),
        windowCenter: 2048,
        windowWidth: 4096,
      },
      anatomy: { imageLaterality: 'U', bodyPart: 'CHEST' },
      acquisition: { kvp: 120, viewPosition: 'PA' },
      presentationIntent: 'FOR PRESENTATION',
      detector: { type: 'SCINTILLATOR', imagerPixelSpacingMm: [0.14, 0.14] },
    });
    const file = join(dir, 'dx.dcm');
    await writeFile(file, toPart10Buffer(dx.dataset, dx.pixelData));
    const client = new StorageClient({
      host,
      port: pacs.port,
      calledAeTitle: pacs.aeTitle,
      callingAeTitle: 'TESTSCU',
    });
    const result = await client.store(file);
    await client.close();
    expect(sim.stored.has(result.sopInstanceUid)).toBe(true);

    const scu = new StorageCommitmentScu({ uids: uidGen('2.25.2') });
    const listener = createServer({
      contexts: [STORAGE_COMMITMENT_LISTENER_CONTEXT],
      handlers: { 'N-EVENT-REPORT': scu.reportHandler },
    });
    const port = await listener.listen(0);
    sim.registerModality('TESTSCU', { host: '127.0.0.1', port });
    const association = await Association.open({
      host,
      port: pacs.port,
      callingAeTitle: 'TESTSCU',
      calledAeTitle: pacs.aeTitle,
      presentationContexts: [STORAGE_COMMITMENT_CONTEXT],
    });
    const pending = await scu.request(association, [
      { sopClassUid: result.sopClassUid, sopInstanceUid: result.sopInstanceUid },
      { sopClassUid: result.sopClassUid, sopInstanceUid: '2.25.123456789' },
    ]);
    await association.release();
    const report = await pending.result;
    await listener.close();
    expect(report.committed.map((r) => r.sopInstanceUid)).toEqual([result.sopInstanceUid]);
    expect(report.failed.map((r) => r.sopInstanceUid)).toEqual(['2.25.123456789']);
    expect(report.reportedBy).toBe(pacs.aeTitle);
    expect(STORAGE_COMMITMENT_SOP_CLASS).toBe('1.2.840.10008.1.20.1');
  });
});

describe('DCMTK against the simulator', () => {
  it('echoscu, findscu -W and storescu succeed', async () => {
    const { ris, pacs } = sim.address;
    const echo = await run('echoscu', ['-aec', pacs.aeTitle, '127.0.0.1', String(pacs.port)]);
    expect(echo.code).toBe(0);
    const find = await run('findscu', [
      '-W',
      '-aec',
      ris.aeTitle,
      '-k',
      'ScheduledProcedureStepSequence[0].Modality=DX',
      '-k',
      'PatientID',
      '-k',
      'AccessionNumber',
      '127.0.0.1',
      String(ris.port),
    ]);
    expect(find.code, find.stderr).toBe(0);
    // 4 DX items in the seed; findscu prints one "Find Response" per pending response.
    expect(`${find.stdout}${find.stderr}`.match(/Find Response: \d+ \(Pending\)/g)?.length).toBe(4);
    const store = await run('storescu', [
      '-aec',
      pacs.aeTitle,
      '127.0.0.1',
      String(pacs.port),
      join(dir, 'dx.dcm'),
    ]);
    expect(store.code, store.stderr).toBe(0);
  });
});
