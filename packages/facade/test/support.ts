/** Shared by the facade's tests (and its soak console): images, worklist items, peers' messages. */

import { encodeDataset } from '@hnvue/dicom';
import {
  Association,
  buildCommitmentReport,
  STORAGE_COMMITMENT_SOP_CLASS,
  STORAGE_COMMITMENT_SOP_INSTANCE,
  type WorklistItem,
} from '@hnvue/net';
import { COMMAND_FIELD } from '@hnvue/net/dimse';
import { TransmissionQueue } from '@hnvue/queue';
import type { SopRef } from '../src/index.js';

/**
 * A DX image for `storeImage`: a `size`×`size` 12-bit frame, every pixel `fill`, with the
 * acquisition values the builders need (chest PA, scintillator, 0.14 mm pixels).
 */
export function dxImage(size: number, options: { fill?: number; kvp?: number; dapDgyCm2?: number } = {}) {
  const { fill = 0, kvp = 120, dapDgyCm2 = 0.1 } = options;
  return {
    image: {
      rows: size,
      columns: size,
      bitsStored: 12,
      pixels: new Uint16Array(size * size).fill(fill),
      windowCenter: 2048,
      windowWidth: 4096,
    },
    anatomy: { imageLaterality: 'U' as const, bodyPart: 'CHEST' },
    acquisition: { kvp, dapDgyCm2, viewPosition: 'PA' as const },
    presentationIntent: 'FOR PRESENTATION' as const,
    detector: { type: 'SCINTILLATOR' as const, imagerPixelSpacingMm: [0.14, 0.14] as const },
  };
}

/** A tiny 12-bit DX frame with the acquisition values the builders need. */
export const SMALL_DX = dxImage(16, { kvp: 110, dapDgyCm2: 0.2 });

/**
 * A worklist item with one scheduled DX step and no other IDs, codes or referenced studies, for
 * the synthetic patient in `patient` (name, ID, birth date, accession number; optionally the Study
 * Instance UID).
 */
export function dxWorklistItem(
  patient: Pick<WorklistItem, 'patientName' | 'patientId' | 'patientBirthDate' | 'accessionNumber'> &
    Pick<Partial<WorklistItem>, 'studyInstanceUid'>,
): WorklistItem {
  return {
    ...patient,
    otherPatientIds: [],
    requestedProcedureCodes: [],
    referencedStudies: [],
    scheduledProcedureSteps: [{ modality: 'DX', protocolCodes: [] }],
  };
}

/** Resolves with the first value `register` reports; rejects after 20 s naming `what`. */
export function waitFor<T>(register: (done: (value: T) => void) => void, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not happen within 20 s`)), 20_000);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/**
 * The facade's records (packages/facade/src/state.ts) in the queue database of a stopped facade,
 * read through the queue's own API.
 */
export async function readRecords<T>(
  queueDir: string,
  namespace: string,
): Promise<{ readonly key: string; readonly value: T }[]> {
  const queue = await TransmissionQueue.open({ dir: queueDir, sender: async () => {} });
  try {
    return queue.records.list<T>(namespace);
  } finally {
    await queue.close({ graceMs: 0 });
  }
}

/** Sends a storage commitment report to `port` as a PACS would on a new association (PS3.4 J.3.3). */
export async function sendCommitmentReport(
  port: number,
  calledAeTitle: string,
  transactionUid: string,
  committed: readonly SopRef[],
  failed: readonly (SopRef & { readonly failureReason: number })[],
  callingAeTitle = 'PACS',
): Promise<void> {
  const association = await Association.open({
    host: '127.0.0.1',
    port,
    callingAeTitle,
    calledAeTitle,
    presentationContexts: [
      { abstractSyntax: STORAGE_COMMITMENT_SOP_CLASS, transferSyntaxes: ['1.2.840.10008.1.2'] },
    ],
    roles: [{ sopClassUid: STORAGE_COMMITMENT_SOP_CLASS, scuRole: false, scpRole: true }],
  });
  const report = buildCommitmentReport(transactionUid, committed, failed);
  await association.send({
    abstractSyntax: STORAGE_COMMITMENT_SOP_CLASS,
    command: {
      commandField: COMMAND_FIELD['N-EVENT-REPORT-RQ'],
      affectedSopClassUid: STORAGE_COMMITMENT_SOP_CLASS,
      affectedSopInstanceUid: STORAGE_COMMITMENT_SOP_INSTANCE,
      eventTypeId: report.eventTypeId,
    },
    dataset: encodeDataset(report.dataset, { transferSyntax: '1.2.840.10008.1.2' }),
  });
  await association.release();
}
