/** The queue's c-store sender: the Part 10 file of the item through the StorageClient of its destination (FR-DICOM-04). */
import type { StorageClient } from '@hnvue/net';
import { DeliveryError, type QueueItem, type SendContext } from '@hnvue/queue';
import { FACADE_ERROR_CODES } from '../errors.js';

export async function sendStore(
  storage: StorageClient | undefined,
  item: QueueItem,
  ctx: SendContext,
): Promise<void> {
  // A destination removed from the configuration while items wait: FAILED with HNV_ERR_NOT_CONFIGURED.
  if (!storage) {
    throw new DeliveryError(`no ${item.destination} destination is configured`, {
      retryable: false,
      code: FACADE_ERROR_CODES.notConfigured,
    });
  }
  await storage.store(item.path, {
    signal: ctx.signal,
    onProgress: (p) => ctx.onProgress(p.bytesSent, p.totalBytes),
  });
}
