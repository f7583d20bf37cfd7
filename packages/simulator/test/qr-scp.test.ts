/**
 * FR-DICOM-06: the simulator's Query/Retrieve SCP over the objects its PACS stored (by storescu),
 * driven by DCMTK findscu, movescu (its own storage port as the move destination) and getscu.
 * Our own SCU against it: qr-scp-self.test.ts.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createStorageScp, type DicomServer } from '@hnvue/net';
import { freePort, makeTempDir, rmTempDir, run } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArchiveInstance, writeArchive } from '../../net/test/qr/helpers.js';
import { RisPacsSimulator } from '../src/index.js';

let dir: string;
let sim: RisPacsSimulator;
let archive: ArchiveInstance[];
let pacsPort: number;
let scp: DicomServer;
let moveDir: string;

async function until(check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  dir = await makeTempDir('hnvue-sim-qr-');
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
  const res = await run(
    'storescu',
    ['-aec', 'PACS', '-aet', 'FILLER', '127.0.0.1', String(pacsPort), ...archive.map((a) => a.path)],
    120_000,
  );
  expect(res.code, res.stderr).toBe(0);
  await until(() => sim.archive.size === archive.length);
}, 120_000);

afterAll(async () => {
  await sim?.stop();
  await scp?.close();
  if (dir) await rmTempDir(dir);
});

const studiesOf = (pid: string) => [
  ...new Set(archive.filter((a) => a.patientId === pid).map((a) => a.studyInstanceUid)),
];

describe('FR-DICOM-06: simulator Q/R SCP driven by DCMTK', { timeout: 90_000 }, () => {
  it('FR-DICOM-06: findscu -S at STUDY and SERIES level, and -P at PATIENT level', async () => {
    const study = await run('findscu', [
      '-S',
      '-aec',
      'PACS',
      '-k',
      'QueryRetrieveLevel=STUDY',
      '-k',
      'PatientID=SIM001',
      '-k',
      'StudyInstanceUID',
      '-k',
      'PatientName',
      '127.0.0.1',
      String(pacsPort),
    ]);
    expect(study.code, study.stderr).toBe(0);
    const uids = [...study.stderr.matchAll(/\(0020,000d\) UI \[([0-9.]+)/g)].map((m) => m[1]);
    expect(uids.sort()).toEqual(studiesOf('SIM001').sort());

    const series = await run('findscu', [
      '-S',
      '-aec',
      'PACS',
      '-k',
      'QueryRetrieveLevel=SERIES',
      '-k',
      `StudyInstanceUID=${studiesOf('SIM002')[0]}`,
      '-k',
      'SeriesInstanceUID',
      '-k',
      'Modality=CR',
      '127.0.0.1',
      String(pacsPort),
    ]);
    expect(series.code, series.stderr).toBe(0);
    expect([...series.stderr.matchAll(/\(0020,000e\) UI/g)].length).toBe(1);

    const patients = await run('findscu', [
      '-P',
      '-aec',
      'PACS',
      '-k',
      'QueryRetrieveLevel=PATIENT',
      '-k',
      'PatientName=*',
      '-k',
      'PatientID',
      '127.0.0.1',
      String(pacsPort),
    ]);
    expect(patients.code, patients.stderr).toBe(0);
    const ids = [...patients.stderr.matchAll(/\(0010,0020\) LO \[([A-Z0-9]+)/g)].map((m) => m[1]);
    expect(ids.sort()).toEqual(['SIM001', 'SIM002']);
  });

  it('FR-DICOM-06: movescu moves a study to its own storage port; every instance arrives', async () => {
    const out = join(dir, 'movescu');
    await mkdir(out);
    const port = await freePort();
    sim.registerMoveDestination('MOVESCU', { host: '127.0.0.1', port });
    const study = studiesOf('SIM001')[1]!;
    const res = await run(
      'movescu',
      [
        '-S',
        '-aet',
        'MOVESCU',
        '-aem',
        'MOVESCU',
        '-aec',
        'PACS',
        '+P',
        String(port),
        '-od',
        out,
        '-k',
        'QueryRetrieveLevel=STUDY',
        '-k',
        `StudyInstanceUID=${study}`,
        '127.0.0.1',
        String(pacsPort),
      ],
      60_000,
    );
    expect(res.code, res.stderr).toBe(0);
    const files = await readdir(out);
    expect(files.length).toBe(archive.filter((a) => a.studyInstanceUid === study).length);
  });

  it('FR-DICOM-06: getscu retrieves a series on its association', async () => {
    const out = join(dir, 'getscu');
    await mkdir(out);
    const series = archive.find((a) => a.patientId === 'SIM002')!;
    const res = await run(
      'getscu',
      [
        '-S',
        '-aec',
        'PACS',
        '-od',
        out,
        '-k',
        'QueryRetrieveLevel=SERIES',
        '-k',
        `StudyInstanceUID=${series.studyInstanceUid}`,
        '-k',
        `SeriesInstanceUID=${series.seriesInstanceUid}`,
        '127.0.0.1',
        String(pacsPort),
      ],
      60_000,
    );
    expect(res.code, res.stderr).toBe(0);
    expect((await readdir(out)).length).toBe(3);
  });
});
