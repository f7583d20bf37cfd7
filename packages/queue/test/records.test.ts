import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type QueueOptions, TransmissionQueue } from '../src/index.js';
import { FakeClock, settle } from './helpers/fake-clock.js';
import { image, manualSender, removeDir, tempDir } from './helpers/setup.js';

// Records kept in the queue's database, committed with the item that depends on them (NFR-REL-01).
let dir: string;
let clock: FakeClock;
const open: TransmissionQueue[] = [];

async function openQueue(options: Partial<QueueOptions> = {}): Promise<TransmissionQueue> {
  const q = await TransmissionQueue.open({ dir, sender: async () => {}, clock, ...options });
  open.push(q);
  return q;
}

beforeEach(async () => {
  dir = await tempDir();
  clock = new FakeClock();
});

afterEach(async () => {
  for (const q of open.splice(0)) await q.close({ graceMs: 0 });
  await removeDir(dir);
});

describe('queue records', () => {
  it('NFR-REL-01: records written with an enqueue survive a reopen, with the item', async () => {
    const q = await openQueue();
    const { item } = await q.enqueue(image(1), {
      withRecords: (records, result) =>
        records.put('refs', result.item.sopInstanceUid, { itemId: result.item.id }),
    });
    await q.close();
    const again = await openQueue();
    expect(again.records.get('refs', item.sopInstanceUid)).toEqual({ itemId: item.id });
    expect(again.records.list('refs')).toEqual([{ key: item.sopInstanceUid, value: { itemId: item.id } }]);
    expect(again.get(item.id)?.state).toBe('PENDING');
  });

  it('NFR-REL-01: a throwing withRecords rolls back the item and its spool file: neither is left', async () => {
    const q = await openQueue();
    await expect(
      q.enqueue(image(2), {
        withRecords: (records) => {
          records.put('refs', 'x', 1);
          throw new Error('refused');
        },
      }),
    ).rejects.toThrow('refused');
    expect(q.list()).toEqual([]);
    expect(q.records.get('refs', 'x')).toBeUndefined();
    expect(readdirSync(join(dir, 'spool'))).toEqual([]);
  });

  it('NFR-REL-01: withRecords also runs for a duplicate, with its outcome', async () => {
    const q = await openQueue();
    await q.enqueue(image(3));
    const outcomes: string[] = [];
    await q.enqueue(image(3), { withRecords: (_r, result) => outcomes.push(result.outcome) });
    expect(outcomes).toEqual(['already-queued']);
  });

  it('NFR-REL-01: onDelivered writes in the DONE transaction; a throwing hook leaves the item DONE', async () => {
    const m = manualSender();
    let fail = false;
    const q = await openQueue({
      sender: m.sender,
      onDelivered: (item, records) => {
        records.put('delivered', item.sopInstanceUid, true);
        if (fail) throw new Error('hook failed');
      },
    });
    q.start();
    const a = await q.enqueue(image(4));
    await settle();
    m.calls[0]!.resolve();
    await settle();
    expect(q.get(a.item.id)?.state).toBe('DONE');
    expect(q.records.get('delivered', a.item.sopInstanceUid)).toBe(true);
    fail = true;
    const b = await q.enqueue(image(5));
    await settle();
    m.calls[1]!.resolve();
    await settle();
    expect(q.get(b.item.id)?.state).toBe('DONE');
    // The savepoint took the hook's write back with its throw.
    expect(q.records.get('delivered', b.item.sopInstanceUid)).toBeUndefined();
  });

  it('NFR-REL-01: transaction commits every write or none', async () => {
    const q = await openQueue();
    expect(() =>
      q.transaction((records) => {
        records.put('a', '1', 'one');
        throw new Error('abort');
      }),
    ).toThrow('abort');
    expect(q.records.get('a', '1')).toBeUndefined();
    q.transaction((records) => records.put('a', '1', 'one'));
    expect(q.records.delete('a', '1')).toBe(true);
    expect(q.records.delete('a', '1')).toBe(false);
  });

  it('NFR-REL-01: a version-1 database gains the records table on open and keeps its items', async () => {
    const q = await openQueue();
    const { item } = await q.enqueue(image(6));
    await q.close();
    const db = new Database(join(dir, 'queue.db'));
    db.exec('DROP TABLE records');
    db.pragma('user_version = 1');
    db.close();
    const again = await openQueue();
    expect(again.get(item.id)?.sopInstanceUid).toBe(item.sopInstanceUid);
    again.records.put('a', 'k', 1);
    expect(again.records.get('a', 'k')).toBe(1);
  });
});
