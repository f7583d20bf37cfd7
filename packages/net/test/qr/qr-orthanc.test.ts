/**
 * FR-DICOM-06 against Orthanc (filled through its REST API): C-FIND with Korean (ISO 2022 IR 149)
 * and UTF-8 names in the identifiers, C-MOVE into our storage SCP (declared in DicomModalities)
 * and C-GET, every instance data-set-identical; an undeclared move destination fails with
 * Orthanc's status. Orthanc runs with DefaultEncoding Utf8: it answers in UTF-8 whatever the
 * stored character set (see mwl-charsets-orthanc.test.ts).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeDataset } from '@hnvue/dicom';
import { type OrthancPeer, rmTempDir, startOrthanc } from '@hnvue/testing/peers';
import { KOREAN_NAME, UTF8_NAME } from '@hnvue/testing/worklist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Association,
  createStorageScp,
  type DicomServer,
  getAssociationOptions,
  qrContexts,
  qrFindAll,
  qrGet,
  qrMove,
  RetrieveFailedError,
  retrieveAll,
} from '../../src/index.js';
import { type ArchiveInstance, CR, DX, datasetOf, makeTempDir, writeArchive } from './helpers.js';

describe('FR-DICOM-06: Query/Retrieve SCU against Orthanc', { timeout: 90_000 }, () => {
  let dir: string;
  let orthanc: OrthancPeer;
  let scp: DicomServer;
  let moveDir: string;
  let archive: ArchiveInstance[];
  let association: Association;

  beforeAll(async () => {
    dir = await makeTempDir('hnvue-qr-orthanc-');
    const src = join(dir, 'src');
    moveDir = join(dir, 'moved');
    await mkdir(src, { recursive: true });
    await mkdir(moveDir, { recursive: true });
    archive = await writeArchive(src, {
      patients: [
        { id: 'PKOR01', name: KOREAN_NAME, charset: ['', 'ISO 2022 IR 149'] },
        { id: 'PUTF01', name: UTF8_NAME, charset: 'ISO_IR 192' },
        { id: 'PASC01', name: 'PLAIN^ASCII' },
      ],
      seriesPerStudy: 2,
      instancesPerSeries: 2,
    });
    scp = createStorageScp({ directory: moveDir, fsync: false, server: { aeTitles: ['HNVUE'] } });
    const scpPort = await scp.listen(0, '127.0.0.1');
    orthanc = await startOrthanc({
      config: {
        DefaultEncoding: 'Utf8',
        DicomAlwaysAllowFind: true,
        DicomAlwaysAllowGet: true,
        DicomAlwaysAllowMove: true,
        DicomModalities: { hnvue: { AET: 'HNVUE', Host: '127.0.0.1', Port: scpPort } },
      },
    });
    for (const inst of archive) {
      const res = await fetch(`http://127.0.0.1:${orthanc.httpPort}/instances`, {
        method: 'POST',
        body: await readFile(inst.path),
      });
      if (!res.ok) throw new Error(`Orthanc upload: HTTP ${res.status}`);
    }
    association = await Association.open({
      host: '127.0.0.1',
      port: orthanc.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'ORTHANC',
      presentationContexts: qrContexts(['study', 'patient'], ['find', 'move']),
    });
  }, 120_000);

  afterAll(async () => {
    await association?.release().catch(() => association.abort());
    await orthanc?.stop();
    await scp?.close();
    if (dir) await rmTempDir(dir);
  });

  it('FR-DICOM-06: Korean and UTF-8 patient names round-trip through C-FIND identifiers', async () => {
    const [alphabetic, ideographic, phonetic] = KOREAN_NAME.split('=');
    const korean = await qrFindAll(association, { level: 'STUDY', patientId: 'PKOR01' });
    expect(korean.length).toBe(1);
    expect(korean[0]?.problems).toEqual([]);
    expect(korean[0]?.dataset.PatientName).toEqual([
      { Alphabetic: alphabetic, Ideographic: ideographic, Phonetic: phonetic },
    ]);

    // Korean in the query itself (UTF-8 identifier): Orthanc matches it and answers the same name.
    const byHangul = await qrFindAll(association, {
      level: 'STUDY',
      patientName: `*${phonetic!.split('^')[1]}*`,
    });
    expect(byHangul.map((m) => m.patientId)).toEqual(['PKOR01']);

    const utf8 = await qrFindAll(association, { model: 'patient', level: 'PATIENT', patientId: 'PUTF01' });
    expect(utf8[0]?.problems).toEqual([]);
    const [a, i] = UTF8_NAME.split('=');
    expect(utf8[0]?.dataset.PatientName).toMatchObject([{ Alphabetic: a, Ideographic: i }]);
    const byHan = await qrFindAll(association, { model: 'patient', level: 'PATIENT', patientName: '*小東*' });
    expect(byHan.map((m) => m.patientId)).toEqual(['PUTF01']);
  });

  it('FR-DICOM-06: C-FIND SERIES and IMAGE levels against Orthanc', async () => {
    const study = archive.find((x) => x.patientId === 'PASC01')!.studyInstanceUid;
    const series = await qrFindAll(association, { level: 'SERIES', studyInstanceUid: study });
    expect(series.length).toBe(2);
    const images = await qrFindAll(association, {
      level: 'IMAGE',
      studyInstanceUid: study,
      seriesInstanceUid: series[0]!.seriesInstanceUid!,
    });
    expect(images.length).toBe(2);
    expect(images.every((m) => m.sopClassUid === DX || m.sopClassUid === CR)).toBe(true);
  });

  // conformance: SCU studyRootQueryRetrieveMove studyRootQueryRetrieveGet
  it('FR-DICOM-06: C-MOVE and C-GET from Orthanc: every instance received, data-set-identical', async () => {
    const korean = archive.filter((x) => x.patientId === 'PKOR01');
    const moved = await retrieveAll(
      qrMove(
        association,
        { level: 'STUDY', studyInstanceUid: korean[0]!.studyInstanceUid },
        { destination: 'HNVUE' },
      ),
    );
    expect(moved.status).toBe(0);
    expect(moved.completed).toBe(korean.length);
    for (const inst of korean) {
      const got = await datasetOf(join(moveDir, `${inst.sopInstanceUid}.dcm`));
      // Orthanc sends what it stored; compare the decoded data sets (its transfer syntax may differ).
      const want = decodeDataset(inst.dataset, { transferSyntax: '1.2.840.10008.1.2.1' }).dataset;
      const have = decodeDataset(got.dataset, { transferSyntax: got.transferSyntax }).dataset;
      expect(have).toEqual(want);
    }

    const getDir = join(dir, 'got');
    await mkdir(getDir);
    const getAssociation = await Association.open({
      host: '127.0.0.1',
      port: orthanc.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'ORTHANC',
      ...getAssociationOptions({ sopClasses: [DX, CR], storage: { directory: getDir, fsync: false } }),
    });
    try {
      const utf8 = archive.filter((x) => x.patientId === 'PUTF01');
      const got = await retrieveAll(
        qrGet(
          getAssociation,
          { level: 'STUDY', studyInstanceUid: utf8[0]!.studyInstanceUid },
          { sopClasses: [DX, CR] },
        ),
      );
      expect(got.completed).toBe(utf8.length);
      for (const inst of utf8) {
        const file = await datasetOf(join(getDir, `${inst.sopInstanceUid}.dcm`));
        const want = decodeDataset(inst.dataset, { transferSyntax: '1.2.840.10008.1.2.1' }).dataset;
        expect(decodeDataset(file.dataset, { transferSyntax: file.transferSyntax }).dataset).toEqual(want);
      }
    } finally {
      await getAssociation.release();
    }
  });

  it('FR-DICOM-06: a move to an AE Orthanc does not know fails with its status', async () => {
    const study = archive[0]!.studyInstanceUid;
    const err = await retrieveAll(
      qrMove(association, { level: 'STUDY', studyInstanceUid: study }, { destination: 'UNKNOWN' }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetrieveFailedError);
    expect((err as RetrieveFailedError).status & 0xf000).not.toBe(0);
    expect([0xa801, 0xc000]).toContain((err as RetrieveFailedError).status);
    expect(association.usable).toBe(true);
  });
});
