/**
 * MPPS as an SCU (FR-DICOM-05; PS3.4 F.7.2): `sendMppsCreate` and `sendMppsSet` are stateless, one
 * DIMSE exchange each, usable from any process (a queue retrying an N-SET long after the N-CREATE,
 * a command line completing a step it did not create). `MppsProcedureStep` is the stateful guard
 * on top, for a step that lives in one process: it keeps the order of PS3.4 F.7.2.1 and refuses
 * what the state rules forbid before anything is sent.
 */
import { encodeDataset, type NaturalDataset } from '@hnvue/dicom';
import type { Association, DimseResponse } from '../association.js';
import { COMMAND_FIELD } from '../dimse/index.js';
import {
  buildMppsEnd,
  MPPS_SOP_CLASS,
  type MppsEndInput,
  type MppsLocalState,
  MppsStateError,
  type UidSource,
} from './mpps.js';
import { str } from './values.js';

/** Per-request options of the MPPS SCU functions. */
export interface MppsRequestOptions {
  /** Overrides the association's DIMSE timeout. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * N-CREATE-RQ for the step `sopInstanceUid` (PS3.4 F.7.2.1; we create the UID, F.7.2.1.1). The
 * data set must carry Performed Procedure Step Status IN PROGRESS (see buildMppsCreate); checked
 * before sending. Throws DimseFailureError on a failure status (e.g. 0111 duplicate SOP instance
 * when a step is created twice), NoPresentationContextError when the peer accepted no MPPS context.
 */
export async function sendMppsCreate(
  association: Association,
  sopInstanceUid: string,
  dataset: NaturalDataset,
  options: MppsRequestOptions = {},
): Promise<DimseResponse> {
  if (str(dataset, 'PerformedProcedureStepStatus') !== 'IN PROGRESS') {
    throw new MppsStateError(
      'N-CREATE must carry Performed Procedure Step Status IN PROGRESS (PS3.4 F.7.2.1.2)',
    );
  }
  const { transferSyntax } = association.contextFor(MPPS_SOP_CLASS);
  return await association.send({
    abstractSyntax: MPPS_SOP_CLASS,
    command: {
      commandField: COMMAND_FIELD['N-CREATE-RQ'],
      affectedSopClassUid: MPPS_SOP_CLASS,
      affectedSopInstanceUid: sopInstanceUid,
    },
    dataset: encodeDataset(dataset, { transferSyntax }),
    ...options,
  });
}

/**
 * N-SET-RQ on the step `sopInstanceUid` (PS3.4 F.7.2.2): an update while IN PROGRESS, or the final
 * COMPLETED / DISCONTINUED (see buildMppsEnd). A status other than the three of PS3.3 C.4.14 is
 * refused before sending. Whether the step may still be updated is the SCP's to say (0110 with
 * Error ID A710, PS3.4 F.7.2.2.4), thrown as DimseFailureError.
 */
export async function sendMppsSet(
  association: Association,
  sopInstanceUid: string,
  dataset: NaturalDataset,
  options: MppsRequestOptions = {},
): Promise<DimseResponse> {
  const status = str(dataset, 'PerformedProcedureStepStatus');
  if (
    status !== undefined &&
    status !== 'IN PROGRESS' &&
    status !== 'COMPLETED' &&
    status !== 'DISCONTINUED'
  ) {
    throw new MppsStateError(`invalid Performed Procedure Step Status '${status}'`);
  }
  const { transferSyntax } = association.contextFor(MPPS_SOP_CLASS);
  return await association.send({
    abstractSyntax: MPPS_SOP_CLASS,
    command: {
      commandField: COMMAND_FIELD['N-SET-RQ'],
      requestedSopClassUid: MPPS_SOP_CLASS,
      requestedSopInstanceUid: sopInstanceUid,
    },
    dataset: encodeDataset(dataset, { transferSyntax }),
    ...options,
  });
}

/**
 * One performed procedure step as seen by the SCU, over {@link sendMppsCreate} and
 * {@link sendMppsSet}. The SOP Instance UID comes from the injected generator (we create it,
 * PS3.4 F.7.2.1.1). N-CREATE and N-SET may use different associations. Rules enforced before
 * anything is sent: one N-CREATE; N-SET only after it; nothing after a final status (PS3.4
 * F.7.2.2.2, "may no longer be updated"). A failure status leaves the state as it was.
 */
export class MppsProcedureStep {
  readonly sopInstanceUid: string;
  #state: MppsLocalState = 'new';

  /**
   * A new step (UID from the generator), or one resumed after a restart from what was persisted
   * (`{ sopInstanceUid, state }`), so the rules still hold across restarts.
   */
  constructor(uids: UidSource | { readonly sopInstanceUid: string; readonly state?: MppsLocalState }) {
    if ('sopInstanceUid' in uids) {
      this.sopInstanceUid = uids.sopInstanceUid;
      this.#state = uids.state ?? 'new';
    } else {
      this.sopInstanceUid = uids.next();
    }
  }

  get state(): MppsLocalState {
    return this.#state;
  }

  /** N-CREATE with an IN PROGRESS data set (see buildMppsCreate). Throws DimseFailureError on failure. */
  async create(
    association: Association,
    dataset: NaturalDataset,
    options: MppsRequestOptions = {},
  ): Promise<DimseResponse> {
    if (this.#state !== 'new')
      throw new MppsStateError(`N-CREATE after the step was created (state ${this.#state})`);
    const response = await sendMppsCreate(association, this.sopInstanceUid, dataset, options);
    this.#state = 'IN PROGRESS';
    return response;
  }

  /** N-SET: an update while IN PROGRESS, or the final COMPLETED / DISCONTINUED (see buildMppsEnd). */
  async set(
    association: Association,
    dataset: NaturalDataset,
    options: MppsRequestOptions = {},
  ): Promise<DimseResponse> {
    if (this.#state === 'new') throw new MppsStateError('N-SET before the N-CREATE of the step');
    if (this.#state !== 'IN PROGRESS') {
      throw new MppsStateError(
        `no N-SET after ${this.#state}: the step may no longer be updated (PS3.4 F.7.2.2.2)`,
      );
    }
    const response = await sendMppsSet(association, this.sopInstanceUid, dataset, options);
    const status = str(dataset, 'PerformedProcedureStepStatus');
    if (status === 'COMPLETED' || status === 'DISCONTINUED') this.#state = status;
    return response;
  }

  /** N-SET with buildMppsEnd(input). */
  async end(
    association: Association,
    input: MppsEndInput,
    options: MppsRequestOptions = {},
  ): Promise<DimseResponse> {
    return await this.set(association, buildMppsEnd(input), options);
  }
}
