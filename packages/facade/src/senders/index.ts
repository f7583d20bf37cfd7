/** The queue's sender: each item kind to its own sender. */
import type { StorageClient } from '@hnvue/net';
import type { QueueItem, SendContext } from '@hnvue/queue';
import type { Commitments } from '../commitments.js';
import { FACADE_ERROR_CODES, FacadeError } from '../errors.js';
import type { FacadeContext } from '../wiring.js';
import { sendCommitment } from './commitment.js';
import { sendMpps } from './mpps.js';
import { sendPrint } from './print.js';
import { sendStore } from './store.js';

export function createSender(
  ctx: FacadeContext,
  commitments: Commitments,
  storage: (destination: string) => StorageClient | undefined,
): (item: QueueItem, send: SendContext) => Promise<void> {
  return async (item, send) => {
    switch (item.kind) {
      case 'c-store':
        return await sendStore(storage(item.destination), item, send);
      case 'mpps-create':
      case 'mpps-set':
        return await sendMpps(ctx.config, ctx.log, item);
      case 'storage-commitment':
        return await sendCommitment(ctx, commitments, item);
      case 'print':
        return await sendPrint(ctx, item, send);
      default: {
        const never: never = item.kind;
        throw new FacadeError(FACADE_ERROR_CODES.procedure, `unknown queue item kind ${String(never)}`);
      }
    }
  };
}
