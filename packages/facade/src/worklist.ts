/** Worklist C-FIND (FR-DICOM-03) on one association to the configured `ris` destination. */
import type { Logger } from '@hnvue/core';
import {
  Association,
  findWorklist,
  WORKLIST_CONTEXT,
  type WorklistQuery,
  type WorklistResult,
} from '@hnvue/net';
import type { DicomServiceOptions } from './config/index.js';
import { associationOptionsFor, requireDestination } from './destinations.js';

export interface WorklistOptions {
  readonly signal?: AbortSignal;
  readonly limit?: number;
}

/** Every match, as it arrives; the association is released at the end (aborted on an error). */
export async function* worklist(
  config: DicomServiceOptions,
  log: Logger,
  query: WorklistQuery,
  options: WorklistOptions,
): AsyncGenerator<WorklistResult, void, undefined> {
  const ris = requireDestination(config, 'ris');
  const association = await Association.open({
    ...associationOptionsFor(config, ris, log),
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
