/**
 * The public types of an association: its options and timeouts, the DIMSE request/response and
 * reply shapes, and the events it emits. No behaviour here.
 */
import type { Logger } from '@hnvue/core';
import type { AsyncOpsWindow, ProposedContext, UserIdentity } from '../acse/negotiate.js';
import type { Connector, DicomSocket } from '../connector.js';
import type { DimseCommand } from '../dimse/command.js';
import type { RequestCommand } from '../dimse/requests.js';
import type { StatusClass } from '../dimse/status.js';
import type { UpperLayer } from '../dul/upper-layer.js';
import type {
  RoleSelection,
  SopClassCommonExtendedNegotiation,
  SopClassExtendedNegotiation,
} from '../pdu/types.js';
import type { Association } from './association.js';

/** Each wait is bounded (a peer that stops answering must not hang us); 0 disables one. */
export interface AssociationTimeouts {
  /** TCP (and TLS handshake) connect. Default 10 s. */
  readonly connectMs?: number;
  /** ACSE: A-ASSOCIATE-AC/RJ and A-RELEASE-RP awaited, and the ARTIM timer (PS3.8 9.1.5). Default 30 s. */
  readonly acseMs?: number;
  /** DIMSE: the next response of an outstanding request; restarted by any incoming data. Default 60 s. */
  readonly dimseMs?: number;
  /** Network idle: no byte in either direction. Off (0) by default for requestors. */
  readonly idleMs?: number;
}

export const DEFAULT_TIMEOUTS: Required<AssociationTimeouts> = {
  connectMs: 10_000,
  acseMs: 30_000,
  dimseMs: 60_000,
  idleMs: 0,
};

export interface AssociationOptions {
  readonly host: string;
  readonly port: number;
  readonly callingAeTitle: string;
  readonly calledAeTitle: string;
  /** Exactly what is proposed (fo-dicom #934). Default: Verification with Explicit + Implicit VR LE. */
  readonly presentationContexts?: readonly ProposedContext[];
  /** Largest P-DATA-TF we accept. Default 64 KiB. */
  readonly maxPduLength?: number;
  readonly implementationClassUid?: string;
  readonly implementationVersionName?: string;
  /** Proposed only when set (fo-dicom #1387). Without it, one outstanding request at a time. */
  readonly asyncOpsWindow?: AsyncOpsWindow;
  /** SCP/SCU role selection items (PS3.7 D.3.3.4). */
  readonly roles?: readonly RoleSelection[];
  readonly userIdentity?: UserIdentity;
  /** Passed through as sent (PS3.7 D.3.3.5/6). */
  readonly extendedNegotiation?: readonly SopClassExtendedNegotiation[];
  readonly commonExtendedNegotiation?: readonly SopClassCommonExtendedNegotiation[];
  /** TCP by default; `tlsConnector(...)` for TLS; tests inject their own. */
  readonly connector?: Connector;
  readonly timeouts?: AssociationTimeouts;
  /** pino-compatible; wrapped with guardLogger (NFR-SEC-01). */
  readonly logger?: Logger;
  /** Cancels the opening (connect, negotiation). */
  readonly signal?: AbortSignal;
  /** Cap on a response's data set held in memory (C-FIND identifiers, N-GET…). Default 16 MiB. */
  readonly maxResponseDatasetLength?: number;
  /** Incoming requests on this association (N-EVENT-REPORT, C-GET sub-operations…). */
  readonly requestHandler?: RequestHandler;
  /** P-DATA-TF framing for picky peers (PS3.8 9.3.5). */
  readonly framing?: FramingOptions;
}

/** How messages are cut into P-DATA-TF PDUs (fo-dicom #502, #1960). */
export interface FramingOptions {
  /** At most this many PDVs per PDU; no limit by default. */
  readonly maxPdvsPerPdu?: number;
  /** Command and data set in separate PDUs; true by default (what DCMTK sends). */
  readonly separateCommandAndData?: boolean;
  /**
   * Receive on the native PDU path (one addon call frames a socket read and splits its PDVs;
   * dul/pdu-source.ts). Default: HNVUE_NATIVE_PDU=1, else TypeScript, which is faster as measured
   * (native/README.md, "PDU framing"); without the addon it falls back to TypeScript.
   */
  readonly nativePdu?: boolean;
}

/** A data set to send: one buffer, or chunks from an Iterable / AsyncIterable (streamed with back-pressure). */
export type DatasetSource = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

export interface DimseRequest {
  /** The SOP class whose accepted presentation context carries the request. */
  readonly abstractSyntax: string;
  /** Only use a context that accepted this transfer syntax (e.g. the data set's own). */
  readonly transferSyntax?: string;
  /**
   * The command set, typed per request (dimse/requests.ts: what PS3.7 makes mandatory is
   * required); messageId and hasDataset are filled in.
   */
  readonly command: RequestCommand;
  readonly dataset?: DatasetSource;
  /**
   * Cancels: before sending, the request is dropped; a C-FIND/C-MOVE/C-GET in progress gets a
   * C-CANCEL-RQ (PS3.7 9.3.2.3); any other request in flight cannot be recalled, so the association
   * is aborted. The iterator then throws CancelledError.
   */
  readonly signal?: AbortSignal;
  /** Overrides the association's DIMSE timeout for this request. */
  readonly timeoutMs?: number;
}

export interface DimseResponse {
  readonly command: DimseCommand;
  readonly status: number;
  readonly statusClass: StatusClass;
  /** The response data set (e.g. a C-FIND match), bytes in the context's transfer syntax. */
  readonly dataset: Uint8Array | undefined;
  readonly contextId: number;
  readonly transferSyntax: string;
}

/** A request received on this association, handed to its single handler. */
export interface IncomingRequest {
  readonly command: DimseCommand;
  readonly contextId: number;
  readonly abstractSyntax: string;
  readonly transferSyntax: string;
  /**
   * The request's data set as it arrives, in chunks (views valid while kept), undefined when the
   * command has none. Reading slowly pauses the socket (back-pressure); unread chunks are drained
   * and dropped once the handler returns.
   */
  readonly dataset: AsyncIterable<Uint8Array> | undefined;
  /** Aborted on C-CANCEL-RQ for this message or when the association goes away. */
  readonly signal: AbortSignal;
  readonly association: Association;
}

/** One response to send; the command's response fields are filled from the request. */
export interface DimseReply {
  readonly status: number;
  readonly dataset?: DatasetSource;
  /** Extra response fields (affectedSopInstanceUid, sub-operation counts, errorComment…). */
  readonly command?: Partial<Omit<DimseCommand, 'commandField' | 'messageIdBeingRespondedTo' | 'hasDataset'>>;
}

/** Exactly one handler answers each request: a single reply, or several (pending … final). */
export type RequestHandler = (
  request: IncomingRequest,
) => DimseReply | Promise<DimseReply> | AsyncIterable<DimseReply> | Iterable<DimseReply>;

/** Notifications; many listeners, no return value. */
export interface AssociationEvents {
  released: [];
  aborted: [error: Error];
  close: [];
}

export type AssociationRole = 'requestor' | 'acceptor';

/** @internal Construction parameters of an Association (`Association.open()`, `createServer()`). */
export interface AssociationInit {
  readonly role: AssociationRole;
  readonly dul: UpperLayer;
  readonly socket: DicomSocket;
  readonly peer: string;
  readonly logger: Logger;
  readonly timeouts: Required<AssociationTimeouts>;
  readonly maxResponseDatasetLength: number;
  readonly requestHandler: RequestHandler | undefined;
  readonly framing?: FramingOptions | undefined;
  /** Whether the caller's logger emits debug (see `levelEnabled`). */
  readonly debug?: boolean | undefined;
}
