/**
 * Issue 17 items 1 and 3 on the wire: access control of a listener (called AE, calling AE,
 * source address) and the association limits (global, per calling AE), each answered with the
 * A-ASSOCIATE-RJ of PS3.8 Table 9-21 and a PHI-free log event, never a reset.
 */
import { createJsonLogger } from '@hnvue/core';
import { runEchoscu } from '@hnvue/testing/peers';
import { connectRaw } from '@hnvue/testing/raw-peer';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Association,
  AssociationRejectedError,
  createServer,
  type DicomServer,
  InvalidArgumentError,
  type ServerOptions,
} from '../../src/index.js';
import { decodePdu, encodePdu, REJECT_REASON } from '../../src/pdu/index.js';
import { destroyAll, echoRq, openIdle } from './helpers.js';

let server: DicomServer | undefined;
const lines: Record<string, unknown>[] = [];
const logger = createJsonLogger({ level: 'info', write: (line) => lines.push(JSON.parse(line)) });

async function start(options: ServerOptions): Promise<number> {
  server = createServer({ aeTitles: ['HNVUE'], logger, ...options });
  return await server.listen(0);
}

async function open(port: number, callingAeTitle = 'SCU', calledAeTitle = 'HNVUE'): Promise<Association> {
  return await Association.open({ host: '127.0.0.1', port, callingAeTitle, calledAeTitle });
}

async function rejection(promise: Promise<unknown>): Promise<[number, number, number]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AssociationRejectedError);
  const rj = error as AssociationRejectedError;
  return [rj.result, rj.source, rj.reason];
}

afterEach(async () => {
  await server?.close({ abort: true });
  server = undefined;
  lines.length = 0;
});

describe('FR-DICOM-02.limits: access control on the listener', () => {
  it('FR-DICOM-02.limits: an unknown calling AE is rejected 1/1/3 (our SCU and echoscu) with a PHI-free log event', async () => {
    const port = await start({ callingAeTitles: ['PACS'] });
    expect(await rejection(open(port, 'INTRUDER'))).toEqual([
      1,
      1,
      REJECT_REASON.user.callingAeNotRecognized,
    ]);
    const dcmtk = await runEchoscu({ port, calledAe: 'HNVUE', callingAe: 'INTRUDER' });
    expect(dcmtk.code).not.toBe(0);
    expect(dcmtk.stderr + dcmtk.stdout).toMatch(/Calling AE Title Not Recognized/i);
    const events = lines.filter((l) => l.event === 'association.rejected');
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      callingAeTitle: 'INTRUDER',
      calledAeTitle: 'HNVUE',
      result: 1,
      source: 1,
      reason: 3,
    });
    expect(Object.keys(events[0] ?? {}).sort()).toEqual(
      [
        'calledAeTitle',
        'callingAeTitle',
        'component',
        'event',
        'level',
        'msg',
        'peer',
        'reason',
        'result',
        'source',
        'time',
      ].sort(),
    );
    const allowed = await open(port, 'PACS');
    await allowed.release();
  });

  it('FR-DICOM-02.limits: an unknown called AE is rejected 1/1/7', async () => {
    const port = await start({});
    expect(await rejection(open(port, 'SCU', 'SOMEONE'))).toEqual([
      1,
      1,
      REJECT_REASON.user.calledAeNotRecognized,
    ]);
  });

  it('FR-DICOM-02.limits: a source address outside allowedAddresses is rejected 1/1/3; an allowed subnet is served', async () => {
    let port = await start({ allowedAddresses: ['10.0.0.0/8', 'fd00::/8'] });
    expect(await rejection(open(port))).toEqual([1, 1, 3]);
    expect(lines.find((l) => l.event === 'association.rejected')).toMatchObject({
      limit: 'allowedAddresses',
    });
    await server?.close();
    port = await start({ allowedAddresses: ['127.0.0.0/8', '::1'] });
    const association = await open(port);
    await association.release();
  });

  it('FR-DICOM-02.limits: bad limits and address entries are typed errors at construction', () => {
    expect(() => createServer({ limits: { maxPresentationContexts: 129 } })).toThrow(InvalidArgumentError);
    expect(() => createServer({ limits: { maxPendingConnections: 0 } })).toThrow(/maxPendingConnections/);
    expect(() => createServer({ allowedAddresses: ['not-an-address'] })).toThrow(InvalidArgumentError);
    expect(() => createServer({ allowedAddresses: ['10.0.0.0/33'] })).toThrow(InvalidArgumentError);
  });
});

describe('FR-DICOM-02.limits: association limits', () => {
  it('FR-DICOM-02.limits: idle connections awaiting their request hold no association slot (issue 17: 31 of 32)', async () => {
    const port = await start({ maxAssociations: 4 });
    const idle = await openIdle(port, 50, 25);
    const associations = await Promise.all([1, 2, 3, 4].map((i) => open(port, `SCU${i}`)));
    expect(associations).toHaveLength(4);
    expect(await rejection(open(port, 'SCU5'))).toEqual([2, 3, 2]);
    await Promise.all(associations.map((a) => a.release()));
    destroyAll(idle);
  });

  it('FR-DICOM-02.limits: requests decided at the same time behind an async hook cannot overshoot the limit', async () => {
    const port = await start({
      maxAssociations: 3,
      authenticate: async () => {
        await new Promise((r) => setTimeout(r, 30));
        return true;
      },
    });
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => open(port, `SCU${i}`)));
    const accepted = results.filter((r) => r.status === 'fulfilled');
    expect(accepted).toHaveLength(3);
    for (const r of results) {
      if (r.status === 'rejected') {
        const rj = r.reason as AssociationRejectedError;
        expect([rj.result, rj.source, rj.reason]).toEqual([2, 3, 2]);
      }
    }
    await Promise.all(accepted.map((r) => (r as PromiseFulfilledResult<Association>).value.release()));
    // Slots come back once released: a new request is served.
    const again = await open(port, 'AGAIN');
    await again.release();
  });

  it('FR-DICOM-02.limits: one calling AE beyond maxAssociationsPerCallingAe gets RJ 2/3/2 (not a reset); another AE is served', async () => {
    const port = await start({ limits: { maxAssociationsPerCallingAe: 2 } });
    const held = [await open(port, 'GREEDY'), await open(port, 'GREEDY')];
    // A raw requestor sees the RJ PDU itself, and the connection stays open for it to close (Sta13).
    const raw = await connectRaw(port);
    raw.send(encodePdu(echoRq('greedy')));
    const pdu = await raw.nextPdu(3000);
    expect(decodePdu(pdu.bytes)).toEqual({ type: 'A-ASSOCIATE-RJ', result: 2, source: 3, reason: 2 });
    expect(raw.isClosed).toBe(false);
    raw.destroy();
    expect(lines.find((l) => l.event === 'association.rejected')).toMatchObject({
      limit: 'maxAssociationsPerCallingAe',
      active: 2,
      max: 2,
    });
    const other = await open(port, 'OTHER');
    await other.release();
    await Promise.all(held.map((a) => a.release()));
  });
});
