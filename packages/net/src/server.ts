/**
 * The SCP side (FR-DICOM-02): a listener that accepts associations for configured AE titles and
 * presentation contexts and dispatches each DIMSE request to exactly one handler per service
 * (interventions, with defaults: C-ECHO answers Success). What happens is told through events
 * (notifications): 'association', 'associationClosed', 'rejected', 'tlsError', 'connectionError',
 * 'connectionDropped'.
 *
 * No client can starve another (docs/reliability.md):
 * - connections without an association are bounded globally and per source address, the most
 *   expendable one closed when a new one arrives (server/admission.ts), and each must complete
 *   its A-ASSOCIATE-RQ within `associationRequestTimeoutMs` of TCP accept (slowloris);
 * - association slots are reserved synchronously when a request is decided, globally and per
 *   calling AE; beyond, A-ASSOCIATE-RJ 2/3/2 (transient, local limit exceeded), never a reset;
 * - the request is screened on its raw bytes before decoding (acse/bounds.ts), and each
 *   association has the framer's PDU cap and the back-pressured data set stream.
 * Limits and measured figures: docs/reliability.md.
 */
import { EventEmitter } from 'node:events';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { guardLogger, type Logger, silentLogger } from '@hnvue/core';
import { peekAeTitles, screenAssociateRq } from './acse/bounds.js';
import {
  type AcceptorPolicy,
  DEFAULT_MAX_PDU_LENGTH,
  DEFAULT_TRANSFER_SYNTAXES,
  HNVUE_IMPLEMENTATION_CLASS_UID,
  HNVUE_IMPLEMENTATION_VERSION_NAME,
  VERIFICATION_SOP_CLASS,
} from './acse/negotiate.js';
import {
  Association,
  DEFAULT_TIMEOUTS,
  type IncomingRequest,
  levelEnabled,
  type RequestHandler,
} from './association.js';
import { type CommandFieldName, commandFieldName, STATUS } from './dimse/index.js';
import { UpperLayer } from './dul/upper-layer.js';
import { NetTimeoutError } from './errors.js';
import type { AssociateRq } from './pdu/types.js';
import { type AddressFilter, addressFilter, addressKey } from './server/access.js';
import { Admission, type DropReason, type PendingConnection, type Reservation } from './server/admission.js';
import { decideRequest, rejectionEvent } from './server/decide.js';
import { DropLog } from './server/drop-log.js';
import { resolveServerLimits, type ServerLimits } from './server/limits.js';
import type { DicomServerEvents, ServerOptions, ServiceName } from './server/options.js';
import { echoHandler } from './services/echo.js';
import { tlsServerOptions, toTlsError } from './tls/index.js';

export { DEFAULT_NEGOTIATION_LIMITS, type NegotiationLimits } from './acse/bounds.js';
export type { DropReason } from './server/admission.js';
export { DEFAULT_SERVER_LIMITS, type ServerLimits } from './server/limits.js';
export type {
  AssociationRequestInfo,
  DicomServerEvents,
  DropInfo,
  RejectionInfo,
  ServerOptions,
  ServiceName,
} from './server/options.js';

const SERVICE_OF: Partial<Record<CommandFieldName, ServiceName>> = {
  'C-ECHO-RQ': 'C-ECHO',
  'C-STORE-RQ': 'C-STORE',
  'C-FIND-RQ': 'C-FIND',
  'C-MOVE-RQ': 'C-MOVE',
  'C-GET-RQ': 'C-GET',
  'N-EVENT-REPORT-RQ': 'N-EVENT-REPORT',
  'N-GET-RQ': 'N-GET',
  'N-SET-RQ': 'N-SET',
  'N-ACTION-RQ': 'N-ACTION',
  'N-CREATE-RQ': 'N-CREATE',
  'N-DELETE-RQ': 'N-DELETE',
};

/** One TCP connection until it becomes an association (or closes). */
interface Entry extends PendingConnection {
  readonly peer: string;
  readonly raw: Socket;
  socket: Socket | TLSSocket | undefined;
  dul: UpperLayer | undefined;
  timer: NodeJS.Timeout | undefined;
}

const LISTEN_BACKLOG = 4096;

export class DicomServer extends EventEmitter<DicomServerEvents> {
  readonly #options: ServerOptions;
  readonly #limits: ServerLimits;
  readonly #addresses: AddressFilter;
  readonly #admission: Admission<Entry>;
  readonly #log: Logger;
  readonly #drops: DropLog;
  readonly #handlers = new Map<ServiceName, RequestHandler>();
  readonly #server: NetServer;
  readonly #connections = new Set<Socket>();
  /** TLS: the peer of each raw connection, for a handshake failure after the socket is gone. */
  readonly #tlsPeers = new WeakMap<Socket, string>();
  readonly #associations = new Set<Association>();
  /** TLS: the raw connection's entry by remote host:port, until its handshake completes. */
  readonly #handshaking = new Map<string, Entry>();
  #port = 0;

  constructor(options: ServerOptions = {}) {
    super();
    this.#options = options;
    this.#limits = resolveServerLimits(options.limits, options.maxAssociations);
    this.#addresses = addressFilter(options.allowedAddresses);
    this.#admission = new Admission<Entry>(this.#limits);
    this.#log = guardLogger(options.logger ?? silentLogger).child({ component: 'dicom-server' });
    this.#drops = new DropLog(this.#log);
    this.#handlers.set('C-ECHO', echoHandler);
    for (const [service, handler] of Object.entries(options.handlers ?? {})) {
      if (handler) this.#handlers.set(service as ServiceName, handler);
    }
    if (options.tls) {
      const server = createTlsServer({
        ...tlsServerOptions(options.tls),
        // A slow handshake is cut with the same deadline as a slow request (slowloris).
        handshakeTimeout: this.#limits.associationRequestTimeoutMs,
      });
      server.on('secureConnection', (socket: TLSSocket) => {
        const key = `${socket.remoteAddress}:${socket.remotePort}`;
        const entry = this.#handshaking.get(key);
        this.#handshaking.delete(key);
        if (entry === undefined || !this.#admission.has(entry)) {
          socket.destroy();
          return;
        }
        this.#onConnection(socket, entry);
      });
      server.on('tlsClientError', (err, socket) => {
        // A reset peer's TLSSocket no longer knows its address: take the raw connection's
        // (node:tls keeps it as `_parent`), as recorded at accept; otherwise it logs "undefined".
        const raw = (socket as unknown as { _parent?: Socket })._parent;
        const known = raw === undefined ? undefined : this.#tlsPeers.get(raw);
        const peer =
          known ?? (socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : 'unknown');
        const tls = toTlsError(err, peer);
        this.#log.info(
          {
            event: 'tls.refused',
            peer,
            reason: tls?.reason ?? 'connection',
            code: (err as { code?: string }).code,
            ...(tls ? { cause: tls.message } : {}),
          },
          'TLS client refused',
        );
        if (tls) this.emit('tlsError', tls, peer);
      });
      this.#server = server;
    } else {
      this.#server = createNetServer({ noDelay: true });
    }
    // A backstop only: the admission limits keep far fewer sockets open. Beyond it node:net
    // closes new sockets itself ('drop'), which is logged like our own drops.
    this.#server.maxConnections = 2 * (this.#limits.maxPendingConnections + this.#limits.maxAssociations);
    this.#server.on('drop', (data) => {
      this.#drops.drop('maxConnections', {
        address: addressKey(data?.remoteAddress),
        limit: this.#server.maxConnections,
      });
    });
    this.#server.on('connection', (socket: Socket) => this.#onTcpConnection(socket));
  }

  /** Registers the single handler of a service, replacing the previous one (default C-ECHO included). */
  handle(service: ServiceName, handler: RequestHandler): this {
    this.#handlers.set(service, handler);
    return this;
  }

  /** The limits in force (defaults merged with the options). */
  get limits(): ServerLimits {
    return this.#limits;
  }

  /** Listens; resolves with the bound port (pass 0 for a free one). */
  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      // A deeper accept queue than node's 511 absorbs connect bursts instead of dropping SYNs
      // (a dropped SYN costs a legitimate client a 1 s retransmission; capped by somaxconn).
      this.#server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    // An accept failure (EMFILE, ENFILE…) after listen() is an 'error' on the listening server:
    // without a listener node:events would throw it as an uncaught exception and take the
    // console down. It names no peer (accept failed before one existed) and carries no PHI.
    this.#server.on('error', (err: Error) => {
      this.#log.warn(
        { code: (err as { code?: string }).code, err: err.message },
        'DICOM server accept failed',
      );
      this.emit('connectionError', err, `${host}:${this.#port}`);
    });
    const address = this.#server.address();
    this.#port = typeof address === 'object' && address ? address.port : port;
    this.#log.info(
      { port: this.#port, host, tls: this.#options.tls !== undefined },
      'DICOM server listening',
    );
    this.emit('listening', this.#port);
    return this.#port;
  }

  get port(): number {
    return this.#port;
  }

  /** Associations currently established. */
  get associations(): readonly Association[] {
    return [...this.#associations];
  }

  /** Connections without an association that count against the pending limits. */
  get pendingConnections(): number {
    return this.#admission.pendingCount;
  }

  /**
   * Stops listening. Established associations are released gracefully unless `abort` is true;
   * either way all connections are closed before the promise resolves.
   */
  async close(options: { readonly abort?: boolean } = {}): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await Promise.all(
      [...this.#associations].map(async (association) => {
        if (options.abort) association.abort();
        else await association.release().catch(() => association.abort());
        await association.closed;
      }),
    );
    for (const socket of this.#connections) socket.destroy();
    this.#drops.close();
    await closed;
  }

  #policy(): AcceptorPolicy {
    const o = this.#options;
    return {
      aeTitles: o.aeTitles,
      callingAeTitles: o.callingAeTitles,
      aeTitlesCaseInsensitive: o.aeTitlesCaseInsensitive,
      contexts: o.contexts ?? [
        { abstractSyntax: VERIFICATION_SOP_CLASS, transferSyntaxes: DEFAULT_TRANSFER_SYNTAXES },
      ],
      maxPduLength: o.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH,
      implementationClassUid: o.implementationClassUid ?? HNVUE_IMPLEMENTATION_CLASS_UID,
      implementationVersionName: o.implementationVersionName ?? HNVUE_IMPLEMENTATION_VERSION_NAME,
      asyncOpsWindow: o.asyncOpsWindow,
      maxOperationsGranted: this.#limits.maxOperationsGranted,
      extendedNegotiation: o.extendedNegotiation,
    };
  }

  #dispatch: RequestHandler = (request: IncomingRequest) => {
    const name = commandFieldName(request.command.commandField);
    const service = name === undefined ? undefined : SERVICE_OF[name];
    const handler = service === undefined ? undefined : this.#handlers.get(service);
    if (handler === undefined) {
      // PS3.7 C.5.x: 0211H unrecognized operation for a service we do not provide.
      return { status: STATUS.unrecognizedOperation };
    }
    return handler(request);
  };

  /** TCP accept: admitted at once, making room by closing the most expendable pending connection. */
  #onTcpConnection(raw: Socket): void {
    this.#connections.add(raw);
    const acceptedAt = Date.now();
    const entry: Entry = {
      peer: `${raw.remoteAddress}:${raw.remotePort}`,
      address: addressKey(raw.remoteAddress),
      acceptedAt,
      disallowed: !this.#addresses.allows(raw.remoteAddress),
      phase: 'awaiting-rq',
      raw,
      socket: undefined,
      dul: undefined,
      timer: undefined,
      lastActivity: () => (entry.dul ? Date.now() - entry.dul.idleMs : acceptedAt),
    };
    for (const { victim, reason } of this.#admission.admit(entry)) {
      this.#drop(
        victim,
        reason,
        reason === 'maxPendingPerAddress'
          ? this.#limits.maxPendingPerAddress
          : this.#limits.maxPendingConnections,
      );
    }
    const ms = this.#limits.associationRequestTimeoutMs;
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (entry.phase !== 'awaiting-rq') return;
      this.#admission.remove(entry);
      this.#drop(entry, 'associationRequestTimeout', ms);
      this.emit(
        'connectionError',
        new NetTimeoutError('acse', ms, { details: { peer: entry.peer } }),
        entry.peer,
      );
    }, ms);
    entry.timer.unref?.();
    raw.once('close', () => {
      this.#connections.delete(raw);
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = undefined;
      this.#admission.remove(entry);
      this.#handshaking.delete(entry.peer);
    });
    if (this.#options.tls) {
      this.#handshaking.set(entry.peer, entry);
      this.#tlsPeers.set(raw, entry.peer);
    } else this.#onConnection(raw, entry);
  }

  /** Closes a connection without an association (PS3.8 AA-2: no A-ABORT before an RQ) and says so. */
  #drop(entry: Entry, reason: DropReason, limit: number): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    const pending =
      reason === 'maxPendingPerAddress'
        ? this.#admission.pendingFor(entry.address)
        : this.#admission.pendingCount;
    this.#drops.drop(reason, { peer: entry.peer, phase: entry.phase, pending, limit });
    entry.socket?.destroy();
    entry.raw.destroy();
    this.emit('connectionDropped', { peer: entry.peer, reason, pending, limit });
  }

  #onConnection(socket: Socket | TLSSocket, entry: Entry): void {
    const peer = entry.peer;
    const log = this.#log.child({ peer });
    socket.setNoDelay(true);
    const timeouts = { ...DEFAULT_TIMEOUTS, idleMs: 120_000, ...this.#options.timeouts };
    const maxPduLength = this.#options.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH;
    const dul = new UpperLayer({
      socket,
      isRequestor: false,
      maxPduLength,
      artimMs: timeouts.acseMs,
      logger: log,
      peer,
      trace: levelEnabled(this.#options.logger, 'trace'),
      maxAssociatePduLength: this.#limits.maxAssociateRqLength,
      nativePdu: this.#options.framing?.nativePdu,
      screenAssociateRq: (bytes) => {
        const verdict = screenAssociateRq(bytes, this.#limits);
        if (verdict === undefined) return undefined;
        entry.phase = 'closing';
        if (entry.timer) clearTimeout(entry.timer);
        entry.timer = undefined;
        if (verdict.type === 'reject') {
          const titles = peekAeTitles(bytes);
          this.emit(
            'rejected',
            rejectionEvent(this.#log, peer, titles, verdict.rj, {
              limit: verdict.limit,
              value: verdict.value,
            }),
          );
        }
        return verdict;
      },
    });
    entry.socket = socket;
    entry.dul = dul;
    const association = new Association({
      role: 'acceptor',
      dul,
      socket,
      peer,
      logger: log,
      timeouts,
      maxResponseDatasetLength: 16 * 1024 * 1024,
      requestHandler: this.#dispatch,
      framing: this.#options.framing,
      debug: levelEnabled(this.#options.logger, 'debug'),
    });
    let established = false;
    let reservation: Reservation | undefined;
    association.negotiationListener = {
      associateRequested: (rq) => {
        entry.phase = 'deciding';
        if (entry.timer) clearTimeout(entry.timer);
        entry.timer = undefined;
        this.#onAssociateRequest(rq, dul, association, entry, (r) => {
          reservation = r;
        }).then(
          (ok) => {
            if (ok) {
              established = true;
              this.#admission.remove(entry);
              this.#associations.add(association);
              this.emit('association', association);
            } else {
              entry.phase = 'closing';
              reservation?.release();
            }
          },
          (err: unknown) => {
            entry.phase = 'closing';
            reservation?.release();
            log.error(
              { err: (err as Error)?.message },
              'association request could not be answered; aborting',
            );
            dul.abort(err instanceof Error ? err : new Error(String(err)));
          },
        );
      },
      associateAccepted: () => {},
      associateRejected: () => {},
      pdata: () => {},
      releaseRequested: () => {},
      releaseConfirmed: () => {},
      aborted: (error) => {
        if (!established) {
          log.info(
            { code: (error as { code?: string }).code, err: error.message },
            'connection aborted before association',
          );
          this.emit('connectionError', error, peer);
        }
      },
      closed: () => {
        reservation?.release();
        this.#admission.remove(entry);
        if (this.#associations.delete(association)) this.emit('associationClosed', association);
      },
    };
    dul.startAcceptor(association.attachAcceptor());
  }

  /** The key a calling AE title is counted under: compared as the listener compares titles. */
  #aeKey(title: string): string {
    const trimmed = title.trim();
    return (this.#options.aeTitlesCaseInsensitive ?? true) ? trimmed.toUpperCase() : trimmed;
  }

  async #onAssociateRequest(
    rq: AssociateRq,
    dul: UpperLayer,
    association: Association,
    entry: Entry,
    reserved: (reservation: Reservation) => void,
  ): Promise<boolean> {
    const { decision, detail } = await decideRequest({
      rq,
      peer: entry.peer,
      disallowed: entry.disallowed,
      policy: this.#policy(),
      admission: this.#admission,
      callingAeKey: this.#aeKey(rq.callingAeTitle),
      authenticate: this.#options.authenticate,
      log: this.#log,
      reserved,
    });
    // The peer may have aborted or sent garbage while the hook ran (PS3.8 Sta3 → Sta13).
    if (dul.isClosed || dul.state !== 'Sta3') return false;
    if (decision.type === 'reject') {
      dul.reject(decision.rj);
      this.emit('rejected', rejectionEvent(this.#log, entry.peer, rq, decision.rj, detail));
      return false;
    }
    dul.accept(decision.ac);
    association.acceptorEstablished(decision.negotiated);
    return true;
  }
}

/** Creates a DICOM SCP; call `listen()` to start it. */
export function createServer(options: ServerOptions = {}): DicomServer {
  return new DicomServer(options);
}
