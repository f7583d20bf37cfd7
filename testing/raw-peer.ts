/**
 * A scripted raw-byte DICOM peer for error-path tests (after pynetdicom's tests/parrot.py): it
 * sends exactly the bytes a test gives it and records exactly what it receives, PDU by PDU, so a
 * test can assert the A-ABORT our side sends (PS3.8 9.3.8) byte for byte.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** One PDU as received: its type and the full bytes (header included). */
export interface ReceivedPdu {
  readonly type: number;
  readonly bytes: Uint8Array;
}

/** One end of a raw TCP connection with PDU framing of what arrives. */
export class RawConnection {
  readonly socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  readonly #pdus: ReceivedPdu[] = [];
  #waiters: (() => void)[] = [];
  #closed = false;
  readonly closedPromise: Promise<void>;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      while (this.#buffer.length >= 6) {
        const length = this.#buffer.readUInt32BE(2);
        if (this.#buffer.length < 6 + length) break;
        const bytes = new Uint8Array(this.#buffer.subarray(0, 6 + length));
        this.#pdus.push({ type: bytes[0] ?? 0, bytes });
        this.#buffer = this.#buffer.subarray(6 + length);
      }
      this.#wake();
    });
    socket.on('error', () => {});
    this.closedPromise = new Promise((resolve) => {
      socket.on('close', () => {
        this.#closed = true;
        this.#wake();
        resolve();
      });
    });
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Every PDU received so far. */
  get received(): readonly ReceivedPdu[] {
    return this.#pdus;
  }

  send(bytes: Uint8Array | readonly number[]): void {
    this.socket.write(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
  }

  /** Sends then half-closes (FIN) our side. */
  sendAndEnd(bytes: Uint8Array | readonly number[]): void {
    this.socket.end(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
  }

  /** The next PDU not yet taken; rejects on close or after `timeoutMs`. */
  #taken = 0;
  async nextPdu(timeoutMs = 5000): Promise<ReceivedPdu> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pdu = this.#pdus[this.#taken];
      if (pdu) {
        this.#taken++;
        return pdu;
      }
      if (this.#closed) throw new Error('connection closed before a PDU arrived');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no PDU within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves when the other side closed the connection; rejects after `timeoutMs`. */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.closedPromise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`connection not closed within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
    clearTimeout(timer);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Connects to host:port as a raw client. */
export async function connectRaw(port: number, host = '127.0.0.1'): Promise<RawConnection> {
  return await new Promise((resolve, reject) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => resolve(new RawConnection(socket)));
    socket.once('error', reject);
  });
}

/** A raw server: each accepted connection is handed to `onConnection`. */
export interface RawServer {
  readonly port: number;
  readonly connections: readonly RawConnection[];
  /** The next accepted connection (or one already waiting). */
  nextConnection(timeoutMs?: number): Promise<RawConnection>;
  close(): Promise<void>;
}

export async function startRawServer(onConnection?: (connection: RawConnection) => void): Promise<RawServer> {
  const connections: RawConnection[] = [];
  let taken = 0;
  let waiter: (() => void) | undefined;
  const server: Server = createServer((socket) => {
    const connection = new RawConnection(socket);
    connections.push(connection);
    onConnection?.(connection);
    waiter?.();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    connections,
    async nextConnection(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (connections[taken] === undefined) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('no connection');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiter = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return connections[taken++]!;
    },
    async close() {
      for (const c of connections) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The 10 bytes of an A-ABORT PDU (PS3.8 Table 9-26). */
export function abortBytes(source: number, reason: number): number[] {
  return [0x07, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, source, reason];
}
