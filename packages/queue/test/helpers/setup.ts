import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QueueItem, Sender } from '../../src/index.js';

export async function tempDir(prefix = 'hnvue-queue-'): Promise<string> {
  return await mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export function image(n: number, destination = 'PACS') {
  return {
    destination,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1',
    sopInstanceUid: `1.2.826.0.1.3680043.10.1.${n}`,
    source: { bytes: new Uint8Array(128).fill(n & 0xff) },
  };
}

export function codeError(code: string, details: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`simulated ${code}`), { code, details, ...details });
}

/** A sender whose calls the test settles by hand. */
export function manualSender(): {
  sender: Sender;
  calls: { item: QueueItem; signal: AbortSignal; resolve: () => void; reject: (err: unknown) => void }[];
} {
  const calls: {
    item: QueueItem;
    signal: AbortSignal;
    resolve: () => void;
    reject: (err: unknown) => void;
  }[] = [];
  const sender: Sender = (item, { signal }) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ item, signal, resolve, reject });
      signal.addEventListener('abort', () =>
        reject(Object.assign(new Error('aborted'), { code: 'HNV_ERR_CANCELLED' })),
      );
    });
  return { sender, calls };
}
