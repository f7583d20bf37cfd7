import { DatasetTooLargeError, decodeDatasetStream } from '@hnvue/dicom';
import { createUidGenerator } from '@hnvue/uid';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMAND_FIELD } from '../../src/dimse/index.js';
import { Association, createServer, type DicomServer, DimseFailureError, STATUS } from '../../src/index.js';
import {
  buildCommitmentReport,
  STORAGE_COMMITMENT_CONTEXT,
  STORAGE_COMMITMENT_LISTENER_CONTEXT,
  STORAGE_COMMITMENT_ROLES,
  STORAGE_COMMITMENT_SOP_CLASS,
  STORAGE_COMMITMENT_SOP_INSTANCE,
  StorageCommitmentScp,
  StorageCommitmentScu,
} from '../../src/workflow/index.js';

const uids = createUidGenerator({ orgRoot: '1.2.826.0.1.3680043.10.1234', deviceSerial: 11 });
const CR = '1.2.840.10008.5.1.4.1.1.1';
const MiB = 1024 * 1024;
let servers: DicomServer[] = [];
const associations: Association[] = [];

afterEach(async () => {
  for (const a of associations.splice(0)) a.abort();
  await Promise.all(servers.map((s) => s.close({ abort: true })));
  servers = [];
});

/** `count` chunks of one reused 1 MiB buffer (no allocation), counting how many were pulled. */
function bigStream(count: number): { chunks: AsyncGenerator<Uint8Array>; pulled: () => number } {
  const chunk = new Uint8Array(MiB);
  let pulled = 0;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < count; i++) {
      pulled++;
      yield chunk;
    }
  }
  return { chunks: chunks(), pulled: () => pulled };
}

async function open(port: number, options: Partial<Parameters<typeof Association.open>[0]> = {}) {
  const association = await Association.open({
    host: '127.0.0.1',
    port,
    callingAeTitle: 'HNVUE',
    calledAeTitle: 'PACS',
    presentationContexts: [STORAGE_COMMITMENT_CONTEXT],
    roles: STORAGE_COMMITMENT_ROLES,
    ...options,
  });
  associations.push(association);
  return association;
}

describe('decodeDatasetStream length cap', () => {
  it('FR-DICOM-07: stops reading at maxLength and throws DatasetTooLargeError without buffering the rest', async () => {
    const { chunks, pulled } = bigStream(64);
    const error = await decodeDatasetStream(chunks, { maxLength: 4 * MiB }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetTooLargeError);
    expect((error as DatasetTooLargeError).code).toBe('HNV_ERR_DATASET');
    expect((error as DatasetTooLargeError).details).toEqual({ limit: 4 * MiB });
    expect(pulled()).toBe(5);
  });

  it('FR-DICOM-07: the default cap is 16 MiB', async () => {
    const { chunks, pulled } = bigStream(64);
    await expect(decodeDatasetStream(chunks)).rejects.toMatchObject({ limit: 16 * MiB });
    expect(pulled()).toBe(17);
  });

  it('FR-DICOM-07: an oversized N-EVENT-REPORT to our listener is answered 0213H (resource limitation)', async () => {
    const scu = new StorageCommitmentScu({ uids });
    const server = createServer({
      contexts: [STORAGE_COMMITMENT_LISTENER_CONTEXT],
      handlers: { 'N-EVENT-REPORT': scu.reportHandler },
    });
    servers.push(server);
    const port = await server.listen(0);
    const association = await open(port, {
      roles: [{ sopClassUid: STORAGE_COMMITMENT_SOP_CLASS, scuRole: false, scpRole: true }],
    });
    const { chunks } = bigStream(20);
    const error = await association
      .send({
        abstractSyntax: STORAGE_COMMITMENT_SOP_CLASS,
        command: {
          commandField: COMMAND_FIELD['N-EVENT-REPORT-RQ'],
          affectedSopClassUid: STORAGE_COMMITMENT_SOP_CLASS,
          affectedSopInstanceUid: STORAGE_COMMITMENT_SOP_INSTANCE,
          eventTypeId: 1,
        },
        dataset: chunks,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DimseFailureError);
    expect((error as DimseFailureError).status).toBe(STATUS.resourceLimitation);
    // The association survives: the rest of the data set was discarded, not buffered.
    expect(association.usable).toBe(true);
    await association.release();
  });

  it('FR-DICOM-07: an oversized N-ACTION to our SCP is answered 0213H and no report is attempted', async () => {
    const scp = new StorageCommitmentScp({
      aeTitle: 'PACS',
      check: () => true,
      destination: () => undefined,
    });
    const failures: string[] = [];
    scp.on('reportFailed', (uid) => failures.push(uid));
    const server = createServer({
      contexts: [STORAGE_COMMITMENT_CONTEXT],
      handlers: { 'N-ACTION': scp.handler },
    });
    servers.push(server);
    const port = await server.listen(0);
    const association = await open(port);
    const { chunks } = bigStream(20);
    const error = await association
      .send({
        abstractSyntax: STORAGE_COMMITMENT_SOP_CLASS,
        command: {
          commandField: COMMAND_FIELD['N-ACTION-RQ'],
          requestedSopClassUid: STORAGE_COMMITMENT_SOP_CLASS,
          requestedSopInstanceUid: STORAGE_COMMITMENT_SOP_INSTANCE,
          actionTypeId: 1,
        },
        dataset: chunks,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DimseFailureError);
    expect((error as DimseFailureError).status).toBe(STATUS.resourceLimitation);
    await scp.drain();
    expect(failures).toEqual([]);
    await association.release();
  });
});

describe('StorageCommitmentScu re-request of a pending Transaction UID', () => {
  it('FR-DICOM-07: the same UID with the same references is sent again and keeps its pending result', async () => {
    const seen: string[] = [];
    const server = createServer({
      contexts: [STORAGE_COMMITMENT_CONTEXT],
      handlers: {
        'N-ACTION': async (request) => {
          const { dataset } = await decodeDatasetStream(request.dataset ?? [], {
            transferSyntax: request.transferSyntax,
          });
          seen.push(String(dataset.TransactionUID));
          return { status: STATUS.success };
        },
      },
    });
    servers.push(server);
    const port = await server.listen(0);
    const scu = new StorageCommitmentScu({ uids, timeoutMs: 0 });
    const references = [
      { sopClassUid: CR, sopInstanceUid: uids.next() },
      { sopClassUid: CR, sopInstanceUid: uids.next() },
    ];
    const first = await scu.request(await open(port), references);
    // The queue retries on a new association, references possibly in another order.
    const second = await scu.request(await open(port), [...references].reverse(), {
      transactionUid: first.transactionUid,
    });
    expect(seen).toEqual([first.transactionUid, first.transactionUid]);
    expect(second.transactionUid).toBe(first.transactionUid);
    expect(second.result).toBe(first.result);
    expect(scu.pending).toHaveLength(1);

    // Another reference set under the same UID is a caller error, and nothing is sent.
    await expect(
      scu.request(await open(port), [references[0]!], { transactionUid: first.transactionUid }),
    ).rejects.toMatchObject({ code: 'HNV_ERR_INVALID_ARGUMENT' });
    expect(seen).toHaveLength(2);

    const report = buildCommitmentReport(first.transactionUid, references, []);
    scu.accept(report.eventTypeId, report.dataset, { reportedBy: 'PACS', receivedOn: 'new-association' });
    await expect(first.result).resolves.toMatchObject({
      transactionUid: first.transactionUid,
      committed: references,
      failed: [],
    });
    expect(scu.pending).toHaveLength(0);
    scu.close();
  });
});
