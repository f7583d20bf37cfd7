/**
 * The DICOM upper-layer protocol state machine (PS3.8 Section 9.2) as data plus a pure step.
 *
 * `TRANSITIONS[state][event]` is PS3.8 Table 9-10; `step(state, event, context)` returns the next
 * state, the action and the ordered list of effects (I/O, indications, timer operations) that the
 * driver in `dul/` executes. Nothing here touches a socket, a timer or a clock, so every one of the
 * 13 × 19 cells is unit-tested without I/O.
 *
 * Blank cells of Table 9-10 (PS3.8 9.2.3: the event cannot occur in that state) return
 * `{ next: state, action: null, effects: [], invalid: true }`. Every PDU event (Evt3, 4, 6, 10, 12,
 * 13, 16, 19) has an action in every state where a transport connection carries PDUs (Sta2, Sta3,
 * Sta5…Sta13), so a blank cell is never a peer's protocol error: it is either a local primitive
 * issued in the wrong state (the driver refuses the call with an error and the association is
 * untouched) or a stale local notification (a late ARTIM expiry, a transport indication for a
 * connection this machine does not own), which the driver ignores.
 */

import { HnvError } from '@hnvue/core';
import { NET_ERROR_CODES } from '../errors.js';

// PS3.8 Tables 9-1 … 9-5
export type State =
  | 'Sta1'
  | 'Sta2'
  | 'Sta3'
  | 'Sta4'
  | 'Sta5'
  | 'Sta6'
  | 'Sta7'
  | 'Sta8'
  | 'Sta9'
  | 'Sta10'
  | 'Sta11'
  | 'Sta12'
  | 'Sta13';

// PS3.8 Table 9-10 (event rows)
export type EventId =
  | 'Evt1'
  | 'Evt2'
  | 'Evt3'
  | 'Evt4'
  | 'Evt5'
  | 'Evt6'
  | 'Evt7'
  | 'Evt8'
  | 'Evt9'
  | 'Evt10'
  | 'Evt11'
  | 'Evt12'
  | 'Evt13'
  | 'Evt14'
  | 'Evt15'
  | 'Evt16'
  | 'Evt17'
  | 'Evt18'
  | 'Evt19';

// PS3.8 Tables 9-6 … 9-9
export type ActionId =
  | 'AE-1'
  | 'AE-2'
  | 'AE-3'
  | 'AE-4'
  | 'AE-5'
  | 'AE-6'
  | 'AE-7'
  | 'AE-8'
  | 'DT-1'
  | 'DT-2'
  | 'AR-1'
  | 'AR-2'
  | 'AR-3'
  | 'AR-4'
  | 'AR-5'
  | 'AR-6'
  | 'AR-7'
  | 'AR-8'
  | 'AR-9'
  | 'AR-10'
  | 'AA-1'
  | 'AA-2'
  | 'AA-3'
  | 'AA-4'
  | 'AA-5'
  | 'AA-6'
  | 'AA-7'
  | 'AA-8';

export interface StateInfo {
  readonly id: State;
  readonly description: string;
}

export interface EventInfo {
  readonly id: EventId;
  readonly description: string;
}

export interface ActionInfo {
  readonly id: ActionId;
  readonly description: string;
  /** The states the action can lead to (two for AE-6 and AR-8). */
  readonly next: readonly State[];
}

export const STATES: readonly StateInfo[] = [
  // PS3.8 Table 9-1
  { id: 'Sta1', description: 'Idle' },
  // PS3.8 Table 9-2
  { id: 'Sta2', description: 'Transport connection open (Awaiting A-ASSOCIATE-RQ PDU)' },
  { id: 'Sta3', description: 'Awaiting local A-ASSOCIATE response primitive (from local user)' },
  {
    id: 'Sta4',
    description: 'Awaiting transport connection opening to complete (from local transport service)',
  },
  { id: 'Sta5', description: 'Awaiting A-ASSOCIATE-AC or A-ASSOCIATE-RJ PDU' },
  // PS3.8 Table 9-3
  { id: 'Sta6', description: 'Association established and ready for data transfer' },
  // PS3.8 Table 9-4
  { id: 'Sta7', description: 'Awaiting A-RELEASE-RP PDU' },
  { id: 'Sta8', description: 'Awaiting local A-RELEASE response primitive (from local user)' },
  {
    id: 'Sta9',
    description: 'Release collision requestor side; awaiting A-RELEASE response (from local user)',
  },
  { id: 'Sta10', description: 'Release collision acceptor side; awaiting A-RELEASE-RP PDU' },
  { id: 'Sta11', description: 'Release collision requestor side; awaiting A-RELEASE-RP PDU' },
  {
    id: 'Sta12',
    description: 'Release collision acceptor side; awaiting A-RELEASE response primitive (from local user)',
  },
  // PS3.8 Table 9-5
  {
    id: 'Sta13',
    description: 'Awaiting Transport Connection Close Indication (Association no longer exists)',
  },
];

// PS3.8 Table 9-10 (event column)
export const EVENTS: readonly EventInfo[] = [
  { id: 'Evt1', description: 'A-ASSOCIATE request (local user)' },
  { id: 'Evt2', description: 'Transport connect confirmation (local transport service)' },
  { id: 'Evt3', description: 'A-ASSOCIATE-AC PDU (received on transport connection)' },
  { id: 'Evt4', description: 'A-ASSOCIATE-RJ PDU (received on transport connection)' },
  { id: 'Evt5', description: 'Transport connection indication (local transport service)' },
  { id: 'Evt6', description: 'A-ASSOCIATE-RQ PDU (received on transport connection)' },
  { id: 'Evt7', description: 'A-ASSOCIATE response primitive (accept)' },
  { id: 'Evt8', description: 'A-ASSOCIATE response primitive (reject)' },
  { id: 'Evt9', description: 'P-DATA request primitive' },
  { id: 'Evt10', description: 'P-DATA-TF PDU' },
  { id: 'Evt11', description: 'A-RELEASE request primitive' },
  { id: 'Evt12', description: 'A-RELEASE-RQ PDU' },
  { id: 'Evt13', description: 'A-RELEASE-RP PDU' },
  { id: 'Evt14', description: 'A-RELEASE response primitive' },
  { id: 'Evt15', description: 'A-ABORT request primitive' },
  { id: 'Evt16', description: 'A-ABORT PDU' },
  { id: 'Evt17', description: 'Transport connection closed indication (local transport service)' },
  { id: 'Evt18', description: 'ARTIM timer expired (Association reject/release timer)' },
  { id: 'Evt19', description: 'Unrecognized or invalid PDU received' },
];

export const ACTIONS: readonly ActionInfo[] = [
  // PS3.8 Table 9-6
  {
    id: 'AE-1',
    description: 'Issue TRANSPORT CONNECT request primitive to local transport service',
    next: ['Sta4'],
  },
  { id: 'AE-2', description: 'Send A-ASSOCIATE-RQ-PDU', next: ['Sta5'] },
  { id: 'AE-3', description: 'Issue A-ASSOCIATE confirmation (accept) primitive', next: ['Sta6'] },
  {
    id: 'AE-4',
    description: 'Issue A-ASSOCIATE confirmation (reject) primitive and close transport connection',
    next: ['Sta1'],
  },
  {
    id: 'AE-5',
    description: 'Issue Transport connection response primitive; start ARTIM timer',
    next: ['Sta2'],
  },
  {
    id: 'AE-6',
    description:
      'Stop ARTIM timer and if A-ASSOCIATE-RQ acceptable by service-provider: issue A-ASSOCIATE indication ' +
      'primitive (next state Sta3); otherwise issue A-ASSOCIATE-RJ-PDU and start ARTIM timer (next state Sta13)',
    next: ['Sta3', 'Sta13'],
  },
  { id: 'AE-7', description: 'Send A-ASSOCIATE-AC PDU', next: ['Sta6'] },
  { id: 'AE-8', description: 'Send A-ASSOCIATE-RJ PDU and start ARTIM timer', next: ['Sta13'] },
  // PS3.8 Table 9-7
  { id: 'DT-1', description: 'Send P-DATA-TF PDU', next: ['Sta6'] },
  { id: 'DT-2', description: 'Send P-DATA indication primitive', next: ['Sta6'] },
  // PS3.8 Table 9-8
  { id: 'AR-1', description: 'Send A-RELEASE-RQ PDU', next: ['Sta7'] },
  { id: 'AR-2', description: 'Issue A-RELEASE indication primitive', next: ['Sta8'] },
  {
    id: 'AR-3',
    description: 'Issue A-RELEASE confirmation primitive, and close transport connection',
    next: ['Sta1'],
  },
  { id: 'AR-4', description: 'Issue A-RELEASE-RP PDU and start ARTIM timer', next: ['Sta13'] },
  { id: 'AR-5', description: 'Stop ARTIM timer', next: ['Sta1'] },
  { id: 'AR-6', description: 'Issue P-DATA indication', next: ['Sta7'] },
  { id: 'AR-7', description: 'Issue P-DATA-TF PDU', next: ['Sta8'] },
  {
    id: 'AR-8',
    description:
      'Issue A-RELEASE indication (release collision): if association-requestor, next state is Sta9, if not, ' +
      'next state is Sta10',
    next: ['Sta9', 'Sta10'],
  },
  { id: 'AR-9', description: 'Send A-RELEASE-RP PDU', next: ['Sta11'] },
  { id: 'AR-10', description: 'Issue A-RELEASE confirmation primitive', next: ['Sta12'] },
  // PS3.8 Table 9-9
  {
    id: 'AA-1',
    description:
      'Send A-ABORT PDU (service-user source) and start (or restart if already started) ARTIM timer',
    next: ['Sta13'],
  },
  { id: 'AA-2', description: 'Stop ARTIM timer if running. Close transport connection', next: ['Sta1'] },
  {
    id: 'AA-3',
    description:
      'If (service-user initiated abort): issue A-ABORT indication and close transport connection; otherwise ' +
      '(service-provider initiated abort): issue A-P-ABORT indication and close transport connection',
    next: ['Sta1'],
  },
  { id: 'AA-4', description: 'Issue A-P-ABORT indication primitive', next: ['Sta1'] },
  { id: 'AA-5', description: 'Stop ARTIM timer', next: ['Sta1'] },
  { id: 'AA-6', description: 'Ignore PDU', next: ['Sta13'] },
  { id: 'AA-7', description: 'Send A-ABORT PDU', next: ['Sta13'] },
  {
    id: 'AA-8',
    description:
      'Send A-ABORT PDU (service-provider source), issue an A-P-ABORT indication, and start ARTIM timer',
    next: ['Sta13'],
  },
];

/** PS3.8 Table 9-10. A missing event in a row is a blank cell. */
export const TRANSITIONS: Readonly<Record<State, Readonly<Partial<Record<EventId, ActionId>>>>> = {
  // PS3.8 Table 9-10, Sta1: no transport connection
  Sta1: { Evt1: 'AE-1', Evt5: 'AE-5' },
  // PS3.8 Table 9-10, Sta2: acceptor, transport open, awaiting A-ASSOCIATE-RQ
  Sta2: {
    Evt3: 'AA-1',
    Evt4: 'AA-1',
    Evt6: 'AE-6',
    Evt10: 'AA-1',
    Evt12: 'AA-1',
    Evt13: 'AA-1',
    Evt16: 'AA-2',
    Evt17: 'AA-5',
    Evt18: 'AA-2',
    Evt19: 'AA-1',
  },
  // PS3.8 Table 9-10, Sta3: acceptor, awaiting the local A-ASSOCIATE response
  Sta3: {
    Evt3: 'AA-8',
    Evt4: 'AA-8',
    Evt6: 'AA-8',
    Evt7: 'AE-7',
    Evt8: 'AE-8',
    Evt10: 'AA-8',
    Evt12: 'AA-8',
    Evt13: 'AA-8',
    Evt15: 'AA-1',
    Evt16: 'AA-3',
    Evt17: 'AA-4',
    Evt19: 'AA-8',
  },
  // PS3.8 Table 9-10, Sta4: requestor, transport connect in progress
  Sta4: { Evt2: 'AE-2', Evt15: 'AA-2', Evt17: 'AA-4' },
  // PS3.8 Table 9-10, Sta5: requestor, awaiting A-ASSOCIATE-AC/RJ
  Sta5: {
    Evt3: 'AE-3',
    Evt4: 'AE-4',
    Evt6: 'AA-8',
    Evt10: 'AA-8',
    Evt12: 'AA-8',
    Evt13: 'AA-8',
    Evt15: 'AA-1',
    Evt16: 'AA-3',
    Evt17: 'AA-4',
    Evt19: 'AA-8',
  },
  // PS3.8 Table 9-10, Sta6: association established
  Sta6: {
    Evt3: 'AA-8',
    Evt4: 'AA-8',
    Evt6: 'AA-8',
    Evt9: 'DT-1',
    Evt10: 'DT-2',
    Evt11: 'AR-1',
    Evt12: 'AR-2',
    Evt13: 'AA-8',
    Evt15: 'AA-1',
    Evt16: 'AA-3',
    Evt17: 'AA-4',
    Evt19: 'AA-8',
  },
  // PS3.8 Table 9-10, Sta7: awaiting A-RELEASE-RP
  Sta7: {
    Evt3: 'AA-8',
    Evt4: 'AA-8',
    Evt6: 'AA-8',
    Evt10: 'AR-6',
    Evt12: 'AR-8',
    Evt13: 'AR-3',
    Evt15: 'AA-1',
    Evt16: 'AA-3',
    Evt17: 'AA-4',
    Evt19: 'AA-8',
  },
  // PS3.8 Table 9-10, Sta8: awaiting the local A-RELEASE response
  Sta8: {
    Evt3: 'AA-8',
    Evt4: 'AA-8',
    Evt6: 'AA-8',
    Evt9: 'AR-7',
    Evt10: 'AA-8',
    Evt12: 'AA-8',
    Evt13: 'AA-8',
    Evt14: 'AR-4',
    Evt15: 'AA-1',
    Evt16: 'AA-3',
    Evt17: 'AA-4',
    Evt19: 'AA-8',
  },
  // PS3.8 Table 9-10, Sta9: release collision, requestor side, awaiting the local A-RELEASE response
  Sta9: {
    Evt3: 'AA-8',
    Evt4: 'AA-8',
    Evt6: 'AA-8',
    Evt10: 'AA-8',
    Evt12: 'AA-8',
    Evt13: 'AA-8',
    Evt14: 'AR-9',
    Evt15: 'AA-1',
    Evt16: 'AA-3',
    Evt17: 'AA-4',
    Evt19: 'AA-8',
  },
  // PS3.8 Table 9-10, Sta10: release collision, acceptor side, awaiting A-RELEASE-RP
  Sta10: {
    Evt3: 'AA-8',
    Evt4: 'AA-8',
    Evt6: 'AA-8',
    Evt10: 'AA-8',
    Evt12: 'AA-8',
    Evt13: 'AR-10',
    Evt15: 'AA-1',
    Evt16: 'AA-3',
    Evt17: 'AA-4',
    Evt19: 'AA-8',
  },
  // PS3.8 Table 9-10, Sta11: release collision, requestor side, awaiting A-RELEASE-RP
  Sta11: {
    Evt3: 'AA-8',
    Evt4: 'AA-8',
    Evt6: 'AA-8',
    Evt10: 'AA-8',
    Evt12: 'AA-8',
    Evt13: 'AR-3',
    Evt15: 'AA-1',
    Evt16: 'AA-3',
    Evt17: 'AA-4',
    Evt19: 'AA-8',
  },
  // PS3.8 Table 9-10, Sta12: release collision, acceptor side, awaiting the local A-RELEASE response
  Sta12: {
    Evt3: 'AA-8',
    Evt4: 'AA-8',
    Evt6: 'AA-8',
    Evt10: 'AA-8',
    Evt12: 'AA-8',
    Evt13: 'AA-8',
    Evt14: 'AR-4',
    Evt15: 'AA-1',
    Evt16: 'AA-3',
    Evt17: 'AA-4',
    Evt19: 'AA-8',
  },
  // PS3.8 Table 9-10, Sta13: association gone, awaiting transport close
  Sta13: {
    Evt3: 'AA-6',
    Evt4: 'AA-6',
    Evt6: 'AA-7',
    Evt10: 'AA-6',
    Evt12: 'AA-6',
    Evt13: 'AA-6',
    Evt16: 'AA-2',
    Evt17: 'AR-5',
    Evt18: 'AA-2',
    Evt19: 'AA-7',
  },
};

/** PS3.8 Table 9-21: the A-ASSOCIATE-RJ fields. */
export interface AssociateRejection {
  /** 1 rejected-permanent, 2 rejected-transient. */
  readonly result: 1 | 2;
  /** 1 service-user, 2 service-provider (ACSE), 3 service-provider (presentation). */
  readonly source: 1 | 2 | 3;
  readonly reason: number;
}

/** PS3.8 Table 9-26: the source and reason/diag. fields of an A-ABORT PDU. */
export interface AbortFields {
  readonly source: 0 | 1 | 2;
  readonly reason: number;
}

/**
 * What a driver must do, in order. A `send` carries no user payload: the A-ASSOCIATE-RQ (AE-2) is
 * the one given with Evt1, the A-ASSOCIATE-AC (AE-7) the one given with Evt7, the P-DATA-TF (DT-1,
 * AR-7) the one given with Evt9. The fields the state machine itself fixes (abort source/reason, a
 * provider rejection) are in the effect.
 */
export type Effect =
  /** AE-1: TRANSPORT CONNECT request to the peer's presentation address. */
  | { readonly kind: 'connect' }
  /** AE-5: accept the incoming transport connection. */
  | { readonly kind: 'issueTransportConnectResponse' }
  | {
      readonly kind: 'send';
      readonly pdu: 'A-ASSOCIATE-RQ' | 'A-ASSOCIATE-AC' | 'P-DATA-TF' | 'A-RELEASE-RQ' | 'A-RELEASE-RP';
    }
  | { readonly kind: 'send'; readonly pdu: 'A-ASSOCIATE-RJ'; readonly rejection: AssociateRejection }
  /** PS3.8 Table 9-26: source 0 service-user, 2 service-provider; reason significant only for source 2. */
  | { readonly kind: 'send'; readonly pdu: 'A-ABORT'; readonly source: 0 | 2; readonly reason: number }
  | {
      readonly kind: 'indicate';
      readonly primitive:
        | 'A-ASSOCIATE indication'
        | 'A-ASSOCIATE confirmation (accept)'
        | 'A-ASSOCIATE confirmation (reject)'
        | 'P-DATA indication'
        | 'A-RELEASE indication'
        | 'A-RELEASE indication (release collision)'
        | 'A-RELEASE confirmation';
    }
  /** AA-3, peer user abort: the received PDU's source (0, or the reserved 1) and reason. */
  | {
      readonly kind: 'indicate';
      readonly primitive: 'A-ABORT indication';
      readonly source: 0 | 1;
      readonly reason: number;
    }
  /** PS3.8 Section 7.4: provider reason, as the A-ABORT PDU reason/diag. code (PS3.8 Table 9-26). */
  | { readonly kind: 'indicate'; readonly primitive: 'A-P-ABORT indication'; readonly reason: number }
  /** Start the ARTIM timer, restarting it if it is running (PS3.8 Table 9-9 AA-1). */
  | { readonly kind: 'startArtim' }
  /** Stop the ARTIM timer if it is running. */
  | { readonly kind: 'stopArtim' }
  | { readonly kind: 'closeTransport' };

export type EffectKind = Effect['kind'];

/** Facts an action needs beyond (state, event). */
export interface StepContext {
  /** AR-8 (Sta7 + Evt12): true on the association-requestor side. Required there. */
  readonly isRequestor?: boolean;
  /**
   * Evt6 in Sta2 (AE-6): set when the service provider cannot accept the A-ASSOCIATE-RQ (e.g.
   * protocol version), so AE-6 sends this A-ASSOCIATE-RJ instead of the indication.
   * Evt8 in Sta3 (AE-8): the local user's rejection. Required there.
   */
  readonly rejection?: AssociateRejection;
  /** Evt16 in Sta3, Sta5…Sta12 (AA-3): the received A-ABORT PDU's fields. Required there. */
  readonly receivedAbort?: AbortFields;
  /**
   * Evt19: the A-ABORT reason the decoder found (PduDecodeError.abortReason, PS3.8 Table 9-26),
   * used by AA-8, AA-7 and AA-1 in Sta2. Default 1 (unrecognized-PDU) for Evt19.
   */
  readonly abortReason?: number;
}

export interface StepResult {
  readonly next: State;
  readonly action: ActionId | null;
  readonly effects: readonly Effect[];
  /** True for a blank cell of PS3.8 Table 9-10: state unchanged, no effects. */
  readonly invalid: boolean;
}

/** PS3.8 Table 9-26: A-ABORT reason/diag. values. */
const REASON_NOT_SPECIFIED = 0;
const REASON_UNRECOGNIZED_PDU = 1;
const REASON_UNEXPECTED_PDU = 2;

function providerAbortReason(event: EventId, context: StepContext | undefined): number {
  if (context?.abortReason !== undefined) return context.abortReason;
  return event === 'Evt19' ? REASON_UNRECOGNIZED_PDU : REASON_UNEXPECTED_PDU;
}

function missing(action: ActionId, field: keyof StepContext): HnvError {
  return new HnvError(NET_ERROR_CODES.invalidArgument, `${action} needs context.${field}`, {
    hint: 'the upper-layer driver must pass it to step()',
    details: { action, field },
  });
}

function result(next: State, action: ActionId, effects: readonly Effect[]): StepResult {
  return { next, action, effects, invalid: false };
}

/**
 * One transition of PS3.8 Table 9-10. Pure: the same input always gives the same output.
 * Throws HnvError HNV_ERR_INVALID_ARGUMENT when AR-8, AE-8 or AA-3 lacks its required context.
 */
export function step(state: State, event: EventId, context?: StepContext): StepResult {
  const action = TRANSITIONS[state][event];
  if (action === undefined) return { next: state, action: null, effects: [], invalid: true };
  switch (action) {
    case 'AE-1':
      return result('Sta4', action, [{ kind: 'connect' }]);
    case 'AE-2':
      return result('Sta5', action, [{ kind: 'send', pdu: 'A-ASSOCIATE-RQ' }]);
    case 'AE-3':
      return result('Sta6', action, [{ kind: 'indicate', primitive: 'A-ASSOCIATE confirmation (accept)' }]);
    case 'AE-4':
      return result('Sta1', action, [
        { kind: 'indicate', primitive: 'A-ASSOCIATE confirmation (reject)' },
        { kind: 'closeTransport' },
      ]);
    case 'AE-5':
      return result('Sta2', action, [{ kind: 'issueTransportConnectResponse' }, { kind: 'startArtim' }]);
    case 'AE-6': {
      const rejection = context?.rejection;
      if (rejection === undefined) {
        return result('Sta3', action, [
          { kind: 'stopArtim' },
          { kind: 'indicate', primitive: 'A-ASSOCIATE indication' },
        ]);
      }
      return result('Sta13', action, [
        { kind: 'stopArtim' },
        { kind: 'send', pdu: 'A-ASSOCIATE-RJ', rejection },
        { kind: 'startArtim' },
      ]);
    }
    case 'AE-7':
      return result('Sta6', action, [{ kind: 'send', pdu: 'A-ASSOCIATE-AC' }]);
    case 'AE-8': {
      const rejection = context?.rejection;
      if (rejection === undefined) throw missing(action, 'rejection');
      return result('Sta13', action, [
        { kind: 'send', pdu: 'A-ASSOCIATE-RJ', rejection },
        { kind: 'startArtim' },
      ]);
    }
    case 'DT-1':
      return result('Sta6', action, [{ kind: 'send', pdu: 'P-DATA-TF' }]);
    case 'DT-2':
      return result('Sta6', action, [{ kind: 'indicate', primitive: 'P-DATA indication' }]);
    case 'AR-1':
      return result('Sta7', action, [{ kind: 'send', pdu: 'A-RELEASE-RQ' }]);
    case 'AR-2':
      return result('Sta8', action, [{ kind: 'indicate', primitive: 'A-RELEASE indication' }]);
    case 'AR-3':
      return result('Sta1', action, [
        { kind: 'indicate', primitive: 'A-RELEASE confirmation' },
        { kind: 'closeTransport' },
      ]);
    case 'AR-4':
      return result('Sta13', action, [{ kind: 'send', pdu: 'A-RELEASE-RP' }, { kind: 'startArtim' }]);
    case 'AR-5':
      return result('Sta1', action, [{ kind: 'stopArtim' }]);
    case 'AR-6':
      return result('Sta7', action, [{ kind: 'indicate', primitive: 'P-DATA indication' }]);
    case 'AR-7':
      return result('Sta8', action, [{ kind: 'send', pdu: 'P-DATA-TF' }]);
    case 'AR-8': {
      const isRequestor = context?.isRequestor;
      if (isRequestor === undefined) throw missing(action, 'isRequestor');
      return result(isRequestor ? 'Sta9' : 'Sta10', action, [
        { kind: 'indicate', primitive: 'A-RELEASE indication (release collision)' },
      ]);
    }
    case 'AR-9':
      return result('Sta11', action, [{ kind: 'send', pdu: 'A-RELEASE-RP' }]);
    case 'AR-10':
      return result('Sta12', action, [{ kind: 'indicate', primitive: 'A-RELEASE confirmation' }]);
    case 'AA-1':
      // PS3.8 Table 9-9 says service-user source. In Sta2 no A-ASSOCIATE indication has reached a
      // service user, and AA-1 there answers an unexpected or unrecognized PDU, which is a
      // provider-detected error: send source 2 with the reason, as AA-8 does for the same PDUs.
      if (state === 'Sta2') {
        return result('Sta13', action, [
          { kind: 'send', pdu: 'A-ABORT', source: 2, reason: providerAbortReason(event, context) },
          { kind: 'startArtim' },
        ]);
      }
      return result('Sta13', action, [
        { kind: 'send', pdu: 'A-ABORT', source: 0, reason: REASON_NOT_SPECIFIED },
        { kind: 'startArtim' },
      ]);
    case 'AA-2':
      return result('Sta1', action, [{ kind: 'stopArtim' }, { kind: 'closeTransport' }]);
    case 'AA-3': {
      const received = context?.receivedAbort;
      if (received === undefined) throw missing(action, 'receivedAbort');
      const indication: Effect =
        received.source === 2
          ? { kind: 'indicate', primitive: 'A-P-ABORT indication', reason: received.reason }
          : {
              kind: 'indicate',
              primitive: 'A-ABORT indication',
              source: received.source,
              reason: received.reason,
            };
      return result('Sta1', action, [indication, { kind: 'closeTransport' }]);
    }
    case 'AA-4':
      // The transport is already closed (Evt17), so there is no reason to read from the peer.
      return result('Sta1', action, [
        { kind: 'indicate', primitive: 'A-P-ABORT indication', reason: REASON_NOT_SPECIFIED },
      ]);
    case 'AA-5':
      return result('Sta1', action, [{ kind: 'stopArtim' }]);
    case 'AA-6':
      return result('Sta13', action, []);
    case 'AA-7':
      // The association no longer exists, so the abort comes from the provider; ARTIM keeps running.
      return result('Sta13', action, [
        { kind: 'send', pdu: 'A-ABORT', source: 2, reason: providerAbortReason(event, context) },
      ]);
    case 'AA-8': {
      const reason = providerAbortReason(event, context);
      return result('Sta13', action, [
        { kind: 'send', pdu: 'A-ABORT', source: 2, reason },
        { kind: 'indicate', primitive: 'A-P-ABORT indication', reason },
        { kind: 'startArtim' },
      ]);
    }
  }
}

/** PS3.8 Table 9-10: the event raised by receiving a PDU of this type (wire code or name). */
export function eventForPdu(pduType: number | string): EventId {
  switch (pduType) {
    case 0x01:
    case 'A-ASSOCIATE-RQ':
      return 'Evt6';
    case 0x02:
    case 'A-ASSOCIATE-AC':
      return 'Evt3';
    case 0x03:
    case 'A-ASSOCIATE-RJ':
      return 'Evt4';
    case 0x04:
    case 'P-DATA-TF':
      return 'Evt10';
    case 0x05:
    case 'A-RELEASE-RQ':
      return 'Evt12';
    case 0x06:
    case 'A-RELEASE-RP':
      return 'Evt13';
    case 0x07:
    case 'A-ABORT':
      return 'Evt16';
    default:
      return 'Evt19';
  }
}

const DESCRIPTIONS: ReadonlyMap<string, string> = new Map<string, string>(
  [...STATES, ...EVENTS, ...ACTIONS].map((info) => [info.id, info.description]),
);

/** The PS3.8 definition of a state, event or action, e.g. for logs (`Sta6: Association established…`). */
export function describe(id: State | EventId | ActionId): string {
  return DESCRIPTIONS.get(id) ?? id;
}
