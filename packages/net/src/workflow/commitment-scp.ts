/**
 * Storage Commitment Push Model SCP (FR-DICOM-07; PS3.4 J.3): answers the N-ACTION, checks each
 * reference and sends the N-EVENT-REPORT, on a new association to the requester (as Orthanc
 * does) or on the requesting one. Our simulator's PACS and the tests use it.
 */
import { EventEmitter } from 'node:events';
import { HnvError } from '@hnvue/core';
import { encodeDataset, type NaturalDataset } from '@hnvue/dicom';
import { Association, type AssociationOptions, type RequestHandler } from '../association.js';
import { COMMAND_FIELD, STATUS } from '../dimse/index.js';
import {
  buildCommitmentReport,
  COMMITMENT_ACTION_TYPE,
  COMMITMENT_ERROR_CODE,
  COMMITMENT_FAILURE_REASON,
  type CommitmentFailure,
  decodeBounded,
  STORAGE_COMMITMENT_CONTEXT,
  STORAGE_COMMITMENT_SOP_CLASS,
  STORAGE_COMMITMENT_SOP_INSTANCE,
} from './storage-commitment.js';
import { str } from './values.js';
import { type ReferencedSop, referencedSops } from './worklist.js';

/** Where to send the report for a requesting AE (Orthanc's "DicomModalities"). */
export interface ReportDestination {
  readonly host: string;
  readonly port: number;
  readonly calledAeTitle: string;
}

export interface StorageCommitmentScpOptions {
  /** Our AE title, the calling AE of the report association. */
  readonly aeTitle: string;
  /** Committed (true) or the failure reason for one reference. */
  readonly check: (reference: ReferencedSop) => boolean | number | Promise<boolean | number>;
  /** The requester's listener; undefined drops the report (and emits 'reportFailed'). */
  readonly destination: (callingAeTitle: string) => ReportDestination | undefined;
  /** Extra options for the report association (timeouts, connector, logger…). */
  readonly associationOptions?: Partial<AssociationOptions>;
  readonly retrieveAeTitle?: string;
  /**
   * 'new-association' (default, as Orthanc): always open a new association to `destination`.
   * 'same-association': send the report on the requesting association while it is open
   * (PS3.4 J.3.3), else fall back to a new association.
   */
  readonly reportOn?: 'new-association' | 'same-association';
}

export interface StorageCommitmentScpEvents {
  reportSent: [transactionUid: string, eventTypeId: number];
  reportFailed: [transactionUid: string, error: Error];
}

export class CommitmentReportError extends HnvError {}

/**
 * A Storage Commitment SCP: answers the N-ACTION with Success once the request is well-formed,
 * then checks each reference and sends the N-EVENT-REPORT on a new association to the requester,
 * proposing the SCP role for the Push Model SOP class (PS3.4 J.3.3, PS3.7 D.3.3.4).
 * Register `scp.handler` for 'N-ACTION'.
 */
export class StorageCommitmentScp extends EventEmitter<StorageCommitmentScpEvents> {
  readonly #options: StorageCommitmentScpOptions;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: StorageCommitmentScpOptions) {
    super();
    this.#options = options;
  }

  readonly handler: RequestHandler = async (request) => {
    const reply = {
      affectedSopClassUid: STORAGE_COMMITMENT_SOP_CLASS,
      affectedSopInstanceUid: STORAGE_COMMITMENT_SOP_INSTANCE,
    };
    if (request.abstractSyntax !== STORAGE_COMMITMENT_SOP_CLASS) return { status: STATUS.noSuchSopClass };
    if (request.command.requestedSopInstanceUid !== STORAGE_COMMITMENT_SOP_INSTANCE) {
      return { status: STATUS.noSuchSopInstance, command: reply };
    }
    if (request.command.actionTypeId !== COMMITMENT_ACTION_TYPE)
      return { status: STATUS.noSuchAction, command: reply };
    if (request.dataset === undefined) return { status: STATUS.missingAttribute, command: reply };
    const dataset = await decodeBounded(request.dataset, request.transferSyntax);
    if (dataset === undefined) return { status: STATUS.resourceLimitation, command: reply };
    const transactionUid = str(dataset, 'TransactionUID');
    const references = referencedSops(dataset, 'ReferencedSOPSequence');
    if (transactionUid === undefined || references.length === 0) {
      return { status: STATUS.missingAttribute, command: reply };
    }
    const callingAeTitle = request.association.callingAeTitle;
    const same = this.#options.reportOn === 'same-association' ? request.association : undefined;
    // After the N-ACTION-RSP is on its way: the report never depends on the requester reading it.
    const job = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#report(callingAeTitle, transactionUid, references, same))
      .catch((err: Error) => {
        this.emit('reportFailed', transactionUid, err);
      });
    this.#inFlight.add(job);
    void job.finally(() => this.#inFlight.delete(job));
    return { status: STATUS.success, command: { ...reply, actionTypeId: COMMITMENT_ACTION_TYPE } };
  };

  /** Resolves when every report in progress has been sent or has failed. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  async #report(
    callingAeTitle: string,
    transactionUid: string,
    references: readonly ReferencedSop[],
    same: Association | undefined,
  ): Promise<void> {
    const committed: ReferencedSop[] = [];
    const failed: CommitmentFailure[] = [];
    for (const ref of references) {
      let verdict: boolean | number;
      try {
        verdict = await this.#options.check(ref);
      } catch {
        verdict = COMMITMENT_FAILURE_REASON.processingFailure;
      }
      if (verdict === true) committed.push(ref);
      else
        failed.push({
          ...ref,
          failureReason: verdict === false ? COMMITMENT_FAILURE_REASON.noSuchObjectInstance : verdict,
        });
    }
    const { eventTypeId, dataset } = buildCommitmentReport(
      transactionUid,
      committed,
      failed,
      this.#options.retrieveAeTitle,
    );
    if (same?.usable) {
      try {
        await sendReport(same, eventTypeId, dataset);
        this.emit('reportSent', transactionUid, eventTypeId);
        return;
      } catch {
        // The requester released or aborted meanwhile: fall back to a new association.
      }
    }
    const destination = this.#options.destination(callingAeTitle);
    if (destination === undefined) {
      throw new CommitmentReportError(COMMITMENT_ERROR_CODE, 'no report destination for the requesting AE', {
        details: { callingAeTitle },
      });
    }
    const association = await Association.open({
      ...this.#options.associationOptions,
      host: destination.host,
      port: destination.port,
      callingAeTitle: this.#options.aeTitle,
      calledAeTitle: destination.calledAeTitle,
      presentationContexts: [STORAGE_COMMITMENT_CONTEXT],
      // PS3.7 D.3.3.4: we open the association but act as the Push Model SCP.
      roles: [{ sopClassUid: STORAGE_COMMITMENT_SOP_CLASS, scuRole: false, scpRole: true }],
    });
    try {
      await sendReport(association, eventTypeId, dataset);
      await association.release();
    } catch (err) {
      association.abort();
      throw err;
    }
    this.emit('reportSent', transactionUid, eventTypeId);
  }
}

async function sendReport(
  association: Association,
  eventTypeId: number,
  dataset: NaturalDataset,
): Promise<void> {
  const { transferSyntax } = association.contextFor(STORAGE_COMMITMENT_SOP_CLASS);
  await association.send({
    abstractSyntax: STORAGE_COMMITMENT_SOP_CLASS,
    command: {
      commandField: COMMAND_FIELD['N-EVENT-REPORT-RQ'],
      affectedSopClassUid: STORAGE_COMMITMENT_SOP_CLASS,
      affectedSopInstanceUid: STORAGE_COMMITMENT_SOP_INSTANCE,
      eventTypeId,
    },
    dataset: encodeDataset(dataset, { transferSyntax }),
  });
}
