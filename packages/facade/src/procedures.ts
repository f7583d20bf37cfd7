/**
 * The procedure workflow (FR-DICOM-05): a procedure is one MPPS step, one study and one series.
 * Starting it queues the N-CREATE, each image (FR-DICOM-04, -08) and the dose report (FR-DICOM-09)
 * is built with the worklist item's IHE SWF attributes and queued for the PACS, and ending it
 * queues the N-SET; the study's storage commitment follows once everything is delivered.
 */
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
  buildMppsEnd,
  type CharacterSet,
  type CodedEntry,
  type DoseSummary,
  MPPS_SOP_CLASS,
  type WorklistItem,
  type WorklistResult,
} from '@hnvue/net';
import type { Commitments } from './commitments.js';
import { requireDestination } from './destinations.js';
import { FACADE_ERROR_CODES, FacadeError } from './errors.js';
import {
  type ProcedureState,
  readSubject,
  removeSubject,
  type SopRef,
  type StudyState,
  sweepSubjects,
  writeSubject,
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

export interface ProcedureEntry {
  id: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  status: Procedure['status'];
  /** Undefined for a procedure restored without its worklist file: it can only be ended. */
  readonly worklistItem: WorklistItem | undefined;
  readonly characterSet: CharacterSet | undefined;
  readonly startedAt: Date;
  readonly description: string | undefined;
  readonly images: SopRef[];
  readonly others: SopRef[];
  readonly doseEvents: IrradiationEvent[];
}

export class Procedures {
  readonly #ctx: FacadeContext;
  readonly #commitments: Commitments;
  readonly #entries = new Map<string, ProcedureEntry>();
  /** Ended in memory, N-SET not queued yet: still written to the state file as IN PROGRESS. */
  readonly #ending = new Set<string>();

  constructor(ctx: FacadeContext, commitments: Commitments) {
    this.#ctx = ctx;
    this.#commitments = commitments;
  }

  get(procedureId: string): Procedure | undefined {
    const entry = this.#entries.get(procedureId);
    return entry ? this.view(entry) : undefined;
  }

  /** Starts a procedure: MPPS N-CREATE IN PROGRESS, queued (FR-DICOM-05). */
  async start(input: StartProcedureInput): Promise<Procedure> {
    const queue = this.#ctx.requireQueue();
    const { item } = input.worklist;
    const characterSet = input.worklist.characterSet;
    const id = this.#ctx.uids.next();
    const studyInstanceUid = item.studyInstanceUid ?? this.#ctx.uids.next();
    const entry: ProcedureEntry = {
      id,
      studyInstanceUid,
      seriesInstanceUid: this.#ctx.uids.next(),
      status: 'IN PROGRESS',
      // The one WorklistItem shape: the builders copy it as it came, with the study we use.
      worklistItem: { ...item, studyInstanceUid },
      characterSet,
      startedAt: input.startedAt ?? new Date(),
      description: input.description ?? item.requestedProcedureDescription,
      images: [],
      others: [],
      doseEvents: [],
    };
    // The worklist slice first: a procedure in the state file always finds it, bar a crash in between.
    if (entry.worklistItem) writeSubject(this.#ctx.queueDir, id, entry.worklistItem);
    this.#entries.set(id, entry);
    this.#ctx.state().studies[studyInstanceUid] ??= { references: [], delivered: [], closed: false };
    this.#ctx.save();
    if (this.#ctx.config.mpps) {
      const step = item.scheduledProcedureSteps[0];
      const dataset = buildMppsCreate({
        worklistItem: item,
        performedProcedureStepId: id.slice(-16),
        startedAt: entry.startedAt,
        ...(entry.description ? { description: entry.description } : {}),
        performedStationAeTitle: this.#ctx.config.local.aeTitle,
        modality: step?.modality ?? 'DX',
        studyInstanceUid,
        ...(characterSet?.terms.length ? { specificCharacterSet: characterSet.terms } : {}),
      });
      await queue.enqueue({
        kind: 'mpps-create',
        destination: 'mpps',
        sopClassUid: MPPS_SOP_CLASS,
        sopInstanceUid: id,
        source: { bytes: Buffer.from(JSON.stringify(dataset)) },
        orderKey: id,
      });
    }
    return this.view(entry);
  }

  /**
   * Builds a DX (or CR) image for the procedure with the IHE SWF attributes of its worklist item
   * and queues it for the PACS (FR-DICOM-04, -08). Resolves once the image is safely queued.
   */
  async storeImage(procedureId: string, input: ImageInput): Promise<StoredObject> {
    const entry = this.#openProcedure(procedureId);
    const worklistItem = this.#requireWorklistItem(entry);
    const options = {
      uid: () => this.#ctx.uids.next(),
      characterSet: entry.characterSet,
    };
    const series = {
      seriesInstanceUid: entry.seriesInstanceUid,
      seriesNumber: 1,
      performedProcedureStep: { sopInstanceUid: entry.id, start: entry.startedAt },
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
    const sopClassUid = String(built.dataset.SOPClassUID);
    const sopInstanceUid = String(built.dataset.SOPInstanceUID);
    const part10 = toPart10Buffer(built.dataset, built.pixelData);
    const doseEventCount = entry.doseEvents.length;
    entry.images.push({ sopClassUid, sopInstanceUid });
    if (input.acquisition?.dapDgyCm2 !== undefined) {
      entry.doseEvents.push({
        start: input.image.acquisitionDateTime ?? new Date(),
        dapDgyCm2: input.acquisition.dapDgyCm2,
        ...(input.acquisition.kvp === undefined ? {} : { kvp: input.acquisition.kvp }),
        ...(input.acquisition.tubeCurrentMa === undefined
          ? {}
          : { tubeCurrentMa: input.acquisition.tubeCurrentMa }),
        ...(input.acquisition.exposureTimeMs === undefined
          ? {}
          : { exposureTimeMs: input.acquisition.exposureTimeMs }),
      });
    }
    const queueItemId = await this.#queueForPacs(entry, { sopClassUid, sopInstanceUid }, part10, () => {
      removeRef(entry.images, sopInstanceUid);
      entry.doseEvents.length = doseEventCount;
    });
    return { sopClassUid, sopInstanceUid, queueItemId, part10 };
  }

  /**
   * Builds the X-Ray Radiation Dose SR (FR-DICOM-09) of the procedure from the exposures of its
   * images (or `events`) and queues it for the PACS with the study.
   */
  async storeDoseReport(
    procedureId: string,
    input: { readonly events?: readonly IrradiationEvent[] } = {},
  ): Promise<StoredObject> {
    const entry = this.#openProcedure(procedureId);
    const worklistItem = this.#requireWorklistItem(entry);
    const events = input.events ?? entry.doseEvents;
    if (events.length === 0) {
      throw new FacadeError(FACADE_ERROR_CODES.procedure, 'no irradiation event to report', {
        hint: 'store an image with acquisition.dapDgyCm2, or pass events',
      });
    }
    const report = buildRdsr(
      {
        worklistItem,
        equipment: {
          ...this.#ctx.equipment,
          manufacturerModelName: this.#ctx.equipment.manufacturerModelName ?? 'HnVue DR',
          deviceSerialNumber: this.#ctx.equipment.deviceSerialNumber ?? this.#ctx.config.uid.deviceSerial,
          softwareVersions:
            this.#ctx.equipment.softwareVersions ?? this.#ctx.config.implementation.versionName,
        },
        series: { seriesNumber: 900 },
        observer: {
          uid: this.#ctx.uids.next(),
          name: this.#ctx.config.local.aeTitle,
          manufacturer: this.#ctx.equipment.manufacturer,
        },
        events,
        images: entry.images.map((i) => ({ ...i, seriesInstanceUid: entry.seriesInstanceUid })),
      },
      { uid: () => this.#ctx.uids.next(), characterSet: entry.characterSet },
    );
    const sopInstanceUid = String(report.dataset.SOPInstanceUID);
    const ref = { sopClassUid: XRAY_RADIATION_DOSE_SR_SOP_CLASS as string, sopInstanceUid };
    const part10 = toPart10Buffer(report.dataset);
    entry.others.push(ref);
    const queueItemId = await this.#queueForPacs(entry, ref, part10, () =>
      removeRef(entry.others, sopInstanceUid),
    );
    return { ...ref, queueItemId, part10 };
  }

  #openProcedure(id: string): ProcedureEntry {
    const entry = this.#entries.get(id);
    if (!entry) throw new FacadeError(FACADE_ERROR_CODES.procedure, 'unknown procedure', { details: { id } });
    if (entry.status !== 'IN PROGRESS') {
      throw new FacadeError(FACADE_ERROR_CODES.procedure, `procedure is ${entry.status}`, {
        details: { id },
      });
    }
    return entry;
  }

  #requireWorklistItem(entry: ProcedureEntry): WorklistItem {
    if (entry.worklistItem) return entry.worklistItem;
    throw new FacadeError(
      FACADE_ERROR_CODES.procedure,
      'the worklist attributes of this procedure were lost',
      {
        hint: 'complete or discontinue it; a crash between the writes of startProcedure lost its worklist file',
        details: { id: entry.id },
      },
    );
  }

  #readSubject(id: string): WorklistItem | undefined {
    try {
      return readSubject(this.#ctx.queueDir, id);
    } catch (err) {
      // Unreadable (it is written atomically, so a damaged disk): the procedure can still be ended.
      this.#ctx.log.warn(
        { procedureId: id, err: (err as Error).name },
        'worklist file of a procedure unreadable',
      );
      return undefined;
    }
  }

  /** Procedures IN PROGRESS in an earlier run (console switched off mid-procedure), back in the map. */
  restore(): void {
    sweepSubjects(this.#ctx.queueDir, new Set(Object.keys(this.#ctx.state().procedures)));
    for (const [id, p] of Object.entries(this.#ctx.state().procedures)) {
      if (this.#entries.get(id)?.status === 'IN PROGRESS') continue;
      this.#entries.set(id, {
        id,
        studyInstanceUid: p.studyInstanceUid,
        seriesInstanceUid: p.seriesInstanceUid,
        status: 'IN PROGRESS',
        worklistItem: this.#readSubject(id),
        characterSet: p.characterSet,
        startedAt: new Date(p.startedAt),
        description: p.description,
        images: [...p.images],
        others: [...p.others],
        doseEvents: p.doseEvents.map((e) => ({ ...e, start: new Date(e.start) })),
      });
    }
    if (Object.keys(this.#ctx.state().procedures).length > 0) {
      this.#ctx.log.info(
        { procedures: Object.keys(this.#ctx.state().procedures).length },
        'procedures restored',
      );
    }
  }

  view(entry: ProcedureEntry): Procedure {
    return {
      id: entry.id,
      studyInstanceUid: entry.studyInstanceUid,
      seriesInstanceUid: entry.seriesInstanceUid,
      status: entry.status,
      objects: [...entry.images, ...entry.others],
    };
  }

  /**
   * Records the reference (study and procedure, one atomic write) before it is queued, so a crash
   * after the enqueue never leaves a delivered object out of the N-SET or the commitment. An
   * enqueue that fails takes the reference back out (`rollback` undoes the procedure's part):
   * otherwise the study would wait forever for an object that was never queued (NFR-REL-01).
   */
  async #queueForPacs(
    entry: ProcedureEntry,
    ref: SopRef,
    part10: Uint8Array,
    rollback: () => void,
  ): Promise<number> {
    let study: StudyState | undefined;
    try {
      const queue = this.#ctx.requireQueue();
      requireDestination(this.#ctx.config, 'pacs');
      this.#ctx.state().studies[entry.studyInstanceUid] ??= { references: [], delivered: [], closed: false };
      study = this.#ctx.state().studies[entry.studyInstanceUid]!;
      study.references.push(ref);
      this.#ctx.save();
      const { item } = await queue.enqueue({
        kind: 'c-store',
        destination: 'pacs',
        sopClassUid: ref.sopClassUid,
        sopInstanceUid: ref.sopInstanceUid,
        source: { bytes: part10 },
      });
      return item.id;
    } catch (err) {
      rollback();
      if (study) removeRef(study.references, ref.sopInstanceUid);
      try {
        this.#ctx.save();
      } catch (saveErr) {
        // The enqueue error is the one to report; a stale reference on disk is reconciled at start().
        this.#ctx.log.error(
          { err: (saveErr as Error).name },
          'facade state not saved after a failed enqueue',
        );
      }
      throw err;
    }
  }

  async end(
    id: string,
    status: 'COMPLETED' | 'DISCONTINUED',
    input: CompleteInput & { reason?: CodedEntry },
  ): Promise<Procedure> {
    const entry = this.#openProcedure(id);
    // Ended in memory at once (a second call is refused), on disk only once its N-SET is queued:
    // a crash in between leaves it IN PROGRESS after the restart, never ended without its N-SET.
    entry.status = status;
    this.#ending.add(id);
    try {
      await this.#queueMppsEnd(entry, status, input);
    } catch (err) {
      entry.status = 'IN PROGRESS';
      throw err;
    } finally {
      this.#ending.delete(id);
    }
    const study = this.#ctx.state().studies[entry.studyInstanceUid];
    if (study) study.closed = true;
    this.#ctx.save();
    removeSubject(this.#ctx.queueDir, id);
    await this.#commitments.maybeRequest(entry.studyInstanceUid);
    return this.view(entry);
  }

  async #queueMppsEnd(
    entry: ProcedureEntry,
    status: 'COMPLETED' | 'DISCONTINUED',
    input: CompleteInput & { reason?: CodedEntry },
  ): Promise<void> {
    const queue = this.#ctx.requireQueue();
    if (this.#ctx.config.mpps) {
      const performedSeries =
        entry.images.length + entry.others.length > 0
          ? [
              {
                seriesInstanceUid: entry.seriesInstanceUid,
                protocolName: input.protocolName ?? entry.description ?? 'DX',
                retrieveAeTitle: this.#ctx.config.pacs?.aeTitle,
                referencedImages: entry.images,
                referencedNonImages: entry.others,
              },
            ]
          : [];
      const endedAt = input.endedAt ?? new Date();
      const specificCharacterSet = entry.characterSet?.terms.length ? entry.characterSet.terms : undefined;
      const dataset = buildMppsEnd(
        status === 'COMPLETED'
          ? {
              status,
              endedAt,
              performedSeries,
              ...(input.dose ? { dose: input.dose } : {}),
              ...(specificCharacterSet ? { specificCharacterSet } : {}),
            }
          : {
              status,
              endedAt,
              performedSeries,
              ...(input.reason ? { reason: input.reason } : {}),
              ...(input.dose ? { dose: input.dose } : {}),
              ...(specificCharacterSet ? { specificCharacterSet } : {}),
            },
      );
      await queue.enqueue({
        kind: 'mpps-set',
        destination: 'mpps',
        sopClassUid: MPPS_SOP_CLASS,
        sopInstanceUid: entry.id,
        source: { bytes: Buffer.from(JSON.stringify(dataset)) },
        orderKey: entry.id,
        dedupKey: null,
      });
    }
  }

  /** The open procedures as the state file keeps them. */
  toState(): Record<string, ProcedureState> {
    // Open procedures are written from the map on every save, so an image's reference lands on
    // disk with its study's (one atomic write, before the image is queued).
    const procedures: Record<string, ProcedureState> = {};
    for (const e of this.#entries.values()) {
      if (e.status !== 'IN PROGRESS' && !this.#ending.has(e.id)) continue;
      procedures[e.id] = {
        studyInstanceUid: e.studyInstanceUid,
        seriesInstanceUid: e.seriesInstanceUid,
        startedAt: e.startedAt.getTime(),
        ...(e.description === undefined ? {} : { description: e.description }),
        ...(e.characterSet ? { characterSet: e.characterSet } : {}),
        images: e.images,
        others: e.others,
        doseEvents: e.doseEvents.map((d) => ({
          start: d.start.getTime(),
          dapDgyCm2: d.dapDgyCm2,
          ...(d.kvp === undefined ? {} : { kvp: d.kvp }),
          ...(d.tubeCurrentMa === undefined ? {} : { tubeCurrentMa: d.tubeCurrentMa }),
          ...(d.exposureTimeMs === undefined ? {} : { exposureTimeMs: d.exposureTimeMs }),
        })),
      };
    }
    return procedures;
  }
}

function removeRef(refs: SopRef[], sopInstanceUid: string): void {
  const at = refs.findIndex((r) => r.sopInstanceUid === sopInstanceUid);
  if (at >= 0) refs.splice(at, 1);
}
