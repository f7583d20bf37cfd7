/**
 * `hnvue queue` with several storage destinations (issue 21): `status` counts per destination
 * (`pacs`, a named one, its `<name>/commitment` items) and state, `list` shows each item's
 * destination. The queue is written by this process and closed, then read as the CLI reads it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryError, TransmissionQueue } from '@hnvue/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/index.js';
import { cli } from './helpers/context.js';

const dir = mkdtempSync(join(tmpdir(), 'hnvue-cli-dest-'));
const queueDir = join(dir, 'q');

beforeAll(async () => {
  const queue = await TransmissionQueue.open({
    dir: queueDir,
    sender: async () => {
      throw new DeliveryError('not delivered here', { retryable: true });
    },
    statusSnapshots: false,
  });
  const bytes = new Uint8Array([1, 2, 3]);
  for (const [destination, uid] of [
    ['pacs', '2.25.1'],
    ['pacs', '2.25.2'],
    ['archive2', '2.25.1'],
    ['archive2', '2.25.2'],
    ['doseRegistry', '2.25.2'],
  ] as const) {
    await queue.enqueue({
      destination,
      sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1',
      sopInstanceUid: uid,
      source: { bytes },
    });
  }
  await queue.enqueue({
    kind: 'storage-commitment',
    destination: 'archive2/commitment',
    sopClassUid: '1.2.840.10008.1.20.1',
    sopInstanceUid: '2.25.99',
    source: { bytes },
  });
  await queue.close({ graceMs: 0 });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hnvue queue with several storage destinations', () => {
  it('NFR-REL-01: status counts per destination and state, the commitment items apart', async () => {
    const { code, out } = await cli('queue', 'status', '--queue-dir', queueDir, '--json');
    expect(code).toBe(EXIT_CODES.ok);
    const counts = JSON.parse(out) as { byDestination: Record<string, Record<string, number>> };
    expect(Object.keys(counts.byDestination).sort()).toEqual([
      'archive2',
      'archive2/commitment',
      'doseRegistry',
      'pacs',
    ]);
    expect(counts.byDestination.pacs?.PENDING).toBe(2);
    expect(counts.byDestination.archive2?.PENDING).toBe(2);
    expect(counts.byDestination.doseRegistry?.PENDING).toBe(1);
    expect(counts.byDestination['archive2/commitment']?.PENDING).toBe(1);
    const text = await cli('queue', 'status', '--queue-dir', queueDir);
    expect(text.out).toMatch(/^archive2: .*PENDING 2/m);
    expect(text.out).toMatch(/^doseRegistry: .*PENDING 1/m);
  });

  it('NFR-REL-01: list shows the destination of each item (one item per object and destination)', async () => {
    const { out } = await cli('queue', 'list', '--queue-dir', queueDir);
    const rows = out
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    const of = (uid: string) => rows.filter((r) => r[4] === uid && r[2] === 'c-store').map((r) => r[3]);
    expect(of('2.25.1').sort()).toEqual(['archive2', 'pacs']);
    expect(of('2.25.2').sort()).toEqual(['archive2', 'doseRegistry', 'pacs']);
    expect(rows.some((r) => r[2] === 'storage-commitment' && r[3] === 'archive2/commitment')).toBe(true);
  });
});
