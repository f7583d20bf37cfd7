/**
 * Association negotiation (PS3.8 Section 7.1, PS3.7 Annex D): building the A-ASSOCIATE-RQ of a
 * requestor, deciding an acceptor's A-ASSOCIATE-AC or -RJ, and reading the outcome on both sides
 * into one `Negotiated` record. Pure: no I/O, no timers.
 */
import { SOP_CLASS, TS } from '@hnvue/dicom';
import { InvalidArgumentError } from '../errors.js';
import {
  type AssociateAc,
  type AssociateRj,
  type AssociateRq,
  DICOM_APPLICATION_CONTEXT,
  PRESENTATION_CONTEXT_RESULT,
  type PresentationContextAc,
  type PresentationContextResult,
  type PresentationContextRq,
  REJECT_REASON,
  type RoleSelection,
  type SopClassCommonExtendedNegotiation,
  type SopClassExtendedNegotiation,
  USER_IDENTITY_TYPE,
  type UserIdentityRq,
  type UserInformation,
} from '../pdu/types.js';
import { DEFAULT_NEGOTIATION_LIMITS } from './bounds.js';

// One implementation identity for every package (configurable per association).
export { HNVUE_IMPLEMENTATION_CLASS_UID, HNVUE_IMPLEMENTATION_VERSION_NAME } from '@hnvue/core';

/** Default maximum length of a P-DATA-TF we accept (PS3.8 D.1); 0 would mean unlimited. */
export const DEFAULT_MAX_PDU_LENGTH = 65_536;

/**
 * @deprecated The registry's `TS` (@hnvue/dicom). Kept as an alias for callers of
 * `@hnvue/net`; note `jpegLossless` is now Process 14 (.4.57) as in the registry, and
 * `jpegLosslessSv1` is .4.70.
 */
export const TRANSFER_SYNTAX: typeof TS = TS;

export const VERIFICATION_SOP_CLASS: typeof SOP_CLASS.verification = SOP_CLASS.verification;

/** Explicit then Implicit VR Little Endian: the usual proposal for a non-pixel SOP class. */
export const DEFAULT_TRANSFER_SYNTAXES: readonly string[] = [
  TRANSFER_SYNTAX.explicitVrLittleEndian,
  TRANSFER_SYNTAX.implicitVrLittleEndian,
];

/** One presentation context to propose: exactly these transfer syntaxes, in this order (fo-dicom #934). */
export interface ProposedContext {
  readonly abstractSyntax: string;
  readonly transferSyntaxes: readonly string[];
}

/** The asynchronous operations window (PS3.7 D.3.3.3). 0 means unlimited. */
export interface AsyncOpsWindow {
  readonly maxOperationsInvoked: number;
  readonly maxOperationsPerformed: number;
}

/** User identity to send (PS3.7 D.3.3.7). Passcodes never reach logs or error messages. */
export type UserIdentity =
  | { readonly type: 'username'; readonly username: string; readonly positiveResponseRequested?: boolean }
  | {
      readonly type: 'usernameAndPasscode';
      readonly username: string;
      readonly passcode: string;
      readonly positiveResponseRequested?: boolean;
    }
  | {
      readonly type: 'kerberos' | 'saml' | 'jwt';
      readonly token: Uint8Array;
      readonly positiveResponseRequested?: boolean;
    };

export interface RequestorParameters {
  readonly callingAeTitle: string;
  readonly calledAeTitle: string;
  readonly contexts: readonly ProposedContext[];
  readonly maxPduLength: number;
  readonly implementationClassUid: string;
  readonly implementationVersionName?: string | undefined;
  /** Proposed only when given (fo-dicom #1387: some PACS reject any window item). */
  readonly asyncOpsWindow?: AsyncOpsWindow | undefined;
  readonly roles?: readonly RoleSelection[] | undefined;
  readonly userIdentity?: UserIdentity | undefined;
  readonly extendedNegotiation?: readonly SopClassExtendedNegotiation[] | undefined;
  readonly commonExtendedNegotiation?: readonly SopClassCommonExtendedNegotiation[] | undefined;
}

/** One presentation context after negotiation, accepted or not. */
export interface NegotiatedContext {
  readonly id: number;
  readonly abstractSyntax: string;
  readonly proposedTransferSyntaxes: readonly string[];
  readonly result: PresentationContextResult;
  /** Meaningful only when `result` is acceptance (PS3.8 9.3.3.2). */
  readonly transferSyntax: string;
  /** Whether the association requestor may act as SCU / SCP for this abstract syntax (PS3.7 D.3.3.4). */
  readonly requestorScu: boolean;
  readonly requestorScp: boolean;
}

/** What both sides agreed on; the same shape for the requestor and the acceptor. */
export interface Negotiated {
  readonly callingAeTitle: string;
  readonly calledAeTitle: string;
  readonly contexts: ReadonlyMap<number, NegotiatedContext>;
  /** The longest P-DATA-TF we accept (we told the peer). 0 = unlimited. */
  readonly ourMaxPduLength: number;
  /** The longest P-DATA-TF the peer accepts; we never send more (fo-dicom #1084). 0 = unlimited. */
  readonly peerMaxPduLength: number;
  /** Operations the requestor may have outstanding at the acceptor; 0 = unlimited; 1 by default. */
  readonly requestorMaxInvoked: number;
  /** Operations the acceptor may have outstanding at the requestor; 0 = unlimited; 1 by default. */
  readonly acceptorMaxInvoked: number;
  readonly peerImplementationClassUid: string;
  readonly peerImplementationVersionName: string | undefined;
  /** The requestor's identity (acceptor side only; passcode included, never log it). */
  readonly userIdentity: UserIdentityRq | undefined;
  /** The acceptor's user identity server response (requestor side, when one was sent). */
  readonly userIdentityServerResponse: Uint8Array | undefined;
  /** SOP class extended negotiation items received from the peer, passed through (PS3.7 D.3.3.5). */
  readonly peerExtendedNegotiation: readonly SopClassExtendedNegotiation[];
  readonly peerCommonExtendedNegotiation: readonly SopClassCommonExtendedNegotiation[];
}

/**
 * PS3.5 6.2 (AE VR): at most 16 characters of the default repertoire without backslash or control
 * characters, and not only spaces. We are strict in what we send.
 */
export function checkAeTitle(value: string, what: string): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > 16 || !/^[\x20-\x5b\x5d-\x7e]+$/.test(trimmed)) {
    throw new InvalidArgumentError(`${what} must be 1-16 printable ASCII characters without backslash`, {
      details: { what, length: value.length },
    });
  }
  return trimmed;
}

function checkUid(value: string, what: string): void {
  if (value.length === 0 || value.length > 64 || !/^[0-9]+(\.[0-9]+)*$/.test(value)) {
    throw new InvalidArgumentError(`${what} is not a valid UID`, { details: { what, uid: value } });
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function userIdentityItem(identity: UserIdentity): UserIdentityRq {
  const positiveResponseRequested = identity.positiveResponseRequested ?? false;
  switch (identity.type) {
    case 'username':
      return {
        identityType: USER_IDENTITY_TYPE.username,
        positiveResponseRequested,
        primaryField: encoder.encode(identity.username),
        secondaryField: new Uint8Array(0),
      };
    case 'usernameAndPasscode':
      return {
        identityType: USER_IDENTITY_TYPE.usernameAndPasscode,
        positiveResponseRequested,
        primaryField: encoder.encode(identity.username),
        secondaryField: encoder.encode(identity.passcode),
      };
    case 'kerberos':
    case 'saml':
    case 'jwt':
      return {
        identityType: USER_IDENTITY_TYPE[identity.type],
        positiveResponseRequested,
        primaryField: identity.token,
        secondaryField: new Uint8Array(0),
      };
  }
}

/** The A-ASSOCIATE-RQ for `params`; context IDs are 1, 3, 5… in the order given (PS3.8 9.3.2.2). */
export function buildAssociateRq(params: RequestorParameters): AssociateRq {
  const callingAeTitle = checkAeTitle(params.callingAeTitle, 'calling AE title');
  const calledAeTitle = checkAeTitle(params.calledAeTitle, 'called AE title');
  if (params.contexts.length === 0 || params.contexts.length > 128) {
    throw new InvalidArgumentError('an association proposes 1 to 128 presentation contexts', {
      details: { count: params.contexts.length },
    });
  }
  const presentationContexts: PresentationContextRq[] = params.contexts.map((ctx, i) => {
    checkUid(ctx.abstractSyntax, 'abstract syntax');
    if (ctx.transferSyntaxes.length === 0) {
      throw new InvalidArgumentError('a presentation context needs at least one transfer syntax', {
        details: { abstractSyntax: ctx.abstractSyntax },
      });
    }
    for (const ts of ctx.transferSyntaxes) checkUid(ts, 'transfer syntax');
    return { id: 2 * i + 1, abstractSyntax: ctx.abstractSyntax, transferSyntaxes: [...ctx.transferSyntaxes] };
  });
  checkUid(params.implementationClassUid, 'implementation class UID');
  if (
    params.implementationVersionName !== undefined &&
    !/^[\x20-\x7e]{1,16}$/.test(params.implementationVersionName)
  ) {
    throw new InvalidArgumentError('implementation version name must be 1-16 printable ASCII characters');
  }
  if (
    !Number.isInteger(params.maxPduLength) ||
    params.maxPduLength < 0 ||
    params.maxPduLength > 0xffff_ffff
  ) {
    throw new InvalidArgumentError('maxPduLength must be an integer 0..2^32-1', {
      details: { maxPduLength: params.maxPduLength },
    });
  }
  const userInformation: UserInformation = {
    maxPduLength: params.maxPduLength,
    implementationClassUid: params.implementationClassUid,
    implementationVersionName: params.implementationVersionName,
    asynchronousOperationsWindow: params.asyncOpsWindow,
    roleSelections: params.roles ?? [],
    sopClassExtendedNegotiations: params.extendedNegotiation ?? [],
    sopClassCommonExtendedNegotiations: params.commonExtendedNegotiation ?? [],
    userIdentityRq: params.userIdentity === undefined ? undefined : userIdentityItem(params.userIdentity),
    userIdentityAc: undefined,
    unknownItems: [],
  };
  return {
    type: 'A-ASSOCIATE-RQ',
    protocolVersion: 1,
    calledAeTitle,
    callingAeTitle,
    applicationContext: DICOM_APPLICATION_CONTEXT,
    presentationContexts,
    userInformation,
  };
}

/** min of two window values where 0 means unlimited. */
function minWindow(a: number, b: number): number {
  if (a === 0) return b;
  if (b === 0) return a;
  return Math.min(a, b);
}

function roleFor(
  roles: readonly RoleSelection[],
  abstractSyntax: string,
): { requestorScu: boolean; requestorScp: boolean } | undefined {
  const item = roles.find((r) => r.sopClassUid === abstractSyntax);
  return item === undefined ? undefined : { requestorScu: item.scuRole, requestorScp: item.scpRole };
}

/** Reads an A-ASSOCIATE-AC against the RQ we sent (requestor side). */
export function negotiatedFromAc(rq: AssociateRq, ac: AssociateAc): Negotiated {
  const contexts = new Map<number, NegotiatedContext>();
  const proposedRoles = rq.userInformation.roleSelections;
  const acceptedRoles = ac.userInformation.roleSelections;
  for (const proposed of rq.presentationContexts) {
    const answer = ac.presentationContexts.find((c) => c.id === proposed.id);
    const accepted =
      answer?.result === PRESENTATION_CONTEXT_RESULT.acceptance &&
      proposed.transferSyntaxes.includes(answer.transferSyntax);
    // PS3.7 D.3.3.4: without a reply item the default roles hold (requestor SCU, acceptor SCP).
    const proposedRole = roleFor(proposedRoles, proposed.abstractSyntax);
    const acceptedRole = roleFor(acceptedRoles, proposed.abstractSyntax);
    const role =
      proposedRole && acceptedRole
        ? {
            requestorScu: proposedRole.requestorScu && acceptedRole.requestorScu,
            requestorScp: proposedRole.requestorScp && acceptedRole.requestorScp,
          }
        : { requestorScu: true, requestorScp: false };
    contexts.set(proposed.id, {
      id: proposed.id,
      abstractSyntax: proposed.abstractSyntax,
      proposedTransferSyntaxes: proposed.transferSyntaxes,
      // An acceptance naming a transfer syntax we never proposed is treated as no reason given.
      result: accepted
        ? PRESENTATION_CONTEXT_RESULT.acceptance
        : answer === undefined || answer.result === PRESENTATION_CONTEXT_RESULT.acceptance
          ? PRESENTATION_CONTEXT_RESULT.noReason
          : answer.result,
      transferSyntax: accepted ? answer.transferSyntax : '',
      ...role,
    });
  }
  const rqWindow = rq.userInformation.asynchronousOperationsWindow;
  const acWindow = ac.userInformation.asynchronousOperationsWindow;
  return {
    callingAeTitle: rq.callingAeTitle,
    calledAeTitle: rq.calledAeTitle,
    contexts,
    ourMaxPduLength: rq.userInformation.maxPduLength,
    peerMaxPduLength: ac.userInformation.maxPduLength,
    // PS3.7 D.3.3.3: without the item in both RQ and AC, the window is 1/1.
    requestorMaxInvoked:
      rqWindow && acWindow ? minWindow(rqWindow.maxOperationsInvoked, acWindow.maxOperationsPerformed) : 1,
    acceptorMaxInvoked:
      rqWindow && acWindow ? minWindow(rqWindow.maxOperationsPerformed, acWindow.maxOperationsInvoked) : 1,
    peerImplementationClassUid: ac.userInformation.implementationClassUid,
    peerImplementationVersionName: ac.userInformation.implementationVersionName,
    userIdentity: undefined,
    userIdentityServerResponse: ac.userInformation.userIdentityAc?.serverResponse,
    peerExtendedNegotiation: ac.userInformation.sopClassExtendedNegotiations,
    peerCommonExtendedNegotiation: [],
  };
}

/** An abstract syntax the acceptor supports, with its transfer syntaxes in order of preference. */
export interface SupportedContext {
  readonly abstractSyntax: string;
  /** Our preference order: the first one the requestor also proposed wins. */
  readonly transferSyntaxes: readonly string[];
  /** Let the requestor act as SCU (default true) / as SCP (default false) when it asks (PS3.7 D.3.3.4). */
  readonly requestorScu?: boolean;
  readonly requestorScp?: boolean;
  /** Answer "user rejection" (PS3.8 Table 9-18 result 1) for this abstract syntax. */
  readonly reject?: boolean;
}

/** The decision of an acceptor's user identity hook (PS3.7 D.3.3.7). */
export type IdentityDecision = boolean | { readonly accept: boolean; readonly serverResponse?: Uint8Array };

export interface AcceptorPolicy {
  /** Called AE titles we answer to; any when undefined. */
  readonly aeTitles?: readonly string[] | undefined;
  /** Calling AE titles allowed to associate; any when undefined. */
  readonly callingAeTitles?: readonly string[] | undefined;
  /**
   * Compare AE titles ignoring case (default true): real devices send lowercase titles
   * (pynetdicom #589). Leading/trailing spaces are always ignored (PS3.5 6.2).
   */
  readonly aeTitlesCaseInsensitive?: boolean | undefined;
  readonly contexts: readonly SupportedContext[];
  readonly maxPduLength: number;
  readonly implementationClassUid: string;
  readonly implementationVersionName?: string | undefined;
  /** Our window; when undefined or 1/1 no window item is returned (PS3.7 D.3.3.3). */
  readonly asyncOpsWindow?: AsyncOpsWindow | undefined;
  /**
   * The most outstanding operations granted either way (docs/reliability.md): 0 (unlimited) on both
   * sides, or a larger number, is answered with this. Default 16 (DEFAULT_NEGOTIATION_LIMITS).
   */
  readonly maxOperationsGranted?: number | undefined;
  /** Extended negotiation items to return, from the ones received (passed through; none by default). */
  readonly extendedNegotiation?:
    | ((received: readonly SopClassExtendedNegotiation[]) => readonly SopClassExtendedNegotiation[])
    | undefined;
}

export type AcceptorDecision =
  | { readonly type: 'accept'; readonly ac: AssociateAc; readonly negotiated: Negotiated }
  | { readonly type: 'reject'; readonly rj: AssociateRj };

function rejection(
  result: 1 | 2,
  source: 1 | 2 | 3,
  reason: number,
): Extract<AcceptorDecision, { type: 'reject' }> {
  return { type: 'reject', rj: { type: 'A-ASSOCIATE-RJ', result, source, reason } };
}

function sameAe(a: string, b: string, caseInsensitive: boolean): boolean {
  const x = a.trim();
  const y = b.trim();
  return caseInsensitive ? x.toUpperCase() === y.toUpperCase() : x === y;
}

/**
 * The checks that need neither the identity hook nor any resource (PS3.8 Table 9-21): protocol
 * version, application context, called AE, calling AE. The server runs them before it reserves
 * an association slot, so a requestor it will refuse anyway never holds one.
 */
export function checkAccess(
  rq: AssociateRq,
  policy: Pick<AcceptorPolicy, 'aeTitles' | 'callingAeTitles' | 'aeTitlesCaseInsensitive'>,
): Extract<AcceptorDecision, { type: 'reject' }> | undefined {
  const ci = policy.aeTitlesCaseInsensitive ?? true;
  // PS3.8 9.3.2: bit 0 of the protocol version must be set.
  if ((rq.protocolVersion & 1) === 0) {
    return rejection(1, 2, REJECT_REASON.acseProvider.protocolVersionNotSupported);
  }
  if (rq.applicationContext !== DICOM_APPLICATION_CONTEXT) {
    return rejection(1, 1, REJECT_REASON.user.applicationContextNotSupported);
  }
  if (policy.aeTitles && !policy.aeTitles.some((ae) => sameAe(ae, rq.calledAeTitle, ci))) {
    return rejection(1, 1, REJECT_REASON.user.calledAeNotRecognized);
  }
  if (policy.callingAeTitles && !policy.callingAeTitles.some((ae) => sameAe(ae, rq.callingAeTitle, ci))) {
    return rejection(1, 1, REJECT_REASON.user.callingAeNotRecognized);
  }
  return undefined;
}

/**
 * The acceptor's answer to an A-ASSOCIATE-RQ (PS3.8 7.1.1, Table 9-21 for rejections). The
 * identity decision comes from the caller's hook, evaluated before (it may be asynchronous).
 */
export function decideAssociation(
  rq: AssociateRq,
  policy: AcceptorPolicy,
  identity: IdentityDecision = true,
): AcceptorDecision {
  const refused = checkAccess(rq, policy);
  if (refused !== undefined) return refused;
  const identityOk = typeof identity === 'boolean' ? identity : identity.accept;
  if (!identityOk) return rejection(1, 1, REJECT_REASON.user.noReason);

  const ui = rq.userInformation;
  const answers: PresentationContextAc[] = [];
  const contexts = new Map<number, NegotiatedContext>();
  const replyRoles: RoleSelection[] = [];
  for (const proposed of rq.presentationContexts) {
    const supported = policy.contexts.find((c) => c.abstractSyntax === proposed.abstractSyntax);
    let result: PresentationContextResult;
    let transferSyntax = proposed.transferSyntaxes[0] ?? TRANSFER_SYNTAX.implicitVrLittleEndian;
    if (supported === undefined) {
      result = PRESENTATION_CONTEXT_RESULT.abstractSyntaxNotSupported;
    } else if (supported.reject) {
      result = PRESENTATION_CONTEXT_RESULT.userRejection;
    } else {
      const chosen = supported.transferSyntaxes.find((ts) => proposed.transferSyntaxes.includes(ts));
      if (chosen === undefined) {
        result = PRESENTATION_CONTEXT_RESULT.transferSyntaxesNotSupported;
      } else {
        result = PRESENTATION_CONTEXT_RESULT.acceptance;
        transferSyntax = chosen;
      }
    }
    const proposedRole = roleFor(ui.roleSelections, proposed.abstractSyntax);
    let role = { requestorScu: true, requestorScp: false };
    if (proposedRole) {
      role = {
        requestorScu: proposedRole.requestorScu && (supported?.requestorScu ?? true),
        requestorScp: proposedRole.requestorScp && (supported?.requestorScp ?? false),
      };
      if (
        result === PRESENTATION_CONTEXT_RESULT.acceptance &&
        !replyRoles.some((r) => r.sopClassUid === proposed.abstractSyntax)
      ) {
        replyRoles.push({
          sopClassUid: proposed.abstractSyntax,
          scuRole: role.requestorScu,
          scpRole: role.requestorScp,
        });
      }
    }
    answers.push({ id: proposed.id, result, transferSyntax });
    contexts.set(proposed.id, {
      id: proposed.id,
      abstractSyntax: proposed.abstractSyntax,
      proposedTransferSyntaxes: proposed.transferSyntaxes,
      result,
      transferSyntax: result === PRESENTATION_CONTEXT_RESULT.acceptance ? transferSyntax : '',
      ...role,
    });
  }

  const ours = policy.asyncOpsWindow;
  const theirs = ui.asynchronousOperationsWindow;
  const cap = policy.maxOperationsGranted ?? DEFAULT_NEGOTIATION_LIMITS.maxOperationsGranted;
  // Never "unlimited" (0) and never above the cap: each outstanding operation holds memory.
  const granted = (n: number): number => (n === 0 || n > cap ? cap : n);
  const window =
    theirs && ours && (ours.maxOperationsInvoked !== 1 || ours.maxOperationsPerformed !== 1)
      ? {
          maxOperationsInvoked: granted(minWindow(ours.maxOperationsInvoked, theirs.maxOperationsPerformed)),
          maxOperationsPerformed: granted(
            minWindow(ours.maxOperationsPerformed, theirs.maxOperationsInvoked),
          ),
        }
      : undefined;
  const received = ui.sopClassExtendedNegotiations;
  const extended = policy.extendedNegotiation ? policy.extendedNegotiation(received) : [];
  const serverResponse =
    typeof identity === 'object' && identity.serverResponse ? identity.serverResponse : new Uint8Array(0);
  const ac: AssociateAc = {
    type: 'A-ASSOCIATE-AC',
    protocolVersion: 1,
    calledAeTitle: rq.calledAeTitle,
    callingAeTitle: rq.callingAeTitle,
    applicationContext: DICOM_APPLICATION_CONTEXT,
    presentationContexts: answers,
    userInformation: {
      maxPduLength: policy.maxPduLength,
      implementationClassUid: policy.implementationClassUid,
      implementationVersionName: policy.implementationVersionName,
      asynchronousOperationsWindow: window,
      roleSelections: replyRoles,
      sopClassExtendedNegotiations: [...extended],
      sopClassCommonExtendedNegotiations: [],
      userIdentityRq: undefined,
      // PS3.7 D.3.3.7.2: answer only when the requestor asked for a positive response.
      userIdentityAc: ui.userIdentityRq?.positiveResponseRequested ? { serverResponse } : undefined,
      unknownItems: [],
    },
  };
  return {
    type: 'accept',
    ac,
    negotiated: {
      callingAeTitle: rq.callingAeTitle,
      calledAeTitle: rq.calledAeTitle,
      contexts,
      ourMaxPduLength: policy.maxPduLength,
      peerMaxPduLength: ui.maxPduLength,
      requestorMaxInvoked: window ? window.maxOperationsPerformed : 1,
      acceptorMaxInvoked: window ? window.maxOperationsInvoked : 1,
      peerImplementationClassUid: ui.implementationClassUid,
      peerImplementationVersionName: ui.implementationVersionName,
      userIdentity: ui.userIdentityRq,
      userIdentityServerResponse: undefined,
      peerExtendedNegotiation: received,
      peerCommonExtendedNegotiation: ui.sopClassCommonExtendedNegotiations,
    },
  };
}

/** The user identity of an A-ASSOCIATE-RQ in readable form, for the acceptor's hook. */
export interface ReceivedIdentity {
  readonly type: 'username' | 'usernameAndPasscode' | 'kerberos' | 'saml' | 'jwt' | 'unknown';
  readonly username: string | undefined;
  /** Present for usernameAndPasscode only; never log it. */
  readonly passcode: string | undefined;
  readonly primaryField: Uint8Array;
  readonly positiveResponseRequested: boolean;
}

export function readIdentity(item: UserIdentityRq): ReceivedIdentity {
  const type =
    item.identityType === 1
      ? 'username'
      : item.identityType === 2
        ? 'usernameAndPasscode'
        : item.identityType === 3
          ? 'kerberos'
          : item.identityType === 4
            ? 'saml'
            : item.identityType === 5
              ? 'jwt'
              : 'unknown';
  const text = type === 'username' || type === 'usernameAndPasscode';
  return {
    type,
    username: text ? decoder.decode(item.primaryField) : undefined,
    passcode: type === 'usernameAndPasscode' ? decoder.decode(item.secondaryField) : undefined,
    primaryField: item.primaryField,
    positiveResponseRequested: item.positiveResponseRequested,
  };
}
