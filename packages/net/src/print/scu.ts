/**
 * Basic Grayscale Print Management SCU (FR-DICOM-11; PS3.4 Annex H): one association to the
 * printer with the Meta SOP Class (and Presentation LUT when offered), the N-services in typed
 * form, and the printer's N-EVENT-REPORTs as 'event' notifications. The order of a whole film is
 * printFilms() in job.ts; this class checks only what it can know locally (a film box needs a
 * live session, an image box a live film box).
 */
import { EventEmitter } from 'node:events';
import {
  decodeDataset,
  decodeDatasetStream,
  encodeDataset,
  type NaturalDataset,
  SOP_CLASS,
  SOP_INSTANCE,
  TS,
} from '@hnvue/dicom';
import {
  Association,
  type AssociationOptions,
  type DimseRequest,
  type DimseResponse,
  type RequestHandler,
} from '../association.js';
import { COMMAND_FIELD, STATUS } from '../dimse/index.js';
import { DimseFailureError } from '../errors.js';
import { str } from '../workflow/values.js';
import {
  filmBoxDataset,
  filmSessionDataset,
  imageBoxDataset,
  parseImageBoxes,
  parsePrintEvent,
  parsePrinter,
} from './datasets.js';
import { type PrintOperation, PrintRejectedError, PrintStateError } from './errors.js';
import type {
  FilmBoxRef,
  FilmBoxRequest,
  FilmSessionRef,
  FilmSessionRequest,
  ImageBoxContent,
  ImageBoxRef,
  PrintAck,
  PrintActionResult,
  PrintEvent,
  PrinterState,
} from './types.js';

const META: string = SOP_CLASS.basicGrayscalePrintManagementMeta;
const TRANSFER_SYNTAXES: readonly string[] = [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian];

/** What is proposed: the Meta SOP Class and the Presentation LUT SOP Class (PS3.4 H.3.1, H.4.9). */
export const PRINT_CONTEXTS: readonly {
  readonly abstractSyntax: string;
  readonly transferSyntaxes: readonly string[];
}[] = [
  { abstractSyntax: META, transferSyntaxes: TRANSFER_SYNTAXES },
  { abstractSyntax: SOP_CLASS.presentationLut, transferSyntaxes: TRANSFER_SYNTAXES },
];

export interface PrintScuEvents {
  /** An N-EVENT-REPORT from the printer (printer status, print job), answered with Success. */
  event: [event: PrintEvent];
}

export type PrintScuOptions = Omit<AssociationOptions, 'presentationContexts' | 'requestHandler'>;

export interface PrintRequestOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export class PrintScu extends EventEmitter<PrintScuEvents> {
  readonly association: Association;
  readonly #sessions = new Set<string>();
  readonly #filmBoxes = new Map<string, Set<string>>();

  private constructor(association: Association) {
    super();
    this.association = association;
  }

  /** Opens the association; throws NoPresentationContextError when the printer refused the Meta SOP Class. */
  static async open(options: PrintScuOptions): Promise<PrintScu> {
    let scu: PrintScu | undefined;
    const handler: RequestHandler = (request) =>
      scu?.handleEvent(request) ?? { status: STATUS.processingFailure };
    const association = await Association.open({
      ...options,
      presentationContexts: PRINT_CONTEXTS,
      requestHandler: handler,
    });
    scu = new PrintScu(association);
    try {
      association.contextFor(META);
    } catch (err) {
      association.abort();
      throw err;
    }
    return scu;
  }

  /** Whether the printer accepted the Presentation LUT SOP Class. */
  get presentationLutAccepted(): boolean {
    try {
      this.association.contextFor(SOP_CLASS.presentationLut);
      return true;
    } catch {
      return false;
    }
  }

  /** N-GET Printer (PS3.4 H.4.6.2.1): status and status info as data, WARNING/FAILURE included. */
  async getPrinter(options: PrintRequestOptions = {}): Promise<PrinterState> {
    const response = await this.#exchange(
      'get-printer',
      META,
      {
        commandField: COMMAND_FIELD['N-GET-RQ'],
        requestedSopClassUid: SOP_CLASS.printer,
        requestedSopInstanceUid: SOP_INSTANCE.printer,
      },
      undefined,
      options,
      false,
    );
    return parsePrinter(this.#decode(response));
  }

  /** N-CREATE Basic Film Session (PS3.4 H.4.1.2.1). */
  async createFilmSession(
    request: FilmSessionRequest,
    options: PrintRequestOptions = {},
  ): Promise<FilmSessionRef> {
    const response = await this.#exchange(
      'create-film-session',
      META,
      {
        commandField: COMMAND_FIELD['N-CREATE-RQ'],
        affectedSopClassUid: SOP_CLASS.basicFilmSession,
      },
      filmSessionDataset(request),
      options,
    );
    const uid = this.#createdUid(response);
    this.#sessions.add(uid);
    this.#filmBoxes.set(uid, new Set());
    return { sopInstanceUid: uid, ...ack(response) };
  }

  /** N-CREATE Presentation LUT (PS3.4 H.4.9.2.1), IDENTITY shape; needs the LUT context accepted. */
  async createPresentationLut(options: PrintRequestOptions = {}): Promise<FilmSessionRef> {
    const response = await this.#exchange(
      'create-presentation-lut',
      SOP_CLASS.presentationLut,
      {
        commandField: COMMAND_FIELD['N-CREATE-RQ'],
        affectedSopClassUid: SOP_CLASS.presentationLut,
      },
      { PresentationLUTShape: 'IDENTITY' },
      options,
    );
    return { sopInstanceUid: this.#createdUid(response), ...ack(response) };
  }

  /** N-CREATE Basic Film Box under a live session (PS3.4 H.4.2.2.1); the printer creates its image boxes. */
  async createFilmBox(
    filmSessionUid: string,
    request: FilmBoxRequest,
    options: PrintRequestOptions & { readonly presentationLutUid?: string } = {},
  ): Promise<FilmBoxRef> {
    const boxes = this.#filmBoxes.get(filmSessionUid);
    if (boxes === undefined)
      throw new PrintStateError('a film box needs a film session created on this association');
    const dataset = filmBoxDataset(
      request,
      filmSessionUid,
      {
        filmSession: SOP_CLASS.basicFilmSession,
        presentationLut: SOP_CLASS.presentationLut,
      },
      options.presentationLutUid,
    );
    const response = await this.#exchange(
      'create-film-box',
      META,
      {
        commandField: COMMAND_FIELD['N-CREATE-RQ'],
        affectedSopClassUid: SOP_CLASS.basicFilmBox,
      },
      dataset,
      options,
    );
    const uid = this.#createdUid(response);
    boxes.add(uid);
    return { sopInstanceUid: uid, imageBoxes: parseImageBoxes(this.#decode(response)), ...ack(response) };
  }

  /** N-SET Basic Grayscale Image Box (PS3.4 H.4.3.1.2.1). A refused depth/size throws PrintRejectedError. */
  async setImageBox(
    box: ImageBoxRef,
    content: ImageBoxContent,
    options: PrintRequestOptions = {},
  ): Promise<PrintAck> {
    const response = await this.#exchange(
      'set-image-box',
      META,
      {
        commandField: COMMAND_FIELD['N-SET-RQ'],
        requestedSopClassUid: box.sopClassUid || SOP_CLASS.basicGrayscaleImageBox,
        requestedSopInstanceUid: box.sopInstanceUid,
      },
      imageBoxDataset(box.position, content),
      options,
    );
    return ack(response);
  }

  /** N-ACTION Print (action type 1) on a film box (PS3.4 H.4.2.2.4) or a whole session (H.4.1.2.4). */
  async print(
    target: { readonly filmBoxUid: string } | { readonly filmSessionUid: string },
    options: PrintRequestOptions = {},
  ): Promise<PrintActionResult> {
    const box = 'filmBoxUid' in target;
    const uid = box ? target.filmBoxUid : target.filmSessionUid;
    if (box ? !this.#liveFilmBox(uid) : !this.#sessions.has(uid)) {
      throw new PrintStateError('print needs a film box or film session that is still alive');
    }
    const response = await this.#exchange(
      'print',
      META,
      {
        commandField: COMMAND_FIELD['N-ACTION-RQ'],
        requestedSopClassUid: box ? SOP_CLASS.basicFilmBox : SOP_CLASS.basicFilmSession,
        requestedSopInstanceUid: uid,
        actionTypeId: 1,
      },
      undefined,
      options,
    );
    const job = this.#decode(response)?.ReferencedPrintJobSequence;
    const printJobUid = Array.isArray(job)
      ? str(job[0] as NaturalDataset, 'ReferencedSOPInstanceUID')
      : undefined;
    return { ...ack(response), printJobUid };
  }

  /** N-DELETE of a film box (PS3.4 H.4.2.2.3); its image boxes go with it. */
  async deleteFilmBox(filmBoxUid: string, options: PrintRequestOptions = {}): Promise<PrintAck> {
    const response = await this.#delete(SOP_CLASS.basicFilmBox, filmBoxUid, META, options);
    for (const boxes of this.#filmBoxes.values()) boxes.delete(filmBoxUid);
    return response;
  }

  /** N-DELETE of a session (PS3.4 H.4.1.2.3): after its film boxes, which it deletes too. */
  async deleteFilmSession(filmSessionUid: string, options: PrintRequestOptions = {}): Promise<PrintAck> {
    const response = await this.#delete(SOP_CLASS.basicFilmSession, filmSessionUid, META, options);
    this.#sessions.delete(filmSessionUid);
    this.#filmBoxes.delete(filmSessionUid);
    return response;
  }

  /** N-DELETE of a Presentation LUT (PS3.4 H.4.9.2.2), once nothing references it. */
  async deletePresentationLut(uid: string, options: PrintRequestOptions = {}): Promise<PrintAck> {
    return await this.#delete(SOP_CLASS.presentationLut, uid, SOP_CLASS.presentationLut, options);
  }

  async release(): Promise<void> {
    await this.association.release().catch(() => this.association.abort());
  }

  abort(): void {
    this.association.abort();
  }

  #liveFilmBox(uid: string): boolean {
    for (const boxes of this.#filmBoxes.values()) if (boxes.has(uid)) return true;
    return false;
  }

  async #delete(
    sopClass: string,
    uid: string,
    context: string,
    options: PrintRequestOptions,
  ): Promise<PrintAck> {
    const response = await this.#exchange(
      'delete',
      context,
      {
        commandField: COMMAND_FIELD['N-DELETE-RQ'],
        requestedSopClassUid: sopClass,
        requestedSopInstanceUid: uid,
      },
      undefined,
      options,
    );
    return ack(response);
  }

  #createdUid(response: DimseResponse): string {
    const uid = response.command.affectedSopInstanceUid;
    if (uid === undefined)
      throw new PrintStateError('the printer created an object without naming its SOP instance');
    return uid;
  }

  #decode(response: DimseResponse): NaturalDataset | undefined {
    if (response.dataset === undefined || response.dataset.length === 0) return undefined;
    return decodeDataset(response.dataset, { transferSyntax: response.transferSyntax, copyBulk: true })
      .dataset;
  }

  /**
   * One request, its final response. A failure status becomes PrintRejectedError (the printer
   * refused what we asked) with the DimseFailureError as cause, or DimseFailureError as such for
   * N-GET (`reject` false), where a failure says nothing about our film.
   */
  async #exchange(
    operation: PrintOperation,
    context: string,
    command: DimseRequest['command'],
    dataset: NaturalDataset | undefined,
    options: PrintRequestOptions,
    reject = true,
  ): Promise<DimseResponse> {
    const { transferSyntax } = this.association.contextFor(context);
    let final: DimseResponse | undefined;
    for await (const r of this.association.request({
      abstractSyntax: context,
      transferSyntax,
      command,
      ...(dataset === undefined ? {} : { dataset: encodeDataset(dataset, { transferSyntax }) }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })) {
      final = r;
    }
    if (final === undefined) throw new PrintStateError('no response');
    if (final.statusClass === 'failure' || final.statusClass === 'cancel') {
      const cause = new DimseFailureError(
        final.status,
        `${operation} failed with status 0x${final.status.toString(16)}`,
      );
      if (!reject) throw cause;
      throw new PrintRejectedError(operation, final.status, final.command.errorComment, { cause });
    }
    return final;
  }

  /** The printer's N-EVENT-REPORT-RQ (PS3.4 H.4.6.1, H.4.5.1): a notification to the listeners. */
  private async handleEvent(
    request: Parameters<RequestHandler>[0],
  ): Promise<{ status: number; command?: Record<string, unknown> }> {
    if (request.command.commandField !== COMMAND_FIELD['N-EVENT-REPORT-RQ'])
      return { status: STATUS.unrecognizedOperation };
    const sopClassUid = request.command.affectedSopClassUid ?? '';
    const sopInstanceUid = request.command.affectedSopInstanceUid ?? '';
    const eventTypeId = request.command.eventTypeId ?? 0;
    const dataset =
      request.dataset === undefined
        ? undefined
        : (await decodeDatasetStream(request.dataset, { transferSyntax: request.transferSyntax })).dataset;
    const event = parsePrintEvent(
      { printer: SOP_CLASS.printer, printJob: SOP_CLASS.printJob },
      sopClassUid,
      sopInstanceUid,
      eventTypeId,
      dataset,
    );
    this.emit('event', event);
    return {
      status: STATUS.success,
      command: { affectedSopClassUid: sopClassUid, affectedSopInstanceUid: sopInstanceUid, eventTypeId },
    };
  }
}

function ack(response: DimseResponse): PrintAck {
  return { status: response.status, warning: response.statusClass === 'warning' };
}
