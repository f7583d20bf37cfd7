/**
 * The SCP side (FR-DICOM-02): a listener that accepts associations for configured AE titles and
 * presentation contexts and dispatches each DIMSE request to exactly one handler per service
 * (interventions, with defaults: C-ECHO answers Success). What happens is told through events
 * (notifications): 'association', 'associationClosed', 'rejected', 'tlsError', 'connectionError'.
 *
 * Bounded (DICOM-PITFALLS.md, DCMTK 2026 advisories): at most `maxAssociations` at once (more get
 * A-ASSOCIATE-RJ transient / local limit exceeded), each with the framer's PDU cap and the
 * back-pressured data set stream, so neither many peers nor one greedy peer exhaust memory.
 */
import { EventEmitter } from 'node:events';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { guardLogger, type Logger, silentLogger } from '@hnvue/core';
import {
  type AcceptorPolicy,
  type AsyncOpsWindow,
  DEFAULT_MAX_PDU_LENGTH,
  DEFAULT_TRANSFER_SYNTAXES,
  decideAssociation,
  HNVUE_IMPLEMENTATION_CLASS_UID,
  HNVUE_IMPLEMENTATION_VERSION_NAME,
  type IdentityDecision,
  type ReceivedIdentity,
  readIdentity,
  type SupportedContext,
  VERIFICATION_SOP_CLASS,
} from './acse/negotiate.js';
import {
  Association,
  type AssociationTimeouts,
  DEFAULT_TIMEOUTS,
  type FramingOptions,
  type IncomingRequest,
  levelEnabled,
  type RequestHandler,
} from './association.js';
import { type CommandFieldName, commandFieldName, STATUS } from './dimse/index.js';
import { UpperLayer } from './dul/upper-layer.js';
import { AssociationRejectedError, type TlsError } from './errors.js';
import type { AssociateRq, SopClassExtendedNegotiation } from './pdu/types.js';
import { echoHandler } from './services/echo.js';
import { type TlsServerOptions, tlsServerOptions, toTlsError } from './tls/index.js';

/** The services a handler can be registered for, by request name without "-RQ". */
export type ServiceName =
  | 'C-ECHO'
  | 'C-STORE'
  | 'C-FIND'
  | 'C-MOVE'
  | 'C-GET'
  | 'N-EVENT-REPORT'
  | 'N-GET'
  | 'N-SET'
  | 'N-ACTION'
  | 'N-CREATE'
  | 'N-DELETE';

/** Facts about the requestor, for the identity hook (PHI-free). */
export interface AssociationRequestInfo {
  readonly callingAeTitle: string;
  readonly calledAeTitle: string;
  readonly peer: string;
}

export interface ServerOptions {
  /** Called AE titles we answer to (others get A-ASSOCIATE-RJ, reason 7); any when omitted. */
  readonly aeTitles?: readonly string[];
  /** Calling AE titles allowed (others get reason 3); any when omitted. */
  readonly callingAeTitles?: readonly string[];
  /** Tolerant by default: AE titles compared ignoring case (pynetdicom #589). */
  readonly aeTitlesCaseInsensitive?: boolean;
  /** Supported abstract syntaxes with transfer syntaxes in our order of preference. Default: Verification. */
  readonly contexts?: readonly SupportedContext[];
  /** One handler per service; C-ECHO answers Success when none is given. */
  readonly handlers?: Partial<Record<ServiceName, RequestHandler>>;
  readonly maxPduLength?: number;
  readonly implementationClassUid?: string;
  readonly implementationVersionName?: string;
  /** Granted when the requestor proposes a window; 1/1 (no item) by default. */
  readonly asyncOpsWindow?: AsyncOpsWindow;
  /**
   * Decides on the requestor's user identity (PS3.7 D.3.3.7): exactly one hook; by default any
   * identity (or none) is accepted. Return false to reject (A-ASSOCIATE-RJ permanent, user, 1).
   */
  readonly authenticate?: (
    identity: ReceivedIdentity | undefined,
    info: AssociationRequestInfo,
  ) => IdentityDecision | Promise<IdentityDecision>;
  /** Extended negotiation replies from the received items (none by default). */
  readonly extendedNegotiation?: (
    received: readonly SopClassExtendedNegotiation[],
  ) => readonly SopClassExtendedNegotiation[];
  /** At most this many associations at once; more are rejected transiently. Default 32. */
  readonly maxAssociations?: number;
  /** TLS (NFR-SEC-02): server certificate, and client certificates for mutual TLS. */
  readonly tls?: TlsServerOptions;
  /** acseMs is the ARTIM timer; idleMs defaults to 120 s for accepted associations. */
  readonly timeouts?: AssociationTimeouts;
  readonly framing?: FramingOptions;
  readonly logger?: Logger;
}

/** Why an association was refused, for the 'rejected' notification (PHI-free). */
export interface RejectionInfo {
  readonly peer: string;
  readonly callingAeTitle: string;
  readonly calledAeTitle: string;
  readonly error: AssociationRejectedError;
}

export interface DicomServerEvents {
  association: [association: Association];
  associationClosed: [association: Association];
  rejected: [info: RejectionInfo];
  tlsError: [error: TlsError, peer: string];
  /**
   * A connection that ended before an association was established (ARTIM, decode error…), or an
   * accept failure of the listening socket (EMFILE…; `peer` is then our own host:port).
   */
  connectionError: [error: Error, peer: string];
  listening: [port: number];
}

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

export class DicomServer extends EventEmitter<DicomServerEvents> {
  readonly #options: ServerOptions;
  readonly #log: Logger;
  readonly #handlers = new Map<ServiceName, RequestHandler>();
  readonly #server: NetServer;
  readonly #connections = new Set<Socket>();
  readonly #associations = new Set<Association>();
  #negotiating = 0;
  #port = 0;

  constructor(options: ServerOptions = {}) {
    super();
    this.#options = options;
    this.#log = guardLogger(options.logger ?? silentLogger).child({ component: 'dicom-server' });
    this.#handlers.set('C-ECHO', echoHandler);
    for (const [service, handler] of Object.entries(options.handlers ?? {})) {
      if (handler) this.#handlers.set(service as ServiceName, handler);
    }
    if (options.tls) {
      const server = createTlsServer(tlsServerOptions(options.tls));
      server.on('secureConnection', (socket: TLSSocket) => this.#onConnection(socket));
      server.on('tlsClientError', (err, socket) => {
        const peer = `${socket.remoteAddress}:${socket.remotePort}`;
        const tls = toTlsError(err, peer);
        this.#log.info(
          { peer, reason: tls?.reason, code: (err as { code?: string }).code },
          'TLS client refused',
        );
        if (tls) this.emit('tlsError', tls, peer);
      });
      this.#server = server;
    } else {
      this.#server = createNetServer({ noDelay: true }, (socket) => this.#onConnection(socket));
    }
    // Bounds raw TCP connections too (DCMTK 2026 advisory: memory exhaustion from connection
    // floods): beyond twice the association limit node:net drops new sockets at once.
    this.#server.maxConnections = 2 * (options.maxAssociations ?? 32);
    this.#server.on('connection', (socket: Socket) => {
      this.#connections.add(socket);
      socket.once('close', () => this.#connections.delete(socket));
    });
  }

  /** Registers the single handler of a service, replacing the previous one (default C-ECHO included). */
  handle(service: ServiceName, handler: RequestHandler): this {
    this.#handlers.set(service, handler);
    return this;
  }

  /** Listens; resolves with the bound port (pass 0 for a free one). */
  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
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

  #onConnection(socket: Socket | TLSSocket): void {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
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
    });
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
    let counted = true;
    this.#negotiating++;
    const uncount = () => {
      if (counted) this.#negotiating--;
      counted = false;
    };
    association.negotiationListener = {
      associateRequested: (rq) => {
        this.#onAssociateRequest(rq, dul, association, peer).then(
          (ok) => {
            if (ok) {
              established = true;
              uncount();
              this.#associations.add(association);
              this.emit('association', association);
            }
          },
          (err: unknown) => {
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
        uncount();
        if (this.#associations.delete(association)) this.emit('associationClosed', association);
      },
    };
    dul.startAcceptor(association.attachAcceptor());
  }

  async #onAssociateRequest(
    rq: AssociateRq,
    dul: UpperLayer,
    association: Association,
    peer: string,
  ): Promise<boolean> {
    const info: AssociationRequestInfo = {
      callingAeTitle: rq.callingAeTitle,
      calledAeTitle: rq.calledAeTitle,
      peer,
    };
    const max = this.#options.maxAssociations ?? 32;
    let decision: ReturnType<typeof decideAssociation>;
    if (this.#associations.size + this.#negotiating > max) {
      // PS3.8 Table 9-21: rejected-transient, service-provider (presentation), local-limit-exceeded.
      decision = { type: 'reject', rj: { type: 'A-ASSOCIATE-RJ', result: 2, source: 3, reason: 2 } };
    } else {
      let identity: IdentityDecision = true;
      const item = rq.userInformation.userIdentityRq;
      if (this.#options.authenticate) {
        try {
          identity = await this.#options.authenticate(item ? readIdentity(item) : undefined, info);
        } catch (err) {
          this.#log.error({ peer, err: (err as Error)?.message }, 'authenticate hook failed; rejecting');
          identity = false;
        }
      }
      decision = decideAssociation(rq, this.#policy(), identity);
    }
    // The peer may have aborted or sent garbage while the hook ran (PS3.8 Sta3 → Sta13).
    if (dul.isClosed || dul.state !== 'Sta3') return false;
    if (decision.type === 'reject') {
      const { result, source, reason } = decision.rj;
      const error = new AssociationRejectedError(result, source, reason, {
        details: { peer, calledAeTitle: rq.calledAeTitle, callingAeTitle: rq.callingAeTitle },
      });
      this.#log.info(
        { peer, callingAeTitle: rq.callingAeTitle, calledAeTitle: rq.calledAeTitle, result, source, reason },
        'association rejected',
      );
      dul.reject(decision.rj);
      this.emit('rejected', {
        peer,
        callingAeTitle: rq.callingAeTitle,
        calledAeTitle: rq.calledAeTitle,
        error,
      });
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
