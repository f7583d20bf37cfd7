/**
 * FR-DICOM-06: the simulator's Query/Retrieve SCP driven by our SCU, peer-free: the objects go in
 * with our C-STORE SCU, then C-FIND (UID list, date range, wildcards, sequence matching, computed
 * counts), C-MOVE into our storage SCP and C-GET, data-set-identical, cancel mid-move, an unknown
 * destination (A801).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Association,
  createStorageScp,
  type DicomServer,
  getAssociationOptions,
  qrFindAll,
  qrGet,
  qrMove,
  RetrieveFailedError,
  type RetrieveResult,
  retrieveAll,
} from '@hnvue/net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ArchiveInstance,
  CR,
  DX,
  datasetOf,
  fillArchive,
  removeDir,
  tempDir,
  writeArchive,
} from '../../net/test/qr/archive.js';
import { RisPacsSimulator } from '../src/index.js';

let dir: string;
let sim: RisPacsSimulator;
let archive: ArchiveInstance[];
let pacsPort: number;
let scp: DicomServer;
let moveDir: string;

beforeAll(async () => {
  dir = await tempDir('hnvue-sim-qr-self-');
  const src = join(dir, 'src');
  moveDir = join(dir, 'moved');
  await mkdir(src);
  await mkdir(moveDir);
  archive = await writeArchive(src, {
    patients: [
      { id: 'SIM001', name: 'KIM^MINJI' },
      { id: 'SIM002', name: 'LEE^JOON' },
    ],
    studiesPerPatient: 2,
    seriesPerStudy: 2,
    instancesPerSeries: 3,
  });
  scp = createStorageScp({ directory: moveDir, fsync: false, server: { aeTitles: ['HNVUE'] } });
  const scpPort = await scp.listen(0, '127.0.0.1');
  sim = new RisPacsSimulator({
    storageDir: join(dir, 'pacs'),
    moveDestinations: { HNVUE: { host: '127.0.0.1', port: scpPort } },
  });
  const address = await sim.start();
  pacsPort = address.pacs.port;
  await fillArchive(pacsPort, archive, sim);
}, 120_000);

afterAll(async () => {
  await sim?.stop();
  await scp?.close();
  if (dir) await removeDir(dir);
});

const studiesOf = (pid: string) => [
  ...new Set(archive.filter((a) => a.patientId === pid).map((a) => a.studyInstanceUid)),
];

describe('FR-DICOM-06: simulator Q/R SCP driven by our SCU', { timeout: 90_000 }, () => {
  let association: Association;
  beforeAll(async () => {
    association = await Association.open({
      host: '127.0.0.1',
      port: pacsPort,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'PACS',
      ...getAssociationOptions({
        models: ['study', 'patient'],
        operations: ['find', 'move', 'get'],
        sopClasses: [DX, CR],
        storage: { directory: join(dir, 'got'), fsync: false },
      }),
    });
    await mkdir(join(dir, 'got'));
  });
  afterAll(async () => {
    await association?.release().catch(() => association.abort());
  });

  it('FR-DICOM-06: C-FIND with a UID list, a date range, a wildcard and computed counts', async () => {
    const studies = await qrFindAll(association, {
      level: 'STUDY',
      studyInstanceUid: [studiesOf('SIM001')[0]!, studiesOf('SIM002')[1]!],
    });
    expect(studies.length).toBe(2);
    expect(
      studies.every(
        (m) =>
          m.dataset.NumberOfStudyRelatedInstances === '6' || m.dataset.NumberOfStudyRelatedInstances === 6,
      ),
    ).toBe(true);
    const named = await qrFindAll(association, {
      level: 'STUDY',
      patientName: 'KIM*',
      studyDate: { from: '20250101', to: '20251231' },
    });
    expect(named.map((m) => m.studyInstanceUid).sort()).toEqual(studiesOf('SIM001').sort());
    const patients = await qrFindAll(association, {
      model: 'patient',
      level: 'PATIENT',
      patientId: 'SIM00?',
    });
    expect(patients.length).toBe(2);
  });

  it('FR-DICOM-06: C-FIND with sequence matching (PS3.4 C.2.2.2.6)', async () => {
    const matches = await qrFindAll(association, {
      level: 'STUDY',
      keys: { ProcedureCodeSequence: [{ CodeValue: 'PC1', CodingSchemeDesignator: null }] },
    });
    const expected = [
      ...new Set(archive.filter((a) => a.studyDate.endsWith('11')).map((a) => a.studyInstanceUid)),
    ];
    expect(matches.map((m) => m.studyInstanceUid).sort()).toEqual(expected.sort());
    expect(matches[0]?.dataset.ProcedureCodeSequence).toMatchObject([
      { CodeValue: 'PC1', CodingSchemeDesignator: 'LOCAL' },
    ]);
  });

  it('FR-DICOM-06: cancelling a C-MOVE from the simulator leaves the association usable', async () => {
    const controller = new AbortController();
    let final: RetrieveResult | undefined;
    for await (const e of qrMove(
      association,
      { level: 'STUDY', studyInstanceUid: studiesOf('SIM001')[0]! },
      { destination: 'HNVUE', signal: controller.signal },
    )) {
      if (e.final) final = e as RetrieveResult;
      else controller.abort();
    }
    expect(final?.final).toBe(true);
    // Cancelled at the next sub-operation boundary, unless (a loaded machine) the move had finished.
    if (final?.cancelled) expect(final.completed).toBeLessThan(6);
    else expect(final?.completed).toBe(6);
    expect(association.usable).toBe(true);
    expect((await qrFindAll(association, { level: 'STUDY', patientId: 'SIM001' })).length).toBe(2);
  });

  it('FR-DICOM-06: C-MOVE to our storage SCP and C-GET, data-set-identical; unknown AE gives A801', async () => {
    const study = studiesOf('SIM002')[0]!;
    const expected = archive.filter((a) => a.studyInstanceUid === study);
    const moved = await retrieveAll(
      qrMove(association, { level: 'STUDY', studyInstanceUid: study }, { destination: 'HNVUE' }),
    );
    expect(moved.completed).toBe(expected.length);
    for (const inst of expected) {
      const got = await datasetOf(join(moveDir, `${inst.sopInstanceUid}.dcm`));
      expect(Buffer.from(got.dataset).equals(Buffer.from(inst.dataset))).toBe(true);
    }
    const got = await retrieveAll(
      qrGet(association, { level: 'STUDY', studyInstanceUid: study }, { sopClasses: [DX, CR] }),
    );
    expect(got.completed).toBe(expected.length);
    for (const inst of expected) {
      const file = await datasetOf(join(dir, 'got', `${inst.sopInstanceUid}.dcm`));
      expect(Buffer.from(file.dataset).equals(Buffer.from(inst.dataset))).toBe(true);
    }
    const err = await retrieveAll(
      qrMove(association, { level: 'STUDY', studyInstanceUid: study }, { destination: 'NOWHERE' }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetrieveFailedError);
    expect((err as RetrieveFailedError).status).toBe(0xa801);
    expect(association.usable).toBe(true);
  });
});
