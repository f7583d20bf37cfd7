/**
 * One storage commitment round trip (FR-DICOM-07; PS3.4 J.3): start our listener for the report,
 * open the association, send the N-ACTION, wait for the N-EVENT-REPORT on either association,
 * release, close the listener. For a caller that commits one set of references and is done (a
 * command line, a test); an application with many requests pending keeps a StorageCommitmentScu
 * and its own listener instead.
 */
import { Association, type AssociationOptions } from '../association.js';
import { CancelledError, InvalidArgumentError } from '../errors.js';
import type { ServerOptions } from '../server/options.js';
import { createServer } from '../server.js';
import {
  type CommitmentResult,
  STORAGE_COMMITMENT_CONTEXT,
  STORAGE_COMMITMENT_LISTENER_CONTEXT,
  StorageCommitmentScu,
} from './storage-commitment.js';
import type { ReferencedSop } from './worklist.js';

export interface CommitmentRequestOptions {
  /**
   * The commitment SCP. The Push Model context and the report handler are added here; its
   * `signal` also ends the wait for the report.
   */
  readonly association: Omit<AssociationOptions, 'presentationContexts' | 'requestHandler'>;
  readonly transactionUid: string;
  readonly references: readonly ReferencedSop[];
  /** How long to wait for the report once the N-ACTION-RSP is in. */
  readonly waitMs: number;
  /**
   * Our listener for a report on a new association (PS3.4 J.3.3; Orthanc always reports that
   * way): started before the N-ACTION, since the report may come before its response, and closed
   * at the end. Without it only a report on the requesting association is seen.
   */
  readonly listener?: Omit<ServerOptions, 'contexts' | 'handlers'> & {
    readonly port: number;
    readonly host?: string;
  };
  /** Called once the N-ACTION was answered, before the wait: where the report may come, how long. */
  readonly onWaiting?: (info: { readonly listenerPort: number | undefined; readonly waitMs: number }) => void;
}

export interface CommitmentOutcome {
  readonly transactionUid: string;
  /** The port our listener had (useful with port 0); undefined without a listener. */
  readonly listenerPort: number | undefined;
  /** The report; undefined when none came within `waitMs`. */
  readonly result: CommitmentResult | undefined;
}

/**
 * Requests storage commitment and waits for the answer. Throws what opening the association and
 * the N-ACTION throw (ConnectError, AssociationRejectedError, NoPresentationContextError,
 * DimseFailureError…), the association aborted; CancelledError when `association.signal` fires
 * while waiting. No report in time is not an error: `result` is undefined.
 */
export async function requestCommitment(options: CommitmentRequestOptions): Promise<CommitmentOutcome> {
  const { transactionUid, references, waitMs } = options;
  if (references.length === 0) {
    // PS3.4 Table J.3-1: one or more items; refused before any listener or connection.
    throw new InvalidArgumentError('a storage commitment request needs at least one reference');
  }
  // One transaction, its UID given: the generator is never asked for another.
  const scu = new StorageCommitmentScu({ uids: { next: () => transactionUid }, timeoutMs: 0 });
  const { port, host, ...serverOptions } = options.listener ?? { port: 0 };
  const listener =
    options.listener === undefined
      ? undefined
      : createServer({
          ...serverOptions,
          contexts: [STORAGE_COMMITMENT_LISTENER_CONTEXT],
          handlers: { 'N-EVENT-REPORT': scu.reportHandler },
        });
  const signal = options.association.signal;
  try {
    const listenerPort = listener === undefined ? undefined : await listener.listen(port, host);
    const association = await Association.open({
      ...options.association,
      presentationContexts: [STORAGE_COMMITMENT_CONTEXT],
      requestHandler: scu.reportHandler,
    });
    let result: CommitmentResult | undefined;
    try {
      const pending = await scu.request(association, references, { transactionUid, timeoutMs: 0 });
      options.onWaiting?.({ listenerPort, waitMs });
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      try {
        result = await Promise.race([
          pending.result,
          new Promise<undefined>((resolve) => {
            timer = setTimeout(() => resolve(undefined), waitMs);
          }),
          new Promise<never>((_, reject) => {
            onAbort = () => reject(new CancelledError('waiting for the storage commitment report cancelled'));
            if (signal?.aborted) onAbort();
            else signal?.addEventListener('abort', onAbort, { once: true });
          }),
        ]);
      } finally {
        clearTimeout(timer);
        if (onAbort) signal?.removeEventListener('abort', onAbort);
      }
    } catch (err) {
      association.abort();
      throw err;
    }
    await association.release().catch(() => association.abort());
    return { transactionUid, listenerPort, result };
  } finally {
    scu.close();
    await listener?.close();
  }
}
