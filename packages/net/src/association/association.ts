/**
 * One DICOM association (FR-DICOM-02), on either side: `Association.open()` as requestor, or handed
 * out by `DicomServer` as acceptor. It carries DIMSE messages over the upper layer (`dul/`):
 * requests go out through `request()` (an AsyncIterable of responses: pending ones stream out),
 * incoming requests go to one handler (an intervention), and state changes are notifications
 * ('released', 'aborted', 'close' events; node:diagnostics_channel for tracing).
 *
 * Never half-open: `open()` resolves once the A-ASSOCIATE-AC arrived, and rejects with a typed
 * error otherwise (AssociationRejectedError, NetTimeoutError, TlsError, ConnectError…).
 *
 * This class is the public object only; the work is done by open.ts (establishment),
 * lifecycle.ts (states, release, abort), timers.ts, diagnostics.ts and the DIMSE provider
 * (dimse/provider.ts).
 */
import { EventEmitter } from 'node:events';
import { type Negotiated, type NegotiatedContext, VERIFICATION_SOP_CLASS } from '../acse/negotiate.js';
import { COMMAND_FIELD } from '../dimse/command-fields.js';
import { DimseProvider } from '../dimse/provider.js';
import { dimseFailureError } from '../dimse/status.js';
import type { UpperLayer, UpperLayerUser } from '../dul/upper-layer.js';
import { AssociationClosedError, NoPresentationContextError, ProtocolError } from '../errors.js';
import { PRESENTATION_CONTEXT_RESULT } from '../pdu/types.js';
import { DimseTrace } from './diagnostics.js';
import { Lifecycle } from './lifecycle.js';
import { openRequestor } from './open.js';
import type {
  AssociationEvents,
  AssociationInit,
  AssociationOptions,
  AssociationRole,
  DimseRequest,
  DimseResponse,
  RequestHandler,
} from './types.js';

export class Association extends EventEmitter<AssociationEvents> {
  readonly role: AssociationRole;
  /** PHI-free `host:port` of the peer. */
  readonly peer: string;
  readonly #dul: UpperLayer;
  readonly #life: Lifecycle;
  readonly #dimse: DimseProvider;
  #handler: RequestHandler | undefined;
  /** Set by the opener / server to learn about negotiation (internal). */
  negotiationListener: UpperLayerUser | undefined;

  /** @internal Use `Association.open()` or `createServer()`. */
  constructor(init: AssociationInit) {
    super();
    this.role = init.role;
    this.peer = init.peer;
    this.#dul = init.dul;
    this.#handler = init.requestHandler;
    const life = new Lifecycle({
      association: this,
      role: init.role,
      peer: init.peer,
      dul: init.dul,
      log: init.logger,
      timeouts: init.timeouts,
      dimse: () => this.#dimse,
    });
    this.#life = life;
    this.#dimse = new DimseProvider({
      association: this,
      dul: init.dul,
      socket: init.socket,
      peer: init.peer,
      log: init.logger,
      trace: new DimseTrace(init.logger, init.peer, init.debug ?? true),
      timeouts: init.timeouts,
      framing: init.framing ?? {},
      maxResponseDatasetLength: init.maxResponseDatasetLength,
      negotiated: () => life.negotiated,
      established: () => life.state === 'established',
      closeError: () => life.closeError,
      handler: () => this.#handler,
    });
  }

  /**
   * Connects, negotiates and resolves with an established association; rejects with a typed error
   * otherwise (never a half-open association): ConnectError, TlsError, AssociationRejectedError,
   * AssociationAbortedError, NetTimeoutError ('connect' or 'acse'), CancelledError,
   * InvalidArgumentError.
   */
  static async open(options: AssociationOptions): Promise<Association> {
    return await openRequestor(options, (init) => {
      const association = new Association(init);
      return {
        association,
        user: association.#life.user(),
        established: (negotiated) => association.#life.established(negotiated),
      };
    });
  }

  /** @internal Wires the upper layer to this association; the server calls it for acceptors. */
  attachAcceptor(): UpperLayerUser {
    return this.#life.user();
  }

  /** @internal The server marks an accepted association established. */
  acceptorEstablished(negotiated: Negotiated): void {
    this.#life.established(negotiated);
  }

  /** What was negotiated; throws when not yet established. */
  get negotiated(): Negotiated {
    const negotiated = this.#life.negotiated;
    if (negotiated === undefined) throw new AssociationClosedError('association not established');
    return negotiated;
  }

  get callingAeTitle(): string {
    return this.negotiated.callingAeTitle;
  }

  get calledAeTitle(): string {
    return this.negotiated.calledAeTitle;
  }

  /** The accepted presentation contexts. */
  get acceptedContexts(): NegotiatedContext[] {
    const negotiated = this.#life.negotiated;
    if (negotiated === undefined) return [];
    return [...negotiated.contexts.values()].filter(
      (c) => c.result === PRESENTATION_CONTEXT_RESULT.acceptance,
    );
  }

  /** True while requests can be sent (for pools: false once released, aborted or closed). */
  get usable(): boolean {
    return this.#life.state === 'established' && this.#dul.state === 'Sta6';
  }

  get isEstablished(): boolean {
    return this.usable;
  }

  /** Outstanding requests we may have at once (the negotiated window; Infinity for "unlimited"). */
  get capacity(): number {
    const n = this.#life.negotiated;
    if (n === undefined) return 1;
    const limit = this.role === 'requestor' ? n.requestorMaxInvoked : n.acceptorMaxInvoked;
    return limit === 0 ? Number.POSITIVE_INFINITY : limit;
  }

  /** Resolves when the transport is closed, whatever the cause. */
  get closed(): Promise<void> {
    return this.#life.closed;
  }

  /** Replaces the handler for requests the peer sends on this association (intervention). */
  setRequestHandler(handler: RequestHandler | undefined): void {
    this.#handler = handler;
  }

  /** The accepted context for an abstract syntax (and transfer syntax), or undefined. */
  findContext(abstractSyntax: string, transferSyntax?: string): NegotiatedContext | undefined {
    // Called per request: walk the map rather than building acceptedContexts.
    const negotiated = this.#life.negotiated;
    if (negotiated === undefined) return undefined;
    for (const c of negotiated.contexts.values()) {
      if (
        c.result === PRESENTATION_CONTEXT_RESULT.acceptance &&
        c.abstractSyntax === abstractSyntax &&
        (transferSyntax === undefined || c.transferSyntax === transferSyntax)
      )
        return c;
    }
    return undefined;
  }

  /**
   * The accepted presentation context for a SOP class (and transfer syntax): the one a request of
   * that class travels on, whose transfer syntax its data set must use (PS3.8 7.1.1.13, PS3.7
   * 9.1: a DIMSE message uses a single presentation context). Throws NoPresentationContextError
   * (HNV_ERR_NO_PRESENTATION_CONTEXT) when none was accepted, rather than guessing a transfer
   * syntax the peer never agreed to.
   */
  contextFor(sopClass: string, transferSyntax?: string): NegotiatedContext {
    const context = this.findContext(sopClass, transferSyntax);
    if (context !== undefined) return context;
    throw new NoPresentationContextError(sopClass, undefined, {
      details: transferSyntax ? { transferSyntax } : {},
    });
  }

  /**
   * Sends a request and yields its responses as they arrive: Pending ones (C-FIND matches…) then the
   * final one. Failure statuses are yielded as data too; `send()` turns them into DimseFailureError.
   */
  request(request: DimseRequest): AsyncIterable<DimseResponse> {
    const dimse = this.#dimse;
    return {
      async *[Symbol.asyncIterator]() {
        const exchange = await dimse.start(request);
        try {
          for (let r = await dimse.next(exchange); r !== undefined; r = await dimse.next(exchange)) yield r;
        } finally {
          dimse.end(exchange);
        }
      },
    };
  }

  /**
   * Sends a request and resolves with its final response. Throws DimseFailureError on a Failure
   * status (PS3.7 C.4); Warning, Cancel and Success are returned as data.
   */
  async send(request: DimseRequest): Promise<DimseResponse> {
    // The same steps as request(), without an async generator between the socket and the caller
    // (the per-message hot path of C-ECHO, C-STORE, N-*).
    const dimse = this.#dimse;
    const exchange = await dimse.start(request);
    let last: DimseResponse | undefined;
    try {
      for (let r = await dimse.next(exchange); r !== undefined; r = await dimse.next(exchange)) last = r;
    } finally {
      dimse.end(exchange);
    }
    if (last === undefined) throw new ProtocolError('no response received');
    if (last.statusClass === 'failure') throw dimseFailureError(last.command);
    return last;
  }

  /** C-ECHO (PS3.7 9.3.5): resolves with the response, throws DimseFailureError on failure. */
  async echo(
    options: { readonly signal?: AbortSignal; readonly timeoutMs?: number } = {},
  ): Promise<DimseResponse> {
    return await this.send({
      abstractSyntax: VERIFICATION_SOP_CLASS,
      command: { commandField: COMMAND_FIELD['C-ECHO-RQ'], affectedSopClassUid: VERIFICATION_SOP_CLASS },
      ...options,
    });
  }

  /**
   * A-RELEASE (PS3.8 7.2): waits for outstanding requests, sends A-RELEASE-RQ and resolves on the
   * A-RELEASE-RP. On timeout (acse) the association is aborted and NetTimeoutError('release') thrown.
   */
  async release(): Promise<void> {
    await this.#life.release();
  }

  /** A-ABORT (source: service user). Outstanding requests fail with AssociationAbortedError. */
  abort(error?: Error): void {
    this.#life.abort(error);
  }
}
