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
 *
 * This file is the public object; the work is in procedures.ts, commitments.ts, senders/,
 * events.ts and wiring.ts.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { guardLogger, type Logger, silentLogger } from '@hnvue/core';
import type { IrradiationEvent } from '@hnvue/iod';
import type { CodedEntry, DicomServer, StorageClient, WorklistQuery, WorklistResult } from '@hnvue/net';
import type { DestinationHealth, QueueCounts, QueueItem, TransmissionQueue } from '@hnvue/queue';
import { createUidGenerator, type UidGenerator } from '@hnvue/uid';
import { checkCertificates } from './certificates.js';
import { Commitments, type PendingCommitment } from './commitments.js';
import { type DicomServiceOptions, parseConfig } from './config/index.js';
import { FACADE_ERROR_CODES, FacadeError } from './errors.js';
import { type DicomServicesEvents, wireQueueEvents } from './events.js';
import { migrateLegacyState } from './migrate.js';
import {
  type PrintImageInput,
  type PrintJobInfo,
  type PrintOptions,
  printDelivered,
  queuePrint,
} from './print.js';
import {
  type CompleteInput,
  type ImageInput,
  type Procedure,
  Procedures,
  type StartProcedureInput,
  type StoredObject,
} from './procedures.js';
import { createSender } from './senders/index.js';
import {
  type CreateDicomServicesOptions,
  createListener,
  createStorage,
  defaultEquipment,
  type FacadeContext,
  needsListener,
  openQueue,
  queueDirFor,
} from './wiring.js';
import { type WorklistOptions, worklist } from './worklist.js';

export type {
  CommitmentExpiredInfo,
  CommitmentInfo,
  CommitmentReRequestInfo,
  CommitmentTimeoutInfo,
  DeliveryInfo,
  DicomServicesEvents,
  PrintedInfo,
  PrinterStatusInfo,
  PrintJobStatusInfo,
  StudyDeliveredInfo,
} from './events.js';
export type { PrintImageInput, PrintJobInfo, PrintOptions } from './print.js';
export type {
  CompleteInput,
  ImageInput,
  Procedure,
  StartProcedureInput,
  StoredObject,
} from './procedures.js';
export { type CreateDicomServicesOptions, queueDirFor } from './wiring.js';

export class DicomServices extends EventEmitter<DicomServicesEvents> {
  readonly config: DicomServiceOptions;
  readonly uids: UidGenerator;
  readonly #log: Logger;
  readonly #ctx: FacadeContext;
  readonly #commitments: Commitments;
  readonly #procedures: Procedures;
  #queue: TransmissionQueue | undefined;
  #storage = new Map<string, StorageClient>();
  #listener: DicomServer | undefined;
  #listenerPort = 0;
  #running = false;

  constructor(options: CreateDicomServicesOptions) {
    super();
    this.config = parseConfig(options.config);
    this.#log = guardLogger(options.logger ?? silentLogger).child({ component: 'facade' });
    this.uids = createUidGenerator({
      ...(this.config.uid.orgRoot ? { orgRoot: this.config.uid.orgRoot } : {}),
      deviceSerial: this.config.uid.deviceSerial,
    });
    const queueDir = options.queueDir ?? queueDirFor(this.config.queue.path);
    this.#ctx = {
      config: this.config,
      log: this.#log,
      uids: this.uids,
      queueDir,
      equipment: options.equipment ?? defaultEquipment(this.config),
      events: this,
      requireQueue: () => this.#requireQueue(),
      queue: () => this.#queue,
    };
    this.#commitments = new Commitments(this.#ctx);
    this.#procedures = new Procedures(this.#ctx, this.#commitments);
  }

  /** The port of our listener (storage commitment reports on a new association). */
  get listenerPort(): number {
    return this.#listenerPort;
  }

  get running(): boolean {
    return this.#running;
  }

  /**
   * Opens the queue (items of an earlier run are rescheduled; its records hold the procedures in
   * progress, the studies and the pending commitments), starts the listener and the delivery worker.
   */
  async start(): Promise<void> {
    if (this.#running) return;
    // NFR-SEC-02: an expired certificate, a missing key or a removed/locked token fails here.
    const certificates = checkCertificates(this.config);
    for (const { use, info } of certificates) {
      this.#log.info(
        { use, source: info.source, notAfter: info.notAfter?.toISOString(), keyLocation: info.keyLocation },
        'TLS certificate',
      );
    }
    mkdirSync(this.#ctx.queueDir, { recursive: true });
    const sender = createSender(this.#ctx, this.#commitments, (d) => this.#storage.get(d));
    const onDelivered: Parameters<typeof openQueue>[3] = (item, records, tx) => {
      this.#commitments.onDelivered(item, records, tx);
      printDelivered(item, records);
    };
    this.#queue = await openQueue(this.config, this.#ctx.queueDir, sender, onDelivered, this.#log);
    // After the queue: a queue that does not open (locked, damaged) leaves no pool behind.
    this.#storage = createStorage(this.config, this.#log);
    wireQueueEvents(this.#queue, this, () => this.#queue);
    try {
      migrateLegacyState(this.#ctx.queueDir, this.#queue, this.#commitments, this.#log);
      // The listener is up before any N-ACTION goes out: Orthanc may report before its N-ACTION-RSP is read.
      if (needsListener(this.config)) {
        this.#listener = createListener(this.config, this.#commitments.scu.reportHandler, this.#log);
        this.#listenerPort = await this.#listener.listen(
          this.config.local.port,
          this.config.local.bindAddress,
        );
      }
    } catch (err) {
      await this.#queue.close({ graceMs: 0 });
      await this.#closeStorage();
      this.#queue = undefined;
      throw err;
    }
    this.#running = true;
    this.#commitments.restore();
    this.#queue.start();
    const pendingCommitments = this.#commitments.pending().length;
    this.#log.info({ listenerPort: this.#listenerPort, pendingCommitments }, 'DICOM services started');
  }

  /**
   * Graceful stop: deliveries in flight get `graceMs` to finish (then go back to the queue), the
   * association pools are released, the listener closes. Pending commitments stay in the queue's database.
   */
  async stop(options: { readonly graceMs?: number } = {}): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#commitments.stop();
    await this.#queue?.close({ graceMs: options.graceMs ?? 10_000 });
    await this.#closeStorage();
    await this.#listener?.close();
    this.#commitments.close();
    this.#queue = undefined;
    this.#listener = undefined;
    this.#log.info({}, 'DICOM services stopped');
  }

  /** Worklist C-FIND (FR-DICOM-03): every match, as it arrives, on one association to `ris`. */
  worklist(
    query: WorklistQuery = {},
    options: WorklistOptions = {},
  ): AsyncGenerator<WorklistResult, void, undefined> {
    return worklist(this.config, this.#log, query, options);
  }

  /** The whole worklist answer as an array. */
  async queryWorklist(query: WorklistQuery = {}, options: WorklistOptions = {}): Promise<WorklistResult[]> {
    const out: WorklistResult[] = [];
    for await (const r of this.worklist(query, options)) out.push(r);
    return out;
  }

  /** Starts a procedure: MPPS N-CREATE IN PROGRESS, queued (FR-DICOM-05). */
  async startProcedure(input: StartProcedureInput): Promise<Procedure> {
    return await this.#procedures.start(input);
  }

  /**
   * Builds a DX (or CR) image for the procedure with the IHE SWF attributes of its worklist item
   * and queues it for the PACS (FR-DICOM-04, -08). Resolves once the image is safely queued.
   */
  async storeImage(procedureId: string, input: ImageInput): Promise<StoredObject> {
    return await this.#procedures.storeImage(procedureId, input);
  }

  /**
   * Builds the X-Ray Radiation Dose SR (FR-DICOM-09) of the procedure from the exposures of its
   * images (or `events`) and queues it for the PACS with the study.
   */
  async storeDoseReport(
    procedureId: string,
    input: { readonly events?: readonly IrradiationEvent[] } = {},
  ): Promise<StoredObject> {
    return await this.#procedures.storeDoseReport(procedureId, input);
  }

  /** MPPS N-SET COMPLETED (queued); storage commitment follows once the study is delivered. */
  async completeProcedure(procedureId: string, input: CompleteInput = {}): Promise<Procedure> {
    return await this.#procedures.end(procedureId, 'COMPLETED', input);
  }

  /** MPPS N-SET DISCONTINUED (queued), e.g. reason 110514 "Incorrect worklist entry selected". */
  async discontinueProcedure(
    procedureId: string,
    input: CompleteInput & { readonly reason?: CodedEntry } = {},
  ): Promise<Procedure> {
    return await this.#procedures.end(procedureId, 'DISCONTINUED', input);
  }

  procedure(procedureId: string): Procedure | undefined {
    return this.#procedures.get(procedureId);
  }

  /**
   * Prints the images on the `printer` destination (FR-DICOM-11): each prepared for its image box
   * now (a bad image throws here), the job queued as one item and printed by the queue, retried
   * while the printer is busy, unreachable or in FAILURE, and kept across a restart. Resolves once
   * the job is safely queued; `printerStatus`, `printed`, `retrying` and `failed` tell the rest.
   */
  async print(images: readonly PrintImageInput[], options: PrintOptions = {}): Promise<PrintJobInfo> {
    return await queuePrint(this.#ctx, images, options);
  }

  /** Queue counts (for a status bar), items (for a list), and an explicit retry of a FAILED item. */
  queueStatus(): QueueCounts {
    return this.#requireQueue().counts();
  }

  queueItems(filter: Parameters<TransmissionQueue['list']>[0] = {}): QueueItem[] {
    return this.#requireQueue().list(filter);
  }

  /**
   * A destination's circuit breaker (closed, open, half-open) as the queue sees it: `pacs`, a
   * `storage.<name>`, `<name>/commitment`; without a name, every destination that is not closed.
   */
  queueHealth(): DestinationHealth[];
  queueHealth(destination: string): DestinationHealth;
  queueHealth(destination?: string): DestinationHealth[] | DestinationHealth {
    const queue = this.#requireQueue();
    return destination === undefined ? queue.health() : queue.health(destination);
  }

  retry(queueItemId: number): QueueItem {
    return this.#requireQueue().requeue(queueItemId);
  }

  /** Commitments awaiting their report (also those restored from an earlier run). */
  pendingCommitments(): PendingCommitment[] {
    return this.#commitments.pending();
  }

  async #closeStorage(): Promise<void> {
    const clients = [...this.#storage.values()];
    this.#storage = new Map();
    await Promise.all(clients.map((c) => c.close()));
  }

  #requireQueue(): TransmissionQueue {
    if (!this.#queue || !this.#running) {
      throw new FacadeError(FACADE_ERROR_CODES.notRunning, 'DICOM services are not started', {
        hint: 'call start() first',
      });
    }
    return this.#queue;
  }
}

/**
 * Validates the configuration and wires every service; call `start()` on the result. Other
 * components can still use any single package (@hnvue/net, @hnvue/queue, @hnvue/iod) without it.
 */
export function createDicomServices(options: CreateDicomServicesOptions): DicomServices {
  return new DicomServices(options);
}
