import { HnvError, type HnvErrorOptions } from '@hnvue/core';

/**
 * Typed errors of @hnvue/net, kept apart as STYLE.md asks: a local decode failure, a peer's
 * reject or abort (carrying the wire's fields), a timeout, a TLS failure, a DIMSE failure status.
 * Warning and Pending statuses are data, never errors.
 */
export const NET_ERROR_CODES = {
  pduDecode: 'HNV_ERR_PDU_DECODE',
  associationRejected: 'HNV_ERR_ASSOC_REJECTED',
  associationAborted: 'HNV_ERR_ASSOC_ABORTED',
  associationClosed: 'HNV_ERR_ASSOC_CLOSED',
  connect: 'HNV_ERR_CONNECT',
  timeout: 'HNV_ERR_TIMEOUT',
  tls: 'HNV_ERR_TLS',
  dimseFailure: 'HNV_ERR_DIMSE_FAILURE',
  dimseDecode: 'HNV_ERR_DIMSE_DECODE',
  noPresentationContext: 'HNV_ERR_NO_PRESENTATION_CONTEXT',
  protocol: 'HNV_ERR_PROTOCOL',
  invalidArgument: 'HNV_ERR_INVALID_ARGUMENT',
  poolExhausted: 'HNV_ERR_POOL_EXHAUSTED',
  poolClosed: 'HNV_ERR_POOL_CLOSED',
  cancelled: 'HNV_ERR_CANCELLED',
} as const;

/** Bytes that could not be decoded as a PDU/item. `abortReason` is the PS3.8 A-ABORT reason to send. */
export class PduDecodeError extends HnvError {
  readonly abortReason: number;
  constructor(message: string, abortReason = 0, options: HnvErrorOptions = {}) {
    super(NET_ERROR_CODES.pduDecode, message, { ...options, details: { abortReason, ...options.details } });
    this.abortReason = abortReason;
  }
}

/** The peer answered A-ASSOCIATE-RJ (or we did, for an acceptor-side report). */
export class AssociationRejectedError extends HnvError {
  readonly result: number;
  readonly source: number;
  readonly reason: number;
  constructor(result: number, source: number, reason: number, options: HnvErrorOptions = {}) {
    super(
      NET_ERROR_CODES.associationRejected,
      `association rejected (${result === 1 ? 'permanent' : 'transient'}): ${describeReject(source, reason)}`,
      { ...options, details: { result, source, reason, ...options.details } },
    );
    this.result = result;
    this.source = source;
    this.reason = reason;
  }
}

/** A-ABORT received (source 0/2) or issued locally after a protocol error (A-P-ABORT). */
export class AssociationAbortedError extends HnvError {
  readonly source: number;
  readonly reason: number;
  constructor(source: number, reason: number, message?: string, options: HnvErrorOptions = {}) {
    super(
      NET_ERROR_CODES.associationAborted,
      message ??
        `association aborted by ${source === 0 ? 'the service user' : 'the service provider'} (reason ${reason})`,
      { ...options, details: { source, reason, ...options.details } },
    );
    this.source = source;
    this.reason = reason;
  }
}

export type TimeoutKind = 'connect' | 'acse' | 'dimse' | 'idle' | 'release' | 'pool';

export class NetTimeoutError extends HnvError {
  readonly timeout: TimeoutKind;
  constructor(timeout: TimeoutKind, ms: number, options: HnvErrorOptions = {}) {
    super(NET_ERROR_CODES.timeout, `${timeout} timeout after ${ms} ms`, {
      ...options,
      details: { timeout, ms, ...options.details },
    });
    this.timeout = timeout;
  }
}

/** A DIMSE response with a Failure (or Refused/Cancel where the caller asked for errors) status. */
export class DimseFailureError extends HnvError {
  readonly status: number;
  constructor(status: number, message: string, options: HnvErrorOptions = {}) {
    super(NET_ERROR_CODES.dimseFailure, message, { ...options, details: { status, ...options.details } });
    this.status = status;
  }
}

/** A generic @hnvue/net failure with one of the NET_ERROR_CODES. */
export class NetError extends HnvError {}

/** The association is closed (released, aborted or never opened) and cannot carry the request. */
export class AssociationClosedError extends HnvError {
  constructor(message = 'association is closed', options: HnvErrorOptions = {}) {
    super(NET_ERROR_CODES.associationClosed, message, options);
  }
}

/** The TCP (or TLS) connection could not be made: refused, unreachable, DNS. */
export class ConnectError extends HnvError {
  constructor(message: string, options: HnvErrorOptions = {}) {
    super(NET_ERROR_CODES.connect, message, options);
  }
}

/**
 * Why a TLS connection failed, so callers can tell a configuration problem on our side from the
 * peer's refusal: `untrusted-certificate` (the server's chain does not reach a trusted CA),
 * `hostname-mismatch`, `certificate-expired`, `certificate-required` (the server asked for a
 * client certificate we did not send), `bad-certificate` (the peer refused ours), `protocol-version`
 * (no common TLS version, e.g. a TLS 1.0 peer against our 1.2 minimum), `key-not-found` (our key
 * is not in its PKCS#11 token, or the token is absent or locked), `own-certificate-expired` (our
 * own certificate, checked at start-up), `store-unavailable` (the OS certificate store asked for
 * does not exist on this platform or its tools are missing), `handshake` (anything else).
 */
export type TlsFailure =
  | 'untrusted-certificate'
  | 'hostname-mismatch'
  | 'certificate-expired'
  | 'certificate-required'
  | 'bad-certificate'
  | 'protocol-version'
  | 'credentials'
  | 'key-not-found'
  | 'own-certificate-expired'
  | 'store-unavailable'
  | 'handshake';

export class TlsError extends HnvError {
  readonly reason: TlsFailure;
  constructor(reason: TlsFailure, message: string, options: HnvErrorOptions = {}) {
    super(NET_ERROR_CODES.tls, message, { ...options, details: { reason, ...options.details } });
    this.reason = reason;
  }
}

/** No accepted presentation context carries the requested abstract syntax (and transfer syntax). */
export class NoPresentationContextError extends HnvError {
  readonly abstractSyntax: string;
  constructor(abstractSyntax: string, message?: string, options: HnvErrorOptions = {}) {
    super(
      NET_ERROR_CODES.noPresentationContext,
      message ?? `no accepted presentation context for abstract syntax ${abstractSyntax}`,
      { ...options, details: { abstractSyntax, ...options.details } },
    );
    this.abstractSyntax = abstractSyntax;
  }
}

/** The peer broke the protocol above the PDU codec (wrong DIMSE sequence, unknown context ID…). */
export class ProtocolError extends HnvError {
  constructor(message: string, options: HnvErrorOptions = {}) {
    super(NET_ERROR_CODES.protocol, message, options);
  }
}

/** An option or argument is out of range (AE title too long, odd context count…). */
export class InvalidArgumentError extends HnvError {
  constructor(message: string, options: HnvErrorOptions = {}) {
    super(NET_ERROR_CODES.invalidArgument, message, options);
  }
}

/** The caller's AbortSignal fired. */
export class CancelledError extends HnvError {
  constructor(message = 'operation cancelled', options: HnvErrorOptions = {}) {
    super(NET_ERROR_CODES.cancelled, message, options);
  }
}

const REJECT_TEXT: Record<number, Record<number, string>> = {
  1: {
    1: 'no reason given (service user)',
    2: 'application context name not supported',
    3: 'calling AE title not recognized',
    7: 'called AE title not recognized',
  },
  2: { 1: 'no reason given (ACSE provider)', 2: 'protocol version not supported' },
  3: { 1: 'temporary congestion', 2: 'local limit exceeded' },
};

export function describeReject(source: number, reason: number): string {
  return REJECT_TEXT[source]?.[reason] ?? `source ${source}, reason ${reason}`;
}
