import { createUidGenerator } from '@hnvue/uid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Association,
  createServer,
  type DicomServer,
  DimseFailureError,
  type RequestHandler,
} from '../../src/index.js';
import {
  buildMppsCreate,
  buildMppsEnd,
  createMppsScp,
  MPPS_CONTEXT,
  MPPS_NO_LONGER_UPDATABLE,
  MPPS_SOP_CLASS,
  MppsProcedureStep,
  MppsStateError,
  sendMppsCreate,
  sendMppsSet,
} from '../../src/workflow/index.js';

const uids = createUidGenerator({ orgRoot: '1.2.826.0.1.3680043.10.1234', deviceSerial: 15 });
const started = new Date(2026, 2, 1, 9, 30, 15);
const ended = new Date(2026, 2, 1, 9, 41, 2);
const CR = '1.2.840.10008.5.1.4.1.1.1';

function createInput() {
  return {
    performedProcedureStepId: 'PPS15',
    startedAt: started,
    performedStationAeTitle: 'HNVUE_DX',
    modality: 'DX',
    studyInstanceUid: uids.next(),
    patient: { id: 'P15' },
  };
}

const series = [
  {
    seriesInstanceUid: '1.2.826.0.1.3680043.10.1234.15.1',
    protocolName: 'Chest PA',
    referencedImages: [{ sopClassUid: CR, sopInstanceUid: '1.2.826.0.1.3680043.10.1234.15.2' }],
  },
];

describe('MPPS as stateless N-CREATE / N-SET (our MPPS SCP)', () => {
  let server: DicomServer;
  let port: number;
  const scp = createMppsScp();
  const received: string[] = [];
  const counted =
    (kind: string, handler: RequestHandler): RequestHandler =>
    (request) => {
      received.push(kind);
      return handler(request);
    };

  beforeAll(async () => {
    server = createServer({
      contexts: [MPPS_CONTEXT],
      handlers: {
        'N-CREATE': counted('N-CREATE', scp.handlers['N-CREATE']),
        'N-SET': counted('N-SET', scp.handlers['N-SET']),
      },
    });
    port = await server.listen(0);
  });

  afterAll(async () => {
    await server?.close();
  });

  /** A fresh association, as a separate process (a queue retry, a command line) would open. */
  async function withMpps<T>(fn: (association: Association) => Promise<T>): Promise<T> {
    const association = await Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'HNVUE_DX',
      calledAeTitle: 'RIS',
      presentationContexts: [MPPS_CONTEXT],
    });
    try {
      const result = await fn(association);
      await association.release();
      return result;
    } catch (err) {
      association.abort();
      throw err;
    }
  }

  it('FR-DICOM-05: N-CREATE and the final N-SET on two associations, with no step object between them', async () => {
    const uid = uids.next();
    const created = await withMpps((a) => sendMppsCreate(a, uid, buildMppsCreate(createInput())));
    expect(created.status).toBe(0);
    expect(scp.records.get(uid)?.status).toBe('IN PROGRESS');
    const set = await withMpps((a) =>
      sendMppsSet(a, uid, buildMppsEnd({ status: 'COMPLETED', endedAt: ended, performedSeries: series })),
    );
    expect(set.status).toBe(0);
    const record = scp.records.get(uid);
    expect(record?.status).toBe('COMPLETED');
    expect(record?.dataset.PerformedProcedureStepID).toBe('PPS15');
    expect(record?.dataset.PerformedSeriesSequence).toMatchObject([
      { ReferencedImageSequence: [{ ReferencedSOPInstanceUID: '1.2.826.0.1.3680043.10.1234.15.2' }] },
    ]);
  });

  it('FR-DICOM-05: an intermediate N-SET keeps the step IN PROGRESS; DISCONTINUED ends it', async () => {
    const uid = uids.next();
    await withMpps((a) => sendMppsCreate(a, uid, buildMppsCreate(createInput())));
    await withMpps((a) => sendMppsSet(a, uid, { PerformedProcedureStepDescription: 'CHEST PA' }));
    expect(scp.records.get(uid)).toMatchObject({
      status: 'IN PROGRESS',
      dataset: { PerformedProcedureStepDescription: 'CHEST PA' },
    });
    await withMpps((a) =>
      sendMppsSet(a, uid, buildMppsEnd({ status: 'DISCONTINUED', endedAt: ended, performedSeries: [] })),
    );
    expect(scp.records.get(uid)?.status).toBe('DISCONTINUED');
  });

  it('FR-DICOM-05: stateless, a second final N-SET goes out and the SCP refuses it (0110, Error ID A710)', async () => {
    const uid = uids.next();
    const end = buildMppsEnd({ status: 'COMPLETED', endedAt: ended, performedSeries: series });
    await withMpps(async (a) => {
      await sendMppsCreate(a, uid, buildMppsCreate(createInput()));
      await sendMppsSet(a, uid, end);
    });
    const late = await withMpps((a) => sendMppsSet(a, uid, end)).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(DimseFailureError);
    expect(late).toMatchObject({
      status: 0x0110,
      category: 'dimse',
      details: { errorId: MPPS_NO_LONGER_UPDATABLE },
    });
    // Unknown instance: 0112, and a duplicate N-CREATE: 0111 — the SCP's answers, passed through.
    await expect(withMpps((a) => sendMppsSet(a, uids.next(), end))).rejects.toMatchObject({ status: 0x0112 });
    await expect(
      withMpps((a) => sendMppsCreate(a, uid, buildMppsCreate(createInput()))),
    ).rejects.toMatchObject({
      status: 0x0111,
    });
  });

  it('FR-DICOM-05: a data set that cannot be right is refused before anything is sent', async () => {
    const before = received.length;
    await withMpps(async (a) => {
      const completed = { ...buildMppsCreate(createInput()), PerformedProcedureStepStatus: 'COMPLETED' };
      await expect(sendMppsCreate(a, uids.next(), completed)).rejects.toBeInstanceOf(MppsStateError);
      await expect(
        sendMppsSet(a, uids.next(), { PerformedProcedureStepStatus: 'SCHEDULED' }),
      ).rejects.toMatchObject({ code: 'HNV_ERR_MPPS_STATE', category: 'state' });
    });
    expect(received.length).toBe(before);
  });

  it('FR-DICOM-05: MppsProcedureStep is the guard on top: it refuses an N-SET after the final one without sending', async () => {
    const step = new MppsProcedureStep(uids);
    await withMpps(async (a) => {
      await step.create(a, buildMppsCreate(createInput()));
      await step.end(a, { status: 'COMPLETED', endedAt: ended, performedSeries: series });
    });
    expect(step.state).toBe('COMPLETED');
    const before = received.length;
    await withMpps(async (a) => {
      await expect(
        step.end(a, { status: 'COMPLETED', endedAt: ended, performedSeries: series }),
      ).rejects.toBeInstanceOf(MppsStateError);
      await expect(step.create(a, buildMppsCreate(createInput()))).rejects.toBeInstanceOf(MppsStateError);
    });
    expect(received.length).toBe(before);
    expect(scp.records.get(step.sopInstanceUid)?.status).toBe('COMPLETED');
  });

  it('FR-DICOM-05: a step created by the stateless N-CREATE is resumed by the guard in another process and ended', async () => {
    const uid = uids.next();
    await withMpps((a) => sendMppsCreate(a, uid, buildMppsCreate(createInput())));
    const resumed = new MppsProcedureStep({ sopInstanceUid: uid, state: 'IN PROGRESS' });
    await withMpps((a) => resumed.end(a, { status: 'DISCONTINUED', endedAt: ended, performedSeries: [] }));
    expect([resumed.state, scp.records.get(uid)?.status]).toEqual(['DISCONTINUED', 'DISCONTINUED']);
  });

  it('FR-DICOM-05: a peer that accepted no MPPS context is NoPresentationContextError before encoding', async () => {
    const echoOnly = createServer({
      contexts: [{ abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
    });
    const echoPort = await echoOnly.listen(0);
    try {
      const association = await Association.open({
        host: '127.0.0.1',
        port: echoPort,
        callingAeTitle: 'HNVUE_DX',
        calledAeTitle: 'RIS',
        presentationContexts: [
          MPPS_CONTEXT,
          { abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] },
        ],
      });
      try {
        await expect(
          sendMppsCreate(association, uids.next(), buildMppsCreate(createInput())),
        ).rejects.toMatchObject({ code: 'HNV_ERR_NO_PRESENTATION_CONTEXT', abstractSyntax: MPPS_SOP_CLASS });
      } finally {
        await association.release();
      }
    } finally {
      await echoOnly.close();
    }
  });
});
