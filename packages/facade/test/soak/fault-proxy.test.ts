/**
 * The soak's fault injector on its own (testing/fault-proxy.ts): it forwards unchanged, and each
 * armed fault (RST, stall, truncated PDU) does what the soak counts it as. Plain TCP peers here;
 * the DICOM behaviour under these faults is the soak's job.
 */
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { FaultProxy, mulberry32 } from '@hnvue/testing/fault-proxy';
import { afterEach, describe, expect, it } from 'vitest';

let echo: Server | undefined;
let proxy: FaultProxy | undefined;
/** Bytes the server behind the proxy received. */
let serverBytes = 0;

afterEach(async () => {
  await proxy?.close();
  await new Promise<void>((r) => (echo ? echo.close(() => r()) : r()));
  proxy = undefined;
  echo = undefined;
});

/** An echo server behind a fresh proxy; returns a connected client. */
async function setup(): Promise<Socket> {
  serverBytes = 0;
  echo = createServer((s) => {
    s.on('error', () => {}); // the proxy resets this side too
    s.on('data', (d: Buffer) => {
      serverBytes += d.length;
    });
    s.pipe(s);
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  const address = echo.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port }, seed: 7 });
  const client = createConnection({ host: '127.0.0.1', port: proxy.port });
  await once(client, 'connect');
  return client;
}

function collect(client: Socket): { bytes: () => number; closed: Promise<string> } {
  let n = 0;
  client.on('data', (d: Buffer) => {
    n += d.length;
  });
  const closed = new Promise<string>((resolve) => {
    client.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    client.once('close', () => resolve('close'));
  });
  return { bytes: () => n, closed };
}

describe('fault proxy', () => {
  it('NFR-REL-01: the PRNG is seeded (same seed, same sequence) and uniform in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1);
  });

  it('NFR-REL-01: forwards bytes unchanged both ways when no fault is armed', async () => {
    const client = await setup();
    const payload = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
    const got: Buffer[] = [];
    client.on('data', (d: Buffer) => got.push(d));
    client.write(payload);
    await expect.poll(() => Buffer.concat(got).length).toBe(payload.length);
    expect(Buffer.concat(got).equals(payload)).toBe(true);
    expect(proxy?.stats).toMatchObject({ connections: 1, resets: 0, stalls: 0, truncations: 0 });
    client.destroy();
  });

  it('NFR-REL-01: reset — the next chunk is dropped and the client sees ECONNRESET', async () => {
    const client = await setup();
    const seen = collect(client);
    proxy?.arm('reset');
    client.write(Buffer.alloc(64, 1));
    expect(await seen.closed).toBe('ECONNRESET');
    expect(seen.bytes()).toBe(0);
    expect(proxy?.stats.resets).toBe(1);
  });

  it('NFR-REL-01: stall — data is held for the stall time, then delivered in order', async () => {
    const client = await setup();
    const got: Buffer[] = [];
    client.on('data', (d: Buffer) => got.push(d));
    proxy?.arm('stall', 600);
    const t0 = Date.now();
    client.write(Buffer.from('first'));
    await new Promise((r) => setTimeout(r, 100));
    client.write(Buffer.from('second'));
    await expect.poll(() => Buffer.concat(got).toString(), { timeout: 3000 }).toBe('firstsecond');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
    expect(proxy?.stats.stalls).toBe(1);
    client.destroy();
  });

  it('NFR-REL-01: truncate — part of a PDU reaches the peer, then the connection closes', async () => {
    const client = await setup();
    const seen = collect(client);
    proxy?.arm('truncate');
    // A P-DATA-TF header claiming 1000 bytes of body (PS3.8 9.3.5), with the body.
    const pdu = Buffer.alloc(1006);
    pdu.writeUInt8(0x04, 0);
    pdu.writeUInt32BE(1000, 2);
    client.write(pdu);
    await seen.closed;
    expect(serverBytes).toBeGreaterThan(0);
    expect(serverBytes).toBeLessThan(pdu.length);
    expect(seen.bytes()).toBe(0);
    expect(proxy?.stats.truncations).toBe(1);
  });

  it('NFR-REL-01: chaos arms faults at random times from the seed until stopped', async () => {
    await setup().then((c) => c.destroy());
    proxy?.startChaos({ meanIntervalMs: 20, weights: { reset: 0, stall: 0, truncate: 1 } });
    await expect.poll(() => proxy?.armed, { timeout: 2000 }).toBe('truncate');
    proxy?.stopChaos();
    expect(proxy?.armed).toBeUndefined();
  });
});
