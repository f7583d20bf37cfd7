/**
 * A loopback TCP proxy that disturbs the connections it carries, for the fault soak (issue 17 item
 * 5, NFR-REL-01). Between a DICOM client and its peer it forwards bytes unchanged until a fault is
 * armed; the next chunk of data in either direction then meets the fault:
 * - `reset`: neither side gets the chunk; both sockets are destroyed with a TCP RST;
 * - `stall`: the chunk and everything after it on that connection is held for `stallMs`, then
 *   forwarded in order (a peer that stops answering without closing);
 * - `truncate`: only part of the chunk is forwarded (a PDU cut mid-way, PS3.8 9.3.1 framing), then
 *   both sockets are closed (FIN).
 * Faults fire at random times from a seeded PRNG (`mulberry32`), so a run is repeatable up to the
 * timing of the network itself. The proxy never looks inside PDUs.
 */
import { createServer, type Server, Socket } from 'node:net';

/** A small seeded PRNG (Mulberry32): uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type FaultKind = 'reset' | 'stall' | 'truncate';

export interface FaultStats {
  connections: number;
  resets: number;
  stalls: number;
  truncations: number;
  bytesForwarded: number;
}

export interface ChaosOptions {
  /** Mean time between two armed faults (exponential), ms. */
  readonly meanIntervalMs: number;
  /** Stall length range, ms. Default 1000–5000. */
  readonly stallMs?: readonly [number, number];
  /** Relative weights of the kinds; default equal. */
  readonly weights?: Readonly<Record<FaultKind, number>>;
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  heldUntil: number;
  readonly held: { readonly to: Socket; readonly chunk: Buffer }[];
  closed: boolean;
}

export class FaultProxy {
  readonly stats: FaultStats = { connections: 0, resets: 0, stalls: 0, truncations: 0, bytesForwarded: 0 };
  readonly #server: Server;
  readonly #random: () => number;
  readonly #pairs = new Set<Pair>();
  #target: { host: string; port: number };
  #armed: { kind: FaultKind; stallMs: number } | undefined;
  #chaos: NodeJS.Timeout | undefined;
  #port = 0;

  private constructor(target: { host: string; port: number }, seed: number) {
    this.#target = target;
    this.#random = mulberry32(seed);
    this.#server = createServer((client) => this.#accept(client));
  }

  /** Starts a proxy on 127.0.0.1 (port 0 = any free port) in front of `target`. */
  static async start(options: {
    readonly target: { readonly host: string; readonly port: number };
    readonly seed: number;
    readonly port?: number;
  }): Promise<FaultProxy> {
    const proxy = new FaultProxy({ ...options.target }, options.seed);
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject);
      proxy.#server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const address = proxy.#server.address();
    proxy.#port = typeof address === 'object' && address ? address.port : 0;
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  /** Where new connections go (a restarted peer may listen elsewhere). */
  setTarget(target: { readonly host: string; readonly port: number }): void {
    this.#target = { ...target };
  }

  /** Arms one fault for the next chunk of data on any connection (replaces an armed one). */
  arm(kind: FaultKind, stallMs = 2000): void {
    this.#armed = { kind, stallMs };
  }

  get armed(): FaultKind | undefined {
    return this.#armed?.kind;
  }

  /** Arms faults at random times until `stopChaos()`. */
  startChaos(options: ChaosOptions): void {
    this.stopChaos();
    const [minStall, maxStall] = options.stallMs ?? [1000, 5000];
    const weights = options.weights ?? { reset: 1, stall: 1, truncate: 1 };
    const kinds = (Object.keys(weights) as FaultKind[]).filter((k) => weights[k] > 0);
    const total = kinds.reduce((s, k) => s + weights[k], 0);
    const next = () => {
      const delay = -Math.log(1 - this.#random()) * options.meanIntervalMs;
      this.#chaos = setTimeout(() => {
        const pick = this.#random() * total;
        let upTo = 0;
        const kind =
          kinds.find((k) => {
            upTo += weights[k];
            return pick < upTo;
          }) ?? kinds[0]!;
        this.arm(kind, Math.round(minStall + this.#random() * (maxStall - minStall)));
        next();
      }, delay);
      this.#chaos.unref();
    };
    next();
  }

  /** No new faults; an armed one is dropped, held data is released at its time. */
  stopChaos(): void {
    if (this.#chaos) clearTimeout(this.#chaos);
    this.#chaos = undefined;
    this.#armed = undefined;
  }

  /** Destroys every connection and stops listening. */
  async close(): Promise<void> {
    this.stopChaos();
    for (const pair of this.#pairs) this.#destroy(pair, false);
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    this.stats.connections++;
    client.setNoDelay(true);
    const upstream = new Socket();
    upstream.setNoDelay(true);
    const pair: Pair = { client, upstream, heldUntil: 0, held: [], closed: false };
    this.#pairs.add(pair);
    // Bytes from the client wait in the kernel until the upstream connect completes.
    client.pause();
    upstream.connect(this.#target.port, this.#target.host, () => client.resume());
    client.on('data', (chunk: Buffer) => this.#chunk(pair, upstream, chunk));
    upstream.on('data', (chunk: Buffer) => this.#chunk(pair, client, chunk));
    const close = () => this.#destroy(pair, false);
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', () => this.#destroy(pair, true));
  }

  #chunk(pair: Pair, to: Socket, chunk: Buffer): void {
    if (pair.closed) return;
    const fault = this.#armed;
    if (fault) {
      this.#armed = undefined;
      if (fault.kind === 'reset') {
        this.stats.resets++;
        this.#destroy(pair, true);
        return;
      }
      if (fault.kind === 'truncate') {
        this.stats.truncations++;
        // Keep at least one byte and drop at least one: the receiver sees a PDU that never ends.
        const keep = chunk.length > 1 ? 1 + Math.floor(this.#random() * (chunk.length - 1)) : 0;
        this.#forward(to, chunk.subarray(0, keep));
        pair.closed = true;
        pair.client.end();
        pair.upstream.end();
        setTimeout(() => this.#destroy(pair, false), 200).unref();
        return;
      }
      this.stats.stalls++;
      pair.heldUntil = Date.now() + fault.stallMs;
      setTimeout(() => this.#release(pair), fault.stallMs).unref();
    }
    if (pair.heldUntil > Date.now() || pair.held.length > 0) pair.held.push({ to, chunk });
    else this.#forward(to, chunk);
  }

  #release(pair: Pair): void {
    pair.heldUntil = 0;
    for (const { to, chunk } of pair.held.splice(0)) if (!pair.closed) this.#forward(to, chunk);
  }

  #forward(to: Socket, chunk: Buffer): void {
    if (to.destroyed || chunk.length === 0) return;
    this.stats.bytesForwarded += chunk.length;
    to.write(chunk);
  }

  #destroy(pair: Pair, reset: boolean): void {
    pair.closed = true;
    this.#pairs.delete(pair);
    for (const socket of [pair.client, pair.upstream]) {
      if (socket.destroyed) continue;
      if (reset && socket.readyState === 'open') socket.resetAndDestroy();
      else socket.destroy();
    }
  }
}
