/**
 * PDU and item data types of the DICOM upper layer (PS3.8 Section 9.3 and Annex D of PS3.7).
 * Pure data: no I/O. Each PDU and item is a discriminated union member with a readonly `type`.
 * AE titles are held trimmed; the codec pads them to 16 bytes on the wire.
 */
import { APPLICATION_CONTEXT_NAME } from '@hnvue/dicom';

/** PS3.8 Table 9-11 … 9-27: PDU type codes. */
export const PDU_TYPE = {
  'A-ASSOCIATE-RQ': 0x01,
  'A-ASSOCIATE-AC': 0x02,
  'A-ASSOCIATE-RJ': 0x03,
  'P-DATA-TF': 0x04,
  'A-RELEASE-RQ': 0x05,
  'A-RELEASE-RP': 0x06,
  'A-ABORT': 0x07,
} as const;
export type PduTypeName = keyof typeof PDU_TYPE;

/** PS3.8 Annex B / PS3.7 Annex D: item type codes. */
export const ITEM_TYPE = {
  applicationContext: 0x10,
  presentationContextRq: 0x20,
  presentationContextAc: 0x21,
  abstractSyntax: 0x30,
  transferSyntax: 0x40,
  userInformation: 0x50,
  maximumLength: 0x51,
  implementationClassUid: 0x52,
  asynchronousOperationsWindow: 0x53,
  roleSelection: 0x54,
  implementationVersionName: 0x55,
  sopClassExtendedNegotiation: 0x56,
  sopClassCommonExtendedNegotiation: 0x57,
  userIdentityRq: 0x58,
  userIdentityAc: 0x59,
} as const;

/** The DICOM application context name (PS3.7 Annex A.2.1). */
export const DICOM_APPLICATION_CONTEXT: typeof APPLICATION_CONTEXT_NAME = APPLICATION_CONTEXT_NAME;

export interface PresentationContextRq {
  /** Odd integer 1…255. */
  readonly id: number;
  readonly abstractSyntax: string;
  readonly transferSyntaxes: readonly string[];
}

/** PS3.8 Table 9-18: result/reason of a presentation context in an A-ASSOCIATE-AC. */
export const PRESENTATION_CONTEXT_RESULT = {
  acceptance: 0,
  userRejection: 1,
  noReason: 2,
  abstractSyntaxNotSupported: 3,
  transferSyntaxesNotSupported: 4,
} as const;
export type PresentationContextResult =
  (typeof PRESENTATION_CONTEXT_RESULT)[keyof typeof PRESENTATION_CONTEXT_RESULT];

export interface PresentationContextAc {
  readonly id: number;
  readonly result: PresentationContextResult;
  /** The accepted transfer syntax; PS3.8 says it is not significant unless result is acceptance. */
  readonly transferSyntax: string;
}

/** PS3.7 D.3.3.4: SCP/SCU role selection sub-item. */
export interface RoleSelection {
  readonly sopClassUid: string;
  readonly scuRole: boolean;
  readonly scpRole: boolean;
}

/** PS3.7 D.3.3.3: asynchronous operations window sub-item. 0 means unlimited. */
export interface AsynchronousOperationsWindow {
  readonly maxOperationsInvoked: number;
  readonly maxOperationsPerformed: number;
}

/** PS3.7 D.3.3.5: SOP class extended negotiation sub-item; the info bytes are service specific. */
export interface SopClassExtendedNegotiation {
  readonly sopClassUid: string;
  readonly serviceClassApplicationInformation: Uint8Array;
}

/** PS3.7 D.3.3.6: SOP class common extended negotiation sub-item (RQ only). */
export interface SopClassCommonExtendedNegotiation {
  readonly sopClassUid: string;
  readonly serviceClassUid: string;
  readonly relatedGeneralSopClassUids: readonly string[];
}

/** PS3.7 Table D.3-14: user identity types. */
export const USER_IDENTITY_TYPE = {
  username: 1,
  usernameAndPasscode: 2,
  kerberos: 3,
  saml: 4,
  jwt: 5,
} as const;
export type UserIdentityType = (typeof USER_IDENTITY_TYPE)[keyof typeof USER_IDENTITY_TYPE];

/** PS3.7 D.3.3.7.1: user identity negotiation sub-item, RQ. */
export interface UserIdentityRq {
  readonly identityType: UserIdentityType;
  readonly positiveResponseRequested: boolean;
  readonly primaryField: Uint8Array;
  /** Passcode for type 2; empty otherwise. */
  readonly secondaryField: Uint8Array;
}

/** PS3.7 D.3.3.7.2: user identity negotiation sub-item, AC. */
export interface UserIdentityAc {
  readonly serverResponse: Uint8Array;
}

/** A sub-item or item we do not know: kept so it can be ignored as PS3.8 9.3.1 requires. */
export interface UnknownItem {
  readonly itemType: number;
  readonly data: Uint8Array;
}

export interface UserInformation {
  /** 0 means no limit (PS3.8 D.1). */
  readonly maxPduLength: number;
  readonly implementationClassUid: string;
  readonly implementationVersionName?: string | undefined;
  readonly asynchronousOperationsWindow?: AsynchronousOperationsWindow | undefined;
  readonly roleSelections: readonly RoleSelection[];
  readonly sopClassExtendedNegotiations: readonly SopClassExtendedNegotiation[];
  readonly sopClassCommonExtendedNegotiations: readonly SopClassCommonExtendedNegotiation[];
  readonly userIdentityRq?: UserIdentityRq | undefined;
  readonly userIdentityAc?: UserIdentityAc | undefined;
  readonly unknownItems: readonly UnknownItem[];
}

export interface AssociateRq {
  readonly type: 'A-ASSOCIATE-RQ';
  readonly protocolVersion: number;
  readonly calledAeTitle: string;
  readonly callingAeTitle: string;
  readonly applicationContext: string;
  readonly presentationContexts: readonly PresentationContextRq[];
  readonly userInformation: UserInformation;
}

export interface AssociateAc {
  readonly type: 'A-ASSOCIATE-AC';
  readonly protocolVersion: number;
  /** Reserved on the wire (PS3.8 Table 9-17) but echoed by most peers; kept for diagnostics. */
  readonly calledAeTitle: string;
  readonly callingAeTitle: string;
  readonly applicationContext: string;
  readonly presentationContexts: readonly PresentationContextAc[];
  readonly userInformation: UserInformation;
}

/** PS3.8 Table 9-21. result 1 permanent, 2 transient; source 1 user, 2 ACSE provider, 3 presentation provider. */
export interface AssociateRj {
  readonly type: 'A-ASSOCIATE-RJ';
  readonly result: 1 | 2;
  readonly source: 1 | 2 | 3;
  readonly reason: number;
}

/** PS3.8 9.3.5.1: one presentation data value. */
export interface Pdv {
  readonly contextId: number;
  /** Message control header bit 0. */
  readonly isCommand: boolean;
  /** Message control header bit 1. */
  readonly isLast: boolean;
  readonly data: Uint8Array;
}

export interface PDataTf {
  readonly type: 'P-DATA-TF';
  readonly pdvs: readonly Pdv[];
}

export interface ReleaseRq {
  readonly type: 'A-RELEASE-RQ';
}

export interface ReleaseRp {
  readonly type: 'A-RELEASE-RP';
}

/** PS3.8 Table 9-26. source 0 service user, 2 service provider; reason only significant for source 2. */
export interface Abort {
  readonly type: 'A-ABORT';
  readonly source: 0 | 1 | 2;
  readonly reason: number;
}

export type Pdu = AssociateRq | AssociateAc | AssociateRj | PDataTf | ReleaseRq | ReleaseRp | Abort;

/** PS3.8 Table 9-26: A-ABORT provider reasons. */
export const ABORT_REASON = {
  notSpecified: 0,
  unrecognizedPdu: 1,
  unexpectedPdu: 2,
  unrecognizedPduParameter: 4,
  unexpectedPduParameter: 5,
  invalidPduParameterValue: 6,
} as const;

/** PS3.8 Table 9-21: A-ASSOCIATE-RJ reasons, by source. */
export const REJECT_REASON = {
  user: {
    noReason: 1,
    applicationContextNotSupported: 2,
    callingAeNotRecognized: 3,
    calledAeNotRecognized: 7,
  },
  acseProvider: { noReason: 1, protocolVersionNotSupported: 2 },
  presentationProvider: { temporaryCongestion: 1, localLimitExceeded: 2 },
} as const;
