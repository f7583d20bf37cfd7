/**
 * The command set of each DIMSE request as a type of its own (PS3.7 Tables 9.3-1 … 9.3-12 and
 * 10.3-1 … 10.3-12): the fields the standard makes mandatory (M) are required, the user-optional
 * ones (U) optional, and nothing else is accepted. `Association.request` takes this union, so a
 * C-STORE-RQ without its Affected SOP Instance UID or an N-ACTION-RQ without its Action Type ID
 * does not compile. Message ID and Command Data Set Type are filled in by the association.
 */
import type { COMMAND_FIELD } from './command-fields.js';

type Field<K extends keyof typeof COMMAND_FIELD> = (typeof COMMAND_FIELD)[K];

/** PS3.7 Table 9.3-1. */
export interface CStoreRequestCommand {
  readonly commandField: Field<'C-STORE-RQ'>;
  readonly affectedSopClassUid: string;
  readonly affectedSopInstanceUid: string;
  readonly priority: number;
  /** Set by an SCP performing a C-MOVE sub-operation. */
  readonly moveOriginatorApplicationEntityTitle?: string;
  readonly moveOriginatorMessageId?: number;
}

/** PS3.7 Table 9.3-12. */
export interface CEchoRequestCommand {
  readonly commandField: Field<'C-ECHO-RQ'>;
  readonly affectedSopClassUid: string;
}

/** PS3.7 Table 9.3-3. */
export interface CFindRequestCommand {
  readonly commandField: Field<'C-FIND-RQ'>;
  readonly affectedSopClassUid: string;
  readonly priority: number;
}

/** PS3.7 Table 9.3-5. */
export interface CGetRequestCommand {
  readonly commandField: Field<'C-GET-RQ'>;
  readonly affectedSopClassUid: string;
  readonly priority: number;
}

/** PS3.7 Table 9.3-7. */
export interface CMoveRequestCommand {
  readonly commandField: Field<'C-MOVE-RQ'>;
  readonly affectedSopClassUid: string;
  readonly priority: number;
  readonly moveDestination: string;
}

/** PS3.7 Table 10.3-1. */
export interface NEventReportRequestCommand {
  readonly commandField: Field<'N-EVENT-REPORT-RQ'>;
  readonly affectedSopClassUid: string;
  readonly affectedSopInstanceUid: string;
  readonly eventTypeId: number;
}

/** PS3.7 Table 10.3-3. */
export interface NGetRequestCommand {
  readonly commandField: Field<'N-GET-RQ'>;
  readonly requestedSopClassUid: string;
  readonly requestedSopInstanceUid: string;
  readonly attributeIdentifierList?: readonly number[];
}

/** PS3.7 Table 10.3-5. */
export interface NSetRequestCommand {
  readonly commandField: Field<'N-SET-RQ'>;
  readonly requestedSopClassUid: string;
  readonly requestedSopInstanceUid: string;
}

/** PS3.7 Table 10.3-7. */
export interface NActionRequestCommand {
  readonly commandField: Field<'N-ACTION-RQ'>;
  readonly requestedSopClassUid: string;
  readonly requestedSopInstanceUid: string;
  readonly actionTypeId: number;
}

/** PS3.7 Table 10.3-9: the SCU may leave the instance UID to the SCP. */
export interface NCreateRequestCommand {
  readonly commandField: Field<'N-CREATE-RQ'>;
  readonly affectedSopClassUid: string;
  readonly affectedSopInstanceUid?: string;
}

/** PS3.7 Table 10.3-11. */
export interface NDeleteRequestCommand {
  readonly commandField: Field<'N-DELETE-RQ'>;
  readonly requestedSopClassUid: string;
  readonly requestedSopInstanceUid: string;
}

/** Any DIMSE request's command set, told apart by `commandField`. */
export type RequestCommand =
  | CStoreRequestCommand
  | CEchoRequestCommand
  | CFindRequestCommand
  | CGetRequestCommand
  | CMoveRequestCommand
  | NEventReportRequestCommand
  | NGetRequestCommand
  | NSetRequestCommand
  | NActionRequestCommand
  | NCreateRequestCommand
  | NDeleteRequestCommand;
