import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodePart10Header } from '@hnvue/dicom';
import { makeTempDir, type OrthancPeer, rmTempDir, run, startOrthanc } from '@hnvue/testing/peers';
import { createUidGenerator } from '@hnvue/uid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Association, createServer, type DicomServer } from '../../src/index.js';
import {
  COMMITMENT_FAILURE_REASON,
  type CommitmentResult,
  encodeDataset,
  STORAGE_COMMITMENT_CONTEXT,
  STORAGE_COMMITMENT_LISTENER_CONTEXT,
  STORAGE_COMMITMENT_ROLES,
  StorageCommitmentScu,
} from '../../src/workflow/index.js';

const uids = createUidGenerator({ orgRoot: '1.2.826.0.1.3680043.10.1234', deviceSerial: 8 });
const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';

/** A tiny Secondary Capture image as a Part 10 file (our codec + meta header). */
async function writeImage(dir: string, sopInstanceUid: string): Promise<string> {
  const dataset = {
    SOPClassUID: SECONDARY_CAPTURE,
    SOPInstanceUID: sopInstanceUid,
    StudyInstanceUID: '1.2.826.0.1.3680043.10.1234.70',
    SeriesInstanceUID: '1.2.826.0.1.3680043.10.1234.71',
    PatientID: 'COMMIT1',
    PatientName: 'COMMIT^TEST',
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
  };
  const header = encodePart10Header({
    mediaStorageSopClassUid: SECONDARY_CAPTURE,
    mediaStorageSopInstanceUid: sopInstanceUid,
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    implementationClassUid: '1.2.826.0.1.3680043.10.1234.99',
  });
  const body = encodeDataset(dataset, { transferSyntax: '1.2.840.10008.1.2.1' });
  const path = join(dir, `${sopInstanceUid}.dcm`);
  await writeFile(path, Buffer.concat([header, body]));
  return path;
}

describe('Storage Commitment SCU against Orthanc (report on a new association)', () => {
  let dir: string;
  let orthanc: OrthancPeer;
  let listener: DicomServer;
  let scu: StorageCommitmentScu;
  const stored = [uids.next(), uids.next()].map((sopInstanceUid) => ({
    sopClassUid: SECONDARY_CAPTURE,
    sopInstanceUid,
  }));

  beforeAll(async () => {
    dir = await makeTempDir('hnvue-commit-');
    scu = new StorageCommitmentScu({ uids, timeoutMs: 15_000 });
    // The listener is up before any N-ACTION is sent (PEERS.md).
    listener = createServer({
      aeTitles: ['HNVUE'],
      contexts: [STORAGE_COMMITMENT_LISTENER_CONTEXT],
      handlers: { 'N-EVENT-REPORT': scu.reportHandler },
    });
    const listenerPort = await listener.listen(0);
    orthanc = await startOrthanc({
      config: {
        DicomModalities: {
          hnvue: { AET: 'HNVUE', Host: '127.0.0.1', Port: listenerPort, AllowStorageCommitment: true },
        },
      },
    });
    for (const ref of stored) {
      const file = await writeImage(dir, ref.sopInstanceUid);
      const result = await run('storescu', [
        '-aet',
        'HNVUE',
        '-aec',
        'ORTHANC',
        '127.0.0.1',
        String(orthanc.port),
        file,
      ]);
      expect(result.code, result.stderr).toBe(0);
    }
  });

  afterAll(async () => {
    scu?.close();
    await orthanc?.stop();
    await listener?.close();
    if (dir) await rmTempDir(dir);
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
    });

  // conformance: SCU storageCommitmentPushModel
  it('FR-DICOM-07: stored instances are committed: event type 1 on Orthanc’s new association', async () => {
    const association = await open();
    const results: CommitmentResult[] = [];
    scu.on('result', (r) => results.push(r));
    const pending = await scu.request(association, stored);
    expect(scu.pending.map((p) => p.transactionUid)).toContain(pending.transactionUid);
    await association.release();
    const result = await pending.result;
    expect(result.eventTypeId).toBe(1);
    expect(result.transactionUid).toBe(pending.transactionUid);
    expect(result.reportedBy).toBe('ORTHANC');
    // Orthanc always reports on a new association to our listener (PEERS.md).
    expect(result.receivedOn).toBe('new-association');
    expect(result.committed.map((r) => r.sopInstanceUid).sort()).toEqual(
      stored.map((r) => r.sopInstanceUid).sort(),
    );
    expect(result.failed).toEqual([]);
    expect(result.late).toBe(false);
    expect(results).toContain(result);
    expect(scu.pending.map((p) => p.transactionUid)).not.toContain(pending.transactionUid);
  });

  it('FR-DICOM-07: an unknown instance fails: event type 2 with failure reason 0x0112, and a failures event', async () => {
    const association = await open();
    const failures: CommitmentResult[] = [];
    scu.on('failures', (r) => failures.push(r));
    const unknown = { sopClassUid: SECONDARY_CAPTURE, sopInstanceUid: uids.next() };
    const pending = await scu.request(association, [stored[0] as (typeof stored)[number], unknown]);
    await association.release();
    const result = await pending.result;
    expect(result.eventTypeId).toBe(2);
    expect(result.committed.map((r) => r.sopInstanceUid)).toEqual([stored[0]?.sopInstanceUid]);
    expect(result.failed).toEqual([
      { ...unknown, failureReason: COMMITMENT_FAILURE_REASON.noSuchObjectInstance },
    ]);
    expect(failures).toContain(result);
  });
});
