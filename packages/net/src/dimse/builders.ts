/**
 * Small builders for the common command sets (PS3.7 Sections 9.3 and 10.3). They fill the
 * elements each request requires; callers add the optional ones by spreading.
 */

import { SOP_CLASS } from '@hnvue/dicom';
import { type DimseCommand, PRIORITY } from './command.js';
import { COMMAND_FIELD, commandFieldLabel, responseFieldFor } from './command-fields.js';
import { DimseEncodeError } from './errors.js';

/** PS3.7 9.3.5.1: C-ECHO-RQ. */
export function cEchoRq(messageId: number): DimseCommand {
  return {
    commandField: COMMAND_FIELD['C-ECHO-RQ'],
    messageId,
    affectedSopClassUid: SOP_CLASS.verification,
    hasDataset: false,
  };
}

/** PS3.7 9.3.1.1: C-STORE-RQ; the Move Originator fields are set when storing for a C-MOVE. */
export function cStoreRq(p: {
  messageId: number;
  affectedSopClassUid: string;
  affectedSopInstanceUid: string;
  priority?: number;
  moveOriginatorApplicationEntityTitle?: string;
  moveOriginatorMessageId?: number;
}): DimseCommand {
  return {
    commandField: COMMAND_FIELD['C-STORE-RQ'],
    messageId: p.messageId,
    affectedSopClassUid: p.affectedSopClassUid,
    affectedSopInstanceUid: p.affectedSopInstanceUid,
    priority: p.priority ?? PRIORITY.medium,
    moveOriginatorApplicationEntityTitle: p.moveOriginatorApplicationEntityTitle,
    moveOriginatorMessageId: p.moveOriginatorMessageId,
    hasDataset: true,
  };
}

/** PS3.7 9.3.2.1 / 9.3.3.1: C-FIND-RQ and C-GET-RQ (the identifier is the data set). */
export function cFindRq(p: {
  messageId: number;
  affectedSopClassUid: string;
  priority?: number;
}): DimseCommand {
  return {
    commandField: COMMAND_FIELD['C-FIND-RQ'],
    messageId: p.messageId,
    affectedSopClassUid: p.affectedSopClassUid,
    priority: p.priority ?? PRIORITY.medium,
    hasDataset: true,
  };
}

export function cGetRq(p: {
  messageId: number;
  affectedSopClassUid: string;
  priority?: number;
}): DimseCommand {
  return { ...cFindRq(p), commandField: COMMAND_FIELD['C-GET-RQ'] };
}

/** PS3.7 9.3.4.1: C-MOVE-RQ. */
export function cMoveRq(p: {
  messageId: number;
  affectedSopClassUid: string;
  moveDestination: string;
  priority?: number;
}): DimseCommand {
  return { ...cFindRq(p), commandField: COMMAND_FIELD['C-MOVE-RQ'], moveDestination: p.moveDestination };
}

/** PS3.7 9.3.2.3: C-CANCEL-RQ names the request it cancels and has no response. */
export function cCancelRq(messageIdBeingRespondedTo: number): DimseCommand {
  return { commandField: COMMAND_FIELD['C-CANCEL-RQ'], messageIdBeingRespondedTo, hasDataset: false };
}

/** PS3.7 10.3.1.1: N-EVENT-REPORT-RQ (Event Information is the data set, when present). */
export function nEventReportRq(p: {
  messageId: number;
  affectedSopClassUid: string;
  affectedSopInstanceUid: string;
  eventTypeId: number;
  hasDataset: boolean;
}): DimseCommand {
  return { commandField: COMMAND_FIELD['N-EVENT-REPORT-RQ'], ...p };
}

/** PS3.7 10.3.2.1: N-GET-RQ; attributeIdentifierList empty or absent means all attributes. */
export function nGetRq(p: {
  messageId: number;
  requestedSopClassUid: string;
  requestedSopInstanceUid: string;
  attributeIdentifierList?: readonly number[];
}): DimseCommand {
  return { commandField: COMMAND_FIELD['N-GET-RQ'], ...p, hasDataset: false };
}

/** PS3.7 10.3.3.1: N-SET-RQ (Modification List is the data set). */
export function nSetRq(p: {
  messageId: number;
  requestedSopClassUid: string;
  requestedSopInstanceUid: string;
}): DimseCommand {
  return { commandField: COMMAND_FIELD['N-SET-RQ'], ...p, hasDataset: true };
}

/** PS3.7 10.3.4.1: N-ACTION-RQ (Action Information is the data set, when present). */
export function nActionRq(p: {
  messageId: number;
  requestedSopClassUid: string;
  requestedSopInstanceUid: string;
  actionTypeId: number;
  hasDataset: boolean;
}): DimseCommand {
  return { commandField: COMMAND_FIELD['N-ACTION-RQ'], ...p };
}

/** PS3.7 10.3.5.1: N-CREATE-RQ; the SCP assigns the instance UID when it is omitted. */
export function nCreateRq(p: {
  messageId: number;
  affectedSopClassUid: string;
  affectedSopInstanceUid?: string;
  hasDataset: boolean;
}): DimseCommand {
  return { commandField: COMMAND_FIELD['N-CREATE-RQ'], ...p };
}

/** PS3.7 10.3.6.1: N-DELETE-RQ. */
export function nDeleteRq(p: {
  messageId: number;
  requestedSopClassUid: string;
  requestedSopInstanceUid: string;
}): DimseCommand {
  return { commandField: COMMAND_FIELD['N-DELETE-RQ'], ...p, hasDataset: false };
}

/**
 * The response to `request` with `status` (PS3.7 9.3 / 10.3 response tables): command field with
 * bit 15 set, Message ID Being Responded To, and Affected SOP Class / Instance UID taken from the
 * request's Affected or Requested ones where the response carries them; Event Type ID and Action
 * Type ID are echoed for N-EVENT-REPORT and N-ACTION. `extra` adds or overrides fields
 * (sub-operation counts, Error Comment, hasDataset…).
 */
export function responseTo(
  request: DimseCommand,
  status: number,
  extra: Partial<DimseCommand> = {},
): DimseCommand {
  const field = responseFieldFor(request.commandField);
  if (field === undefined) {
    throw new DimseEncodeError(`${commandFieldLabel(request.commandField)} has no response`);
  }
  const carriesInstance =
    field === COMMAND_FIELD['C-STORE-RSP'] || field >= COMMAND_FIELD['N-EVENT-REPORT-RSP'];
  return {
    commandField: field,
    messageIdBeingRespondedTo: request.messageId,
    affectedSopClassUid: request.affectedSopClassUid ?? request.requestedSopClassUid,
    ...(carriesInstance
      ? { affectedSopInstanceUid: request.affectedSopInstanceUid ?? request.requestedSopInstanceUid }
      : {}),
    ...(field === COMMAND_FIELD['N-EVENT-REPORT-RSP'] ? { eventTypeId: request.eventTypeId } : {}),
    ...(field === COMMAND_FIELD['N-ACTION-RSP'] ? { actionTypeId: request.actionTypeId } : {}),
    status,
    hasDataset: false,
    ...extra,
  };
}
