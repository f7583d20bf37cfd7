/**
 * FR-DICOM-06: the negotiation parts of Query/Retrieve against our own listener: a C-GET SCP that
 * refuses the storage SCP role gives a typed error naming the SOP class before anything is
 * sent; relational queries only when the SCP accepted the extended negotiation.
 */

import { decodeDatasetStream, encodeDataset } from '@hnvue/dicom';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Association,
  buildQrIdentifier,
  createServer,
  type DicomServer,
  getAssociationOptions,
  type IncomingRequest,
  InvalidArgumentError,
  QR_SOP_CLASS,
  qrContexts,
  qrFindAll,
  qrGet,
  type RequestHandler,
  RoleNotAcceptedError,
  STATUS,
} from '../../src/index.js';
import { relationalNegotiation } from '../../src/qr/index.js';

const DX = '1.2.840.10008.5.1.4.1.1.1.1';
const CR = '1.2.840.10008.5.1.4.1.1.1';
const NATIVE = ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'];
let server: DicomServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('FR-DICOM-06: Q/R negotiation', () => {
  it('FR-DICOM-06: a C-GET SCP refusing the SCP role gives HNV_ERR_ROLE_NOT_ACCEPTED naming the SOP class', async () => {
    let gets = 0;
    server = createServer({
      contexts: [
        { abstractSyntax: QR_SOP_CLASS.study.get, transferSyntaxes: NATIVE },
        { abstractSyntax: QR_SOP_CLASS.study.find, transferSyntaxes: NATIVE },
        { abstractSyntax: DX, transferSyntaxes: NATIVE, requestorScp: true },
        // CR: the context is accepted, the SCP role is not.
        { abstractSyntax: CR, transferSyntaxes: NATIVE },
      ],
      handlers: {
        'C-GET': () => {
          gets++;
          return { status: STATUS.success };
        },
      },
    });
    const port = await server.listen(0, '127.0.0.1');
    const association = await Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'ANY',
      ...getAssociationOptions({ sopClasses: [DX, CR], storage: { directory: '/nonexistent' } }),
    });
    try {
      expect(association.findContext(DX)?.requestorScp).toBe(true);
      expect(association.findContext(CR)?.requestorScp).toBe(false);
      let error: unknown;
      try {
        qrGet(association, { level: 'STUDY', studyInstanceUid: '1.2.3' }, { sopClasses: [DX, CR] });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(RoleNotAcceptedError);
      expect((error as RoleNotAcceptedError).code).toBe('HNV_ERR_ROLE_NOT_ACCEPTED');
      expect((error as RoleNotAcceptedError).sopClassUid).toBe(CR);
      expect((error as Error).message).toContain(CR);
      expect(gets).toBe(0);
      // With only the granted class the C-GET goes out.
      const events = [];
      for await (const e of qrGet(
        association,
        { level: 'STUDY', studyInstanceUid: '1.2.3' },
        { sopClasses: [DX] },
      ))
        events.push(e);
      expect(events.at(-1)?.final).toBe(true);
      expect(gets).toBe(1);
    } finally {
      await association.release();
    }
  });

  it('FR-DICOM-06: relational queries need the accepted extended negotiation', async () => {
    const identifiers: Record<string, unknown>[] = [];
    const handler: RequestHandler = (request: IncomingRequest) =>
      (async function* () {
        const { dataset } = await decodeDatasetStream(request.dataset!, {
          transferSyntax: request.transferSyntax,
        });
        identifiers.push(dataset);
        const match = encodeDataset(
          { ...dataset, SeriesInstanceUID: '1.2.3.4' },
          { transferSyntax: request.transferSyntax },
        );
        yield { status: STATUS.pending, dataset: match };
        yield { status: STATUS.success };
      })();
    const start = async (relational: boolean) => {
      server = createServer({
        contexts: qrContexts(['study'], ['find']).map((c) => ({ ...c })),
        handlers: { 'C-FIND': handler },
        ...(relational
          ? {
              extendedNegotiation: (received) =>
                received.map((r) => ({
                  sopClassUid: r.sopClassUid,
                  serviceClassApplicationInformation: Uint8Array.of(1),
                })),
            }
          : {}),
      });
      return await server.listen(0, '127.0.0.1');
    };
    const open = (port: number) =>
      Association.open({
        host: '127.0.0.1',
        port,
        callingAeTitle: 'HNVUE',
        calledAeTitle: 'ANY',
        presentationContexts: qrContexts(['study'], ['find']),
        extendedNegotiation: [relationalNegotiation(QR_SOP_CLASS.study.find)],
      });

    const refusingPort = await start(false);
    const refusing = await open(refusingPort);
    await expect(
      qrFindAll(refusing, { level: 'SERIES', modality: 'DX' }, { relational: true }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    await refusing.release();
    await server!.close();

    const port = await start(true);
    const association = await open(port);
    const matches = await qrFindAll(
      association,
      { level: 'SERIES', modality: 'DX', patientId: 'P1' },
      { relational: true },
    );
    expect(matches.map((m) => m.seriesInstanceUid)).toEqual(['1.2.3.4']);
    expect(identifiers[0]).toMatchObject({ QueryRetrieveLevel: 'SERIES', Modality: 'DX', PatientID: 'P1' });
    await association.release();
  });

  it('FR-DICOM-06: typed keys become the identifier (ranges, lists, wildcards, sequences, charset)', () => {
    const id = buildQrIdentifier({
      level: 'STUDY',
      patientName: '김*',
      studyDate: { from: '20240101', to: '20241231' },
      studyTime: { from: '0800' },
      modalitiesInStudy: ['DX', 'CR'],
      studyInstanceUid: ['1.2.3', '1.2.4'],
      keys: { RequestAttributesSequence: [{ RequestedProcedureID: 'RP1' }] },
    });
    expect(id).toMatchObject({
      SpecificCharacterSet: 'ISO_IR 192',
      QueryRetrieveLevel: 'STUDY',
      PatientName: '김*',
      StudyDate: '20240101-20241231',
      StudyTime: '0800-',
      ModalitiesInStudy: ['DX', 'CR'],
      StudyInstanceUID: ['1.2.3', '1.2.4'],
      RequestAttributesSequence: [{ RequestedProcedureID: 'RP1' }],
      AccessionNumber: null,
    });
    expect(() => buildQrIdentifier({ level: 'IMAGE', studyInstanceUid: '1.2' })).toThrow(/SeriesInstanceUID/);
    expect(() => buildQrIdentifier({ level: 'SERIES', studyInstanceUid: ['1.2', '1.3'] })).toThrow(
      InvalidArgumentError,
    );
  });
});
