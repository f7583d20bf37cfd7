/**
 * Shared pieces of the hardening tests (issue 17): raw A-ASSOCIATE-RQ bytes of any shape, idle
 * TCP connections in bounded batches, timed legitimate C-ECHOs (our SCU and DCMTK echoscu) and a
 * memory sampler for the peak figures.
 */
import { createConnection, type Socket } from 'node:net';
import { runEchoscu } from '@hnvue/testing/peers';
import { buildAssociateRq } from '../../src/acse/negotiate.js';
import { echo, TRANSFER_SYNTAX, VERIFICATION_SOP_CLASS } from '../../src/index.js';
import { encodePdu } from '../../src/pdu/index.js';
import type { AssociateRq, PresentationContextRq, UserIdentityRq } from '../../src/pdu/types.js';

const ILE = TRANSFER_SYNTAX.implicitVrLittleEndian;

/** A valid Verification A-ASSOCIATE-RQ object from `callingAeTitle`. */
export function echoRq(callingAeTitle = 'RAW', calledAeTitle = 'HNVUE'): AssociateRq {
  return buildAssociateRq({
    callingAeTitle,
    calledAeTitle,
    contexts: [{ abstractSyntax: VERIFICATION_SOP_CLASS, transferSyntaxes: [ILE] }],
    maxPduLength: 16_384,
    implementationClassUid: '1.2.3.4',
  });
}

/**
 * An A-ASSOCIATE-RQ with `count` Verification contexts whose IDs cycle through the odd numbers
 * 1-255 (so any count above 128 repeats IDs, as a flood request must), each with `syntaxes`
 * transfer syntaxes. The encoder checks each ID, not their uniqueness.
 */
export function manyContextsRq(count: number, syntaxes = 1, identity?: UserIdentityRq): Uint8Array {
  const base = echoRq();
  const transferSyntaxes = Array.from({ length: syntaxes }, (_, i) => (i === 0 ? ILE : `1.2.840.99.${i}`));
  const presentationContexts: PresentationContextRq[] = Array.from({ length: count }, (_, i) => ({
    id: 2 * (i % 128) + 1,
    abstractSyntax: VERIFICATION_SOP_CLASS,
    transferSyntaxes,
  }));
  return encodePdu({
    ...base,
    presentationContexts,
    userInformation: { ...base.userInformation, userIdentityRq: identity },
  });
}

/** Opens `count` TCP connections that send nothing, `batch` at a time (each batch awaited). */
export async function openIdle(port: number, count: number, batch = 50): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let done = 0; done < count; done += batch) {
    const n = Math.min(batch, count - done);
    await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise<void>((resolve) => {
            const socket = createConnection({ port, host: '127.0.0.1' });
            socket.on('error', () => {});
            sockets.push(socket);
            socket.once('connect', () => resolve());
            socket.once('close', () => resolve());
          }),
      ),
    );
  }
  return sockets;
}

export interface TimedEcho {
  readonly client: 'hnvue' | 'echoscu';
  readonly ok: boolean;
  readonly ms: number;
}

/** One legitimate C-ECHO on its own association, timed from connect to response. */
export async function timedEcho(
  port: number,
  client: TimedEcho['client'],
  callingAeTitle = 'LEGIT',
): Promise<TimedEcho> {
  const started = performance.now();
  let ok: boolean;
  if (client === 'hnvue') {
    ok = await echo({
      host: '127.0.0.1',
      port,
      callingAeTitle,
      calledAeTitle: 'HNVUE',
      timeouts: { connectMs: 5000, acseMs: 5000, dimseMs: 5000 },
    }).then(
      (r) => r.status === 0,
      () => false,
    );
  } else {
    const result = await runEchoscu({ port, calledAe: 'HNVUE', callingAe: callingAeTitle });
    ok = result.code === 0;
  }
  return { client, ok, ms: performance.now() - started };
}

/** `n` concurrent C-ECHOs, half from our SCU and half from echoscu. */
export async function concurrentEchoes(port: number, n = 10, callingAeTitle = 'LEGIT'): Promise<TimedEcho[]> {
  return await Promise.all(
    Array.from({ length: n }, (_, i) => timedEcho(port, i % 2 === 0 ? 'hnvue' : 'echoscu', callingAeTitle)),
  );
}

/** Samples memoryUsage() until stopped; `peak` is the largest RSS and heap seen above the start. */
export class MemorySampler {
  readonly startRss: number;
  readonly startHeap: number;
  peakRss: number;
  peakHeap: number;
  readonly #timer: NodeJS.Timeout;

  constructor(intervalMs = 10) {
    const m = process.memoryUsage();
    this.startRss = m.rss;
    this.startHeap = m.heapUsed;
    this.peakRss = m.rss;
    this.peakHeap = m.heapUsed;
    this.#timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): void {
    const m = process.memoryUsage();
    this.peakRss = Math.max(this.peakRss, m.rss);
    this.peakHeap = Math.max(this.peakHeap, m.heapUsed);
  }

  stop(): { peakRssMb: number; peakHeapMb: number; heapGrowthMb: number; rssGrowthMb: number } {
    clearInterval(this.#timer);
    this.sample();
    const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
    return {
      peakRssMb: mb(this.peakRss),
      peakHeapMb: mb(this.peakHeap),
      heapGrowthMb: mb(this.peakHeap - this.startHeap),
      rssGrowthMb: mb(this.peakRss - this.startRss),
    };
  }
}

export function destroyAll(sockets: readonly Socket[]): void {
  for (const s of sockets) s.destroy();
}
