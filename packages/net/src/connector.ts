import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { ConnectError } from './errors.js';

/**
 * The transport under an association is injected (STYLE.md "Inject the connector"): plain TCP by
 * default, TLS through `tlsConnector`, or anything a test passes. A connector resolves once the
 * socket can carry the A-ASSOCIATE-RQ (for TLS: after the handshake) and rejects with a typed
 * error (ConnectError, TlsError). It must destroy its socket when `signal` aborts.
 */
export interface ConnectOptions {
  readonly host: string;
  readonly port: number;
  readonly signal?: AbortSignal | undefined;
}

/** A Duplex byte stream; `setNoDelay` is called when present (Nagle costs ~40 ms per exchange). */
export type DicomSocket = Duplex & { setNoDelay?(noDelay?: boolean): unknown };

export type Connector = (options: ConnectOptions) => Promise<DicomSocket>;

/** Plain TCP with Nagle off. */
export const tcpConnector: Connector = (options) =>
  new Promise<DicomSocket>((resolve, reject) => {
    const socket = netConnect({ host: options.host, port: options.port, noDelay: true });
    const onAbort = () => {
      socket.destroy();
      reject(new ConnectError(`connection to ${options.host}:${options.port} cancelled`));
    };
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      options.signal?.removeEventListener('abort', onAbort);
      // Keep a listener until the upper layer attaches its own: an early 'error' must not crash.
      socket.removeAllListeners('error');
      socket.on('error', () => {});
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(
        new ConnectError(`cannot connect to ${options.host}:${options.port}: ${err.code ?? err.message}`, {
          cause: err,
          details: { host: options.host, port: options.port, errno: err.code },
        }),
      );
    });
  });
