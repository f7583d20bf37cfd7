/**
 * FR-DICOM-06 against DCMTK dcmqrscp (its storage area filled by storescu): C-FIND at each level
 * of both models with each key type, C-MOVE into our storage SCP and C-GET on the association,
 * every instance data-set-identical to what was stored, cancel mid-retrieve leaving the
 * association usable, a move to an unknown AE failing with the SCP's status.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { rmTempDir } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Association,
  createStorageScp,
  type DicomServer,
  getAssociationOptions,
  InvalidArgumentError,
  qrContexts,
  qrFindAll,
  qrGet,
  qrMove,
  type RetrieveEvent,
  RetrieveFailedError,
  type RetrieveResult,
  retrieveAll,
} from '../../src/index.js';
import {
  type ArchiveInstance,
  CR,
  type Dcmqrscp,
  DX,
  datasetOf,
  filesIn,
  fillDcmqrscp,
  makeTempDir,
  startDcmqrscp,
  writeArchive,
} from './helpers.js';

async function collect(events: AsyncIterable<RetrieveEvent>): Promise<RetrieveEvent[]> {
  const out: RetrieveEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

/** Every expected instance is in `dir` with the same data set bytes. */
async function expectReceived(dir: string, expected: readonly ArchiveInstance[]): Promise<void> {
  const files = await filesIn(dir);
  const byName = new Set(files.map((f) => f.slice(dir.length + 1)));
  for (const inst of expected) {
    expect(byName.has(`${inst.sopInstanceUid}.dcm`)).toBe(true);
    const got = await datasetOf(join(dir, `${inst.sopInstanceUid}.dcm`));
    expect(got.transferSyntax).toBe('1.2.840.10008.1.2.1');
    expect(Buffer.from(got.dataset).equals(Buffer.from(inst.dataset))).toBe(true);
  }
}

describe('FR-DICOM-06: Query/Retrieve SCU against DCMTK dcmqrscp', { timeout: 90_000 }, () => {
  let dir: string;
  let archive: ArchiveInstance[];
  let big: ArchiveInstance[];
  let qr: Dcmqrscp;
  let scp: DicomServer;
  let moveDir: string;
  let association: Association;
  const stored: { uid: string; originator: string | undefined; messageId: number | undefined }[] = [];

  beforeAll(async () => {
    dir = await makeTempDir('hnvue-qr-dcmqrscp-');
    const src = join(dir, 'src');
    moveDir = join(dir, 'moved');
    await mkdir(src, { recursive: true });
    await mkdir(moveDir, { recursive: true });
    archive = await writeArchive(src, {
      patients: [
        { id: 'PQR001', name: 'DOE^JOHN' },
        { id: 'PQR002', name: 'SMITH^ANNA' },
        { id: 'PQR003', name: 'SMITHERS^BOB' },
      ],
      studiesPerPatient: 2,
      seriesPerStudy: 2,
      instancesPerSeries: 3,
    });
    const bigDir = join(dir, 'big');
    await mkdir(bigDir);
    big = await writeArchive(bigDir, {
      patients: [{ id: 'PQRBIG', name: 'BIG^STUDY' }],
      seriesPerStudy: 1,
      instancesPerSeries: 40,
      size: 256,
    });
    scp = createStorageScp({
      directory: moveDir,
      fsync: false,
      onStored: (i) =>
        stored.push({
          uid: i.sopInstanceUid,
          originator: i.moveOriginatorAeTitle,
          messageId: i.moveOriginatorMessageId,
        }),
      server: { aeTitles: ['HNVUE'] },
    });
    const scpPort = await scp.listen(0, '127.0.0.1');
    qr = await startDcmqrscp(join(dir, 'qr'), { destinations: { HNVUE: scpPort } });
    await fillDcmqrscp(qr, [...archive.map((a) => a.path), ...big.map((a) => a.path)]);
    association = await Association.open({
      host: '127.0.0.1',
      port: qr.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: qr.aeTitle,
      presentationContexts: qrContexts(['study', 'patient'], ['find', 'move']),
      timeouts: { dimseMs: 60_000 },
    });
  }, 120_000);

  afterAll(async () => {
    await association?.release().catch(() => association.abort());
    await qr?.stop();
    await scp?.close();
    if (dir) await rmTempDir(dir);
  });

  const studiesOf = (pid: string) => [
    ...new Set(archive.filter((a) => a.patientId === pid).map((a) => a.studyInstanceUid)),
  ];

  // conformance: SCU studyRootQueryRetrieveFind
  it('FR-DICOM-06: C-FIND STUDY level (Study Root): single value, wildcard, date range, UID list', async () => {
    const byId = await qrFindAll(association, { level: 'STUDY', patientId: 'PQR001' });
    expect(byId.map((m) => m.studyInstanceUid).sort()).toEqual(studiesOf('PQR001').sort());
    expect(byId[0]?.dataset.PatientName).toBeDefined();

    const wildcard = await qrFindAll(association, { level: 'STUDY', patientName: 'SMITH*' });
    expect(new Set(wildcard.map((m) => m.patientId))).toEqual(new Set(['PQR002', 'PQR003']));

    const dates = [...new Set(archive.map((a) => a.studyDate))].sort();
    const from = dates[1]!;
    const ranged = await qrFindAll(association, {
      level: 'STUDY',
      studyDate: { from },
      returnKeys: ['StudyDate'],
    });
    const expected = new Set(archive.filter((a) => a.studyDate >= from).map((a) => a.studyInstanceUid));
    expect(new Set(ranged.map((m) => m.studyInstanceUid))).toEqual(expected);
    const upTo = await qrFindAll(association, { level: 'STUDY', studyDate: { to: dates[0]! } });
    expect(upTo.length).toBe(
      new Set([...archive, ...big].filter((a) => a.studyDate <= dates[0]!).map((a) => a.studyInstanceUid))
        .size,
    );

    const two = [studiesOf('PQR001')[0]!, studiesOf('PQR003')[1]!];
    const list = await qrFindAll(association, { level: 'STUDY', studyInstanceUid: two });
    expect(list.map((m) => m.studyInstanceUid).sort()).toEqual([...two].sort());
  });

  it('FR-DICOM-06: C-FIND SERIES and IMAGE levels, hierarchical keys, UID lists', async () => {
    const study = studiesOf('PQR002')[0]!;
    const series = await qrFindAll(association, { level: 'SERIES', studyInstanceUid: study });
    const expectedSeries = [
      ...new Set(archive.filter((a) => a.studyInstanceUid === study).map((a) => a.seriesInstanceUid)),
    ];
    expect(series.map((m) => m.seriesInstanceUid).sort()).toEqual(expectedSeries.sort());
    const cr = await qrFindAll(association, { level: 'SERIES', studyInstanceUid: study, modality: 'CR' });
    expect(cr.length).toBe(1);
    expect(cr[0]?.dataset.Modality).toBe('CR');

    const seriesUid = expectedSeries[0]!;
    const images = await qrFindAll(association, {
      level: 'IMAGE',
      studyInstanceUid: study,
      seriesInstanceUid: seriesUid,
    });
    const expectedImages = archive.filter((a) => a.seriesInstanceUid === seriesUid);
    expect(images.map((m) => m.sopInstanceUid).sort()).toEqual(
      expectedImages.map((a) => a.sopInstanceUid).sort(),
    );
    // dcmqrscp does not return SOP Class UID at IMAGE level (not in its key set).
    expect(
      images.every((m) => m.sopClassUid === undefined || m.sopClassUid === DX || m.sopClassUid === CR),
    ).toBe(true);
    const pick = expectedImages.slice(0, 2).map((a) => a.sopInstanceUid);
    const listed = await qrFindAll(association, {
      level: 'IMAGE',
      studyInstanceUid: study,
      seriesInstanceUid: seriesUid,
      sopInstanceUid: pick,
    });
    expect(listed.map((m) => m.sopInstanceUid).sort()).toEqual([...pick].sort());
  });

  // conformance: SCU patientRootQueryRetrieveFind
  it('FR-DICOM-06: Patient Root C-FIND at PATIENT, STUDY, SERIES and IMAGE levels', async () => {
    const patients = await qrFindAll(association, {
      model: 'patient',
      level: 'PATIENT',
      patientId: 'PQR00*',
    });
    expect(patients.map((m) => m.patientId).sort()).toEqual(['PQR001', 'PQR002', 'PQR003']);
    const studies = await qrFindAll(association, { model: 'patient', level: 'STUDY', patientId: 'PQR003' });
    expect(studies.map((m) => m.studyInstanceUid).sort()).toEqual(studiesOf('PQR003').sort());
    const study = studiesOf('PQR003')[0]!;
    const series = await qrFindAll(association, {
      model: 'patient',
      level: 'SERIES',
      patientId: 'PQR003',
      studyInstanceUid: study,
    });
    expect(series.length).toBe(2);
    const images = await qrFindAll(association, {
      model: 'patient',
      level: 'IMAGE',
      patientId: 'PQR003',
      studyInstanceUid: study,
      seriesInstanceUid: series[0]!.seriesInstanceUid!,
    });
    expect(images.length).toBe(3);
  });

  it('FR-DICOM-06: a hierarchical query without the upper unique keys is refused before sending', async () => {
    await expect(qrFindAll(association, { level: 'SERIES', modality: 'DX' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(
      qrFindAll(association, { model: 'patient', level: 'STUDY', patientName: 'DOE*' }),
    ).rejects.toMatchObject({ code: 'HNV_ERR_INVALID_ARGUMENT' });
    expect(association.usable).toBe(true);
  });

  it('FR-DICOM-06: limit and AbortSignal cancel a C-FIND; the association stays usable', async () => {
    const one = await qrFindAll(association, { level: 'STUDY' }, { limit: 1 });
    expect(one.length).toBe(1);
    const controller = new AbortController();
    const seen = await qrFindAll(
      association,
      { level: 'STUDY', patientId: '*' },
      { signal: controller.signal },
    );
    expect(seen.length).toBe(7);
    controller.abort();
    const after = await qrFindAll(
      association,
      { level: 'STUDY', patientId: 'PQR001' },
      { signal: controller.signal },
    );
    expect(after).toEqual([]);
    expect(association.usable).toBe(true);
    expect((await qrFindAll(association, { level: 'STUDY', patientId: 'PQR002' })).length).toBe(2);
  });

  // conformance: SCU studyRootQueryRetrieveMove
  it('FR-DICOM-06: C-MOVE of a study, a series and a list of images into our storage SCP', async () => {
    const study = studiesOf('PQR001')[0]!;
    const expected = archive.filter((a) => a.studyInstanceUid === study);
    const events = await collect(
      qrMove(association, { level: 'STUDY', studyInstanceUid: study }, { destination: 'HNVUE' }),
    );
    const final = events.at(-1) as RetrieveResult;
    expect(final.final).toBe(true);
    expect(final.status).toBe(0);
    expect(final.completed).toBe(expected.length);
    expect(final.failed).toBe(0);
    expect(final.failedSopInstanceUids).toEqual([]);
    const pending = events.filter((e) => !e.final);
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.every((p) => p.remaining !== undefined)).toBe(true);
    await expectReceived(moveDir, expected);
    // Each sub-operation names our C-MOVE (PS3.7 9.3.1.1): Move Originator AE and Message ID.
    expect(final.messageId).toBeDefined();
    const mine = stored.filter((s) => s.messageId === final.messageId && s.originator === 'HNVUE');
    expect(mine.map((s) => s.uid).sort()).toEqual(expected.map((e) => e.sopInstanceUid).sort());

    const series = archive.find((a) => a.patientId === 'PQR002')!.seriesInstanceUid;
    const seriesResult = await retrieveAll(
      qrMove(
        association,
        {
          level: 'SERIES',
          studyInstanceUid: archive.find((a) => a.seriesInstanceUid === series)!.studyInstanceUid,
          seriesInstanceUid: series,
        },
        { destination: 'HNVUE' },
      ),
    );
    expect(seriesResult.completed).toBe(3);
    await expectReceived(
      moveDir,
      archive.filter((a) => a.seriesInstanceUid === series),
    );

    const images = archive.filter((a) => a.patientId === 'PQR003').slice(0, 2);
    const imageResult = await retrieveAll(
      qrMove(
        association,
        {
          level: 'IMAGE',
          studyInstanceUid: images[0]!.studyInstanceUid,
          seriesInstanceUid: images[0]!.seriesInstanceUid,
          sopInstanceUid: images.map((i) => i.sopInstanceUid),
        },
        { destination: 'HNVUE' },
      ),
    );
    expect(imageResult.completed).toBe(2);
    await expectReceived(moveDir, images);
  });

  it('FR-DICOM-06: C-MOVE to an unknown AE fails with the typed error and the SCP status', async () => {
    const study = studiesOf('PQR002')[0]!;
    const err = await retrieveAll(
      qrMove(association, { level: 'STUDY', studyInstanceUid: study }, { destination: 'NOBODY' }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetrieveFailedError);
    expect((err as RetrieveFailedError).code).toBe('HNV_ERR_DIMSE_FAILURE');
    expect((err as RetrieveFailedError).status).toBe(0xa801);
    expect(association.usable).toBe(true);
  });

  it('FR-DICOM-06: cancelling mid-move ends with Cancel and leaves the association usable', async () => {
    const controller = new AbortController();
    const events: RetrieveEvent[] = [];
    for await (const e of qrMove(
      association,
      { level: 'STUDY', studyInstanceUid: big[0]!.studyInstanceUid },
      { destination: 'HNVUE', signal: controller.signal },
    )) {
      events.push(e);
      if (!e.final && e.completed >= 2) controller.abort();
    }
    const final = events.at(-1) as RetrieveResult;
    expect(final.final).toBe(true);
    // The SCP stops at the next sub-operation boundary (FE00); one that had already finished answers Success.
    if (final.cancelled) expect(final.completed).toBeLessThan(big.length);
    else expect(final.completed).toBe(big.length);
    expect(association.usable).toBe(true);
    expect((await qrFindAll(association, { level: 'STUDY', patientId: 'PQRBIG' })).length).toBe(1);
  });

  describe('C-GET', () => {
    let getDir: string;
    let getAssociation: Association;
    beforeAll(async () => {
      getDir = join(dir, 'got');
      await mkdir(getDir, { recursive: true });
      getAssociation = await Association.open({
        host: '127.0.0.1',
        port: qr.port,
        callingAeTitle: 'HNVUE',
        calledAeTitle: qr.aeTitle,
        ...getAssociationOptions({ sopClasses: [DX, CR], storage: { directory: getDir, fsync: false } }),
      });
    });
    afterAll(async () => {
      await getAssociation?.release().catch(() => getAssociation.abort());
    });

    // conformance: SCU studyRootQueryRetrieveGet
    it('FR-DICOM-06: C-GET of a study: every instance received on the association, data-set-identical', async () => {
      const study = studiesOf('PQR002')[1]!;
      const expected = archive.filter((a) => a.studyInstanceUid === study);
      const progress: number[] = [];
      const result = await retrieveAll(
        qrGet(getAssociation, { level: 'STUDY', studyInstanceUid: study }, { sopClasses: [DX, CR] }),
        (p) => progress.push(p.completed),
      );
      expect(result.status).toBe(0);
      expect(result.completed).toBe(expected.length);
      expect(progress.length).toBeGreaterThan(0);
      await expectReceived(getDir, expected);
    });

    it('FR-DICOM-06: cancelling mid-get leaves the association usable', async () => {
      const controller = new AbortController();
      let final: RetrieveResult | undefined;
      for await (const e of qrGet(
        getAssociation,
        { level: 'STUDY', studyInstanceUid: big[0]!.studyInstanceUid },
        { signal: controller.signal },
      )) {
        if (e.final) final = e as RetrieveResult;
        else if (e.completed >= 2) controller.abort();
      }
      expect(final?.final).toBe(true);
      if (final?.cancelled) expect(final.completed).toBeLessThan(big.length);
      expect(getAssociation.usable).toBe(true);
      const again = await retrieveAll(
        qrGet(getAssociation, {
          level: 'IMAGE',
          studyInstanceUid: big[0]!.studyInstanceUid,
          seriesInstanceUid: big[0]!.seriesInstanceUid,
          sopInstanceUid: big[5]!.sopInstanceUid,
        }),
      );
      expect(again.completed).toBe(1);
      await expectReceived(getDir, [big[5]!]);
    });
  });

  // conformance: SCU patientRootQueryRetrieveMove patientRootQueryRetrieveGet
  it('FR-DICOM-06: Patient Root C-MOVE and C-GET of a patient: every instance received, data-set-identical', async () => {
    const expected = archive.filter((a) => a.patientId === 'PQR003');
    expect(expected.length).toBeGreaterThan(0);
    const target = { model: 'patient', level: 'PATIENT', patientId: 'PQR003' } as const;
    const moved = await retrieveAll(qrMove(association, target, { destination: 'HNVUE' }));
    expect(moved).toMatchObject({ status: 0, completed: expected.length, failed: 0 });
    await expectReceived(moveDir, expected);

    const patientGetDir = join(dir, 'got-patient');
    await mkdir(patientGetDir, { recursive: true });
    const getAssociation = await Association.open({
      host: '127.0.0.1',
      port: qr.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: qr.aeTitle,
      ...getAssociationOptions({
        models: ['patient'],
        sopClasses: [DX, CR],
        storage: { directory: patientGetDir, fsync: false },
      }),
    });
    try {
      const got = await retrieveAll(qrGet(getAssociation, target, { sopClasses: [DX, CR] }));
      expect(got).toMatchObject({ status: 0, completed: expected.length, failed: 0 });
      await expectReceived(patientGetDir, expected);
    } finally {
      await getAssociation.release().catch(() => getAssociation.abort());
    }
  });
});
