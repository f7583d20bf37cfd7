/**
 * `createDicomServices(options)`: the one call that validates the configuration (NFR-CFG-01) and
 * wires the UID generator (FR-DICOM-01), the association pool (FR-DICOM-02), the persistent queue
 * (NFR-REL-01) and the services: worklist (FR-DICOM-03), image build and C-STORE (FR-DICOM-04,
 * -08), MPPS (FR-DICOM-05), storage commitment (FR-DICOM-07) and the dose report (FR-DICOM-09).
 *
 * Everything that leaves the console goes through the queue: an image, the dose report, each MPPS
 * message and the commitment request are queue items, so a PACS or RIS that is down only delays
 * them. MPPS messages of one step share an order key (N-SET never overtakes its N-CREATE).
 * Storage commitment is queued once every object of a study is delivered and its procedure is
 * closed. Events tell the UI what happened; they carry UIDs and counts, never patient data.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { guardLogger, type Logger, silentLogger } from '@hnvue/core';
import { TS } from '@hnvue/dicom';
import {
  type BuiltImage,
  buildCrImage,
  buildDxImage,
  buildRdsr,
  type DxInput,
  type EquipmentInput,
  type IrradiationEvent,
  toPart10Buffer,
  XRAY_RADIATION_DOSE_SR_SOP_CLASS,
} from '@hnvue/iod';
import {
  Association,
  buildMppsCreate,
  buildMppsEnd,
  type CharacterSet,
  COMMAND_FIELD,
  type CodedEntry,
  type CommitmentResult,
  createServer,
  type DicomServer,
  DimseFailureError,
  type DoseSummary,
  encodeDataset,
  findWorklist,
  MPPS_CONTEXT,
  MPPS_SOP_CLASS,
  type NaturalDataset,
  STORAGE_COMMITMENT_CONTEXT,
  STORAGE_COMMITMENT_LISTENER_CONTEXT,
  STORAGE_COMMITMENT_SOP_CLASS,
  StorageClient,
  StorageCommitmentScu,
  VERIFICATION_SOP_CLASS,
  WORKLIST_CONTEXT,
  type WorklistItem,
  type WorklistQuery,
  type WorklistResult,
} from '@hnvue/net';
import {
  DeliveryError,
  type QueueCounts,
  type QueueItem,
  type SendContext,
  TransmissionQueue,
} from '@hnvue/queue';
import { createUidGenerator, type UidGenerator } from '@hnvue/uid';
import { type DicomServiceOptions, parseConfig } from './config/index.js';
import { associationOptionsFor, requireDestination } from './destinations.js';
import { FACADE_ERROR_CODES, FacadeError } from './errors.js';
import {
  emptyState,
  type FacadeState,
  type ProcedureState,
  readState,
  readSubject,
  removeSubject,
  type SopRef,
  type StudyState,
  sweepSubjects,
  writeState,
  writeSubject,
} from './state.js';

export interface CreateDicomServicesOptions {
  /** A DicomServiceOptions object (validated here) or the output of loadConfig. */
  readonly config: unknown;
  /** pino-compatible; wrapped with guardLogger (NFR-SEC-01). */
  readonly logger?: Logger;
  /** Equipment written into every image and dose report. */
  readonly equipment?: EquipmentInput;
  /** Overrides the queue folder derived from `queue.path`. */
  readonly queueDir?: string;
}

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
export type ImageInput = Omit<DxInput, 'worklistItem' | 'patient' | 'study' | 'equipment' | 'series'> & {
  /** DX (default) or CR (only image, anatomy and acquisition are used for CR). */
  readonly kind?: 'DX' | 'CR';
};

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

/** A queue item as events show it: identifiers only. */
export interface DeliveryInfo {
  readonly queueItemId: number;
  readonly kind: QueueItem['kind'];
  readonly destination: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly attempt: number;
}

export interface CommitmentInfo {
  readonly transactionUid: string;
  readonly studyInstanceUid: string;
  readonly committed: readonly SopRef[];
  readonly failed: readonly (SopRef & { readonly failureReason: number })[];
}

/** Typed notifications for the UI (many listeners, no return value). */
export interface DicomServicesEvents {
  delivered: [info: DeliveryInfo];
  retrying: [info: DeliveryInfo, failure: { readonly code: string; readonly reason: string }];
  failed: [info: DeliveryInfo, failure: { readonly code: string; readonly reason: string }];
  progress: [info: DeliveryInfo, bytesSent: number, bytesTotal: number];
  /** Every reference committed. */
  committed: [info: CommitmentInfo];
  /** The PACS reported failed references (operator notification, FR-DICOM-07). */
  commitmentFailed: [info: CommitmentInfo];
  /** No report within `commitment.timeoutMs`; the commitment stays pending (a late report still counts). */
  commitmentTimedOut: [info: { readonly transactionUid: string; readonly studyInstanceUid: string }];
  /** Queue counts after any change. */
  queueStatus: [counts: QueueCounts];
}

interface ProcedureEntry {
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

const N_CREATE_DUPLICATE = 0x0111; // PS3.7 C.5.2: the SCP already has it (an earlier attempt got through)

/** The queue folder for `queue.path`: `hnvue-queue.sqlite` → `hnvue-queue/` beside it. */
export function queueDirFor(path: string): string {
  const absolute = resolve(path);
  return join(dirname(absolute), basename(absolute, extname(absolute)));
}

export class DicomServices extends EventEmitter<DicomServicesEvents> {
  readonly config: DicomServiceOptions;
  readonly uids: UidGenerator;
  readonly #log: Logger;
  readonly #equipment: EquipmentInput;
  readonly #queueDir: string;
  readonly #statePath: string;
  #state: FacadeState = emptyState();
  #queue: TransmissionQueue | undefined;
  #storage: StorageClient | undefined;
  #listener: DicomServer | undefined;
  #listenerPort = 0;
  readonly #commitmentScu: StorageCommitmentScu;
  readonly #procedures = new Map<string, ProcedureEntry>();
  /** Ended in memory, N-SET not queued yet: still written to the state file as IN PROGRESS. */
  readonly #ending = new Set<string>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #running = false;

  constructor(options: CreateDicomServicesOptions) {
    super();
    this.config = parseConfig(options.config);
    this.#log = guardLogger(options.logger ?? silentLogger).child({ component: 'facade' });
    this.uids = createUidGenerator({
      ...(this.config.uid.orgRoot ? { orgRoot: this.config.uid.orgRoot } : {}),
      deviceSerial: this.config.uid.deviceSerial,
    });
    this.#equipment = options.equipment ?? {
      manufacturer: 'HnVue',
      manufacturerModelName: 'HnVue DR',
      deviceSerialNumber: this.config.uid.deviceSerial,
      softwareVersions: this.config.implementation.versionName,
      stationName: this.config.local.aeTitle,
    };
    this.#queueDir = options.queueDir ?? queueDirFor(this.config.queue.path);
    this.#statePath = join(this.#queueDir, 'facade-state.json');
    // Our own timers decide timeouts, so restored commitments time out the same way (FR-DICOM-07).
    this.#commitmentScu = new StorageCommitmentScu({ uids: { next: () => this.uids.next() }, timeoutMs: 0 });
    this.#commitmentScu.on('result', (r) => this.#onReport(r));
    this.#commitmentScu.on('unknownTransaction', (r) => this.#onReport(r));
  }

  /** The port of our listener (storage commitment reports on a new association). */
  get listenerPort(): number {
    return this.#listenerPort;
  }

  get running(): boolean {
    return this.#running;
  }

  /**
   * Opens the queue (items of an earlier run are rescheduled), restores pending commitments and
   * the procedures in progress, starts the listener and the delivery worker.
   */
  async start(): Promise<void> {
    if (this.#running) return;
    mkdirSync(this.#queueDir, { recursive: true });
    this.#state = readState(this.#statePath);
    this.#restoreProcedures();
    const { pacs } = this.config;
    if (pacs) {
      this.#storage = new StorageClient(
        {
          ...storageDestination(this.config, pacs, this.#log),
        },
        { pool: { ...this.config.associationPool }, logger: this.#log },
      );
    }
    this.#queue = await TransmissionQueue.open({
      dir: this.#queueDir,
      sender: (item, ctx) => this.#send(item, ctx),
      logger: this.#log,
      initialIntervalMs: this.config.queue.initialIntervalMs,
      backoffMultiplier: this.config.queue.backoffMultiplier,
      maxAttempts: this.config.queue.maxAttempts,
      maxConcurrencyPerDestination: this.config.associationPool.maxSize,
    });
    this.#wireQueueEvents(this.#queue);
    try {
      // The listener is up before any N-ACTION goes out: Orthanc may report before its N-ACTION-RSP is read.
      if (this.config.commitment) await this.#startListener();
    } catch (err) {
      await this.#queue.close({ graceMs: 0 });
      await this.#storage?.close();
      this.#queue = undefined;
      this.#storage = undefined;
      throw err;
    }
    for (const [transactionUid, pending] of Object.entries(this.#state.commitments)) {
      this.#armCommitmentTimer(transactionUid, pending.requestedAt);
    }
    this.#running = true;
    this.#reconcileWithQueue(this.#queue);
    this.#queue.start();
    // A crash between the last delivery and queuing its commitment: queue it now.
    for (const studyInstanceUid of Object.keys(this.#state.studies))
      await this.#maybeRequestCommitment(studyInstanceUid);
    await this.#requeueLostCommitments(this.#queue);
    this.#log.info(
      { listenerPort: this.#listenerPort, pendingCommitments: Object.keys(this.#state.commitments).length },
      'DICOM services started',
    );
  }

  /**
   * Graceful stop: deliveries in flight get `graceMs` to finish (then go back to the queue), the
   * association pools are released, the listener closes. Pending commitments stay on disk.
   */
  async stop(options: { readonly graceMs?: number } = {}): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await this.#queue?.close({ graceMs: options.graceMs ?? 10_000 });
    await this.#storage?.close();
    await this.#listener?.close();
    this.#commitmentScu.close();
    this.#queue = undefined;
    this.#storage = undefined;
    this.#listener = undefined;
    this.#log.info({}, 'DICOM services stopped');
  }

  /** Worklist C-FIND (FR-DICOM-03): every match, as it arrives, on one association to `ris`. */
  async *worklist(
    query: WorklistQuery = {},
    options: { readonly signal?: AbortSignal; readonly limit?: number } = {},
  ): AsyncGenerator<WorklistResult, void, undefined> {
    const ris = requireDestination(this.config, 'ris');
    const association = await Association.open({
      ...associationOptionsFor(this.config, ris, this.#log),
      presentationContexts: [WORKLIST_CONTEXT],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    try {
      yield* findWorklist(association, query, options);
      await association.release();
    } catch (err) {
      association.abort();
      throw err;
    } finally {
      if (association.usable) await association.release().catch(() => association.abort());
    }
  }

  /** The whole worklist answer as an array. */
  async queryWorklist(
    query: WorklistQuery = {},
    options: { readonly signal?: AbortSignal; readonly limit?: number } = {},
  ): Promise<WorklistResult[]> {
    const out: WorklistResult[] = [];
    for await (const r of this.worklist(query, options)) out.push(r);
    return out;
  }

  /** Starts a procedure: MPPS N-CREATE IN PROGRESS, queued (FR-DICOM-05). */
  async startProcedure(input: StartProcedureInput): Promise<Procedure> {
    const queue = this.#requireQueue();
    const { item } = input.worklist;
    const characterSet = input.worklist.characterSet;
    const id = this.uids.next();
    const studyInstanceUid = item.studyInstanceUid ?? this.uids.next();
    const entry: ProcedureEntry = {
      id,
      studyInstanceUid,
      seriesInstanceUid: this.uids.next(),
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
    if (entry.worklistItem) writeSubject(this.#queueDir, id, entry.worklistItem);
    this.#procedures.set(id, entry);
    this.#state.studies[studyInstanceUid] ??= { references: [], delivered: [], closed: false };
    this.#saveState();
    if (this.config.mpps) {
      const step = item.scheduledProcedureSteps[0];
      const dataset = buildMppsCreate({
        worklistItem: item,
        performedProcedureStepId: id.slice(-16),
        startedAt: entry.startedAt,
        ...(entry.description ? { description: entry.description } : {}),
        performedStationAeTitle: this.config.local.aeTitle,
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
    return this.#view(entry);
  }

  /**
   * Builds a DX (or CR) image for the procedure with the IHE SWF attributes of its worklist item
   * and queues it for the PACS (FR-DICOM-04, -08). Resolves once the image is safely queued.
   */
  async storeImage(procedureId: string, input: ImageInput): Promise<StoredObject> {
    const entry = this.#openProcedure(procedureId);
    const worklistItem = this.#requireWorklistItem(entry);
    const options = {
      uid: () => this.uids.next(),
      characterSet: entry.characterSet,
    };
    const series = {
      seriesInstanceUid: entry.seriesInstanceUid,
      seriesNumber: 1,
      performedProcedureStep: { sopInstanceUid: entry.id, start: entry.startedAt },
    };
    const common = { worklistItem, equipment: this.#equipment, series };
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
          ...this.#equipment,
          manufacturerModelName: this.#equipment.manufacturerModelName ?? 'HnVue DR',
          deviceSerialNumber: this.#equipment.deviceSerialNumber ?? this.config.uid.deviceSerial,
          softwareVersions: this.#equipment.softwareVersions ?? this.config.implementation.versionName,
        },
        series: { seriesNumber: 900 },
        observer: {
          uid: this.uids.next(),
          name: this.config.local.aeTitle,
          manufacturer: this.#equipment.manufacturer,
        },
        events,
        images: entry.images.map((i) => ({ ...i, seriesInstanceUid: entry.seriesInstanceUid })),
      },
      { uid: () => this.uids.next(), characterSet: entry.characterSet },
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

  /** MPPS N-SET COMPLETED (queued); storage commitment follows once the study is delivered. */
  async completeProcedure(procedureId: string, input: CompleteInput = {}): Promise<Procedure> {
    return await this.#end(procedureId, 'COMPLETED', input);
  }

  /** MPPS N-SET DISCONTINUED (queued), e.g. reason 110514 "Incorrect worklist entry selected". */
  async discontinueProcedure(
    procedureId: string,
    input: CompleteInput & { readonly reason?: CodedEntry } = {},
  ): Promise<Procedure> {
    return await this.#end(procedureId, 'DISCONTINUED', input);
  }

  procedure(procedureId: string): Procedure | undefined {
    const entry = this.#procedures.get(procedureId);
    return entry ? this.#view(entry) : undefined;
  }

  /** Queue counts (for a status bar), items (for a list), and an explicit retry of a FAILED item. */
  queueStatus(): QueueCounts {
    return this.#requireQueue().counts();
  }

  queueItems(filter: Parameters<TransmissionQueue['list']>[0] = {}): QueueItem[] {
    return this.#requireQueue().list(filter);
  }

  retry(queueItemId: number): QueueItem {
    return this.#requireQueue().requeue(queueItemId);
  }

  /** Commitments awaiting their report (also those restored from an earlier run). */
  pendingCommitments(): {
    transactionUid: string;
    studyInstanceUid: string;
    requestedAt: Date;
    timedOut: boolean;
  }[] {
    return Object.entries(this.#state.commitments).map(([transactionUid, p]) => ({
      transactionUid,
      studyInstanceUid: p.studyInstanceUid,
      requestedAt: new Date(p.requestedAt),
      timedOut: p.timedOut,
    }));
  }

  // -------------------------------------------------------------------------------------------

  #requireQueue(): TransmissionQueue {
    if (!this.#queue || !this.#running) {
      throw new FacadeError(FACADE_ERROR_CODES.notRunning, 'DICOM services are not started', {
        hint: 'call start() first',
      });
    }
    return this.#queue;
  }

  #openProcedure(id: string): ProcedureEntry {
    const entry = this.#procedures.get(id);
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
      return readSubject(this.#queueDir, id);
    } catch (err) {
      // Unreadable (it is written atomically, so a damaged disk): the procedure can still be ended.
      this.#log.warn(
        { procedureId: id, err: (err as Error).name },
        'worklist file of a procedure unreadable',
      );
      return undefined;
    }
  }

  /** Procedures IN PROGRESS in an earlier run (console switched off mid-procedure), back in the map. */
  #restoreProcedures(): void {
    sweepSubjects(this.#queueDir, new Set(Object.keys(this.#state.procedures)));
    for (const [id, p] of Object.entries(this.#state.procedures)) {
      if (this.#procedures.get(id)?.status === 'IN PROGRESS') continue;
      this.#procedures.set(id, {
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
    if (Object.keys(this.#state.procedures).length > 0) {
      this.#log.info({ procedures: Object.keys(this.#state.procedures).length }, 'procedures restored');
    }
  }

  #view(entry: ProcedureEntry): Procedure {
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
      const queue = this.#requireQueue();
      requireDestination(this.config, 'pacs');
      this.#state.studies[entry.studyInstanceUid] ??= { references: [], delivered: [], closed: false };
      study = this.#state.studies[entry.studyInstanceUid]!;
      study.references.push(ref);
      this.#saveState();
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
        this.#saveState();
      } catch (saveErr) {
        // The enqueue error is the one to report; a stale reference on disk is reconciled at start().
        this.#log.error({ err: (saveErr as Error).name }, 'facade state not saved after a failed enqueue');
      }
      throw err;
    }
  }

  async #end(
    id: string,
    status: 'COMPLETED' | 'DISCONTINUED',
    input: CompleteInput & { reason?: CodedEntry },
  ) {
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
    const study = this.#state.studies[entry.studyInstanceUid];
    if (study) study.closed = true;
    this.#saveState();
    removeSubject(this.#queueDir, id);
    await this.#maybeRequestCommitment(entry.studyInstanceUid);
    return this.#view(entry);
  }

  async #queueMppsEnd(
    entry: ProcedureEntry,
    status: 'COMPLETED' | 'DISCONTINUED',
    input: CompleteInput & { reason?: CodedEntry },
  ): Promise<void> {
    const queue = this.#requireQueue();
    if (this.config.mpps) {
      const performedSeries =
        entry.images.length + entry.others.length > 0
          ? [
              {
                seriesInstanceUid: entry.seriesInstanceUid,
                protocolName: input.protocolName ?? entry.description ?? 'DX',
                retrieveAeTitle: this.config.pacs?.aeTitle,
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

  async #maybeRequestCommitment(studyInstanceUid: string): Promise<void> {
    const study = this.#state.studies[studyInstanceUid];
    if (!study?.closed || study.commitment || study.references.length === 0) return;
    if (!study.references.every((r) => study.delivered.includes(r.sopInstanceUid))) return;
    if (!this.config.commitment || !this.#queue) return;
    const transactionUid = this.uids.next();
    // Set in memory at once (a concurrent delivery event must not queue a second transaction), on
    // disk only once queued: a crash or an enqueue error in between leaves no transaction UID
    // without its queue item, which start() would otherwise skip forever (NFR-REL-01).
    study.commitment = transactionUid;
    try {
      await this.#enqueueCommitment(this.#queue, transactionUid, studyInstanceUid, study.references);
    } catch (err) {
      if (study.commitment === transactionUid) delete study.commitment;
      throw err;
    }
    this.#saveState();
  }

  async #enqueueCommitment(
    queue: TransmissionQueue,
    transactionUid: string,
    studyInstanceUid: string,
    references: readonly SopRef[],
  ): Promise<void> {
    // The dedup key is the transaction UID: queuing it again (start() reconciling) is a no-op.
    await queue.enqueue({
      kind: 'storage-commitment',
      destination: 'commitment',
      sopClassUid: STORAGE_COMMITMENT_SOP_CLASS,
      sopInstanceUid: transactionUid,
      source: { bytes: Buffer.from(JSON.stringify({ transactionUid, studyInstanceUid, references })) },
    });
  }

  /**
   * A kill between the queue committing a delivery (DONE) and the facade recording it: the study
   * would wait forever. Every reference whose c-store item is DONE counts as delivered.
   */
  #reconcileWithQueue(queue: TransmissionQueue): void {
    const studies = Object.values(this.#state.studies).filter(
      (s) => s.delivered.length < s.references.length,
    );
    if (studies.length === 0) return;
    const done = new Set(
      queue
        .list({ state: 'DONE', destination: 'pacs' })
        .filter((i) => i.kind === 'c-store')
        .map((i) => i.sopInstanceUid),
    );
    let marked = 0;
    for (const study of studies) {
      for (const ref of study.references) {
        if (done.has(ref.sopInstanceUid) && !study.delivered.includes(ref.sopInstanceUid)) {
          study.delivered.push(ref.sopInstanceUid);
          marked++;
        }
      }
    }
    if (marked === 0) return;
    this.#saveState();
    this.#log.info({ delivered: marked }, 'deliveries recorded from the queue after a restart');
  }

  /**
   * A transaction UID on disk with neither a queue item nor a pending commitment (a crash between
   * the two writes of an earlier version): queue it again. Idempotent through the dedup key.
   */
  async #requeueLostCommitments(queue: TransmissionQueue): Promise<void> {
    if (!this.config.commitment) return;
    for (const [studyInstanceUid, study] of Object.entries(this.#state.studies)) {
      const transactionUid = study.commitment;
      if (!transactionUid || this.#state.commitments[transactionUid]) continue;
      try {
        await this.#enqueueCommitment(queue, transactionUid, studyInstanceUid, study.references);
      } catch (err) {
        this.#log.error(
          { transactionUid, err: (err as Error).name },
          'storage commitment could not be queued',
        );
      }
    }
  }

  #wireQueueEvents(queue: TransmissionQueue): void {
    const info = (item: QueueItem): DeliveryInfo => ({
      queueItemId: item.id,
      kind: item.kind,
      destination: item.destination,
      sopClassUid: item.sopClassUid,
      sopInstanceUid: item.sopInstanceUid,
      attempt: item.attemptCount,
    });
    const status = () => {
      if (this.#queue) this.emit('queueStatus', this.#queue.counts());
    };
    queue.on('enqueued', status);
    queue.on('progress', (item, sent, total) => this.emit('progress', info(item), sent, total));
    queue.on('retrying', (item, f) => {
      this.emit('retrying', info(item), { code: f.code, reason: f.reason });
      status();
    });
    queue.on('failed', (item, f) => {
      this.emit('failed', info(item), { code: f.code, reason: f.reason });
      status();
    });
    queue.on('delivered', (item) => {
      if (item.kind === 'c-store') {
        for (const [uid, study] of Object.entries(this.#state.studies)) {
          if (study.references.some((r) => r.sopInstanceUid === item.sopInstanceUid)) {
            if (!study.delivered.includes(item.sopInstanceUid)) study.delivered.push(item.sopInstanceUid);
            this.#saveState();
            void this.#maybeRequestCommitment(uid).catch((err: Error) =>
              this.#log.error({ err: err.message }, 'storage commitment could not be queued'),
            );
          }
        }
      }
      this.emit('delivered', info(item));
      status();
    });
  }

  async #send(item: QueueItem, ctx: SendContext): Promise<void> {
    switch (item.kind) {
      case 'c-store':
        return await this.#sendStore(item, ctx);
      case 'mpps-create':
      case 'mpps-set':
        return await this.#sendMpps(item);
      case 'storage-commitment':
        return await this.#sendCommitment(item);
      default: {
        const never: never = item.kind;
        throw new FacadeError(FACADE_ERROR_CODES.procedure, `unknown queue item kind ${String(never)}`);
      }
    }
  }

  async #sendStore(item: QueueItem, ctx: SendContext): Promise<void> {
    // A PACS removed from the configuration while items wait: FAILED with HNV_ERR_NOT_CONFIGURED.
    const storage = this.#storage;
    if (!storage) {
      throw new DeliveryError('no pacs destination is configured', {
        retryable: false,
        code: FACADE_ERROR_CODES.notConfigured,
      });
    }
    await storage.store(item.path, {
      signal: ctx.signal,
      onProgress: (p) => ctx.onProgress(p.bytesSent, p.totalBytes),
    });
  }

  async #sendMpps(item: QueueItem): Promise<void> {
    const mpps = requireDestination(this.config, 'mpps');
    const dataset = JSON.parse(await readFile(item.path, 'utf8')) as NaturalDataset;
    const association = await Association.open({
      ...associationOptionsFor(this.config, mpps, this.#log),
      presentationContexts: [MPPS_CONTEXT],
    });
    try {
      const { transferSyntax } = association.contextFor(MPPS_SOP_CLASS);
      const bytes = encodeDataset(dataset, { transferSyntax });
      // Sent directly rather than through MppsProcedureStep: a queued N-SET may run in a later
      // process than its N-CREATE, where no step object in IN PROGRESS state exists.
      try {
        await association.send({
          abstractSyntax: MPPS_SOP_CLASS,
          command:
            item.kind === 'mpps-create'
              ? {
                  commandField: COMMAND_FIELD['N-CREATE-RQ'],
                  affectedSopClassUid: MPPS_SOP_CLASS,
                  affectedSopInstanceUid: item.sopInstanceUid,
                }
              : {
                  commandField: COMMAND_FIELD['N-SET-RQ'],
                  requestedSopClassUid: MPPS_SOP_CLASS,
                  requestedSopInstanceUid: item.sopInstanceUid,
                },
          dataset: bytes,
        });
      } catch (err) {
        const retriedCreate =
          item.kind === 'mpps-create' &&
          err instanceof DimseFailureError &&
          err.status === N_CREATE_DUPLICATE;
        if (!retriedCreate) throw err;
      }
      await association.release();
    } catch (err) {
      association.abort();
      throw err;
    }
  }

  async #sendCommitment(item: QueueItem): Promise<void> {
    const commitment = requireDestination(this.config, 'commitment');
    const payload = JSON.parse(await readFile(item.path, 'utf8')) as {
      transactionUid: string;
      studyInstanceUid: string;
      references: SopRef[];
    };
    const requestedAt = Date.now();
    this.#state.commitments[payload.transactionUid] = {
      studyInstanceUid: payload.studyInstanceUid,
      references: payload.references,
      requestedAt,
      timedOut: false,
    };
    this.#saveState();
    const association = await Association.open({
      ...associationOptionsFor(this.config, commitment, this.#log),
      presentationContexts: [STORAGE_COMMITMENT_CONTEXT],
      requestHandler: this.#commitmentScu.reportHandler,
    }).catch((err: unknown) => {
      delete this.#state.commitments[payload.transactionUid];
      this.#saveState();
      throw err;
    });
    let pending: Awaited<ReturnType<StorageCommitmentScu['request']>>;
    try {
      pending = await this.#commitmentScu.request(association, payload.references, {
        transactionUid: payload.transactionUid,
        timeoutMs: 0,
      });
    } catch (err) {
      association.abort();
      if (this.#state.commitments[payload.transactionUid]) {
        delete this.#state.commitments[payload.transactionUid];
        this.#saveState();
      }
      throw err;
    }
    // The N-ACTION-RSP arrived (PS3.4 J.3.2): the request is delivered and the report may come on
    // any association from now on. Nothing after this point may fail the item: a retry would send
    // the same transaction again and drop the pending state the report needs.
    this.#armCommitmentTimer(payload.transactionUid, requestedAt);
    try {
      if (this.config.commitment?.reportOn === 'same-association') {
        // PS3.4 J.3.3: the report comes on this association; keep it open until then (bounded).
        await Promise.race([
          pending.result,
          new Promise((r) => setTimeout(r, Math.min(commitment.timeoutMs, 60_000)).unref()),
        ]);
      }
      await association.release();
    } catch (err) {
      association.abort();
      this.#log.warn(
        { transactionUid: payload.transactionUid, err: (err as Error).name },
        'commitment association not released cleanly after its N-ACTION-RSP; the request stands',
      );
    }
  }

  #armCommitmentTimer(transactionUid: string, requestedAt: number): void {
    const timeoutMs = this.config.commitment?.timeoutMs ?? 600_000;
    const pending = this.#state.commitments[transactionUid];
    if (!pending || pending.timedOut) return;
    const delay = Math.max(0, requestedAt + timeoutMs - Date.now());
    // A retried request re-arms: one timer per transaction.
    clearTimeout(this.#timers.get(transactionUid));
    const timer = setTimeout(() => {
      this.#timers.delete(transactionUid);
      const current = this.#state.commitments[transactionUid];
      if (!current) return;
      current.timedOut = true;
      try {
        this.#saveState();
      } catch (err) {
        // A timer callback has no caller: a throw here would be an uncaught exception that ends the
        // console. The flag stays set in memory and reaches the disk with the next save.
        this.#log.error({ transactionUid, err: (err as Error).name }, 'facade state not saved');
      }
      this.#log.warn({ transactionUid }, 'storage commitment timed out');
      this.emit('commitmentTimedOut', { transactionUid, studyInstanceUid: current.studyInstanceUid });
    }, delay);
    timer.unref();
    this.#timers.set(transactionUid, timer);
  }

  #onReport(result: CommitmentResult): void {
    const pending = this.#state.commitments[result.transactionUid];
    if (!pending) {
      this.#log.warn(
        { transactionUid: result.transactionUid },
        'commitment report for an unknown transaction',
      );
      return;
    }
    delete this.#state.commitments[result.transactionUid];
    const study = this.#state.studies[pending.studyInstanceUid];
    if (study?.commitment === result.transactionUid && result.failed.length === 0) {
      delete this.#state.studies[pending.studyInstanceUid];
    }
    this.#saveState();
    const timer = this.#timers.get(result.transactionUid);
    if (timer) clearTimeout(timer);
    this.#timers.delete(result.transactionUid);
    const info: CommitmentInfo = {
      transactionUid: result.transactionUid,
      studyInstanceUid: pending.studyInstanceUid,
      committed: result.committed,
      failed: result.failed,
    };
    this.#log.info(
      { transactionUid: result.transactionUid, committed: info.committed.length, failed: info.failed.length },
      'storage commitment report',
    );
    this.emit(result.failed.length === 0 ? 'committed' : 'commitmentFailed', info);
  }

  async #startListener(): Promise<void> {
    const { local } = this.config;
    const tls = this.config.tls;
    this.#listener = createServer({
      aeTitles: [local.aeTitle],
      ...(local.acceptCallingAeTitles ? { callingAeTitles: [...local.acceptCallingAeTitles] } : {}),
      contexts: [
        {
          abstractSyntax: VERIFICATION_SOP_CLASS,
          transferSyntaxes: [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian],
        },
        STORAGE_COMMITMENT_LISTENER_CONTEXT,
      ],
      handlers: { 'N-EVENT-REPORT': this.#commitmentScu.reportHandler },
      maxAssociations: local.maxAssociations,
      maxPduLength: local.maxPduLength,
      implementationClassUid: this.config.implementation.classUid,
      implementationVersionName: this.config.implementation.versionName,
      timeouts: { ...local.timeouts },
      ...(local.tls.enabled
        ? {
            tls: {
              ...(tls.certPath ? { certFile: tls.certPath } : {}),
              ...(tls.keyPath ? { keyFile: tls.keyPath } : {}),
              ...(tls.pfxPath ? { pfxFile: tls.pfxPath } : {}),
              ...(tls.caPaths?.length ? { caFile: [...tls.caPaths] } : {}),
              ...(tls.passphrase ? { passphrase: tls.passphrase } : {}),
              minVersion: tls.minVersion,
              requireClientCertificate: local.tls.requireClientCertificate,
            },
          }
        : {}),
      logger: this.#log,
    });
    this.#listenerPort = await this.#listener.listen(local.port, local.bindAddress);
  }

  #saveState(): void {
    // Open procedures are written from the map on every save, so an image's reference lands on
    // disk with its study's (one atomic write, before the image is queued).
    const procedures: Record<string, ProcedureState> = {};
    for (const e of this.#procedures.values()) {
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
    this.#state.procedures = procedures;
    writeState(this.#statePath, this.#state);
  }
}

function removeRef(refs: SopRef[], sopInstanceUid: string): void {
  const at = refs.findIndex((r) => r.sopInstanceUid === sopInstanceUid);
  if (at >= 0) refs.splice(at, 1);
}

function storageDestination(
  config: DicomServiceOptions,
  pacs: NonNullable<DicomServiceOptions['pacs']>,
  logger: Logger,
): ConstructorParameters<typeof StorageClient>[0] {
  const a = associationOptionsFor(config, pacs, logger);
  return {
    host: a.host,
    port: a.port,
    calledAeTitle: a.calledAeTitle,
    callingAeTitle: a.callingAeTitle,
    transferSyntaxes: pacs.transferSyntaxes,
    allowLossy: pacs.allowLossy,
    proposeImplicit: !pacs.dropImplicitFallback,
    ...(a.connector ? { connector: a.connector } : {}),
    ...(a.timeouts ? { timeouts: a.timeouts } : {}),
    ...(a.maxPduLength ? { maxPduLength: a.maxPduLength } : {}),
    ...(a.asyncOpsWindow ? { asyncOpsWindow: a.asyncOpsWindow } : {}),
    ...(a.framing ? { framing: a.framing } : {}),
  };
}

/**
 * Validates the configuration and wires every service; call `start()` on the result. Other
 * components can still use any single package (@hnvue/net, @hnvue/queue, @hnvue/iod) without it.
 */
export function createDicomServices(options: CreateDicomServicesOptions): DicomServices {
  return new DicomServices(options);
}
