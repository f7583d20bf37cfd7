/**
 * Storage Commitment Push Model (FR-DICOM-07; PS3.4 Annex J), the requester's side: the N-ACTION
 * request builder and N-EVENT-REPORT parser, the stateless N-ACTION (`sendCommitmentRequest`), and
 * an SCU that correlates reports by Transaction UID (on the requesting association or on a new one
 * opened by the PACS to our listener). The one-shot request and wait is commitment-request.ts;
 * the SCP is commitment-scp.ts.
 *
 * A report that does not come in time is not lost: the timeout emits 'timeout' and the request
 * stays pending; a late report still resolves it.
 */
import { EventEmitter } from 'node:events';
import {
  DatasetTooLargeError,
  decodeDatasetStream,
  encodeDataset,
  type NaturalDataset,
  SOP_CLASS,
  SOP_INSTANCE,
  TS,
} from '@hnvue/dicom';
import type { Association, DimseResponse, RequestHandler } from '../association.js';
import { COMMAND_FIELD, STATUS } from '../dimse/index.js';
import { InvalidArgumentError } from '../errors.js';
import type { UidSource } from './mpps.js';
import { items, num, str } from './values.js';
import { type ReferencedSop, referencedSops } from './worklist.js';

/** PS3.4 J.3: Storage Commitment Push Model SOP Class and its well-known SOP Instance. */
export const STORAGE_COMMITMENT_SOP_CLASS: typeof SOP_CLASS.storageCommitmentPushModel =
  SOP_CLASS.storageCommitmentPushModel;
export const STORAGE_COMMITMENT_SOP_INSTANCE: typeof SOP_INSTANCE.storageCommitmentPushModel =
  SOP_INSTANCE.storageCommitmentPushModel;
/** PS3.4 J.3.2.1: Request Storage Commitment. */
export const COMMITMENT_ACTION_TYPE = 1 as const;
/** PS3.4 J.3.3.1: event type 1 = all references committed, 2 = some failed. */
export const COMMITMENT_EVENT = { success: 1, failures: 2 } as const;

/** PS3.4 Table J.3-2: Failure Reason (0008,1197). */
export const COMMITMENT_FAILURE_REASON = {
  processingFailure: 0x0110,
  noSuchObjectInstance: 0x0112,
  resourceLimitation: 0x0213,
  referencedSopClassNotSupported: 0x0122,
  classInstanceConflict: 0x0119,
  duplicateTransactionUid: 0x0131,
} as const;

/**
 * Propose this on the association that carries the N-ACTION: with both roles, a PACS may send the
 * report on the same association (PS3.4 J.3.3, PS3.7 D.3.3.4).
 */
export const STORAGE_COMMITMENT_CONTEXT: {
  readonly abstractSyntax: string;
  readonly transferSyntaxes: readonly string[];
} = {
  abstractSyntax: STORAGE_COMMITMENT_SOP_CLASS,
  transferSyntaxes: [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian],
};
export const STORAGE_COMMITMENT_ROLES: readonly {
  sopClassUid: string;
  scuRole: boolean;
  scpRole: boolean;
}[] = [{ sopClassUid: STORAGE_COMMITMENT_SOP_CLASS, scuRole: true, scpRole: true }];
/**
 * For our listener: the PACS opens the report association as requestor and asks for the SCP role
 * with a role selection item; accept it (pynetdicom #469).
 */
export const STORAGE_COMMITMENT_LISTENER_CONTEXT: {
  readonly abstractSyntax: string;
  readonly transferSyntaxes: readonly string[];
  readonly requestorScu: boolean;
  readonly requestorScp: boolean;
} = {
  abstractSyntax: STORAGE_COMMITMENT_SOP_CLASS,
  transferSyntaxes: [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian],
  requestorScu: true,
  requestorScp: true,
};

/** N-ACTION-RQ data set (PS3.4 Table J.3-1). */
export function buildCommitmentRequest(
  transactionUid: string,
  references: readonly ReferencedSop[],
): NaturalDataset {
  return {
    TransactionUID: transactionUid,
    ReferencedSOPSequence: references.map((r) => ({
      ReferencedSOPClassUID: r.sopClassUid,
      ReferencedSOPInstanceUID: r.sopInstanceUid,
    })),
  };
}

/**
 * N-ACTION-RQ "Request Storage Commitment" (PS3.4 J.3.2) for `references` under `transactionUid`,
 * stateless: it returns the N-ACTION-RSP and keeps nothing. The N-EVENT-REPORT that answers it
 * comes later, on this association or on a new one to the requester's listener; whoever handles
 * it matches it by Transaction UID (StorageCommitmentScu, requestCommitment). Throws
 * InvalidArgumentError for no references (PS3.4 Table J.3-1: one or more items),
 * NoPresentationContextError before encoding when the peer accepted no Push Model context,
 * DimseFailureError on a failure status.
 */
export async function sendCommitmentRequest(
  association: Association,
  transactionUid: string,
  references: readonly ReferencedSop[],
  options: { readonly timeoutMs?: number; readonly signal?: AbortSignal } = {},
): Promise<DimseResponse> {
  if (references.length === 0) {
    throw new InvalidArgumentError('a storage commitment request needs at least one reference');
  }
  const { transferSyntax } = association.contextFor(STORAGE_COMMITMENT_SOP_CLASS);
  return await association.send({
    abstractSyntax: STORAGE_COMMITMENT_SOP_CLASS,
    command: {
      commandField: COMMAND_FIELD['N-ACTION-RQ'],
      requestedSopClassUid: STORAGE_COMMITMENT_SOP_CLASS,
      requestedSopInstanceUid: STORAGE_COMMITMENT_SOP_INSTANCE,
      actionTypeId: COMMITMENT_ACTION_TYPE,
    },
    dataset: encodeDataset(buildCommitmentRequest(transactionUid, references), { transferSyntax }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

export interface CommitmentFailure extends ReferencedSop {
  /** (0008,1197), see COMMITMENT_FAILURE_REASON. */
  readonly failureReason: number;
}

/** What an N-EVENT-REPORT said about one transaction. */
export interface CommitmentResult {
  readonly transactionUid: string;
  readonly eventTypeId: number;
  readonly committed: readonly ReferencedSop[];
  readonly failed: readonly CommitmentFailure[];
  readonly retrieveAeTitle?: string;
  /** The AE title of the peer that sent the report. */
  readonly reportedBy: string;
  /** Where it came: on the association that carried the N-ACTION, or on one the peer opened to us. */
  readonly receivedOn: 'requesting-association' | 'new-association';
  /** True when the report came after the timeout had already fired. */
  readonly late: boolean;
}

/** Reads an N-EVENT-REPORT-RQ data set (PS3.4 Table J.3-3/J.3-4). */
export function parseCommitmentReport(
  eventTypeId: number,
  dataset: NaturalDataset,
): Omit<CommitmentResult, 'reportedBy' | 'receivedOn' | 'late'> {
  const retrieveAeTitle = str(dataset, 'RetrieveAETitle');
  return {
    transactionUid: str(dataset, 'TransactionUID') ?? '',
    eventTypeId,
    committed: referencedSops(dataset, 'ReferencedSOPSequence'),
    failed: items(dataset, 'FailedSOPSequence').map((i) => ({
      sopClassUid: str(i, 'ReferencedSOPClassUID') ?? '',
      sopInstanceUid: str(i, 'ReferencedSOPInstanceUID') ?? '',
      failureReason: num(i, 'FailureReason') ?? COMMITMENT_FAILURE_REASON.processingFailure,
    })),
    ...(retrieveAeTitle === undefined ? {} : { retrieveAeTitle }),
  };
}

/** N-EVENT-REPORT-RQ event type and data set for a result (the SCP side). */
export function buildCommitmentReport(
  transactionUid: string,
  committed: readonly ReferencedSop[],
  failed: readonly CommitmentFailure[],
  retrieveAeTitle?: string,
): { eventTypeId: number; dataset: NaturalDataset } {
  const ref = (r: ReferencedSop) => ({
    ReferencedSOPClassUID: r.sopClassUid,
    ReferencedSOPInstanceUID: r.sopInstanceUid,
  });
  const dataset: NaturalDataset = { TransactionUID: transactionUid };
  if (retrieveAeTitle !== undefined) dataset.RetrieveAETitle = retrieveAeTitle;
  if (committed.length > 0) dataset.ReferencedSOPSequence = committed.map(ref);
  if (failed.length > 0)
    dataset.FailedSOPSequence = failed.map((f) => ({ ...ref(f), FailureReason: f.failureReason }));
  return { eventTypeId: failed.length > 0 ? COMMITMENT_EVENT.failures : COMMITMENT_EVENT.success, dataset };
}

/** A commitment request awaiting its report. */
export interface PendingCommitment {
  readonly transactionUid: string;
  readonly references: readonly ReferencedSop[];
  readonly requestedAt: Date;
  /** Resolves when the report arrives, even after a timeout. */
  readonly result: Promise<CommitmentResult>;
  readonly timedOut: boolean;
}

export interface StorageCommitmentEvents {
  /** A report matched a pending request (also late ones). */
  result: [result: CommitmentResult];
  /** Operator notification (FR-DICOM-07): a report with failed references. */
  failures: [result: CommitmentResult];
  /** Operator notification: no report within the timeout; the request stays pending. */
  timeout: [pending: PendingCommitment];
  /** A report for a Transaction UID we do not know (answered Success, not matched). */
  unknownTransaction: [result: CommitmentResult];
}

export interface StorageCommitmentScuOptions {
  /** Transaction UIDs (`createUidGenerator(...)`). */
  readonly uids: UidSource;
  /** How long to wait for the report before 'timeout'. Default 5 minutes; 0 disables. */
  readonly timeoutMs?: number;
}

export const COMMITMENT_ERROR_CODE = 'HNV_ERR_COMMITMENT' as const;

interface PendingEntry {
  readonly transactionUid: string;
  readonly references: readonly ReferencedSop[];
  readonly requestedAt: Date;
  readonly result: Promise<CommitmentResult>;
  timedOut: boolean;
  resolve: (r: CommitmentResult) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Storage Commitment SCU: the stateful correlator over {@link sendCommitmentRequest}, for an
 * application that keeps a listener open and many requests pending. Install `reportHandler` for N-EVENT-REPORT both on the requesting
 * association (`requestHandler`) and on our listener (`handlers['N-EVENT-REPORT']`, with
 * STORAGE_COMMITMENT_LISTENER_CONTEXT), and start the listener before `request()`: the report
 * association may open before the N-ACTION-RSP is read (Orthanc does).
 */
export class StorageCommitmentScu extends EventEmitter<StorageCommitmentEvents> {
  readonly #uids: UidSource;
  readonly #timeoutMs: number;
  readonly #pending = new Map<string, PendingEntry>();

  constructor(options: StorageCommitmentScuOptions) {
    super();
    this.#uids = options.uids;
    this.#timeoutMs = options.timeoutMs ?? 5 * 60_000;
  }

  /** Requests in flight (including timed-out ones still awaiting a late report). */
  get pending(): readonly PendingCommitment[] {
    return [...this.#pending.values()].map((e) => this.#view(e));
  }

  #view(e: PendingEntry): PendingCommitment {
    return {
      transactionUid: e.transactionUid,
      references: e.references,
      requestedAt: e.requestedAt,
      result: e.result,
      timedOut: e.timedOut,
    };
  }

  /**
   * Sends the N-ACTION ({@link sendCommitmentRequest}) and returns the pending request; `pending.result` resolves
   * with the report. The request is registered before sending, so a report that overtakes the
   * N-ACTION-RSP is matched. Throws DimseFailureError on a failure status (nothing stays pending).
   */
  async request(
    association: Association,
    references: readonly ReferencedSop[],
    options: { readonly timeoutMs?: number; readonly transactionUid?: string } = {},
  ): Promise<PendingCommitment> {
    if (references.length === 0) {
      // PS3.4 Table J.3-1: the Referenced SOP Sequence has one or more items.
      throw new InvalidArgumentError('a storage commitment request needs at least one reference');
    }
    const transactionUid = options.transactionUid ?? this.#uids.next();
    const existing = this.#pending.get(transactionUid);
    if (existing !== undefined && !sameReferences(existing.references, references)) {
      // PS3.4 J.3.2: one Transaction UID names one set of references.
      throw new InvalidArgumentError('this Transaction UID is already pending with other references', {
        details: { transactionUid },
      });
    }
    // The same request again (a queue retrying an N-ACTION whose association failed after the
    // RSP): send it again and keep the entry, so the first caller's `result` still resolves.
    const entry = existing ?? this.#register(transactionUid, references, new Date());
    try {
      // Inside the try: without an accepted context the new entry is dropped again.
      await sendCommitmentRequest(association, transactionUid, references);
    } catch (err) {
      // Not pending: a report that still comes for it is emitted as 'unknownTransaction'. An
      // entry from an earlier, accepted N-ACTION stays: the peer may still report on it.
      if (existing === undefined && this.#pending.get(transactionUid) === entry) {
        this.#pending.delete(transactionUid);
      }
      throw err;
    }
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    this.#arm(entry, options.timeoutMs ?? this.#timeoutMs);
    return this.#view(entry);
  }

  /**
   * Re-registers a request sent earlier, e.g. restored from a journal after a restart (persist
   * `pending` entries: transactionUid, references, requestedAt), so its report still resolves.
   */
  track(
    request: {
      readonly transactionUid: string;
      readonly references: readonly ReferencedSop[];
      readonly requestedAt?: Date;
    },
    options: { readonly timeoutMs?: number } = {},
  ): PendingCommitment {
    const existing = this.#pending.get(request.transactionUid);
    if (existing) return this.#view(existing);
    const entry = this.#register(
      request.transactionUid,
      request.references,
      request.requestedAt ?? new Date(),
    );
    this.#arm(entry, options.timeoutMs ?? this.#timeoutMs);
    return this.#view(entry);
  }

  #register(transactionUid: string, references: readonly ReferencedSop[], requestedAt: Date): PendingEntry {
    let resolve!: (r: CommitmentResult) => void;
    const result = new Promise<CommitmentResult>((r) => {
      resolve = r;
    });
    const entry: PendingEntry = {
      transactionUid,
      references,
      requestedAt,
      result,
      timedOut: false,
      resolve,
      timer: undefined,
    };
    // Registered before the N-ACTION goes out: the report may overtake its response.
    this.#pending.set(transactionUid, entry);
    return entry;
  }

  #arm(entry: PendingEntry, timeoutMs: number): void {
    if (!this.#pending.has(entry.transactionUid) || timeoutMs <= 0) return;
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      entry.timedOut = true;
      this.emit('timeout', this.#view(entry));
    }, timeoutMs);
    entry.timer.unref?.();
  }

  /**
   * Matches a report to its pending request and returns the result (also for an unknown
   * transaction). `reportHandler` calls it; call it directly for reports that reach the
   * application another way.
   */
  accept(
    eventTypeId: number,
    dataset: NaturalDataset,
    from: { readonly reportedBy: string; readonly receivedOn: CommitmentResult['receivedOn'] },
  ): CommitmentResult {
    const parsed = parseCommitmentReport(eventTypeId, dataset);
    const entry = this.#pending.get(parsed.transactionUid);
    const result: CommitmentResult = { ...parsed, ...from, late: entry?.timedOut ?? false };
    if (entry === undefined) {
      this.emit('unknownTransaction', result);
      return result;
    }
    this.#pending.delete(parsed.transactionUid);
    if (entry.timer) clearTimeout(entry.timer);
    entry.resolve(result);
    this.emit('result', result);
    if (result.failed.length > 0) this.emit('failures', result);
    return result;
  }

  /** The N-EVENT-REPORT handler (intervention) for listener and requesting association. */
  readonly reportHandler: RequestHandler = async (request) => {
    if (request.abstractSyntax !== STORAGE_COMMITMENT_SOP_CLASS) return { status: STATUS.noSuchSopClass };
    const eventTypeId = request.command.eventTypeId ?? 0;
    const reply = {
      affectedSopClassUid: STORAGE_COMMITMENT_SOP_CLASS,
      affectedSopInstanceUid: request.command.affectedSopInstanceUid ?? STORAGE_COMMITMENT_SOP_INSTANCE,
      eventTypeId,
    };
    if (eventTypeId !== COMMITMENT_EVENT.success && eventTypeId !== COMMITMENT_EVENT.failures) {
      return { status: STATUS.noSuchEventType, command: reply };
    }
    if (request.dataset === undefined) return { status: STATUS.missingAttribute, command: reply };
    const dataset = await decodeBounded(request.dataset, request.transferSyntax);
    if (dataset === undefined) return { status: STATUS.resourceLimitation, command: reply };
    if (str(dataset, 'TransactionUID') === undefined) {
      return { status: STATUS.missingAttribute, command: reply };
    }
    // On our listener the peer is the caller; on the requesting association, the one we called.
    const peer = request.association;
    this.accept(
      eventTypeId,
      dataset,
      peer.role === 'acceptor'
        ? { reportedBy: peer.callingAeTitle, receivedOn: 'new-association' }
        : { reportedBy: peer.calledAeTitle, receivedOn: 'requesting-association' },
    );
    return { status: STATUS.success, command: reply };
  };

  /** Stops the timeout timers (pending requests are kept). */
  close(): void {
    for (const e of this.#pending.values()) if (e.timer) clearTimeout(e.timer);
  }
}

/** Same SOP Class/Instance pairs, in any order. */
function sameReferences(a: readonly ReferencedSop[], b: readonly ReferencedSop[]): boolean {
  if (a.length !== b.length) return false;
  const key = (r: ReferencedSop) => `${r.sopClassUid}\u0000${r.sopInstanceUid}`;
  const counts = new Map<string, number>();
  for (const r of a) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  for (const r of b) {
    const n = counts.get(key(r)) ?? 0;
    if (n === 0) return false;
    counts.set(key(r), n - 1);
  }
  return true;
}

/**
 * Decodes an incoming N-EVENT-REPORT / N-ACTION data set, at most `DEFAULT_MAX_DATASET_STREAM_LENGTH`
 * bytes (a commitment data set is a list of UIDs: any peer could otherwise fill our memory).
 * Undefined when it is longer; the caller answers 0213H resource limitation (PS3.7 C.5).
 * @internal Shared with commitment-scp.ts.
 */
export async function decodeBounded(
  dataset: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  transferSyntax: string,
): Promise<NaturalDataset | undefined> {
  try {
    return (await decodeDatasetStream(dataset, { transferSyntax })).dataset;
  } catch (err) {
    if (err instanceof DatasetTooLargeError) return undefined;
    throw err;
  }
}
