import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { encodePart10Header } from '@hnvue/dicom';
import { freePort, makeTempDir, type OrthancPeer, rmTempDir, run, startOrthanc } from '@hnvue/testing/peers';
import { createUidGenerator } from '@hnvue/uid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Association, createServer, type DicomServer } from '../../src/index.js';
import {
  COMMITMENT_EVENT,
  COMMITMENT_FAILURE_REASON,
  type CommitmentResult,
  decodeDatasetStream,
  encodeDataset,
  parseCommitmentReport,
  requestCommitment,
  STORAGE_COMMITMENT_CONTEXT,
  STORAGE_COMMITMENT_LISTENER_CONTEXT,
  STORAGE_COMMITMENT_ROLES,
  StorageCommitmentScp,
  sendCommitmentRequest,
} from '../../src/workflow/index.js';

const uids = createUidGenerator({ orgRoot: '1.2.826.0.1.3680043.10.1234', deviceSerial: 16 });
const CR = '1.2.840.10008.5.1.4.1.1.1';
const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';

/** Resolves true when something accepts TCP connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('requestCommitment: listener, N-ACTION and wait in one call (our commitment SCP)', () => {
  const known = new Set<string>();
  let listenerPort: number;
  let pacs: DicomServer;
  let pacsPort: number;
  let scp: StorageCommitmentScp;
  let sameScp: StorageCommitmentScp;
  let samePacs: DicomServer;
  let samePort: number;
  const check = (ref: { sopInstanceUid: string }) =>
    known.has(ref.sopInstanceUid) || COMMITMENT_FAILURE_REASON.noSuchObjectInstance;

  beforeAll(async () => {
    listenerPort = await freePort();
    // Reports to HNVUE go to our listener's port; any other AE has no destination (no report).
    scp = new StorageCommitmentScp({
      aeTitle: 'PACS',
      check,
      destination: (ae) =>
        ae === 'HNVUE' ? { host: '127.0.0.1', port: listenerPort, calledAeTitle: 'HNVUE' } : undefined,
    });
    pacs = createServer({
      contexts: [STORAGE_COMMITMENT_LISTENER_CONTEXT],
      handlers: { 'N-ACTION': scp.handler },
    });
    pacsPort = await pacs.listen(0);
    sameScp = new StorageCommitmentScp({
      aeTitle: 'PACS',
      check,
      destination: () => undefined,
      reportOn: 'same-association',
    });
    samePacs = createServer({
      contexts: [STORAGE_COMMITMENT_LISTENER_CONTEXT],
      handlers: { 'N-ACTION': sameScp.handler },
    });
    samePort = await samePacs.listen(0);
  });

  afterAll(async () => {
    await scp?.drain();
    await sameScp?.drain();
    await pacs?.close();
    await samePacs?.close();
  });

  const scpOptions = (port: number, callingAeTitle = 'HNVUE') => ({
    host: '127.0.0.1',
    port,
    callingAeTitle,
    calledAeTitle: 'PACS',
  });

  it('FR-DICOM-07: the report on a new association to our listener: committed and failed (0x0112); the listener is closed after', async () => {
    const committed = { sopClassUid: CR, sopInstanceUid: uids.next() };
    const missing = { sopClassUid: CR, sopInstanceUid: uids.next() };
    known.add(committed.sopInstanceUid);
    const transactionUid = uids.next();
    const outcome = await requestCommitment({
      association: scpOptions(pacsPort),
      transactionUid,
      references: [committed, missing],
      waitMs: 10_000,
      listener: { aeTitles: ['HNVUE'], port: listenerPort },
    });
    expect(outcome.listenerPort).toBe(listenerPort);
    expect(outcome.result).toMatchObject({
      transactionUid,
      eventTypeId: COMMITMENT_EVENT.failures,
      committed: [committed],
      failed: [{ ...missing, failureReason: COMMITMENT_FAILURE_REASON.noSuchObjectInstance }],
      reportedBy: 'PACS',
      receivedOn: 'new-association',
      late: false,
    });
    expect(await listening(listenerPort)).toBe(false);
  });

  it('FR-DICOM-07: a report on the requesting association needs no listener', async () => {
    const ref = { sopClassUid: CR, sopInstanceUid: uids.next() };
    known.add(ref.sopInstanceUid);
    const outcome = await requestCommitment({
      association: { ...scpOptions(samePort), roles: STORAGE_COMMITMENT_ROLES },
      transactionUid: uids.next(),
      references: [ref],
      waitMs: 10_000,
    });
    expect(outcome.listenerPort).toBeUndefined();
    expect(outcome.result).toMatchObject({
      eventTypeId: COMMITMENT_EVENT.success,
      committed: [ref],
      failed: [],
      receivedOn: 'requesting-association',
    });
  });

  it('FR-DICOM-07: no report within waitMs is an outcome without result, not an error; listener closed', async () => {
    const port = await freePort();
    const begun = Date.now();
    // NOBODY has no report destination at this SCP: the N-ACTION succeeds, no report ever comes.
    const outcome = await requestCommitment({
      association: scpOptions(pacsPort, 'NOBODY'),
      transactionUid: uids.next(),
      references: [{ sopClassUid: CR, sopInstanceUid: uids.next() }],
      waitMs: 400,
      listener: { aeTitles: ['NOBODY'], port },
    });
    expect(Date.now() - begun).toBeGreaterThanOrEqual(390);
    expect(outcome).toMatchObject({ listenerPort: port, result: undefined });
    expect(await listening(port)).toBe(false);
  });

  it('FR-DICOM-07: the caller’s signal ends the wait with CancelledError', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200).unref();
    await expect(
      requestCommitment({
        association: { ...scpOptions(pacsPort, 'NOBODY'), signal: controller.signal },
        transactionUid: uids.next(),
        references: [{ sopClassUid: CR, sopInstanceUid: uids.next() }],
        waitMs: 30_000,
      }),
    ).rejects.toMatchObject({ code: 'HNV_ERR_CANCELLED' });
  });

  it('FR-DICOM-07: no references is refused before any listener or connection', async () => {
    const port = await freePort();
    await expect(
      requestCommitment({
        association: scpOptions(await freePort()),
        transactionUid: uids.next(),
        references: [],
        waitMs: 1000,
        listener: { port },
      }),
    ).rejects.toMatchObject({ code: 'HNV_ERR_INVALID_ARGUMENT', category: 'input' });
  });

  it('FR-DICOM-07: sendCommitmentRequest alone is the N-ACTION; any handler can match the report by Transaction UID', async () => {
    const ref = { sopClassUid: CR, sopInstanceUid: uids.next() };
    known.add(ref.sopInstanceUid);
    const transactionUid = uids.next();
    let report!: (r: ReturnType<typeof parseCommitmentReport>) => void;
    const reported = new Promise<ReturnType<typeof parseCommitmentReport>>((resolve) => {
      report = resolve;
    });
    const association = await Association.open({
      ...scpOptions(samePort),
      presentationContexts: [STORAGE_COMMITMENT_CONTEXT],
      roles: STORAGE_COMMITMENT_ROLES,
      requestHandler: async (request) => {
        const { dataset } = await decodeDatasetStream(request.dataset ?? [], {
          transferSyntax: request.transferSyntax,
        });
        report(parseCommitmentReport(request.command.eventTypeId ?? 0, dataset));
        return { status: 0 };
      },
    });
    try {
      const response = await sendCommitmentRequest(association, transactionUid, [ref]);
      expect([response.status, response.command.actionTypeId]).toEqual([0, 1]);
      expect(await reported).toMatchObject({ transactionUid, committed: [ref], failed: [] });
    } finally {
      await association.release();
    }
  });
});

/** A tiny Secondary Capture image as a Part 10 file (our codec + meta header). */
async function writeImage(dir: string, sopInstanceUid: string): Promise<string> {
  const dataset = {
    SOPClassUID: SECONDARY_CAPTURE,
    SOPInstanceUID: sopInstanceUid,
    StudyInstanceUID: '1.2.826.0.1.3680043.10.1234.16.70',
    SeriesInstanceUID: '1.2.826.0.1.3680043.10.1234.16.71',
    PatientID: 'COMMIT16',
    PatientName: 'COMMIT^SIXTEEN',
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
  const path = join(dir, `${sopInstanceUid}.dcm`);
  await writeFile(
    path,
    Buffer.concat([header, encodeDataset(dataset, { transferSyntax: '1.2.840.10008.1.2.1' })]),
  );
  return path;
}

describe('requestCommitment against Orthanc (reports on a new association)', () => {
  let dir: string;
  let orthanc: OrthancPeer;
  let listenerPort: number;
  const stored = { sopClassUid: SECONDARY_CAPTURE, sopInstanceUid: uids.next() };

  beforeAll(async () => {
    dir = await makeTempDir('hnvue-commit-request-');
    listenerPort = await freePort();
    orthanc = await startOrthanc({
      config: {
        DicomModalities: {
          hnvue: { AET: 'HNVUE', Host: '127.0.0.1', Port: listenerPort, AllowStorageCommitment: true },
        },
      },
    });
    const file = await writeImage(dir, stored.sopInstanceUid);
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
  });

  afterAll(async () => {
    await orthanc?.stop();
    if (dir) await rmTempDir(dir);
  });

  it('FR-DICOM-07: a stored instance is committed and an unknown one fails 0x0112, reported by ORTHANC', async () => {
    const unknown = { sopClassUid: SECONDARY_CAPTURE, sopInstanceUid: uids.next() };
    const results: CommitmentResult[] = [];
    for (const references of [[stored], [stored, unknown]]) {
      const outcome = await requestCommitment({
        association: {
          host: '127.0.0.1',
          port: orthanc.port,
          callingAeTitle: 'HNVUE',
          calledAeTitle: 'ORTHANC',
        },
        transactionUid: uids.next(),
        references,
        waitMs: 15_000,
        listener: { aeTitles: ['HNVUE'], port: listenerPort },
      });
      expect(outcome.result, 'no report from Orthanc').toBeDefined();
      results.push(outcome.result!);
    }
    expect(results[0]).toMatchObject({
      eventTypeId: COMMITMENT_EVENT.success,
      committed: [stored],
      failed: [],
      reportedBy: 'ORTHANC',
      receivedOn: 'new-association',
    });
    expect(results[1]).toMatchObject({
      eventTypeId: COMMITMENT_EVENT.failures,
      committed: [stored],
      failed: [{ ...unknown, failureReason: COMMITMENT_FAILURE_REASON.noSuchObjectInstance }],
    });
    expect(results[0]?.transactionUid).not.toBe(results[1]?.transactionUid);
  });
});
