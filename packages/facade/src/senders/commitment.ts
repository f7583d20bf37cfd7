/**
 * The queue's storage commitment sender: N-ACTION on its own association (PS3.4 J.3.2). The
 * transaction is pending from just before the request until its report.
 */
import { readFile } from 'node:fs/promises';
import { Association, STORAGE_COMMITMENT_CONTEXT, type StorageCommitmentScu } from '@hnvue/net';
import type { QueueItem } from '@hnvue/queue';
import type { CommitmentRequestPayload, Commitments } from '../commitments.js';
import { associationOptionsFor, requireDestination } from '../destinations.js';
import { FACADE_ERROR_CODES, FacadeError } from '../errors.js';
import { commitmentFor, PACS } from '../routing.js';
import { NS, type PendingCommitmentState } from '../state.js';
import type { FacadeContext } from '../wiring.js';

export async function sendCommitment(
  ctx: FacadeContext,
  commitments: Commitments,
  item: QueueItem,
): Promise<void> {
  const payload = JSON.parse(await readFile(item.path, 'utf8')) as CommitmentRequestPayload;
  const destination = payload.destination ?? PACS;
  // pacs: the top-level `commitment` block; a named destination: its own (removed: not configured).
  const commitment =
    destination === PACS
      ? requireDestination(ctx.config, 'commitment')
      : (commitmentFor(ctx.config, destination) ?? notConfigured(destination));
  const request = payload.request ?? 1;
  const records = ctx.queue()?.records;
  if (!records) throw new FacadeError(FACADE_ERROR_CODES.notRunning, 'DICOM services are not started');
  const existing = records.get<PendingCommitmentState>(NS.commitment, payload.transactionUid);
  if (request > 1 && !existing) {
    // A re-request whose commitment ended before it went out (a late report of an earlier
    // request, commitments.ts): nothing to ask.
    ctx.log.info({ transactionUid: payload.transactionUid }, 'commitment re-request no longer needed');
    return;
  }
  const requestedAt = Date.now();
  // Pending from just before the request (a report may beat the N-ACTION-RSP); a failed first
  // request takes it back, and a kill in between leaves the item to be sent again with the same
  // UID. A re-request's record stays: the earlier requests' reports still count.
  const pendingState: PendingCommitmentState = {
    ...(existing ?? { timedOut: false, request }),
    studyInstanceUid: payload.studyInstanceUid,
    ...(destination === PACS ? {} : { destination }),
    references: payload.references,
    requestedAt,
  };
  records.put(NS.commitment, payload.transactionUid, withoutAccepted(pendingState));
  const takeBack = () => {
    if (request === 1) records.delete(NS.commitment, payload.transactionUid);
  };
  const association = await Association.open({
    ...associationOptionsFor(ctx.config, commitment, ctx.log),
    presentationContexts: [STORAGE_COMMITMENT_CONTEXT],
    requestHandler: commitments.scu.reportHandler,
  }).catch((err: unknown) => {
    takeBack();
    throw err;
  });
  let pending: Awaited<ReturnType<StorageCommitmentScu['request']>>;
  try {
    pending = await commitments.scu.request(association, payload.references, {
      transactionUid: payload.transactionUid,
      timeoutMs: 0,
    });
  } catch (err) {
    association.abort();
    takeBack();
    throw err;
  }
  // The N-ACTION-RSP arrived (PS3.4 J.3.2): the request is delivered and the report may come on
  // any association from now on. Nothing after this point may fail the item: a retry would send
  // the same transaction again and drop the pending state the report needs.
  // Answered: a restart asks again rather than wait (commitments.ts restore). Not when the report
  // came first and ended the commitment.
  const answered = records.get<PendingCommitmentState>(NS.commitment, payload.transactionUid);
  if (answered) {
    records.put(NS.commitment, payload.transactionUid, { ...answered, acceptedAt: Date.now() });
    commitments.arm(payload.transactionUid, requestedAt, request, destination);
  }
  try {
    if (commitment.reportOn === 'same-association') {
      // PS3.4 J.3.3: the report comes on this association; keep it open until then (bounded).
      await Promise.race([
        pending.result,
        new Promise((r) => setTimeout(r, Math.min(commitment.timeoutMs, 60_000)).unref()),
      ]);
    }
    await association.release();
  } catch (err) {
    association.abort();
    ctx.log.warn(
      { transactionUid: payload.transactionUid, err: (err as Error).name },
      'commitment association not released cleanly after its N-ACTION-RSP; the request stands',
    );
  }
}

function notConfigured(destination: string): never {
  throw new FacadeError(
    FACADE_ERROR_CODES.notConfigured,
    `no commitment SCP is configured for storage destination '${destination}'`,
    {
      hint: `add "commitment": { "aeTitle", "host", "port" } to storage.${destination}`,
      details: { destination },
    },
  );
}

function withoutAccepted(state: PendingCommitmentState): PendingCommitmentState {
  const { acceptedAt: _answered, ...rest } = state;
  return rest;
}
