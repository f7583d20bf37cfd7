/** The queue's MPPS sender: one N-CREATE or N-SET per item, on its own association (FR-DICOM-05). */
import { readFile } from 'node:fs/promises';
import type { Logger } from '@hnvue/core';
import { encodeDataset, type NaturalDataset } from '@hnvue/dicom';
import { Association, DimseFailureError, MPPS_CONTEXT, MPPS_SOP_CLASS } from '@hnvue/net';
import { COMMAND_FIELD } from '@hnvue/net/dimse';
import type { QueueItem } from '@hnvue/queue';
import type { DicomServiceOptions } from '../config/index.js';
import { associationOptionsFor, requireDestination } from '../destinations.js';

const N_CREATE_DUPLICATE = 0x0111; // PS3.7 C.5.2: the SCP already has it (an earlier attempt got through)
// PS3.4 F.7.2.2.4: "Performed Procedure Step Object may no longer be updated": on a retried final
// N-SET, the earlier attempt got through (the kill or reset came before its N-SET-RSP was read).
const N_SET_NO_LONGER_UPDATABLE = 0x0110;

export async function sendMpps(config: DicomServiceOptions, log: Logger, item: QueueItem): Promise<void> {
  const mpps = requireDestination(config, 'mpps');
  const dataset = JSON.parse(await readFile(item.path, 'utf8')) as NaturalDataset;
  const association = await Association.open({
    ...associationOptionsFor(config, mpps, log),
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
      const status = err instanceof DimseFailureError ? err.status : undefined;
      const retriedCreate = item.kind === 'mpps-create' && status === N_CREATE_DUPLICATE;
      // attemptCount counts this attempt: > 1 is a retry.
      const retriedSet =
        item.kind === 'mpps-set' && status === N_SET_NO_LONGER_UPDATABLE && item.attemptCount > 1;
      if (!retriedCreate && !retriedSet) throw err;
      if (retriedSet) {
        log.warn(
          { sopInstanceUid: item.sopInstanceUid, attempt: item.attemptCount },
          'retried MPPS N-SET answered "may no longer be updated": an earlier attempt got through',
        );
      }
    }
    await association.release();
  } catch (err) {
    association.abort();
    throw err;
  }
}
