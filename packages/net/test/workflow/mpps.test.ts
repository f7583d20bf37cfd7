import { createRequire } from 'node:module';
import { freePort, waitForPort } from '@hnvue/testing/peers';
import { KOREAN_NAME, worklistItem } from '@hnvue/testing/worklist';
import { createUidGenerator } from '@hnvue/uid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_FIELD } from '../../src/dimse/index.js';
import { Association, createServer, type DicomServer, DimseFailureError } from '../../src/index.js';
import {
  buildMppsCreate,
  buildMppsEnd,
  createMppsScp,
  encodeDataset,
  MPPS_CONTEXT,
  MPPS_NO_LONGER_UPDATABLE,
  MPPS_SOP_CLASS,
  MppsProcedureStep,
  MppsStateError,
  parseWorklistItem,
} from '../../src/workflow/index.js';

type Dimse = typeof import('dcmjs-dimse');
type ScpArgs<K extends keyof InstanceType<Dimse['Scp']>> = InstanceType<Dimse['Scp']>[K] extends (
  ...args: infer A
) => unknown
  ? A
  : never;
const dimse = createRequire(import.meta.url)('dcmjs-dimse') as Dimse;
dimse.log.setLevel?.('error');

interface Received {
  readonly kind: 'N-CREATE' | 'N-SET';
  readonly uid: string;
  readonly elements: Record<string, unknown>;
}

const uids = createUidGenerator({ orgRoot: '1.2.826.0.1.3680043.10.1234', deviceSerial: 7 });
const started = new Date(2026, 2, 1, 9, 30, 15);
const ended = new Date(2026, 2, 1, 9, 41, 2);

function startInput(index = 7) {
  return {
    worklistItem: parseWorklistItem(worklistItem(index).dataset),
    performedProcedureStepId: 'PPS7',
    startedAt: started,
    description: 'CHEST PA',
    performedStationAeTitle: 'HNVUE_DX',
    performedStationName: 'DX ROOM 1',
    modality: 'DX',
  };
}

const series = [
  {
    seriesInstanceUid: '1.2.826.0.1.3680043.10.1234.5.1',
    protocolName: 'Chest PA',
    operatorsName: 'KIM^TECH',
    seriesDescription: 'PA',
    referencedImages: [
      { sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1', sopInstanceUid: '1.2.826.0.1.3680043.10.1234.6.1' },
      { sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1', sopInstanceUid: '1.2.826.0.1.3680043.10.1234.6.2' },
    ],
  },
];

describe('MPPS SCU against dcmjs-dimse (an SCP we did not write)', () => {
  const received: Received[] = [];
  let server: InstanceType<Dimse['Server']>;
  let port: number;
  const failCreate = new Set<string>();

  beforeAll(async () => {
    const { Scp, Server, responses, constants } = dimse;
    const { NCreateResponse, NSetResponse } = responses;
    class MppsScp extends Scp {
      override associationRequested(association: ScpArgs<'associationRequested'>[0]) {
        for (const c of association.getPresentationContexts()) {
          const context = association.getPresentationContext(c.id);
          if (context.getAbstractSyntaxUid() === MPPS_SOP_CLASS) {
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
      override nCreateRequest(request: ScpArgs<'nCreateRequest'>[0], callback: ScpArgs<'nCreateRequest'>[1]) {
        const uid = request.getAffectedSopInstanceUid();
        received.push({ kind: 'N-CREATE', uid, elements: request.getDataset()?.getElements() ?? {} });
        const response = NCreateResponse.fromRequest(request);
        response.setStatus(failCreate.has(uid) ? 0x0110 : constants.Status.Success);
        callback(response);
      }
      override nSetRequest(request: ScpArgs<'nSetRequest'>[0], callback: ScpArgs<'nSetRequest'>[1]) {
        const uid = request.getRequestedSopInstanceUid();
        received.push({ kind: 'N-SET', uid, elements: request.getDataset()?.getElements() ?? {} });
        const response = NSetResponse.fromRequest(request);
        response.setStatus(constants.Status.Success);
        callback(response);
      }
      override associationReleaseRequested() {
        this.sendAssociationReleaseResponse();
      }
    }
    port = await freePort();
    server = new Server(MppsScp);
    server.listen(port);
    await waitForPort(port);
  });

  afterAll(() => {
    server?.close();
  });

  const open = () =>
    Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'HNVUE_DX',
      calledAeTitle: 'MPPS_SCP',
      presentationContexts: [MPPS_CONTEXT],
    });

  // conformance: SCU modalityPerformedProcedureStep
  it('FR-DICOM-05: N-CREATE (IN PROGRESS) then N-SET (COMPLETED) carry the IHE SWF attributes', async () => {
    const association = await open();
    const step = new MppsProcedureStep(uids);
    await step.create(association, buildMppsCreate(startInput()));
    expect(step.state).toBe('IN PROGRESS');
    await step.end(association, {
      status: 'COMPLETED',
      endedAt: ended,
      performedSeries: series,
      dose: {
        areaDoseProduct: 0.52,
        entranceDoseInmGy: 0.31,
        totalNumberOfExposures: 2,
        distanceSourceToDetector: 1800,
      },
    });
    expect(step.state).toBe('COMPLETED');
    await association.release();

    const create = received.find((r) => r.kind === 'N-CREATE' && r.uid === step.sopInstanceUid);
    expect(create?.elements).toMatchObject({
      PerformedProcedureStepStatus: 'IN PROGRESS',
      PerformedProcedureStepID: 'PPS7',
      PerformedStationAETitle: 'HNVUE_DX',
      PerformedStationName: 'DX ROOM 1',
      PerformedProcedureStepStartDate: '20260301',
      PerformedProcedureStepStartTime: '093015',
      PerformedProcedureStepDescription: 'CHEST PA',
      Modality: 'DX',
      PatientID: 'PID00007',
      PatientBirthDate: '19700101',
      ScheduledStepAttributesSequence: [
        {
          AccessionNumber: 'ACC000007',
          StudyInstanceUID: '1.2.826.0.1.3680043.10.1234.1.7',
          RequestedProcedureID: 'RP00007',
          ScheduledProcedureStepID: 'SPS00007',
          ScheduledProtocolCodeSequence: [{ CodeValue: 'P1', CodingSchemeDesignator: 'LOCAL' }],
        },
      ],
    });
    expect(String(create?.elements.PatientName)).toBe('DOE^JOHN7');
    // Type 2 attributes the N-SET fills later are present, empty (PS3.4 Table F.7.2-1).
    expect(Object.keys(create?.elements ?? {})).toEqual(
      expect.arrayContaining(['PerformedProcedureStepEndDate', 'PerformedSeriesSequence']),
    );
    const set = received.find((r) => r.kind === 'N-SET' && r.uid === step.sopInstanceUid);
    expect(set?.elements).toMatchObject({
      PerformedProcedureStepStatus: 'COMPLETED',
      PerformedProcedureStepEndDate: '20260301',
      PerformedProcedureStepEndTime: '094102',
      TotalNumberOfExposures: 2,
      PerformedSeriesSequence: [
        {
          SeriesInstanceUID: '1.2.826.0.1.3680043.10.1234.5.1',
          ProtocolName: 'Chest PA',
          ReferencedImageSequence: [
            { ReferencedSOPInstanceUID: '1.2.826.0.1.3680043.10.1234.6.1' },
            { ReferencedSOPInstanceUID: '1.2.826.0.1.3680043.10.1234.6.2' },
          ],
        },
      ],
    });
    expect(Number(set?.elements.ImageAndFluoroscopyAreaDoseProduct)).toBeCloseTo(0.52);
    expect(Number(set?.elements.EntranceDoseInmGy)).toBeCloseTo(0.31);
    const performed = ((set?.elements.PerformedSeriesSequence ?? []) as Record<string, unknown>[])[0];
    expect(String(performed?.OperatorsName)).toBe('KIM^TECH');
  });

  it('FR-DICOM-05: DISCONTINUED carries the reason; no N-SET after a final status (nothing sent)', async () => {
    const association = await open();
    const step = new MppsProcedureStep(uids);
    // A Korean patient: the N-CREATE declares ISO_IR 192 and the SCP reads the right name.
    await step.create(association, buildMppsCreate(startInput(10)));
    await step.end(association, {
      status: 'DISCONTINUED',
      endedAt: ended,
      reason: {
        codeValue: '110514',
        codingSchemeDesignator: 'DCM',
        codeMeaning: 'Incorrect worklist entry selected',
      },
      performedSeries: [],
    });
    const before = received.length;
    await expect(
      step.end(association, { status: 'COMPLETED', endedAt: ended, performedSeries: series }),
    ).rejects.toThrow(MppsStateError);
    await expect(step.create(association, buildMppsCreate(startInput()))).rejects.toMatchObject({
      code: 'HNV_ERR_MPPS_STATE',
    });
    expect(received.length).toBe(before);
    await association.release();
    const create = received.find((r) => r.kind === 'N-CREATE' && r.uid === step.sopInstanceUid);
    expect(create?.elements.SpecificCharacterSet).toBe('ISO_IR 192');
    expect(String(create?.elements.PatientName)).toBe(KOREAN_NAME);
    const set = received.find((r) => r.kind === 'N-SET' && r.uid === step.sopInstanceUid);
    expect(set?.elements).toMatchObject({
      PerformedProcedureStepStatus: 'DISCONTINUED',
      PerformedProcedureStepDiscontinuationReasonCodeSequence: [
        { CodeValue: '110514', CodingSchemeDesignator: 'DCM' },
      ],
    });
  });

  it('FR-DICOM-05: a failure status comes back as DimseFailureError and the step stays uncreated', async () => {
    const association = await open();
    const step = new MppsProcedureStep(uids);
    failCreate.add(step.sopInstanceUid);
    const error = await step.create(association, buildMppsCreate(startInput())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DimseFailureError);
    expect((error as DimseFailureError).status).toBe(0x0110);
    expect(step.state).toBe('new');
    await expect(step.set(association, { PerformedProcedureStepStatus: 'COMPLETED' })).rejects.toThrow(
      MppsStateError,
    );
    expect(association.usable).toBe(true);
    await association.release();
  });
});

describe('MPPS SCP (ours) with our SCU', () => {
  let server: DicomServer;
  let port: number;
  const scp = createMppsScp();

  beforeAll(async () => {
    server = createServer({
      contexts: [
        { abstractSyntax: MPPS_SOP_CLASS, transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'] },
      ],
      handlers: scp.handlers,
    });
    port = await server.listen(0);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('FR-DICOM-05: stores the step, applies N-SET, refuses updates after COMPLETED (0110, Error ID A710)', async () => {
    const association = await Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'HNVUE_DX',
      calledAeTitle: 'ANY',
      presentationContexts: [MPPS_CONTEXT],
    });
    const step = new MppsProcedureStep(uids);
    await step.create(association, buildMppsCreate(startInput()));
    expect(scp.records.get(step.sopInstanceUid)?.status).toBe('IN PROGRESS');
    await step.end(association, { status: 'COMPLETED', endedAt: ended, performedSeries: series });
    const record = scp.records.get(step.sopInstanceUid);
    expect(record?.status).toBe('COMPLETED');
    expect(record?.callingAeTitle).toBe('HNVUE_DX');
    expect(record?.dataset.PerformedProcedureStepID).toBe('PPS7');

    // A second N-CREATE of the same instance: duplicate (0111).
    const duplicate = new MppsProcedureStep({ sopInstanceUid: step.sopInstanceUid });
    await expect(duplicate.create(association, buildMppsCreate(startInput()))).rejects.toMatchObject({
      status: 0x0111,
    });
    // A raw N-SET after COMPLETED (bypassing our SCU's rule): 0110 with Error ID A710.
    const late = await association
      .send({
        abstractSyntax: MPPS_SOP_CLASS,
        command: {
          commandField: COMMAND_FIELD['N-SET-RQ'],
          requestedSopClassUid: MPPS_SOP_CLASS,
          requestedSopInstanceUid: step.sopInstanceUid,
        },
        dataset: encodeDataset(
          buildMppsEnd({ status: 'COMPLETED', endedAt: ended, performedSeries: series }),
          {
            transferSyntax: association.findContext(MPPS_SOP_CLASS)?.transferSyntax ?? '',
          },
        ),
      })
      .catch((e: unknown) => e);
    expect(late).toBeInstanceOf(DimseFailureError);
    expect((late as DimseFailureError).status).toBe(0x0110);
    expect((late as DimseFailureError).details.errorId).toBe(MPPS_NO_LONGER_UPDATABLE);
    // N-CREATE not IN PROGRESS: invalid attribute value (0106).
    const wrong = new MppsProcedureStep(uids);
    const body = { ...buildMppsCreate(startInput()), PerformedProcedureStepStatus: 'COMPLETED' };
    const raw = await association
      .send({
        abstractSyntax: MPPS_SOP_CLASS,
        command: {
          commandField: COMMAND_FIELD['N-CREATE-RQ'],
          affectedSopClassUid: MPPS_SOP_CLASS,
          affectedSopInstanceUid: wrong.sopInstanceUid,
        },
        dataset: encodeDataset(body, {
          transferSyntax: association.findContext(MPPS_SOP_CLASS)?.transferSyntax ?? '',
        }),
      })
      .catch((e: unknown) => e);
    expect((raw as DimseFailureError).status).toBe(0x0106);
    await association.release();
  });
});
