import { once } from 'node:events';
import { createRequire } from 'node:module';
import { freePort, waitForPort } from '@hnvue/testing/peers';
import { createUidGenerator } from '@hnvue/uid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_FIELD } from '../../src/dimse/index.js';
import { Association, createServer, type DicomServer } from '../../src/index.js';
import {
  type CommitmentResult,
  encodeDataset,
  type PendingCommitment,
  STORAGE_COMMITMENT_CONTEXT,
  STORAGE_COMMITMENT_LISTENER_CONTEXT,
  STORAGE_COMMITMENT_ROLES,
  STORAGE_COMMITMENT_SOP_CLASS,
  STORAGE_COMMITMENT_SOP_INSTANCE,
  StorageCommitmentScp,
  StorageCommitmentScu,
} from '../../src/workflow/index.js';

type Dimse = typeof import('dcmjs-dimse');
type ScpArgs<K extends keyof InstanceType<Dimse['Scp']>> = InstanceType<Dimse['Scp']>[K] extends (
  ...args: infer A
) => unknown
  ? A
  : never;
const dimse = createRequire(import.meta.url)('dcmjs-dimse') as Dimse;
dimse.log.setLevel?.('error');

const uids = createUidGenerator({ orgRoot: '1.2.826.0.1.3680043.10.1234', deviceSerial: 9 });
const CR = '1.2.840.10008.5.1.4.1.1.1';
const known = new Set<string>();

describe('Storage Commitment SCP (ours) with a dcmjs-dimse SCU', () => {
  let dimseServer: InstanceType<Dimse['Server']>;
  let dimsePort: number;
  let ourServer: DicomServer;
  let ourPort: number;
  let scp: StorageCommitmentScp;
  const reports: { eventTypeId: number; elements: Record<string, unknown> }[] = [];
  let reported: () => void = () => {};

  beforeAll(async () => {
    const { Scp, Server, responses, constants } = dimse;
    class ReportListener extends Scp {
      override associationRequested(association: ScpArgs<'associationRequested'>[0]) {
        for (const c of association.getPresentationContexts()) {
          const context = association.getPresentationContext(c.id);
          if (context.getAbstractSyntaxUid() === STORAGE_COMMITMENT_SOP_CLASS) {
            context.setResult(
              constants.PresentationContextResult.Accept,
              constants.TransferSyntax.ImplicitVRLittleEndian,
            );
          } else {
            context.setResult(constants.PresentationContextResult.RejectAbstractSyntaxNotSupported);
          }
        }
        this.sendAssociationAccept();
      }
      override nEventReportRequest(
        request: ScpArgs<'nEventReportRequest'>[0],
        callback: ScpArgs<'nEventReportRequest'>[1],
      ) {
        reports.push({
          eventTypeId: request.getEventTypeId(),
          elements: request.getDataset()?.getElements() ?? {},
        });
        const response = responses.NEventReportResponse.fromRequest(request);
        response.setStatus(constants.Status.Success);
        callback(response);
        reported();
      }
      override associationReleaseRequested() {
        this.sendAssociationReleaseResponse();
      }
    }
    dimsePort = await freePort();
    dimseServer = new Server(ReportListener);
    dimseServer.listen(dimsePort);
    await waitForPort(dimsePort);
    scp = new StorageCommitmentScp({
      aeTitle: 'HNVUE_PACS',
      check: (ref) => known.has(ref.sopInstanceUid) || 0x0112,
      destination: (ae) =>
        ae === 'DIMSE_SCU' ? { host: '127.0.0.1', port: dimsePort, calledAeTitle: 'DIMSE_SCU' } : undefined,
    });
    ourServer = createServer({
      contexts: [STORAGE_COMMITMENT_LISTENER_CONTEXT],
      handlers: { 'N-ACTION': scp.handler },
    });
    ourPort = await ourServer.listen(0);
  });

  afterAll(async () => {
    await scp?.drain();
    await ourServer?.close();
    dimseServer?.close();
  });

  it('FR-DICOM-07: answers the N-ACTION and reports on a new association: committed and failed (0x0112)', async () => {
    const committedUid = uids.next();
    const missingUid = uids.next();
    known.add(committedUid);
    const transactionUid = uids.next();
    const done = new Promise<void>((resolve) => {
      reported = resolve;
    });
    const { Client, requests, Dataset } = dimse;
    const client = new Client();
    const request = new requests.NActionRequest(
      STORAGE_COMMITMENT_SOP_CLASS,
      STORAGE_COMMITMENT_SOP_INSTANCE,
      1,
    );
    request.setDataset(
      new Dataset({
        TransactionUID: transactionUid,
        ReferencedSOPSequence: [
          { ReferencedSOPClassUID: CR, ReferencedSOPInstanceUID: committedUid },
          { ReferencedSOPClassUID: CR, ReferencedSOPInstanceUID: missingUid },
        ],
      }),
    );
    const status = new Promise<number>((resolve) => {
      request.on('response', (response: { getStatus(): number }) => resolve(response.getStatus()));
    });
    client.addRequest(request);
    client.send('127.0.0.1', ourPort, 'DIMSE_SCU', 'HNVUE_PACS');
    expect(await status).toBe(0);
    await done;
    await scp.drain();
    const report = reports.at(-1);
    expect(report?.eventTypeId).toBe(2);
    expect(report?.elements).toMatchObject({
      TransactionUID: transactionUid,
      ReferencedSOPSequence: [{ ReferencedSOPClassUID: CR, ReferencedSOPInstanceUID: committedUid }],
      FailedSOPSequence: [
        { ReferencedSOPClassUID: CR, ReferencedSOPInstanceUID: missingUid, FailureReason: 0x0112 },
      ],
    });
  });
});

describe('Storage Commitment correlation: timeouts, late and unknown reports (our SCU ⇄ our SCP)', () => {
  let listener: DicomServer;
  let pacs: DicomServer;
  let pacsPort: number;
  let scp: StorageCommitmentScp;
  let gate: Promise<void> = Promise.resolve();
  const scu = new StorageCommitmentScu({ uids, timeoutMs: 300 });

  beforeAll(async () => {
    listener = createServer({
      aeTitles: ['HNVUE'],
      contexts: [STORAGE_COMMITMENT_LISTENER_CONTEXT],
      handlers: { 'N-EVENT-REPORT': scu.reportHandler },
    });
    const listenerPort = await listener.listen(0);
    scp = new StorageCommitmentScp({
      aeTitle: 'PACS',
      check: async () => {
        await gate;
        return true;
      },
      destination: (ae) =>
        ae === 'HNVUE' ? { host: '127.0.0.1', port: listenerPort, calledAeTitle: 'HNVUE' } : undefined,
    });
    pacs = createServer({
      contexts: [STORAGE_COMMITMENT_LISTENER_CONTEXT],
      handlers: { 'N-ACTION': scp.handler },
    });
    pacsPort = await pacs.listen(0);
  });

  afterAll(async () => {
    scu.close();
    await scp?.drain();
    await pacs?.close();
    await listener?.close();
  });

  const open = (callingAeTitle = 'HNVUE', requestHandler = scu.reportHandler) =>
    Association.open({
      host: '127.0.0.1',
      port: pacsPort,
      callingAeTitle,
      calledAeTitle: 'PACS',
      presentationContexts: [STORAGE_COMMITMENT_CONTEXT],
      roles: STORAGE_COMMITMENT_ROLES,
      requestHandler,
    });

  it('FR-DICOM-07: a report that does not come in time emits timeout, stays pending, and a late report resolves it', async () => {
    let release!: () => void;
    gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const association = await open();
    const timedOut = once(scu, 'timeout') as Promise<[PendingCommitment]>;
    const pending = await scu.request(association, [{ sopClassUid: CR, sopInstanceUid: uids.next() }]);
    await association.release();
    const [info] = await timedOut;
    expect(info.transactionUid).toBe(pending.transactionUid);
    expect(scu.pending.find((p) => p.transactionUid === pending.transactionUid)?.timedOut).toBe(true);
    release();
    const result = await pending.result;
    expect(result).toMatchObject({
      transactionUid: pending.transactionUid,
      eventTypeId: 1,
      late: true,
      reportedBy: 'PACS',
      receivedOn: 'new-association',
    });
    expect(scu.pending.find((p) => p.transactionUid === pending.transactionUid)).toBeUndefined();
  });

  it('FR-DICOM-07: a report for an unknown transaction is answered and emitted as unknownTransaction', async () => {
    gate = Promise.resolve();
    // Another SCU makes the request; the report reaches the listener of `scu`, which never asked.
    const stranger = new StorageCommitmentScu({ uids, timeoutMs: 0 });
    const association = await open('HNVUE', stranger.reportHandler);
    const unknown = once(scu, 'unknownTransaction') as Promise<[CommitmentResult]>;
    const pending = await stranger.request(association, [{ sopClassUid: CR, sopInstanceUid: uids.next() }]);
    await association.release();
    const [result] = await unknown;
    expect(result.transactionUid).toBe(pending.transactionUid);
    expect(scu.pending.some((p) => p.transactionUid === pending.transactionUid)).toBe(false);
    expect(stranger.pending.map((p) => p.transactionUid)).toEqual([pending.transactionUid]);
  });

  it('FR-DICOM-07: a report that never comes: reportFailed on the SCP, timeout on the SCU, nothing hangs', async () => {
    gate = Promise.resolve();
    const lonely = new StorageCommitmentScu({ uids, timeoutMs: 200 });
    const association = await open('NOWHERE', lonely.reportHandler);
    const failed = once(scp, 'reportFailed') as Promise<[string, Error]>;
    const timedOut = once(lonely, 'timeout') as Promise<[PendingCommitment]>;
    const pending = await lonely.request(association, [{ sopClassUid: CR, sopInstanceUid: uids.next() }]);
    await association.release();
    const [transactionUid, error] = await failed;
    expect(transactionUid).toBe(pending.transactionUid);
    expect(error).toMatchObject({ code: 'HNV_ERR_COMMITMENT' });
    const [info] = await timedOut;
    expect(info.timedOut).toBe(true);
    expect(lonely.pending).toHaveLength(1);
    lonely.close();
  });
});

describe('Storage Commitment report on the same association', () => {
  let pacs: DicomServer;
  let port: number;
  const scp = new StorageCommitmentScp({
    aeTitle: 'PACS',
    reportOn: 'same-association',
    check: (ref) => ref.sopInstanceUid.endsWith('.1') || 0x0112,
    destination: () => undefined,
  });

  beforeAll(async () => {
    pacs = createServer({
      contexts: [STORAGE_COMMITMENT_LISTENER_CONTEXT],
      handlers: { 'N-ACTION': scp.handler },
    });
    port = await pacs.listen(0);
  });

  afterAll(async () => {
    await scp.drain();
    await pacs?.close();
  });

  it('FR-DICOM-07: the SCU answers an N-EVENT-REPORT arriving on the requesting association', async () => {
    const scu = new StorageCommitmentScu({ uids, timeoutMs: 10_000 });
    const association = await Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'PACS',
      presentationContexts: [STORAGE_COMMITMENT_CONTEXT],
      roles: STORAGE_COMMITMENT_ROLES,
      requestHandler: scu.reportHandler,
    });
    const sent = once(scp, 'reportSent') as Promise<[string, number]>;
    const pending = await scu.request(association, [
      { sopClassUid: CR, sopInstanceUid: '1.2.826.0.1.3680043.10.1234.77.1' },
      { sopClassUid: CR, sopInstanceUid: '1.2.826.0.1.3680043.10.1234.77.2' },
    ]);
    const result = await pending.result;
    expect(result).toMatchObject({
      eventTypeId: 2,
      reportedBy: 'PACS',
      receivedOn: 'requesting-association',
      late: false,
    });
    expect(result.committed.map((r) => r.sopInstanceUid)).toEqual(['1.2.826.0.1.3680043.10.1234.77.1']);
    expect(result.failed.map((r) => r.failureReason)).toEqual([0x0112]);
    expect(await sent).toEqual([pending.transactionUid, 2]);
    scu.close();
    await association.release();
  });

  it('FR-DICOM-07: a report that overtakes the N-ACTION-RSP is still matched (registered before sending)', async () => {
    const scu = new StorageCommitmentScu({ uids, timeoutMs: 10_000 });
    const transactionUid = uids.next();
    // A PACS that reports first and answers the N-ACTION afterwards.
    const eager = createServer({
      contexts: [STORAGE_COMMITMENT_LISTENER_CONTEXT],
      handlers: {
        'N-ACTION': async (request) => {
          for await (const _ of request.dataset ?? []) {
            // drain the request data set
          }
          await request.association.send({
            abstractSyntax: STORAGE_COMMITMENT_SOP_CLASS,
            command: {
              commandField: COMMAND_FIELD['N-EVENT-REPORT-RQ'],
              affectedSopClassUid: STORAGE_COMMITMENT_SOP_CLASS,
              affectedSopInstanceUid: STORAGE_COMMITMENT_SOP_INSTANCE,
              eventTypeId: 1,
            },
            dataset: encodeDataset(
              {
                TransactionUID: transactionUid,
                ReferencedSOPSequence: [{ ReferencedSOPClassUID: CR, ReferencedSOPInstanceUID: '1.2.3.4' }],
              },
              { transferSyntax: request.transferSyntax },
            ),
          });
          return { status: 0 };
        },
      },
    });
    const eagerPort = await eager.listen(0);
    try {
      const association = await Association.open({
        host: '127.0.0.1',
        port: eagerPort,
        callingAeTitle: 'HNVUE',
        calledAeTitle: 'PACS',
        presentationContexts: [STORAGE_COMMITMENT_CONTEXT],
        roles: STORAGE_COMMITMENT_ROLES,
        requestHandler: scu.reportHandler,
      });
      const pending = await scu.request(association, [{ sopClassUid: CR, sopInstanceUid: '1.2.3.4' }], {
        transactionUid,
      });
      expect(await pending.result).toMatchObject({
        transactionUid,
        eventTypeId: 1,
        committed: [{ sopInstanceUid: '1.2.3.4' }],
      });
      expect(scu.pending).toEqual([]);
      await association.release();
    } finally {
      scu.close();
      await eager.close();
    }
  });
});

describe('Storage Commitment pending requests survive a restart', () => {
  it('FR-DICOM-07: a tracked (restored) transaction is resolved by its report; the timer then stops', async () => {
    const before = new StorageCommitmentScu({ uids, timeoutMs: 0 });
    const refs = [{ sopClassUid: CR, sopInstanceUid: '1.2.3.9' }];
    // As if journaled by `before` and restored by a new process:
    const after = new StorageCommitmentScu({ uids, timeoutMs: 60_000 });
    const restored = after.track({
      transactionUid: '1.2.3.1000',
      references: refs,
      requestedAt: new Date(0),
    });
    expect(after.track({ transactionUid: '1.2.3.1000', references: refs }).requestedAt).toEqual(new Date(0));
    expect(before.pending).toEqual([]);
    after.accept(
      1,
      {
        TransactionUID: '1.2.3.1000',
        ReferencedSOPSequence: [{ ReferencedSOPClassUID: CR, ReferencedSOPInstanceUID: '1.2.3.9' }],
      },
      { reportedBy: 'PACS', receivedOn: 'new-association' },
    );
    expect(await restored.result).toMatchObject({
      transactionUid: '1.2.3.1000',
      committed: refs,
      late: false,
    });
    expect(after.pending).toEqual([]);
    after.close();
  });

  it('FR-DICOM-07: an empty request, or a pending Transaction UID with other references, is refused before anything is sent', async () => {
    const scu = new StorageCommitmentScu({ uids, timeoutMs: 0 });
    const nothing = undefined as never; // never reached: the checks come first
    await expect(scu.request(nothing, [])).rejects.toMatchObject({ code: 'HNV_ERR_INVALID_ARGUMENT' });
    scu.track({ transactionUid: '1.2.3.2000', references: [{ sopClassUid: CR, sopInstanceUid: '1.2.3.9' }] });
    await expect(
      scu.request(nothing, [{ sopClassUid: CR, sopInstanceUid: '1.2.3.10' }], {
        transactionUid: '1.2.3.2000',
      }),
    ).rejects.toMatchObject({ code: 'HNV_ERR_INVALID_ARGUMENT' });
    expect(scu.pending).toHaveLength(1);
  });
});
