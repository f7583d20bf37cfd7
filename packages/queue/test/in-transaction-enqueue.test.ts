import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type QueueItem, type QueueOptions, TransmissionQueue } from '../src/index.js';
import { FakeClock, settle } from './helpers/fake-clock.js';
import { image, manualSender, removeDir, tempDir } from './helpers/setup.js';

// An item queued inside the queue's own transaction (onDelivered, withRecords, transaction), so it
// commits with the records that led to it: the facade's "last delivery → commitment" (NFR-REL-01).
let dir: string;
let clock: FakeClock;
const open: TransmissionQueue[] = [];

async function openQueue(options: Partial<QueueOptions> = {}): Promise<TransmissionQueue> {
  const q = await TransmissionQueue.open({ dir, sender: async () => {}, clock, ...options });
  open.push(q);
  return q;
}

const spool = () => readdirSync(join(dir, 'spool'));

beforeEach(async () => {
  dir = await tempDir();
  clock = new FakeClock();
});

afterEach(async () => {
  for (const q of open.splice(0)) await q.close({ graceMs: 0 });
  await removeDir(dir);
});

describe('in-transaction enqueue', () => {
  it('NFR-REL-01: onDelivered queues a follow-up item in the DONE transaction; it is delivered next', async () => {
    const m = manualSender();
    const q = await openQueue({
      sender: m.sender,
      onDelivered: (item, records, queue) => {
        if (item.kind !== 'c-store') return;
        records.put('followed', item.sopInstanceUid, true);
        queue.enqueue({
          kind: 'storage-commitment',
          destination: 'COMMIT',
          sopClassUid: '1.2.840.10008.1.20.1',
          sopInstanceUid: `${item.sopInstanceUid}.9`,
          source: { bytes: Buffer.from('{"tx":1}') },
        });
      },
    });
    const enqueued: QueueItem[] = [];
    q.on('enqueued', (i) => enqueued.push(i));
    q.start();
    const a = await q.enqueue(image(1));
    await settle();
    m.calls[0]!.resolve();
    await settle();
    const follow = q.list({ destination: 'COMMIT' });
    expect(follow).toHaveLength(1);
    expect(follow[0]).toMatchObject({
      kind: 'storage-commitment',
      sopInstanceUid: `${a.item.sopInstanceUid}.9`,
    });
    expect(readFileSync(follow[0]!.path, 'utf8')).toBe('{"tx":1}');
    expect(enqueued.map((i) => i.destination)).toEqual(['PACS', 'COMMIT']);
    expect(q.records.get('followed', a.item.sopInstanceUid)).toBe(true);
    await settle();
    expect(m.calls[1]?.item.id).toBe(follow[0]!.id);
  });

  it('NFR-REL-01: a throwing onDelivered takes its in-transaction item and spool file back; the delivery stays DONE', async () => {
    const m = manualSender();
    const q = await openQueue({
      sender: m.sender,
      onDelivered: (_item, _records, queue) => {
        queue.enqueue({ ...image(7, 'COMMIT'), kind: 'storage-commitment' });
        throw new Error('hook failed');
      },
    });
    const enqueued: string[] = [];
    q.on('enqueued', (i) => enqueued.push(i.destination));
    q.start();
    const a = await q.enqueue(image(2));
    await settle();
    m.calls[0]!.resolve();
    await settle();
    expect(q.get(a.item.id)?.state).toBe('DONE');
    expect(q.list({ destination: 'COMMIT' })).toEqual([]);
    expect(enqueued).toEqual(['PACS']);
    expect(spool()).toEqual([]);
  });

  it('NFR-REL-01: transaction() and withRecords enqueue with their records; a rollback leaves neither', async () => {
    const q = await openQueue();
    expect(() =>
      q.transaction((records, queue) => {
        queue.enqueue(image(3));
        records.put('a', 'k', 1);
        throw new Error('abort');
      }),
    ).toThrow('abort');
    expect(q.list()).toEqual([]);
    expect(spool()).toEqual([]);
    const { item } = q.transaction((records, queue) => {
      records.put('a', 'k', 1);
      return queue.enqueue(image(3));
    });
    expect(q.get(item.id)?.state).toBe('PENDING');
    expect(q.records.get('a', 'k')).toBe(1);
    await q.enqueue(image(4), {
      withRecords: (_records, _result, queue) => {
        queue.enqueue({ ...image(5), kind: 'mpps-set', destination: 'RIS' });
      },
    });
    expect(
      q
        .list()
        .map((i) => i.sopInstanceUid)
        .sort(),
    ).toEqual([image(3), image(4), image(5)].map((i) => i.sopInstanceUid).sort());
    expect(spool()).toHaveLength(3);
  });

  it('NFR-REL-01: an in-transaction enqueue of a key already queued or DONE is a duplicate, nothing written', async () => {
    const q = await openQueue();
    const first = await q.enqueue(image(6));
    const again = q.transaction((_r, queue) => queue.enqueue(image(6)));
    expect(again).toMatchObject({ duplicate: true, outcome: 'already-queued', item: { id: first.item.id } });
    expect(spool()).toHaveLength(1);
  });

  it('NFR-REL-01: afterCommit runs once the outermost transaction commits, never after a rollback', async () => {
    const q = await openQueue();
    const ran: string[] = [];
    q.transaction((_r, outer) => {
      outer.afterCommit(() => ran.push('outer'));
      expect(() =>
        q.transaction((_r2, inner) => {
          inner.afterCommit(() => ran.push('rolled-back savepoint'));
          throw new Error('abort');
        }),
      ).toThrow('abort');
      q.transaction((_r2, inner) => inner.afterCommit(() => ran.push('savepoint')));
      // Nothing runs while the transaction is open.
      expect(ran).toEqual([]);
    });
    expect(ran).toEqual(['outer', 'savepoint']);
    expect(() =>
      q.transaction((_r, queue) => {
        queue.afterCommit(() => ran.push('rolled back'));
        throw new Error('abort');
      }),
    ).toThrow('abort');
    // A throwing callback is logged; the transaction and the other callbacks stand.
    q.transaction((records, queue) => {
      records.put('a', 'after', 1);
      queue.afterCommit(() => {
        throw new Error('listener');
      });
      queue.afterCommit(() => ran.push('after a throw'));
    });
    expect(ran).toEqual(['outer', 'savepoint', 'after a throw']);
    expect(q.records.get('a', 'after')).toBe(1);
  });

  it('NFR-REL-01: an in-transaction enqueue outside a queue transaction is refused', async () => {
    let captured: Parameters<Parameters<TransmissionQueue['transaction']>[0]>[1] | undefined;
    const q = await openQueue();
    q.transaction((_r, queue) => {
      captured = queue;
    });
    expect(() => captured!.enqueue(image(8))).toThrow(/outside a queue transaction/);
    expect(() => captured!.afterCommit(() => {})).toThrow(/outside a queue transaction/);
    expect(q.list()).toEqual([]);
  });
});
