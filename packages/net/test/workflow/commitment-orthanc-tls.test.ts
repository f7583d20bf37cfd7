/**
 * Storage Commitment against Orthanc over mutual TLS (FR-DICOM-07, NFR-SEC-02): the images go in
 * over TLS, the N-ACTION goes out over TLS, and Orthanc's report comes back on its own new TLS
 * association to our listener (modality declared with `UseDicomTls`, PEERS.md), which requires a
 * client certificate from our CA. Nothing in either direction travels in the clear.
 */
import { HnvError } from '@hnvue/core';
import {
  generateTlsMaterial,
  type OrthancPeer,
  rmTempDir,
  startOrthanc,
  type TlsMaterial,
} from '@hnvue/testing/peers';
import { createUidGenerator } from '@hnvue/uid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Association,
  type Connector,
  createServer,
  type DicomServer,
  storeInstances,
  tlsConnector,
} from '../../src/index.js';
import { storageContexts } from '../../src/storage/index.js';
import {
  COMMITMENT_FAILURE_REASON,
  type CommitmentResult,
  encodeDataset,
  STORAGE_COMMITMENT_CONTEXT,
  STORAGE_COMMITMENT_LISTENER_CONTEXT,
  STORAGE_COMMITMENT_ROLES,
  StorageCommitmentScu,
} from '../../src/workflow/index.js';

const uids = createUidGenerator({ orgRoot: '1.2.826.0.1.3680043.10.1234', deviceSerial: 9 });
const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';

/** A tiny Secondary Capture data set in memory (no meta header: stored as a DatasetInstance). */
function image(sopInstanceUid: string): Uint8Array {
  return encodeDataset(
    {
      SOPClassUID: SECONDARY_CAPTURE,
      SOPInstanceUID: sopInstanceUid,
      StudyInstanceUID: '1.2.826.0.1.3680043.10.1234.72',
      SeriesInstanceUID: '1.2.826.0.1.3680043.10.1234.73',
      PatientID: 'COMMITTLS1',
      PatientName: 'COMMIT^TLS',
      Modality: 'OT',
      ConversionType: 'WSD',
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      Rows: 2,
      Columns: 2,
      BitsAllocated: 8,
      BitsStored: 8,
      HighBit: 7,
      PixelRepresentation: 0,
      PixelData: [new Uint8Array([0, 64, 128, 255]).buffer],
      _vrMap: { PixelData: 'OB' },
    },
    { transferSyntax: EXPLICIT_LE },
  );
}

describe('Storage Commitment SCU against Orthanc over mutual TLS', () => {
  let tls: TlsMaterial;
  let orthanc: OrthancPeer;
  let listener: DicomServer;
  let scu: StorageCommitmentScu;
  let connector: Connector;
  /** Calling AE titles of the associations our TLS-only listener accepted. */
  const reportCallers: string[] = [];
  const listenerTlsErrors: string[] = [];
  const stored = [uids.next(), uids.next()].map((sopInstanceUid) => ({
    sopClassUid: SECONDARY_CAPTURE,
    sopInstanceUid,
  }));

  beforeAll(async () => {
    tls = await generateTlsMaterial();
    connector = tlsConnector({ caFile: tls.caCert, certFile: tls.clientCert, keyFile: tls.clientKey });
    scu = new StorageCommitmentScu({ uids, timeoutMs: 15_000 });
    // Up before any N-ACTION is sent (PEERS.md); mutual TLS: Orthanc must show a certificate.
    listener = createServer({
      aeTitles: ['HNVUE'],
      contexts: [STORAGE_COMMITMENT_LISTENER_CONTEXT],
      handlers: { 'N-EVENT-REPORT': scu.reportHandler },
      tls: {
        certFile: tls.serverCert,
        keyFile: tls.serverKey,
        caFile: tls.caCert,
        requireClientCertificate: true,
      },
    });
    listener.on('association', (association) => reportCallers.push(association.callingAeTitle));
    listener.on('tlsError', (error) => listenerTlsErrors.push(error.reason));
    const listenerPort = await listener.listen(0);
    orthanc = await startOrthanc({
      tls: { cert: tls.serverCert, key: tls.serverKey, trusted: tls.caCert, requireClientCert: true },
      config: {
        DicomModalities: {
          hnvue: {
            AET: 'HNVUE',
            Host: '127.0.0.1',
            Port: listenerPort,
            AllowStorageCommitment: true,
            // Orthanc's outgoing report association over TLS too (PEERS.md).
            UseDicomTls: true,
          },
        },
      },
    });
    // The images go in over mutual TLS with our C-STORE SCU.
    const association = await Association.open({
      host: '127.0.0.1',
      port: orthanc.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'ORTHANC',
      presentationContexts: storageContexts([
        { sopClassUid: SECONDARY_CAPTURE, transferSyntax: EXPLICIT_LE },
      ]),
      connector,
    });
    try {
      const outcomes = await storeInstances(
        association,
        stored.map((r) => ({ ...r, dataset: image(r.sopInstanceUid), transferSyntax: EXPLICIT_LE })),
      );
      for (const o of outcomes) if (!o.ok) throw o.error;
    } finally {
      await association.release();
    }
  }, 30_000);

  afterAll(async () => {
    scu?.close();
    await orthanc?.stop();
    await listener?.close();
    if (tls) await rmTempDir(tls.dir);
  });

  const open = () =>
    Association.open({
      host: '127.0.0.1',
      port: orthanc.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'ORTHANC',
      presentationContexts: [STORAGE_COMMITMENT_CONTEXT],
      roles: STORAGE_COMMITMENT_ROLES,
      requestHandler: scu.reportHandler,
      connector,
    });

  // conformance: SCU storageCommitmentPushModel
  it('FR-DICOM-07: stored instances are committed: event type 1 on Orthanc’s new association, over mutual TLS', async () => {
    const before = reportCallers.length;
    const association = await open();
    const pending = await scu.request(association, stored);
    await association.release();
    const result = await pending.result;
    // Our listener is TLS-only and verifies client certificates: an association on it is proof.
    expect(reportCallers.slice(before)).toEqual(['ORTHANC']);
    expect(listenerTlsErrors).toEqual([]);
    expect(result.eventTypeId).toBe(1);
    expect(result.transactionUid).toBe(pending.transactionUid);
    expect(result.reportedBy).toBe('ORTHANC');
    expect(result.receivedOn).toBe('new-association');
    expect(result.committed.map((r) => r.sopInstanceUid).sort()).toEqual(
      stored.map((r) => r.sopInstanceUid).sort(),
    );
    expect(result.failed).toEqual([]);
  });

  it('FR-DICOM-07: an unknown instance fails: event type 2 with failure reason 0x0112, over mutual TLS', async () => {
    const before = reportCallers.length;
    const association = await open();
    const failures: CommitmentResult[] = [];
    scu.on('failures', (r) => failures.push(r));
    const unknown = { sopClassUid: SECONDARY_CAPTURE, sopInstanceUid: uids.next() };
    const pending = await scu.request(association, [stored[0] as (typeof stored)[number], unknown]);
    await association.release();
    const result = await pending.result;
    expect(reportCallers.slice(before)).toEqual(['ORTHANC']);
    expect(listenerTlsErrors).toEqual([]);
    expect(result.eventTypeId).toBe(2);
    expect(result.receivedOn).toBe('new-association');
    expect(result.committed.map((r) => r.sopInstanceUid)).toEqual([stored[0]?.sopInstanceUid]);
    expect(result.failed).toEqual([
      { ...unknown, failureReason: COMMITMENT_FAILURE_REASON.noSuchObjectInstance },
    ]);
    expect(COMMITMENT_FAILURE_REASON.noSuchObjectInstance).toBe(0x0112);
    expect(failures).toContain(result);
  });

  it('NFR-SEC-02: the TLS-only Orthanc never gives a plain TCP caller an association', async () => {
    const error = await Association.open({
      host: '127.0.0.1',
      port: orthanc.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'ORTHANC',
      presentationContexts: [STORAGE_COMMITMENT_CONTEXT],
      roles: STORAGE_COMMITMENT_ROLES,
      timeouts: { acseMs: 3000 },
    }).catch((e: unknown) => e);
    // Orthanc's TLS layer reads our A-ASSOCIATE-RQ as a bad handshake and drops the connection.
    expect(error).toBeInstanceOf(HnvError);
    expect((error as HnvError).code).toBe('HNV_ERR_ASSOC_ABORTED');
  });
});
