import { encodeDataset, SOP_CLASS, SOP_INSTANCE, TS } from '@hnvue/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_FIELD } from '../../src/dimse/index.js';
import { createServer, type DicomServer, type PrintEvent, PrintScu, STATUS } from '../../src/index.js';

// dcmprscp 3.6.7 never sends N-EVENT-REPORT, so a scripted printer does: on N-GET it reports a
// WARNING "FILM JAM" (PS3.4 H.4.6.1.1, event type 2), then a print job DONE (H.4.5.1.1, type 3).
describe('printer N-EVENT-REPORTs as typed events', { timeout: 60_000 }, () => {
  let server: DicomServer;
  let port: number;
  const meta = SOP_CLASS.basicGrayscalePrintManagementMeta;
  const ts = [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian];

  beforeAll(async () => {
    server = createServer({
      contexts: [{ abstractSyntax: meta, transferSyntaxes: ts }],
      handlers: {
        'N-GET': async (request) => {
          const syntax = request.transferSyntax;
          await request.association.send({
            abstractSyntax: meta,
            command: {
              commandField: COMMAND_FIELD['N-EVENT-REPORT-RQ'],
              affectedSopClassUid: SOP_CLASS.printer,
              affectedSopInstanceUid: SOP_INSTANCE.printer,
              eventTypeId: 2,
            },
            dataset: encodeDataset(
              { PrinterStatusInfo: 'FILM JAM', PrinterName: 'SCRIPTED' },
              { transferSyntax: syntax },
            ),
          });
          await request.association.send({
            abstractSyntax: meta,
            command: {
              commandField: COMMAND_FIELD['N-EVENT-REPORT-RQ'],
              affectedSopClassUid: SOP_CLASS.printJob,
              affectedSopInstanceUid: '1.2.3.4',
              eventTypeId: 3,
            },
            dataset: encodeDataset({ ExecutionStatusInfo: 'NORMAL' }, { transferSyntax: syntax }),
          });
          return {
            status: STATUS.success,
            command: { affectedSopClassUid: SOP_CLASS.printer, affectedSopInstanceUid: SOP_INSTANCE.printer },
            dataset: encodeDataset(
              { PrinterStatus: 'WARNING', PrinterStatusInfo: 'FILM JAM' },
              { transferSyntax: syntax },
            ),
          };
        },
      },
    });
    port = await server.listen(0);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('FR-DICOM-11: a printer status change and a print job report arrive as typed events; WARNING is data', async () => {
    const scu = await PrintScu.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'PRN',
    });
    const events: PrintEvent[] = [];
    scu.on('event', (e) => events.push(e));
    try {
      const state = await scu.getPrinter();
      expect(state).toMatchObject({ status: 'WARNING', statusInfo: 'FILM JAM' });
      expect(events).toEqual([
        { type: 'printer-status', status: 'WARNING', statusInfo: 'FILM JAM', printerName: 'SCRIPTED' },
        {
          type: 'print-job',
          printJobUid: '1.2.3.4',
          status: 'DONE',
          statusInfo: 'NORMAL',
          filmSessionLabel: undefined,
        },
      ]);
    } finally {
      await scu.release();
    }
  });
});
