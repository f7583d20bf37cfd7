/** The MPPS N-SET dataset that ends a procedure (FR-DICOM-05), from its recorded state (state.ts). */

import type { NaturalDataset } from '@hnvue/dicom';
import { buildMppsEnd, type CodedEntry, type DoseSummary } from '@hnvue/net';
import type { DicomServiceOptions } from './config/index.js';
import type { ProcedureState } from './state.js';

export function mppsEndDataset(
  config: DicomServiceOptions,
  state: ProcedureState,
  status: 'COMPLETED' | 'DISCONTINUED',
  input: {
    readonly endedAt?: Date;
    readonly dose?: DoseSummary;
    readonly protocolName?: string;
    readonly reason?: CodedEntry;
  },
): NaturalDataset {
  const performedSeries =
    state.images.length + state.others.length > 0
      ? [
          {
            seriesInstanceUid: state.seriesInstanceUid,
            protocolName: input.protocolName ?? state.description ?? 'DX',
            retrieveAeTitle: config.pacs?.aeTitle,
            referencedImages: [...state.images],
            referencedNonImages: [...state.others],
          },
        ]
      : [];
  const endedAt = input.endedAt ?? new Date();
  const terms = state.characterSet?.terms;
  const common = {
    endedAt,
    performedSeries,
    ...(input.dose ? { dose: input.dose } : {}),
    ...(terms?.length ? { specificCharacterSet: terms } : {}),
  };
  return buildMppsEnd(
    status === 'COMPLETED'
      ? { status, ...common }
      : { status, ...common, ...(input.reason ? { reason: input.reason } : {}) },
  );
}
