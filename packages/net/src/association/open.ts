/**
 * The requestor side of association establishment (PS3.8 7.1, PS3.7 Annex D): connect, send the
 * A-ASSOCIATE-RQ, and settle on the A-ASSOCIATE-AC (established), -RJ (AssociationRejectedError),
 * an A-ABORT, the transport closing, the ACSE timer or the caller's signal. Never half-open: the
 * promise resolves only with an established association.
 */
import { guardLogger, silentLogger } from '@hnvue/core';
import {
  buildAssociateRq,
  DEFAULT_MAX_PDU_LENGTH,
  DEFAULT_TRANSFER_SYNTAXES,
  HNVUE_IMPLEMENTATION_CLASS_UID,
  HNVUE_IMPLEMENTATION_VERSION_NAME,
  type Negotiated,
  negotiatedFromAc,
  VERIFICATION_SOP_CLASS,
} from '../acse/negotiate.js';
import { type DicomSocket, tcpConnector } from '../connector.js';
import { UpperLayer, type UpperLayerUser } from '../dul/upper-layer.js';
import {
  AssociationClosedError,
  AssociationRejectedError,
  CancelledError,
  NetTimeoutError,
} from '../errors.js';
import type { Association } from './association.js';
import { levelEnabled } from './diagnostics.js';
import { startAcseTimer, withConnectTimeout } from './timers.js';
import { type AssociationInit, type AssociationOptions, DEFAULT_TIMEOUTS } from './types.js';

/** What the opener needs of the association it creates (its private wiring). */
export interface RequestorWiring {
  readonly association: Association;
  /** The upper-layer user of the association (its indications). */
  readonly user: UpperLayerUser;
  /** Marks the association established with what the A-ASSOCIATE-AC granted. */
  established(negotiated: Negotiated): void;
}

/**
 * Connects, negotiates and resolves with an established association; rejects with a typed error
 * otherwise: ConnectError, TlsError, AssociationRejectedError, AssociationAbortedError,
 * NetTimeoutError ('connect' or 'acse'), CancelledError, InvalidArgumentError.
 */
export async function openRequestor(
  options: AssociationOptions,
  create: (init: AssociationInit) => RequestorWiring,
): Promise<Association> {
  const logger = guardLogger(options.logger ?? silentLogger);
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const maxPduLength = options.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH;
  const rq = buildAssociateRq({
    callingAeTitle: options.callingAeTitle,
    calledAeTitle: options.calledAeTitle,
    contexts: options.presentationContexts ?? [
      { abstractSyntax: VERIFICATION_SOP_CLASS, transferSyntaxes: DEFAULT_TRANSFER_SYNTAXES },
    ],
    maxPduLength,
    implementationClassUid: options.implementationClassUid ?? HNVUE_IMPLEMENTATION_CLASS_UID,
    implementationVersionName: options.implementationVersionName ?? HNVUE_IMPLEMENTATION_VERSION_NAME,
    asyncOpsWindow: options.asyncOpsWindow,
    roles: options.roles,
    userIdentity: options.userIdentity,
    extendedNegotiation: options.extendedNegotiation,
    commonExtendedNegotiation: options.commonExtendedNegotiation,
  });
  const peer = `${options.host}:${options.port}`;
  const log = logger.child({ peer, calledAeTitle: rq.calledAeTitle, callingAeTitle: rq.callingAeTitle });
  if (options.signal?.aborted) throw new CancelledError('association open cancelled');

  const socket = await connect(options, timeouts.connectMs, peer);
  const dul = new UpperLayer({
    socket,
    isRequestor: true,
    maxPduLength,
    artimMs: timeouts.acseMs,
    logger: log,
    peer,
    trace: levelEnabled(options.logger, 'trace'),
    nativePdu: options.framing?.nativePdu,
  });
  const wiring = create({
    role: 'requestor',
    dul,
    socket,
    peer,
    logger: log,
    timeouts,
    maxResponseDatasetLength: options.maxResponseDatasetLength ?? 16 * 1024 * 1024,
    requestHandler: options.requestHandler,
    framing: options.framing,
    debug: levelEnabled(options.logger, 'debug'),
  });
  const association = wiring.association;
  return await new Promise<Association>((resolve, reject) => {
    let settled = false;
    const settle = (error: Error | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(acseTimer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(association);
    };
    const acseTimer = startAcseTimer(timeouts.acseMs, () => {
      const error = new NetTimeoutError('acse', timeouts.acseMs, { details: { peer } });
      dul.abort(error);
      settle(error);
    });
    const onAbort = () => {
      const error = new CancelledError('association open cancelled');
      dul.abort(error);
      settle(error);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    association.negotiationListener = {
      associateRequested: () => {},
      associateAccepted: (ac) => {
        wiring.established(negotiatedFromAc(rq, ac));
        settle(undefined);
      },
      associateRejected: (rj) => {
        const error = new AssociationRejectedError(rj.result, rj.source, rj.reason, {
          details: { peer, calledAeTitle: rq.calledAeTitle },
        });
        log.info({ result: rj.result, source: rj.source, reason: rj.reason }, 'association rejected');
        settle(error);
      },
      pdata: () => {},
      releaseRequested: () => {},
      releaseConfirmed: () => {},
      aborted: (error) => settle(error),
      closed: () => settle(new AssociationClosedError('connection closed during association negotiation')),
    };
    try {
      dul.startRequestor(wiring.user, rq);
    } catch (err) {
      settle(err as Error);
    }
  });
}

/** The connector's socket within `connectMs`; a socket that arrives too late is destroyed. */
async function connect(options: AssociationOptions, connectMs: number, peer: string): Promise<DicomSocket> {
  const connector = options.connector ?? tcpConnector;
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const connecting = connector({ host: options.host, port: options.port, signal: controller.signal });
  try {
    return await withConnectTimeout(connecting, connectMs, () => {
      controller.abort();
      return new NetTimeoutError('connect', connectMs, { details: { peer } });
    });
  } catch (err) {
    // A connector that resolves after the timeout must not leak its socket.
    connecting.then((s) => s.destroy()).catch(() => {});
    if (options.signal?.aborted) throw new CancelledError('association open cancelled', { cause: err });
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}
