/**
 * An in-process RIS and PACS for tests, the demo and a bench without hospital systems:
 * - RIS: Modality Worklist C-FIND SCP (seeded) and MPPS SCP (N-CREATE/N-SET), one listener;
 * - PACS: Storage SCP writing Part 10 files to a folder, and Storage Commitment SCP that sends
 *   its N-EVENT-REPORT on a new association to the requester's listener, as Orthanc does
 *  , and a Query/Retrieve SCP (C-FIND, C-MOVE to known AE titles, C-GET) over the
 *   objects it stored (qr-scp.ts), on that listener.
 * Both on configurable ports (0 = a free one). Notifications carry UIDs and counts, never PHI.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { guardLogger, type Logger, silentLogger } from '@hnvue/core';
import { type NaturalDataset, TS } from '@hnvue/dicom';
import {
  createMppsScp,
  createServer,
  DEFAULT_SCP_SOP_CLASSES,
  DEFAULT_SCP_TRANSFER_SYNTAXES,
  type DicomServer,
  MPPS_CONTEXT,
  type MppsRecord,
  type MppsScp,
  qrContexts,
  type ReferencedSop,
  STORAGE_COMMITMENT_SOP_CLASS,
  StorageCommitmentScp,
  type StoredInstance,
  storageScpHandler,
  storageSupportedContexts,
  VERIFICATION_SOP_CLASS,
  WORKLIST_CONTEXT,
} from '@hnvue/net';
import { PRINT_SCP_CONTEXTS, type PrinterStatusReport, printScpHandlers } from './print-scp.js';
import { type IndexedInstance, indexFile, indexFolder, type QrDestination, qrScpHandlers } from './qr-scp.js';
import { seedWorklist } from './seed.js';
import { worklistScpHandler } from './worklist-scp.js';

const NATIVE = [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian];

/** Where the PACS sends commitment reports for a calling AE (Orthanc's DicomModalities). */
export interface ModalityAddress {
  readonly host: string;
  readonly port: number;
  /** Called AE of the report association; default: the calling AE title itself. */
  readonly aeTitle?: string;
}

export interface SimulatorOptions {
  /** Listen address of both listeners; default 127.0.0.1. */
  readonly host?: string;
  readonly ris?: { readonly aeTitle?: string; readonly port?: number };
  readonly pacs?: {
    readonly aeTitle?: string;
    readonly port?: number;
    /** Transfer syntaxes the storage SCP accepts, in preference order. */
    readonly transferSyntaxes?: readonly string[];
  };
  /** Folder of received objects (created if missing). */
  readonly storageDir: string;
  /** The worklist; default `seedWorklist()`. */
  readonly worklist?: readonly NaturalDataset[];
  /** Commitment report destinations by calling AE title. */
  readonly modalities?: Readonly<Record<string, ModalityAddress>>;
  /**
   * C-MOVE destinations of the Q/R SCP by AE title (besides the modalities, reachable by their
   * report AE title).
   */
  readonly moveDestinations?: Readonly<Record<string, QrDestination>>;
  /** Wait before checking and reporting a commitment (a PACS archives first). Default 0. */
  readonly commitmentDelayMs?: number;
  /**
   * Who may associate to every listener of the simulator (RIS, PACS, printer), as a hospital's
   * firewall and AE configuration would: calling AE titles (others get A-ASSOCIATE-RJ 1/1/3) and
   * source addresses or CIDR subnets. Any when omitted.
   */
  readonly access?: {
    readonly callingAeTitles?: readonly string[];
    readonly allowedAddresses?: readonly string[];
  };
  /** A Basic Grayscale Print SCP (FR-DICOM-11) on a third listener, rendering films to PNGs in `directory`. */
  readonly printer?: {
    readonly aeTitle?: string;
    readonly port?: number;
    readonly directory: string;
    /** What N-GET Printer answers, asked each time (default NORMAL). */
    readonly status?: () => PrinterStatusReport;
  };
  readonly logger?: Logger;
}

export interface SimulatorEvents {
  worklistQuery: [matches: number, callingAeTitle: string];
  mpps: [sopInstanceUid: string, status: string, operation: 'N-CREATE' | 'N-SET'];
  stored: [instance: { sopClassUid: string; sopInstanceUid: string; path: string; bytes: number }];
  commitmentReported: [transactionUid: string, eventTypeId: number];
  commitmentReportFailed: [transactionUid: string, error: Error];
  /** Q/R C-FIND answered (match count), C-MOVE / C-GET done (sub-operation counts). */
  qrQuery: [matches: number];
  qrRetrieve: [operation: 'C-MOVE' | 'C-GET', completed: number, failed: number];
  /** A film printed by the print SCP, as a PNG. */
  filmPrinted: [path: string];
}

export interface SimulatorAddress {
  readonly host: string;
  readonly ris: { readonly aeTitle: string; readonly port: number };
  readonly pacs: { readonly aeTitle: string; readonly port: number };
  /** Present when the simulator was started with `printer`. */
  readonly printer?: { readonly aeTitle: string; readonly port: number };
}

export class RisPacsSimulator extends EventEmitter<SimulatorEvents> {
  readonly #options: SimulatorOptions;
  readonly #log: Logger;
  readonly #worklist: NaturalDataset[];
  readonly #modalities = new Map<string, ModalityAddress>();
  readonly #stored = new Map<string, { sopClassUid: string; path: string }>();
  /** What the Q/R SCP serves: objects stored in this run and those found in the folder at start. */
  readonly #archive = new Map<string, IndexedInstance>();
  readonly #moveDestinations = new Map<string, QrDestination>();
  readonly #mpps: MppsScp;
  readonly #commitment: StorageCommitmentScp;
  readonly #ris: DicomServer;
  readonly #pacs: DicomServer;
  readonly #printer: DicomServer | undefined;
  #address: SimulatorAddress | undefined;

  constructor(options: SimulatorOptions) {
    super();
    this.#options = options;
    this.#log = guardLogger(options.logger ?? silentLogger).child({ component: 'simulator' });
    this.#worklist = [...(options.worklist ?? seedWorklist())];
    for (const [ae, address] of Object.entries(options.modalities ?? {})) this.#modalities.set(ae, address);
    const access = {
      ...(options.access?.callingAeTitles ? { callingAeTitles: options.access.callingAeTitles } : {}),
      ...(options.access?.allowedAddresses ? { allowedAddresses: options.access.allowedAddresses } : {}),
    };
    const risAe = options.ris?.aeTitle ?? 'RIS';
    const pacsAe = options.pacs?.aeTitle ?? 'PACS';
    this.#mpps = createMppsScp({
      onChange: (record: MppsRecord, operation) =>
        this.emit('mpps', record.sopInstanceUid, record.status, operation),
    });
    this.#ris = createServer({
      ...access,
      aeTitles: [risAe],
      contexts: [
        { abstractSyntax: VERIFICATION_SOP_CLASS, transferSyntaxes: NATIVE },
        { abstractSyntax: WORKLIST_CONTEXT.abstractSyntax, transferSyntaxes: NATIVE },
        { abstractSyntax: MPPS_CONTEXT.abstractSyntax, transferSyntaxes: NATIVE },
      ],
      handlers: {
        'C-FIND': worklistScpHandler({
          items: () => this.#worklist,
          onQuery: (matches, calling) => this.emit('worklistQuery', matches, calling),
        }),
        'N-CREATE': this.#mpps.handlers['N-CREATE'],
        'N-SET': this.#mpps.handlers['N-SET'],
      },
      logger: this.#log,
    });
    const delay = options.commitmentDelayMs ?? 0;
    this.#commitment = new StorageCommitmentScp({
      aeTitle: pacsAe,
      check: async (ref: ReferencedSop) => {
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        const known = this.#stored.get(ref.sopInstanceUid);
        if (known) return known.sopClassUid === ref.sopClassUid ? true : 0x0119; // PS3.4 J.3.2.1.2: class mismatch
        // Objects from an earlier run can still be committed (a PACS keeps what it stored).
        return existsSync(join(options.storageDir, `${ref.sopInstanceUid}.dcm`));
      },
      destination: (callingAeTitle: string) => {
        const m = this.#modalities.get(callingAeTitle);
        return m ? { host: m.host, port: m.port, calledAeTitle: m.aeTitle ?? callingAeTitle } : undefined;
      },
      associationOptions: {
        logger: this.#log,
        timeouts: { connectMs: 5000, acseMs: 10_000, dimseMs: 10_000 },
      },
      reportOn: 'new-association',
    });
    this.#commitment.on('reportSent', (uid, type) => this.emit('commitmentReported', uid, type));
    this.#commitment.on('reportFailed', (uid, err) => {
      this.#log.warn({ transactionUid: uid, err: err.message }, 'commitment report not delivered');
      this.emit('commitmentReportFailed', uid, err);
    });
    const storage = storageScpHandler({
      directory: options.storageDir,
      fsync: false,
      logger: this.#log,
      onStored: (instance: StoredInstance) => {
        this.#stored.set(instance.sopInstanceUid, { sopClassUid: instance.sopClassUid, path: instance.path });
        indexFile(instance.path).then(
          (indexed) => this.#archive.set(indexed.sopInstanceUid, indexed),
          (err: Error) => this.#log.warn({ err: err.message }, 'stored object not indexed for Q/R'),
        );
        this.emit('stored', {
          sopClassUid: instance.sopClassUid,
          sopInstanceUid: instance.sopInstanceUid,
          path: instance.path,
          bytes: instance.datasetBytes,
        });
      },
    });
    for (const [ae, d] of Object.entries(options.moveDestinations ?? {})) this.#moveDestinations.set(ae, d);
    const qr = qrScpHandlers({
      aeTitle: pacsAe,
      instances: () => this.#archive.values(),
      destination: (ae) => this.#moveDestination(ae),
      onQuery: (matches) => this.emit('qrQuery', matches),
      onRetrieve: (operation, completed, failed) => this.emit('qrRetrieve', operation, completed, failed),
      logger: this.#log,
    });
    this.#pacs = createServer({
      ...access,
      aeTitles: [pacsAe],
      maxPduLength: 1024 * 1024,
      contexts: [
        { abstractSyntax: VERIFICATION_SOP_CLASS, transferSyntaxes: NATIVE },
        { abstractSyntax: STORAGE_COMMITMENT_SOP_CLASS, transferSyntaxes: NATIVE },
        ...qrContexts().map((c) => ({ abstractSyntax: c.abstractSyntax, transferSyntaxes: NATIVE })),
        // requestorScp: a C-GET requestor takes the storage SCP role for what it retrieves.
        ...storageSupportedContexts(
          DEFAULT_SCP_SOP_CLASSES,
          options.pacs?.transferSyntaxes ?? DEFAULT_SCP_TRANSFER_SYNTAXES,
        ).map((c) => ({ ...c, requestorScp: true })),
      ],
      handlers: {
        'C-STORE': storage,
        'N-ACTION': this.#commitment.handler,
        'C-FIND': qr['C-FIND'],
        'C-MOVE': qr['C-MOVE'],
        'C-GET': qr['C-GET'],
      },
      logger: this.#log,
    });
    const printer = options.printer;
    this.#printer =
      printer === undefined
        ? undefined
        : createServer({
            ...access,
            aeTitles: [printer.aeTitle ?? 'PRINTER'],
            contexts: PRINT_SCP_CONTEXTS,
            handlers: printScpHandlers({
              directory: printer.directory,
              onFilm: (path) => this.emit('filmPrinted', path),
              ...(printer.status === undefined ? {} : { status: printer.status }),
            }),
            logger: this.#log,
          });
  }

  /** Starts the listeners; resolves with the addresses (ports resolved when 0 was asked). */
  async start(): Promise<SimulatorAddress> {
    const host = this.#options.host ?? '127.0.0.1';
    await mkdir(this.#options.storageDir, { recursive: true });
    for (const indexed of await indexFolder(this.#options.storageDir)) {
      this.#archive.set(indexed.sopInstanceUid, indexed);
    }
    const risPort = await this.#ris.listen(this.#options.ris?.port ?? 0, host);
    const pacsPort = await this.#pacs.listen(this.#options.pacs?.port ?? 0, host);
    const printerPort =
      this.#printer === undefined
        ? undefined
        : await this.#printer.listen(this.#options.printer?.port ?? 0, host);
    this.#address = {
      host,
      ...(printerPort === undefined
        ? {}
        : { printer: { aeTitle: this.#options.printer?.aeTitle ?? 'PRINTER', port: printerPort } }),
      ris: { aeTitle: this.#options.ris?.aeTitle ?? 'RIS', port: risPort },
      pacs: { aeTitle: this.#options.pacs?.aeTitle ?? 'PACS', port: pacsPort },
    };
    this.#log.info({ risPort, pacsPort, items: this.#worklist.length }, 'simulator started');
    return this.#address;
  }

  get address(): SimulatorAddress {
    if (this.#address === undefined) throw new Error('simulator not started');
    return this.#address;
  }

  /** Where commitment reports for `callingAeTitle` go (the console's listener). */
  registerModality(callingAeTitle: string, address: ModalityAddress): void {
    this.#modalities.set(callingAeTitle, address);
  }

  /** A C-MOVE destination of the Q/R SCP. */
  registerMoveDestination(aeTitle: string, destination: QrDestination): void {
    this.#moveDestinations.set(aeTitle, destination);
  }

  #moveDestination(aeTitle: string): QrDestination | undefined {
    const direct = this.#moveDestinations.get(aeTitle);
    if (direct) return direct;
    for (const [calling, m] of this.#modalities) {
      if ((m.aeTitle ?? calling) === aeTitle) return { host: m.host, port: m.port };
    }
    return undefined;
  }

  /** Objects the Q/R SCP serves (stored in this run or found in the folder at start). */
  get archive(): ReadonlyMap<string, IndexedInstance> {
    return this.#archive;
  }

  addWorklistItem(item: NaturalDataset): void {
    this.#worklist.push(item);
  }

  get worklist(): readonly NaturalDataset[] {
    return this.#worklist;
  }

  /** MPPS steps received, by SOP Instance UID. */
  get mppsRecords(): ReadonlyMap<string, MppsRecord> {
    return this.#mpps.records;
  }

  /** Objects received in this run, by SOP Instance UID. */
  get stored(): ReadonlyMap<string, { readonly sopClassUid: string; readonly path: string }> {
    return this.#stored;
  }

  /** Stops listening, waits for commitment reports in progress, closes associations. */
  async stop(): Promise<void> {
    await this.#commitment.drain();
    await Promise.all([this.#ris.close(), this.#pacs.close(), this.#printer?.close()]);
    this.#log.info({}, 'simulator stopped');
  }
}

/** Creates and starts a simulator. */
export async function startSimulator(
  options: SimulatorOptions,
): Promise<{ simulator: RisPacsSimulator; address: SimulatorAddress }> {
  const simulator = new RisPacsSimulator(options);
  const address = await simulator.start();
  return { simulator, address };
}
