/**
 * The procedure workflow (FR-DICOM-05): a procedure is one MPPS step, one study and one series.
 * Starting it queues the N-CREATE, each image (FR-DICOM-04, -08) and the dose report (FR-DICOM-09)
 * is built with the worklist item's IHE SWF attributes and queued for the PACS, and ending it
 * queues the N-SET; the study's storage commitment follows once everything is delivered.
 *
 * The procedure's state lives in the queue's records (state.ts) and each change is written in the
 * transaction of the queue item it goes with: the procedure and its worklist slice with the
 * N-CREATE, an object's reference with its c-store item, the end (procedure and slice deleted,
 * study closed, commitment if ready) with the N-SET. A kill at any instant leaves both or neither.
 */
import type { CharacterSet } from '@hnvue/dicom';
import {
  type BuiltImage,
  buildCrImage,
  buildDxImage,
  buildRdsr,
  type DxInput,
  type IrradiationEvent,
  toPart10Buffer,
  XRAY_RADIATION_DOSE_SR_SOP_CLASS,
} from '@hnvue/iod';
import {
  buildMppsCreate,
  type CodedEntry,
  type DoseSummary,
  MPPS_SOP_CLASS,
  type WorklistItem,
  type WorklistResult,
} from '@hnvue/net';
import type { Records } from '@hnvue/queue';
import type { Commitments } from './commitments.js';
import { FACADE_ERROR_CODES, FacadeError } from './errors.js';
import { mppsEndDataset } from './mpps-end.js';
import { queueObject } from './object-queue.js';
import {
  type DoseEventState,
  emptyStudy,
  NS,
  type ProcedureState,
  type SopRef,
  type StudyState,
} from './state.js';
import type { FacadeContext } from './wiring.js';

/** A procedure in progress on this console (one MPPS step, one study, one series). */
export interface Procedure {
  /** The MPPS SOP Instance UID (also the procedure's id). */
  readonly id: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly status: 'IN PROGRESS' | 'COMPLETED' | 'DISCONTINUED';
  /** Objects queued for the PACS so far. */
  readonly objects: readonly SopRef[];
}

export interface StartProcedureInput {
  /** A worklist match (from `queryWorklist`), whose character set is kept end to end. */
  readonly worklist: WorklistResult | { readonly item: WorklistItem; readonly characterSet?: CharacterSet };
  readonly startedAt?: Date;
  readonly description?: string;
}

/** Image input without what the facade fills in (subject, equipment, series, PPS reference). */
export type ImageInput = DxInput extends infer D
  ? D extends DxInput
    ? Omit<D, 'worklistItem' | 'patient' | 'study' | 'equipment' | 'series'> & {
        /** DX (default) or CR (only image, anatomy and acquisition are used for CR). */
        readonly kind?: 'DX' | 'CR';
      }
    : never
  : never;

export interface StoredObject {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly queueItemId: number;
  /** The Part 10 bytes that were queued (for a preview; the queue holds its own copy). */
  readonly part10: Uint8Array;
}

export interface CompleteInput {
  readonly endedAt?: Date;
  readonly dose?: DoseSummary;
  readonly protocolName?: string;
}

type EndInput = CompleteInput & { readonly reason?: CodedEntry };

export class Procedures {
  readonly #ctx: FacadeContext;
  readonly #commitments: Commitments;
  /** Ended in this run: `procedure(id)` still shows them. */
  readonly #ended = new Map<string, Procedure>();

  constructor(ctx: FacadeContext, commitments: Commitments) {
    this.#ctx = ctx;
    this.#commitments = commitments;
  }

  get(procedureId: string): Procedure | undefined {
    const ended = this.#ended.get(procedureId);
    if (ended) return ended;
    const state = this.#ctx.queue()?.records.get<ProcedureState>(NS.procedure, procedureId);
    return state ? view(procedureId, state, 'IN PROGRESS') : undefined;
  }

  /** Starts a procedure: MPPS N-CREATE IN PROGRESS, queued (FR-DICOM-05). */
  async start(input: StartProcedureInput): Promise<Procedure> {
    const queue = this.#ctx.requireQueue();
    const { item } = input.worklist;
    const characterSet = input.worklist.characterSet;
    const id = this.#ctx.uids.next();
    const studyInstanceUid = item.studyInstanceUid ?? this.#ctx.uids.next();
    const startedAt = input.startedAt ?? new Date();
    const description = input.description ?? item.requestedProcedureDescription;
    const state: ProcedureState = {
      studyInstanceUid,
      seriesInstanceUid: this.#ctx.uids.next(),
      startedAt: startedAt.getTime(),
      ...(description === undefined ? {} : { description }),
      ...(characterSet ? { characterSet } : {}),
      images: [],
      others: [],
      doseEvents: [],
    };
    const mpps = this.#ctx.config.mpps
      ? buildMppsCreate({
          worklistItem: item,
          performedProcedureStepId: id.slice(-16),
          startedAt,
          ...(description ? { description } : {}),
          performedStationAeTitle: this.#ctx.config.local.aeTitle,
          modality: item.scheduledProcedureSteps[0]?.modality ?? 'DX',
          studyInstanceUid,
          ...(characterSet?.terms.length ? { specificCharacterSet: characterSet.terms } : {}),
        })
      : undefined;
    queue.transaction((records, tx) => {
      records.put(NS.procedure, id, state);
      // The one WorklistItem shape: the builders copy it as it came, with the study we use.
      records.put(NS.subject, id, { ...item, studyInstanceUid });
      if (!records.get(NS.study, studyInstanceUid)) records.put(NS.study, studyInstanceUid, emptyStudy());
      if (mpps) {
        tx.enqueue({
          kind: 'mpps-create',
          destination: 'mpps',
          sopClassUid: MPPS_SOP_CLASS,
          sopInstanceUid: id,
          source: { bytes: Buffer.from(JSON.stringify(mpps)) },
          orderKey: id,
        });
      }
    });
    return view(id, state, 'IN PROGRESS');
  }

  /**
   * Builds a DX (or CR) image for the procedure with the IHE SWF attributes of its worklist item
   * and queues it for the PACS (FR-DICOM-04, -08). Resolves once the image is safely queued.
   */
  async storeImage(procedureId: string, input: ImageInput): Promise<StoredObject> {
    const state = this.#openProcedure(procedureId);
    const worklistItem = this.#requireWorklistItem(procedureId);
    const options = { uid: () => this.#ctx.uids.next(), characterSet: state.characterSet };
    const series = {
      seriesInstanceUid: state.seriesInstanceUid,
      seriesNumber: 1,
      performedProcedureStep: { sopInstanceUid: procedureId, start: new Date(state.startedAt) },
    };
    const common = { worklistItem, equipment: this.#ctx.equipment, series };
    let built: BuiltImage;
    if (input.kind === 'CR') {
      const { kind: _kind, presentationIntent: _intent, detector: _detector, ...rest } = input;
      built = buildCrImage({ ...rest, ...common }, options);
    } else {
      const { kind: _kind, ...rest } = input;
      built = buildDxImage({ ...rest, ...common }, options);
    }
    const ref = {
      sopClassUid: String(built.dataset.SOPClassUID),
      sopInstanceUid: String(built.dataset.SOPInstanceUID),
    };
    const part10 = toPart10Buffer(built.dataset, built.pixelData);
    const dose = doseEvent(input);
    const queueItemId = await this.#queueForPacs(procedureId, ref, part10, (p) => ({
      ...p,
      images: [...p.images, ref],
      doseEvents: dose ? [...p.doseEvents, dose] : p.doseEvents,
    }));
    return { ...ref, queueItemId, part10 };
  }

  /**
   * Builds the X-Ray Radiation Dose SR (FR-DICOM-09) of the procedure from the exposures of its
   * images (or `events`) and queues it for the PACS with the study.
   */
  async storeDoseReport(
    procedureId: string,
    input: { readonly events?: readonly IrradiationEvent[] } = {},
  ): Promise<StoredObject> {
    const state = this.#openProcedure(procedureId);
    const worklistItem = this.#requireWorklistItem(procedureId);
    const events = input.events ?? state.doseEvents.map((e) => ({ ...e, start: new Date(e.start) }));
    if (events.length === 0) {
      throw new FacadeError(FACADE_ERROR_CODES.procedure, 'no irradiation event to report', {
        hint: 'store an image with acquisition.dapDgyCm2, or pass events',
      });
    }
    const { equipment, config } = this.#ctx;
    const report = buildRdsr(
      {
        worklistItem,
        equipment: {
          ...equipment,
          manufacturerModelName: equipment.manufacturerModelName ?? 'HnVue DR',
          deviceSerialNumber: equipment.deviceSerialNumber ?? config.uid.deviceSerial,
          softwareVersions: equipment.softwareVersions ?? config.implementation.versionName,
        },
        series: { seriesNumber: 900 },
        observer: {
          uid: this.#ctx.uids.next(),
          name: config.local.aeTitle,
          manufacturer: equipment.manufacturer,
        },
        events,
        images: state.images.map((i) => ({ ...i, seriesInstanceUid: state.seriesInstanceUid })),
      },
      { uid: () => this.#ctx.uids.next(), characterSet: state.characterSet },
    );
    const sopInstanceUid = String(report.dataset.SOPInstanceUID);
    const ref = { sopClassUid: XRAY_RADIATION_DOSE_SR_SOP_CLASS as string, sopInstanceUid };
    const part10 = toPart10Buffer(report.dataset);
    const queueItemId = await this.#queueForPacs(procedureId, ref, part10, (p) => ({
      ...p,
      others: [...p.others, ref],
    }));
    return { ...ref, queueItemId, part10 };
  }

  /** Completes or discontinues: the N-SET queued, the procedure ended, its study closed, in one transaction. */
  async end(id: string, status: 'COMPLETED' | 'DISCONTINUED', input: EndInput): Promise<Procedure> {
    const queue = this.#ctx.requireQueue();
    const ended = queue.transaction((records, tx) => {
      // Read inside the transaction: the N-SET lists exactly the objects committed before it.
      const state = this.#openProcedure(id, records);
      if (this.#ctx.config.mpps) {
        const dataset = mppsEndDataset(this.#ctx.config, state, status, input);
        tx.enqueue({
          kind: 'mpps-set',
          destination: 'mpps',
          sopClassUid: MPPS_SOP_CLASS,
          sopInstanceUid: id,
          source: { bytes: Buffer.from(JSON.stringify(dataset)) },
          orderKey: id,
          dedupKey: null,
        });
      }
      records.delete(NS.procedure, id);
      records.delete(NS.subject, id);
      const study = records.get<StudyState>(NS.study, state.studyInstanceUid) ?? emptyStudy();
      records.put(NS.study, state.studyInstanceUid, { ...study, closed: true });
      this.#commitments.requestIfReady(records, tx, state.studyInstanceUid);
      return view(id, state, status);
    });
    this.#ended.set(id, ended);
    return ended;
  }

  #openProcedure(id: string, records?: Records): ProcedureState {
    const state = (records ?? this.#ctx.requireQueue().records).get<ProcedureState>(NS.procedure, id);
    if (state) return state;
    const ended = this.#ended.get(id);
    throw new FacadeError(
      FACADE_ERROR_CODES.procedure,
      ended ? `procedure is ${ended.status}` : 'unknown procedure',
      { details: { id } },
    );
  }

  #requireWorklistItem(id: string): WorklistItem {
    const item = this.#ctx.requireQueue().records.get<WorklistItem>(NS.subject, id);
    if (item) return item;
    throw new FacadeError(
      FACADE_ERROR_CODES.procedure,
      'the worklist attributes of this procedure were lost',
      {
        hint: 'complete or discontinue it; an earlier version lost its worklist file in a crash',
        details: { id },
      },
    );
  }

  /**
   * Queues the object for its storage destinations (object-queue.ts); the procedure's update goes
   * in the same transaction. A procedure ended meanwhile refuses it (rolled back).
   */
  async #queueForPacs(
    procedureId: string,
    ref: SopRef,
    part10: Uint8Array,
    update: (p: ProcedureState) => ProcedureState,
  ): Promise<number> {
    return await queueObject(this.#ctx, this.#commitments, ref, part10, (records) => {
      const state = this.#openProcedure(procedureId, records);
      records.put(NS.procedure, procedureId, update(state));
      return state.studyInstanceUid;
    });
  }
}

function view(id: string, p: ProcedureState, status: Procedure['status']): Procedure {
  return {
    id,
    studyInstanceUid: p.studyInstanceUid,
    seriesInstanceUid: p.seriesInstanceUid,
    status,
    objects: [...p.images, ...p.others],
  };
}

function doseEvent(input: ImageInput): DoseEventState | undefined {
  const a = input.acquisition;
  if (a?.dapDgyCm2 === undefined) return undefined;
  return {
    start: (input.image.acquisitionDateTime ?? new Date()).getTime(),
    dapDgyCm2: a.dapDgyCm2,
    ...(a.kvp === undefined ? {} : { kvp: a.kvp }),
    ...(a.tubeCurrentMa === undefined ? {} : { tubeCurrentMa: a.tubeCurrentMa }),
    ...(a.exposureTimeMs === undefined ? {} : { exposureTimeMs: a.exposureTimeMs }),
  };
}
