/**
 * Options and events of the DICOM listener (server.ts). The access-control and limit options
 * are the same for every listener built on it: the storage SCP (`server` option), the storage
 * commitment listener and the simulator's SCPs (docs/reliability.md).
 */
import type { Logger } from '@hnvue/core';
import type {
  AsyncOpsWindow,
  IdentityDecision,
  ReceivedIdentity,
  SupportedContext,
} from '../acse/negotiate.js';
import type { Association, AssociationTimeouts, FramingOptions, RequestHandler } from '../association.js';
import type { AssociationRejectedError, TlsError } from '../errors.js';
import type { SopClassExtendedNegotiation } from '../pdu/types.js';
import type { TlsServerOptions } from '../tls/index.js';
import type { DropReason } from './admission.js';
import type { ServerLimits } from './limits.js';

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
  /**
   * Called AE titles we answer to; others get A-ASSOCIATE-RJ permanent / user / called-AE-title-
   * not-recognized (1/1/7). Any when omitted.
   */
  readonly aeTitles?: readonly string[];
  /** Calling AE titles allowed; others get 1/1/3 calling-AE-title-not-recognized. Any when omitted. */
  readonly callingAeTitles?: readonly string[];
  /**
   * Source addresses allowed to associate: IPv4/IPv6 addresses or CIDR subnets (`10.0.0.0/8`).
   * A request from another address gets 1/1/3, as DCMTK's dcmqrscp answers a host that does not
   * match the AE title (PS3.8 Table 9-21 has no reason of its own for an address); its
   * connection is the first dropped when the pending limits are reached. Any when omitted.
   */
  readonly allowedAddresses?: readonly string[];
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
  /** Shorthand for `limits.maxAssociations` (wins over it). Default 32. */
  readonly maxAssociations?: number;
  /** Connection, association and negotiation limits; each defaults to DEFAULT_SERVER_LIMITS. */
  readonly limits?: Partial<ServerLimits>;
  /** TLS (NFR-SEC-02): server certificate, and client certificates for mutual TLS. */
  readonly tls?: TlsServerOptions;
  /**
   * acseMs is the ARTIM timer once the request is answered (PS3.8 Sta13; the wait for the
   * request itself is `limits.associationRequestTimeoutMs`); idleMs defaults to 120 s for
   * accepted associations.
   */
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
  /** A connection closed by the listener before association (fair acceptance; PHI-free). */
  connectionDropped: [info: DropInfo];
  listening: [port: number];
}

/** Why a connection was dropped before it completed an association. */
export interface DropInfo {
  /** host:port of the dropped peer. */
  readonly peer: string;
  readonly reason: DropReason;
  /** Pending connections when it was dropped (globally, or of its address for the per-address limit). */
  readonly pending: number;
  readonly limit: number;
}
