import { describe, expect, it } from 'vitest';
import {
  type ActionId,
  type Effect,
  type EventId,
  type State,
  type StepContext,
  step,
} from '../../src/fsm/index.js';

// PS3.8 Table 9-10, transcribed independently of src/fsm in the standard's own layout: one row per
// event, one column per state, '.' for a blank cell.
const GRID = `
        Sta1  Sta2  Sta3  Sta4  Sta5  Sta6  Sta7  Sta8  Sta9  Sta10 Sta11 Sta12 Sta13
Evt1    AE-1  .     .     .     .     .     .     .     .     .     .     .     .
Evt2    .     .     .     AE-2  .     .     .     .     .     .     .     .     .
Evt3    .     AA-1  AA-8  .     AE-3  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
Evt4    .     AA-1  AA-8  .     AE-4  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
Evt5    AE-5  .     .     .     .     .     .     .     .     .     .     .     .
Evt6    .     AE-6  AA-8  .     AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-7
Evt7    .     .     AE-7  .     .     .     .     .     .     .     .     .     .
Evt8    .     .     AE-8  .     .     .     .     .     .     .     .     .     .
Evt9    .     .     .     .     .     DT-1  .     AR-7  .     .     .     .     .
Evt10   .     AA-1  AA-8  .     AA-8  DT-2  AR-6  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
Evt11   .     .     .     .     .     AR-1  .     .     .     .     .     .     .
Evt12   .     AA-1  AA-8  .     AA-8  AR-2  AR-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
Evt13   .     AA-1  AA-8  .     AA-8  AA-8  AR-3  AA-8  AA-8  AR-10 AR-3  AA-8  AA-6
Evt14   .     .     .     .     .     .     .     AR-4  AR-9  .     .     AR-4  .
Evt15   .     .     AA-1  AA-2  AA-1  AA-1  AA-1  AA-1  AA-1  AA-1  AA-1  AA-1  .
Evt16   .     AA-2  AA-3  .     AA-3  AA-3  AA-3  AA-3  AA-3  AA-3  AA-3  AA-3  AA-2
Evt17   .     AA-5  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AR-5
Evt18   .     AA-2  .     .     .     .     .     .     .     .     .     .     AA-2
Evt19   .     AA-1  AA-8  .     AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-7
`;

function parseGrid(text: string): Map<string, string | null> {
  const lines = text
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/));
  const [header, ...rows] = lines;
  if (header === undefined) throw new Error('empty grid');
  const cells = new Map<string, string | null>();
  for (const [event, ...actions] of rows) {
    if (actions.length !== header.length) throw new Error(`row ${event} has ${actions.length} cells`);
    header.forEach((state, i) => {
      const action = actions[i];
      cells.set(`${state}|${event}`, action === '.' || action === undefined ? null : action);
    });
  }
  return cells;
}

const EXPECTED = parseGrid(GRID);
const STATE_IDS = Array.from({ length: 13 }, (_, i) => `Sta${i + 1}` as State);
const EVENT_IDS = Array.from({ length: 19 }, (_, i) => `Evt${i + 1}` as EventId);

// The context a driver would pass for each cell; the variants are tested in actions.test.ts.
const CONTEXT: StepContext = {
  isRequestor: true,
  rejection: { result: 1, source: 1, reason: 1 },
  receivedAbort: { source: 0, reason: 0 },
};
// AE-6 reads `rejection` as "not acceptable", so the default AE-6 cell is run without it.
function contextFor(action: string | null): StepContext {
  return action === 'AE-6' ? {} : CONTEXT;
}

// PS3.8 Tables 9-6 … 9-9, with this project's decisions on abort source/reason (see src/fsm).
function expectedOutcome(state: State, event: EventId, action: string): { next: State; effects: Effect[] } {
  const reason = event === 'Evt19' ? 1 : 2;
  switch (action) {
    case 'AE-1':
      return { next: 'Sta4', effects: [{ kind: 'connect' }] };
    case 'AE-2':
      return { next: 'Sta5', effects: [{ kind: 'send', pdu: 'A-ASSOCIATE-RQ' }] };
    case 'AE-3':
      return {
        next: 'Sta6',
        effects: [{ kind: 'indicate', primitive: 'A-ASSOCIATE confirmation (accept)' }],
      };
    case 'AE-4':
      return {
        next: 'Sta1',
        effects: [
          { kind: 'indicate', primitive: 'A-ASSOCIATE confirmation (reject)' },
          { kind: 'closeTransport' },
        ],
      };
    case 'AE-5':
      return { next: 'Sta2', effects: [{ kind: 'issueTransportConnectResponse' }, { kind: 'startArtim' }] };
    case 'AE-6':
      return {
        next: 'Sta3',
        effects: [{ kind: 'stopArtim' }, { kind: 'indicate', primitive: 'A-ASSOCIATE indication' }],
      };
    case 'AE-7':
      return { next: 'Sta6', effects: [{ kind: 'send', pdu: 'A-ASSOCIATE-AC' }] };
    case 'AE-8':
      return {
        next: 'Sta13',
        effects: [
          { kind: 'send', pdu: 'A-ASSOCIATE-RJ', rejection: { result: 1, source: 1, reason: 1 } },
          { kind: 'startArtim' },
        ],
      };
    case 'DT-1':
      return { next: 'Sta6', effects: [{ kind: 'send', pdu: 'P-DATA-TF' }] };
    case 'DT-2':
      return { next: 'Sta6', effects: [{ kind: 'indicate', primitive: 'P-DATA indication' }] };
    case 'AR-1':
      return { next: 'Sta7', effects: [{ kind: 'send', pdu: 'A-RELEASE-RQ' }] };
    case 'AR-2':
      return { next: 'Sta8', effects: [{ kind: 'indicate', primitive: 'A-RELEASE indication' }] };
    case 'AR-3':
      return {
        next: 'Sta1',
        effects: [{ kind: 'indicate', primitive: 'A-RELEASE confirmation' }, { kind: 'closeTransport' }],
      };
    case 'AR-4':
      return { next: 'Sta13', effects: [{ kind: 'send', pdu: 'A-RELEASE-RP' }, { kind: 'startArtim' }] };
    case 'AR-5':
      return { next: 'Sta1', effects: [{ kind: 'stopArtim' }] };
    case 'AR-6':
      return { next: 'Sta7', effects: [{ kind: 'indicate', primitive: 'P-DATA indication' }] };
    case 'AR-7':
      return { next: 'Sta8', effects: [{ kind: 'send', pdu: 'P-DATA-TF' }] };
    case 'AR-8':
      return {
        next: 'Sta9',
        effects: [{ kind: 'indicate', primitive: 'A-RELEASE indication (release collision)' }],
      };
    case 'AR-9':
      return { next: 'Sta11', effects: [{ kind: 'send', pdu: 'A-RELEASE-RP' }] };
    case 'AR-10':
      return { next: 'Sta12', effects: [{ kind: 'indicate', primitive: 'A-RELEASE confirmation' }] };
    case 'AA-1':
      return state === 'Sta2'
        ? {
            next: 'Sta13',
            effects: [{ kind: 'send', pdu: 'A-ABORT', source: 2, reason }, { kind: 'startArtim' }],
          }
        : {
            next: 'Sta13',
            effects: [{ kind: 'send', pdu: 'A-ABORT', source: 0, reason: 0 }, { kind: 'startArtim' }],
          };
    case 'AA-2':
      return { next: 'Sta1', effects: [{ kind: 'stopArtim' }, { kind: 'closeTransport' }] };
    case 'AA-3':
      return {
        next: 'Sta1',
        effects: [
          { kind: 'indicate', primitive: 'A-ABORT indication', source: 0, reason: 0 },
          { kind: 'closeTransport' },
        ],
      };
    case 'AA-4':
      return { next: 'Sta1', effects: [{ kind: 'indicate', primitive: 'A-P-ABORT indication', reason: 0 }] };
    case 'AA-5':
      return { next: 'Sta1', effects: [{ kind: 'stopArtim' }] };
    case 'AA-6':
      return { next: 'Sta13', effects: [] };
    case 'AA-7':
      return { next: 'Sta13', effects: [{ kind: 'send', pdu: 'A-ABORT', source: 2, reason }] };
    case 'AA-8':
      return {
        next: 'Sta13',
        effects: [
          { kind: 'send', pdu: 'A-ABORT', source: 2, reason },
          { kind: 'indicate', primitive: 'A-P-ABORT indication', reason },
          { kind: 'startArtim' },
        ],
      };
    default:
      throw new Error(`unknown action ${action}`);
  }
}

const tested = new Set<string>();

describe('PS3.8 Table 9-10, every state/event cell', () => {
  for (const state of STATE_IDS) {
    for (const event of EVENT_IDS) {
      const action = EXPECTED.get(`${state}|${event}`);
      if (action === undefined) throw new Error(`grid lacks ${state} ${event}`);
      const label = action === null ? 'blank: invalid, no effects, state kept' : action;
      it(`FR-DICOM-02.fsm: ${state} + ${event} → ${label}`, () => {
        const got = step(state, event, contextFor(action));
        if (action === null) {
          expect(got).toEqual({ next: state, action: null, effects: [], invalid: true });
        } else {
          const want = expectedOutcome(state, event, action);
          expect(got.action).toBe(action as ActionId);
          expect(got.invalid).toBe(false);
          expect(got.next).toBe(want.next);
          expect(got.effects).toEqual(want.effects);
        }
        tested.add(`${state}|${event}`);
      });
    }
  }

  it('FR-DICOM-02.fsm: all 13 × 19 = 247 cells were tested, 123 with an action and 124 blank', () => {
    expect(tested.size).toBe(247);
    const defined = [...EXPECTED.values()].filter((a) => a !== null).length;
    expect(defined).toBe(123);
    expect(EXPECTED.size - defined).toBe(124);
  });
});
