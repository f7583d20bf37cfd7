import { isHnvError } from '@hnvue/core';
import { describe, expect, it } from 'vitest';
import { NET_ERROR_CODES } from '../../src/errors.js';
import {
  ACTIONS,
  describe as describeId,
  EVENTS,
  type EventId,
  eventForPdu,
  STATES,
  type State,
  step,
  TRANSITIONS,
} from '../../src/fsm/index.js';

describe('fsm metadata', () => {
  it('FR-DICOM-02.fsm: lists 13 states, 19 events and 28 actions in PS3.8 order', () => {
    expect(STATES.map((s) => s.id)).toEqual(Array.from({ length: 13 }, (_, i) => `Sta${i + 1}`));
    expect(EVENTS.map((e) => e.id)).toEqual(Array.from({ length: 19 }, (_, i) => `Evt${i + 1}`));
    expect(ACTIONS.map((a) => a.id)).toEqual([
      ...['AE-1', 'AE-2', 'AE-3', 'AE-4', 'AE-5', 'AE-6', 'AE-7', 'AE-8'],
      ...['DT-1', 'DT-2'],
      ...['AR-1', 'AR-2', 'AR-3', 'AR-4', 'AR-5', 'AR-6', 'AR-7', 'AR-8', 'AR-9', 'AR-10'],
      ...['AA-1', 'AA-2', 'AA-3', 'AA-4', 'AA-5', 'AA-6', 'AA-7', 'AA-8'],
    ]);
  });

  it('FR-DICOM-02.fsm: the table has a row for every state and uses every action at least once', () => {
    expect(Object.keys(TRANSITIONS)).toEqual(STATES.map((s) => s.id));
    const used = new Set(Object.values(TRANSITIONS).flatMap((row) => Object.values(row)));
    expect([...used].sort()).toEqual(ACTIONS.map((a) => a.id).sort());
    const eventIds = new Set<string>(EVENTS.map((e) => e.id));
    for (const row of Object.values(TRANSITIONS)) {
      for (const key of Object.keys(row)) expect(eventIds.has(key)).toBe(true);
    }
  });

  it('FR-DICOM-02.fsm: every step lands in a next state its action definition allows', () => {
    const variants = [
      {
        isRequestor: true,
        rejection: { result: 1, source: 1, reason: 1 },
        receivedAbort: { source: 0, reason: 0 },
      },
      {
        isRequestor: false,
        rejection: { result: 2, source: 3, reason: 1 },
        receivedAbort: { source: 2, reason: 2 },
      },
      { isRequestor: false, receivedAbort: { source: 0, reason: 0 } },
    ] as const;
    for (const state of STATES) {
      for (const event of EVENTS) {
        for (const context of variants) {
          // AE-8 without the user's rejection throws; that case is tested below.
          if (TRANSITIONS[state.id][event.id] === 'AE-8' && !('rejection' in context)) continue;
          const r = step(state.id, event.id, context);
          if (r.action === null) continue;
          const info = ACTIONS.find((a) => a.id === r.action);
          expect(info?.next).toContain(r.next);
        }
      }
    }
  });

  it('FR-DICOM-02.fsm: describe() gives the PS3.8 definitions', () => {
    expect(describeId('Sta6')).toBe('Association established and ready for data transfer');
    expect(describeId('Evt18')).toBe('ARTIM timer expired (Association reject/release timer)');
    expect(describeId('AA-6')).toBe('Ignore PDU');
  });
});

describe('eventForPdu', () => {
  it('FR-DICOM-02.fsm: maps each received PDU type to its PS3.8 Table 9-10 event, by code and by name', () => {
    const cases: [number, string, EventId][] = [
      [0x01, 'A-ASSOCIATE-RQ', 'Evt6'],
      [0x02, 'A-ASSOCIATE-AC', 'Evt3'],
      [0x03, 'A-ASSOCIATE-RJ', 'Evt4'],
      [0x04, 'P-DATA-TF', 'Evt10'],
      [0x05, 'A-RELEASE-RQ', 'Evt12'],
      [0x06, 'A-RELEASE-RP', 'Evt13'],
      [0x07, 'A-ABORT', 'Evt16'],
    ];
    for (const [code, name, event] of cases) {
      expect(eventForPdu(code)).toBe(event);
      expect(eventForPdu(name)).toBe(event);
    }
  });

  it('FR-DICOM-02.fsm: maps unrecognized PDU types to Evt19', () => {
    for (const code of [0x00, 0x08, 0x09, 0x10, 0xff, -1]) expect(eventForPdu(code)).toBe('Evt19');
    expect(eventForPdu('A-FOO')).toBe('Evt19');
  });
});

describe('actions that depend on context', () => {
  it('FR-DICOM-02.fsm: AE-6 with an unacceptable A-ASSOCIATE-RQ sends the provider rejection and restarts ARTIM → Sta13', () => {
    const rejection = { result: 1, source: 2, reason: 2 } as const;
    expect(step('Sta2', 'Evt6', { rejection })).toEqual({
      next: 'Sta13',
      action: 'AE-6',
      effects: [
        { kind: 'stopArtim' },
        { kind: 'send', pdu: 'A-ASSOCIATE-RJ', rejection },
        { kind: 'startArtim' },
      ],
      invalid: false,
    });
  });

  it('FR-DICOM-02.fsm: AR-8 goes to Sta9 on the requestor and Sta10 on the acceptor', () => {
    expect(step('Sta7', 'Evt12', { isRequestor: true }).next).toBe('Sta9');
    expect(step('Sta7', 'Evt12', { isRequestor: false }).next).toBe('Sta10');
  });

  it('FR-DICOM-02.fsm: AA-3 issues A-ABORT for a service-user abort and A-P-ABORT for a service-provider abort', () => {
    expect(step('Sta6', 'Evt16', { receivedAbort: { source: 0, reason: 0 } }).effects).toEqual([
      { kind: 'indicate', primitive: 'A-ABORT indication', source: 0, reason: 0 },
      { kind: 'closeTransport' },
    ]);
    expect(step('Sta6', 'Evt16', { receivedAbort: { source: 2, reason: 6 } }).effects).toEqual([
      { kind: 'indicate', primitive: 'A-P-ABORT indication', reason: 6 },
      { kind: 'closeTransport' },
    ]);
    // PS3.8 Table 9-26: source 1 is reserved; only 2 means the provider aborted.
    expect(step('Sta6', 'Evt16', { receivedAbort: { source: 1, reason: 0 } }).effects[0]).toEqual({
      kind: 'indicate',
      primitive: 'A-ABORT indication',
      source: 1,
      reason: 0,
    });
  });

  it('FR-DICOM-02.fsm: AA-8 carries the decoder reason for an invalid PDU (Evt19) into the A-ABORT and the A-P-ABORT', () => {
    expect(step('Sta6', 'Evt19', { abortReason: 6 }).effects).toEqual([
      { kind: 'send', pdu: 'A-ABORT', source: 2, reason: 6 },
      { kind: 'indicate', primitive: 'A-P-ABORT indication', reason: 6 },
      { kind: 'startArtim' },
    ]);
  });

  it('FR-DICOM-02.fsm: AA-8 defaults to unexpected-PDU for a known PDU and unrecognized-PDU for Evt19', () => {
    expect(step('Sta6', 'Evt3').effects[0]).toEqual({ kind: 'send', pdu: 'A-ABORT', source: 2, reason: 2 });
    expect(step('Sta6', 'Evt19').effects[0]).toEqual({ kind: 'send', pdu: 'A-ABORT', source: 2, reason: 1 });
  });

  it('FR-DICOM-02.fsm: AA-1 is a service-provider abort in Sta2 and a service-user abort on Evt15', () => {
    expect(step('Sta2', 'Evt10').effects[0]).toEqual({ kind: 'send', pdu: 'A-ABORT', source: 2, reason: 2 });
    expect(step('Sta2', 'Evt19', { abortReason: 4 }).effects[0]).toEqual({
      kind: 'send',
      pdu: 'A-ABORT',
      source: 2,
      reason: 4,
    });
    for (const state of [
      'Sta3',
      'Sta5',
      'Sta6',
      'Sta7',
      'Sta8',
      'Sta9',
      'Sta10',
      'Sta11',
      'Sta12',
    ] as State[]) {
      expect(step(state, 'Evt15', { abortReason: 6 }).effects).toEqual([
        { kind: 'send', pdu: 'A-ABORT', source: 0, reason: 0 },
        { kind: 'startArtim' },
      ]);
    }
  });

  it('FR-DICOM-02.fsm: AA-7 in Sta13 answers an A-ASSOCIATE-RQ or an invalid PDU with a provider A-ABORT and leaves ARTIM running', () => {
    expect(step('Sta13', 'Evt6').effects).toEqual([{ kind: 'send', pdu: 'A-ABORT', source: 2, reason: 2 }]);
    expect(step('Sta13', 'Evt19', { abortReason: 5 }).effects).toEqual([
      { kind: 'send', pdu: 'A-ABORT', source: 2, reason: 5 },
    ]);
  });

  it('FR-DICOM-02.fsm: throws HNV_ERR_INVALID_ARGUMENT when AR-8, AE-8 or AA-3 lacks its context', () => {
    const cases: [State, EventId, string][] = [
      ['Sta7', 'Evt12', 'isRequestor'],
      ['Sta3', 'Evt8', 'rejection'],
      ['Sta6', 'Evt16', 'receivedAbort'],
    ];
    for (const [state, event, field] of cases) {
      let caught: unknown;
      try {
        step(state, event, {});
      } catch (err) {
        caught = err;
      }
      expect(isHnvError(caught, NET_ERROR_CODES.invalidArgument)).toBe(true);
      expect((caught as Error).message).toContain(field);
    }
  });

  it('FR-DICOM-02.fsm: AA-2 on Evt16 in Sta2/Sta13 does not need the received abort fields', () => {
    expect(step('Sta2', 'Evt16').action).toBe('AA-2');
    expect(step('Sta13', 'Evt16').action).toBe('AA-2');
  });
});

describe('purity', () => {
  it('FR-DICOM-02.fsm: step gives equal results for equal inputs and does not change its context', () => {
    const context = Object.freeze({
      isRequestor: false,
      rejection: Object.freeze({ result: 2, source: 1, reason: 1 } as const),
      receivedAbort: Object.freeze({ source: 2, reason: 1 } as const),
    });
    for (const state of STATES) {
      for (const event of EVENTS) {
        expect(step(state.id, event.id, context)).toEqual(step(state.id, event.id, context));
      }
    }
  });

  it('FR-DICOM-02.fsm: results do not share mutable effect lists between calls', () => {
    const a = step('Sta6', 'Evt19');
    const b = step('Sta6', 'Evt19');
    expect(a.effects).not.toBe(b.effects);
  });
});
