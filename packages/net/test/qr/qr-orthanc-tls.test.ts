/**
 * FR-DICOM-06 over mutual TLS against Orthanc (NFR-SEC-02): the objects go in over TLS with our
 * C-STORE SCU, C-FIND and C-GET go out over TLS, and the C-MOVE sub-operations come back on
 * Orthanc's own TLS association to our TLS-only storage SCP (modality declared `UseDicomTls`,
 * PEERS.md; pynetdicom #595 is the retrieve sub-association over TLS). Nothing travels in the clear.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  generateTlsMaterial,
  type OrthancPeer,
  rmTempDir,
  startOrthanc,
  type TlsMaterial,
} from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Association,
  type Connector,
  createStorageScp,
  type DicomServer,
  getAssociationOptions,
  qrContexts,
  qrFindAll,
  qrGet,
  qrMove,
  retrieveAll,
  storeInstances,
  tlsConnector,
} from '../../src/index.js';
import { storageContexts } from '../../src/storage/index.js';
import { type ArchiveInstance, CR, DX, datasetOf, EXPLICIT, makeTempDir, writeArchive } from './helpers.js';

describe('FR-DICOM-06: Query/Retrieve against Orthanc over mutual TLS', { timeout: 90_000 }, () => {
  let dir: string;
  let tls: TlsMaterial;
  let orthanc: OrthancPeer;
  let scp: DicomServer;
  let connector: Connector;
  let archive: ArchiveInstance[];
  let moveDir: string;
  const tlsCallers: string[] = [];

  beforeAll(async () => {
    dir = await makeTempDir('hnvue-qr-tls-');
    tls = await generateTlsMaterial();
    connector = tlsConnector({ caFile: tls.caCert, certFile: tls.clientCert, keyFile: tls.clientKey });
    moveDir = join(dir, 'moved');
    await mkdir(moveDir);
    await mkdir(join(dir, 'src'));
    archive = await writeArchive(join(dir, 'src'), {
      patients: [{ id: 'PTLS01', name: 'SECURE^PRIOR' }],
      seriesPerStudy: 2,
      instancesPerSeries: 2,
    });
    scp = createStorageScp({
      directory: moveDir,
      fsync: false,
      server: {
        aeTitles: ['HNVUE'],
        tls: {
          certFile: tls.serverCert,
          keyFile: tls.serverKey,
          caFile: tls.caCert,
          requireClientCertificate: true,
        },
      },
    });
    scp.on('association', (a) => tlsCallers.push(a.callingAeTitle));
    const scpPort = await scp.listen(0, '127.0.0.1');
    orthanc = await startOrthanc({
      tls: { cert: tls.serverCert, key: tls.serverKey, trusted: tls.caCert, requireClientCert: true },
      config: {
        DicomAlwaysAllowFind: true,
        DicomAlwaysAllowGet: true,
        DicomAlwaysAllowMove: true,
        DicomModalities: { hnvue: { AET: 'HNVUE', Host: '127.0.0.1', Port: scpPort, UseDicomTls: true } },
      },
    });
    const store = await Association.open({
      host: '127.0.0.1',
      port: orthanc.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'ORTHANC',
      presentationContexts: storageContexts([
        { sopClassUid: DX, transferSyntax: EXPLICIT },
        { sopClassUid: CR, transferSyntax: EXPLICIT },
      ]),
      connector,
    });
    try {
      const outcomes = await storeInstances(
        store,
        archive.map((a) => a.path),
      );
      for (const o of outcomes) if (!o.ok) throw o.error;
    } finally {
      await store.release();
    }
  }, 60_000);

  afterAll(async () => {
    await orthanc?.stop();
    await scp?.close();
    if (tls) await rmTempDir(tls.dir);
    if (dir) await rmTempDir(dir);
  });

  it('FR-DICOM-06: C-FIND, C-MOVE (TLS sub-association) and C-GET over mutual TLS', async () => {
    const association = await Association.open({
      host: '127.0.0.1',
      port: orthanc.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'ORTHANC',
      presentationContexts: qrContexts(['study'], ['find', 'move']),
      connector,
    });
    const study = archive[0]!.studyInstanceUid;
    try {
      const studies = await qrFindAll(association, { level: 'STUDY', patientId: 'PTLS01' });
      expect(studies.map((m) => m.studyInstanceUid)).toEqual([study]);
      const moved = await retrieveAll(
        qrMove(association, { level: 'STUDY', studyInstanceUid: study }, { destination: 'HNVUE' }),
      );
      expect(moved.completed).toBe(archive.length);
      expect(tlsCallers.length).toBeGreaterThan(0);
      for (const inst of archive) {
        const got = await datasetOf(join(moveDir, `${inst.sopInstanceUid}.dcm`));
        expect(Buffer.from(got.dataset).equals(Buffer.from(inst.dataset))).toBe(true);
      }
    } finally {
      await association.release();
    }

    const getDir = join(dir, 'got');
    await mkdir(getDir);
    const get = await Association.open({
      host: '127.0.0.1',
      port: orthanc.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'ORTHANC',
      ...getAssociationOptions({ sopClasses: [DX, CR], storage: { directory: getDir, fsync: false } }),
      connector,
    });
    try {
      const got = await retrieveAll(
        qrGet(get, { level: 'STUDY', studyInstanceUid: study }, { sopClasses: [DX, CR] }),
      );
      expect(got.completed).toBe(archive.length);
      for (const inst of archive) {
        const file = await datasetOf(join(getDir, `${inst.sopInstanceUid}.dcm`));
        expect(Buffer.from(file.dataset).equals(Buffer.from(inst.dataset))).toBe(true);
      }
    } finally {
      await get.release();
    }
  });
});
