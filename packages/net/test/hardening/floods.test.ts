/**
 * Issue 17 item 6, floods against our SCP on loopback with its default limits: 1,000 idle TCP
 * connects, 100 silent A-ASSOCIATE-RQ holders and slowloris requests, each while 10 concurrent
 * legitimate C-ECHOs (half our SCU, half DCMTK echoscu) must all be served within 1 s, with
 * memory bounded. The long-run figures come from scripts/flood.ts (docs/reliability.md).
 */
import type { Socket } from 'node:net';
import { connectRaw, type RawConnection } from '@hnvue/testing/raw-peer';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type DicomServer, type DropInfo, type ServerOptions } from '../../src/index.js';
import { decodePdu, encodePdu } from '../../src/pdu/index.js';
import { concurrentEchoes, destroyAll, echoRq, MemorySampler, openIdle, type TimedEcho } from './helpers.js';

let server: DicomServer | undefined;
const drops: DropInfo[] = [];
const sockets: Socket[] = [];
const raws: RawConnection[] = [];

async function start(options: ServerOptions = {}): Promise<number> {
  server = createServer({ aeTitles: ['HNVUE'], ...options });
  server.on('connectionDropped', (d) => drops.push(d));
  return await server.listen(0);
}

function expectAllServed(echoes: readonly TimedEcho[]): void {
  expect(echoes).toHaveLength(10);
  for (const e of echoes) {
    expect(e, JSON.stringify(e)).toMatchObject({ ok: true });
    expect(e.ms, JSON.stringify(e)).toBeLessThan(1000);
  }
  expect(new Set(echoes.map((e) => e.client))).toEqual(new Set(['hnvue', 'echoscu']));
}

afterEach(async () => {
  destroyAll(sockets.splice(0));
  for (const r of raws.splice(0)) r.destroy();
  await server?.close({ abort: true });
  server = undefined;
  drops.length = 0;
});

describe('FR-DICOM-02.limits: floods against our SCP (defaults), every legitimate echo served', () => {
  it('FR-DICOM-02.limits: 1,000 idle TCP connects in batches of 50, 10 concurrent C-ECHOs during and after, all served within 1 s', async () => {
    const port = await start();
    const memory = new MemorySampler();
    const flood = (async () => {
      sockets.push(...(await openIdle(port, 500, 50)));
    })();
    await new Promise((r) => setTimeout(r, 30));
    const during = await concurrentEchoes(port);
    await flood;
    sockets.push(...(await openIdle(port, 500, 50)));
    // Now every pending slot is held by an idle connection.
    expect(server?.pendingConnections).toBe(server?.limits.maxPendingPerAddress);
    const after = await concurrentEchoes(port);
    const figures = memory.stop();
    expectAllServed(during);
    expectAllServed(after);
    const open = sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
    expect(drops.length).toBeGreaterThanOrEqual(1000 - 64);
    expect(drops.every((d) => d.reason === 'maxPendingPerAddress')).toBe(true);
    expect(figures.heapGrowthMb).toBeLessThan(64);
    console.info(
      `1,000 connects: ${JSON.stringify({ ...figures, dropped: drops.length, stillOpenClientSide: open, echoMs: [...during, ...after].map((e) => Math.round(e.ms)) })}`,
    );
  });

  it('FR-DICOM-02.limits: 100 silent A-ASSOCIATE-RQ holders: 16 accepted, the rest RJ 2/3/2; 10 concurrent C-ECHOs all served within 1 s', async () => {
    const port = await start();
    const memory = new MemorySampler();
    const rq = encodePdu(echoRq('HOLDER'));
    const answers: number[] = [];
    for (let batch = 0; batch < 100; batch += 25) {
      const connections = await Promise.all(Array.from({ length: 25 }, () => connectRaw(port)));
      raws.push(...connections);
      for (const c of connections) c.send(rq);
      const pdus = await Promise.all(connections.map((c) => c.nextPdu(3000)));
      answers.push(...pdus.map((p) => p.type));
    }
    // The holders now say nothing more, and keep their sockets open.
    const echoes = await concurrentEchoes(port);
    const figures = memory.stop();
    expectAllServed(echoes);
    expect(answers.filter((t) => t === 0x02)).toHaveLength(16);
    expect(answers.filter((t) => t === 0x03)).toHaveLength(84);
    const rj = raws.map((r) => r.received[0]).find((p) => p?.type === 0x03);
    expect(rj && decodePdu(rj.bytes)).toEqual({ type: 'A-ASSOCIATE-RJ', result: 2, source: 3, reason: 2 });
    expect(server?.associations.filter((a) => a.callingAeTitle === 'HOLDER')).toHaveLength(16);
    expect(figures.heapGrowthMb).toBeLessThan(64);
    console.info(
      `100 holders: ${JSON.stringify({ ...figures, echoMs: echoes.map((e) => Math.round(e.ms)) })}`,
    );
  });

  it('FR-DICOM-02.limits: slowloris: 20 requests trickled a byte every 50 ms are cut at the request deadline; 10 C-ECHOs meanwhile served within 1 s', async () => {
    const deadline = 1000;
    const port = await start({ limits: { associationRequestTimeoutMs: deadline } });
    const rq = encodePdu(echoRq('SLOW'));
    const started = Date.now();
    const slow = await Promise.all(Array.from({ length: 20 }, () => connectRaw(port)));
    raws.push(...slow);
    let sent = 0;
    const trickle = setInterval(() => {
      if (sent < rq.length) for (const c of slow) if (!c.isClosed) c.send([rq[sent] as number]);
      sent++;
    }, 50);
    await new Promise((r) => setTimeout(r, 300));
    const echoes = await concurrentEchoes(port);
    await Promise.all(slow.map((c) => c.waitClosed(3000)));
    const cutAfter = Date.now() - started;
    clearInterval(trickle);
    expectAllServed(echoes);
    expect(sent).toBeLessThan(rq.length);
    expect(cutAfter).toBeGreaterThanOrEqual(deadline - 50);
    expect(cutAfter).toBeLessThan(deadline + 1000);
    expect(drops.filter((d) => d.reason === 'associationRequestTimeout')).toHaveLength(20);
    expect(slow.every((c) => c.received.length === 0)).toBe(true);
  });
});
