/**
 * The queue's print sender (FR-DICOM-11): one association to the `printer` destination per
 * attempt; N-GET Printer first (a FAILURE state sends nothing and retries later), then the films
 * not yet printed, in the PS3.4 H.4 order of printFilms (session, LUT, film box, image boxes,
 * print, delete). After each film's N-ACTION-RSP its count is recorded, so a retry (a later
 * attempt, a restart) prints only the films after it: a film is printed once, unless the process
 * dies between the printer's answer and that record (then it prints again, never not at all).
 */
import { readFile } from 'node:fs/promises';
import { type PrintEvent, PrinterFailureError, type PrinterState, PrintScu, printFilms } from '@hnvue/net';
import { DeliveryError, type QueueItem, type SendContext } from '@hnvue/queue';
import { associationOptionsFor } from '../destinations.js';
import { FACADE_ERROR_CODES, FacadeError } from '../errors.js';
import { decodePrintPayload } from '../print.js';
import { NS, type PrintJobState } from '../state.js';
import type { FacadeContext } from '../wiring.js';

function printerEvent(jobId: string, state: Pick<PrinterState, 'status' | 'statusInfo' | 'printerName'>) {
  return { jobId, status: state.status, statusInfo: state.statusInfo, printerName: state.printerName };
}

export async function sendPrint(ctx: FacadeContext, item: QueueItem, send: SendContext): Promise<void> {
  const printer = ctx.config.printer;
  if (!printer) {
    throw new DeliveryError('no printer destination is configured', {
      retryable: false,
      code: FACADE_ERROR_CODES.notConfigured,
    });
  }
  const records = ctx.queue()?.records;
  if (!records) throw new FacadeError(FACADE_ERROR_CODES.notRunning, 'DICOM services are not started');
  const jobId = item.sopInstanceUid;
  const job = decodePrintPayload(new Uint8Array(await readFile(item.path)));
  const done = records.get<PrintJobState>(NS.print, jobId)?.printed ?? 0;
  if (done >= job.films.length) return; // printed in an earlier attempt that ended before DONE
  const scu = await PrintScu.open({
    ...associationOptionsFor(ctx.config, printer, ctx.log),
    signal: send.signal,
  });
  scu.on('event', (e: PrintEvent) => {
    if (e.type === 'printer-status') ctx.events.emit('printerStatus', printerEvent(jobId, e));
    else if (e.type === 'print-job') {
      ctx.events.emit('printJobStatus', {
        jobId,
        printJobUid: e.printJobUid,
        status: e.status,
        statusInfo: e.statusInfo,
      });
    }
  });
  let printed = done;
  let result: Awaited<ReturnType<typeof printFilms>> | undefined;
  try {
    const state = await scu.getPrinter({ signal: send.signal });
    ctx.events.emit('printerStatus', printerEvent(jobId, state));
    if (state.status === 'FAILURE') throw new PrinterFailureError(state);
    result = await printFilms(
      scu,
      {
        session: job.session,
        films: job.films.slice(done),
        on12BitRefused: job.on12BitRefused,
        onFilmPrinted: (index) => {
          printed = done + index + 1;
          records.put(NS.print, jobId, { printed } satisfies PrintJobState);
        },
      },
      { signal: send.signal },
    );
  } catch (err) {
    if (printed < job.films.length) {
      scu.abort();
      throw err;
    }
    // Every film is on paper; only a clean-up N-DELETE or the release failed. Not a retry.
    ctx.log.warn(
      { jobId, err: (err as Error).name },
      'print job printed; the printer did not take every N-DELETE',
    );
  }
  await scu.release();
  ctx.events.emit('printed', {
    jobId,
    queueItemId: item.id,
    films: printed - done,
    convertedTo8Bit: result?.films.reduce((n, f) => n + f.convertedTo8Bit, 0) ?? 0,
    warnings: result?.warnings ?? 0,
  });
}
