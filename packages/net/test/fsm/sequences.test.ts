import { describe, expect, it } from 'vitest';
import {
  type ActionId,
  type Effect,
  type EventId,
  type State,
  type StepContext,
  step,
} from '../../src/fsm/index.js';

/** A test-only stand-in for the dul driver: applies effects to a model of the timer and the socket. */
class Machine {
  state: State = 'Sta1';
  artimRunning = false;
  transportOpen = false;
  readonly actions: (ActionId | null)[] = [];
  readonly states: State[] = ['Sta1'];
  readonly sent: Effect[] = [];
  readonly indications: Effect[] = [];

  constructor(readonly isRequestor: boolean) {}

  fire(event: EventId, context: StepContext = {}): Effect[] {
    const r = step(this.state, event, { isRequestor: this.isRequestor, ...context });
    this.actions.push(r.action);
    this.state = r.next;
    this.states.push(r.next);
    for (const effect of r.effects) {
      switch (effect.kind) {
        case 'connect':
        case 'issueTransportConnectResponse':
          this.transportOpen = true;
          break;
        case 'closeTransport':
          this.transportOpen = false;
          break;
        case 'startArtim':
          this.artimRunning = true;
          break;
        case 'stopArtim':
          this.artimRunning = false;
          break;
        case 'send':
          this.sent.push(effect);
          break;
        case 'indicate':
          this.indications.push(effect);
          break;
      }
    }
    return r.effects.filter((e) => e.kind === 'send');
  }

  /** Evt17 on the far side of a close also drops the local socket. */
  transportClosed(): void {
    this.fire('Evt17');
    this.transportOpen = false;
  }
}

const PDU_EVENT: Record<string, EventId> = {
  'A-ASSOCIATE-RQ': 'Evt6',
  'A-ASSOCIATE-AC': 'Evt3',
  'A-ASSOCIATE-RJ': 'Evt4',
  'P-DATA-TF': 'Evt10',
  'A-RELEASE-RQ': 'Evt12',
  'A-RELEASE-RP': 'Evt13',
  'A-ABORT': 'Evt16',
};

/** Delivers what `from` sent to `to`, as the received-PDU events. */
function deliver(sends: Effect[], to: Machine): void {
  for (const effect of sends) {
    if (effect.kind !== 'send') continue;
    const event = PDU_EVENT[effect.pdu];
    if (event === undefined) throw new Error(`no event for ${effect.pdu}`);
    const context: StepContext =
      effect.pdu === 'A-ABORT' ? { receivedAbort: { source: effect.source, reason: effect.reason } } : {};
    to.fire(event, context);
  }
}

function primitives(m: Machine): string[] {
  return m.indications.map((e) => (e.kind === 'indicate' ? e.primitive : e.kind));
}

describe('association lives', () => {
  it('FR-DICOM-02.fsm: requestor life Sta1→Sta4→Sta5→Sta6→Sta7→Sta1 with data both ways', () => {
    const m = new Machine(true);
    m.fire('Evt1');
    m.fire('Evt2');
    m.fire('Evt3');
    m.fire('Evt9');
    m.fire('Evt10');
    m.fire('Evt11');
    m.fire('Evt10');
    m.fire('Evt13');
    expect(m.states).toEqual(['Sta1', 'Sta4', 'Sta5', 'Sta6', 'Sta6', 'Sta6', 'Sta7', 'Sta7', 'Sta1']);
    expect(m.actions).toEqual(['AE-1', 'AE-2', 'AE-3', 'DT-1', 'DT-2', 'AR-1', 'AR-6', 'AR-3']);
    expect(primitives(m)).toEqual([
      'A-ASSOCIATE confirmation (accept)',
      'P-DATA indication',
      'P-DATA indication',
      'A-RELEASE confirmation',
    ]);
    expect(m.transportOpen).toBe(false);
    expect(m.artimRunning).toBe(false);
  });

  it('FR-DICOM-02.fsm: acceptor life Sta1→Sta2→Sta3→Sta6→Sta8→Sta13→Sta1 with ARTIM started and stopped', () => {
    const m = new Machine(false);
    m.fire('Evt5');
    expect(m.artimRunning).toBe(true);
    m.fire('Evt6');
    expect(m.artimRunning).toBe(false);
    m.fire('Evt7');
    m.fire('Evt10');
    m.fire('Evt12');
    m.fire('Evt9');
    m.fire('Evt14');
    expect(m.state).toBe('Sta13');
    expect(m.artimRunning).toBe(true);
    m.fire('Evt17');
    expect(m.states).toEqual(['Sta1', 'Sta2', 'Sta3', 'Sta6', 'Sta6', 'Sta8', 'Sta8', 'Sta13', 'Sta1']);
    expect(m.actions).toEqual(['AE-5', 'AE-6', 'AE-7', 'DT-2', 'AR-2', 'AR-7', 'AR-4', 'AR-5']);
    expect(m.artimRunning).toBe(false);
  });

  it('FR-DICOM-02.fsm: a requestor and an acceptor wired together associate, exchange data and release', () => {
    const rq = new Machine(true);
    const ac = new Machine(false);
    rq.fire('Evt1');
    ac.fire('Evt5');
    deliver(rq.fire('Evt2'), ac);
    expect(ac.state).toBe('Sta3');
    deliver(ac.fire('Evt7'), rq);
    expect([rq.state, ac.state]).toEqual(['Sta6', 'Sta6']);
    deliver(rq.fire('Evt9'), ac);
    deliver(ac.fire('Evt9'), rq);
    deliver(rq.fire('Evt11'), ac);
    expect(ac.state).toBe('Sta8');
    deliver(ac.fire('Evt14'), rq);
    expect([rq.state, ac.state]).toEqual(['Sta1', 'Sta13']);
    ac.transportClosed();
    expect([rq.state, ac.state]).toEqual(['Sta1', 'Sta1']);
    expect(rq.transportOpen || ac.transportOpen || rq.artimRunning || ac.artimRunning).toBe(false);
  });
});

describe('rejection', () => {
  it('FR-DICOM-02.fsm: requestor receiving A-ASSOCIATE-RJ confirms the rejection and closes (AE-4)', () => {
    const m = new Machine(true);
    m.fire('Evt1');
    m.fire('Evt2');
    m.fire('Evt4');
    expect(m.states).toEqual(['Sta1', 'Sta4', 'Sta5', 'Sta1']);
    expect(primitives(m)).toEqual(['A-ASSOCIATE confirmation (reject)']);
    expect(m.transportOpen).toBe(false);
  });

  it('FR-DICOM-02.fsm: acceptor user rejection sends A-ASSOCIATE-RJ, waits in Sta13 under ARTIM, peer closes', () => {
    const rq = new Machine(true);
    const ac = new Machine(false);
    rq.fire('Evt1');
    ac.fire('Evt5');
    deliver(rq.fire('Evt2'), ac);
    const rejection = { result: 1, source: 1, reason: 7 } as const;
    deliver(ac.fire('Evt8', { rejection }), rq);
    expect(ac.sent.at(-1)).toEqual({ kind: 'send', pdu: 'A-ASSOCIATE-RJ', rejection });
    expect([rq.state, ac.state]).toEqual(['Sta1', 'Sta13']);
    expect(ac.artimRunning).toBe(true);
    ac.transportClosed();
    expect(ac.state).toBe('Sta1');
    expect(ac.artimRunning).toBe(false);
  });

  it('FR-DICOM-02.fsm: provider rejection in AE-6 never reaches the user and ends on ARTIM expiry', () => {
    const m = new Machine(false);
    m.fire('Evt5');
    m.fire('Evt6', { rejection: { result: 1, source: 2, reason: 2 } });
    expect(m.state).toBe('Sta13');
    expect(primitives(m)).toEqual([]);
    m.fire('Evt18');
    expect(m.actions).toEqual(['AE-5', 'AE-6', 'AA-2']);
    expect(m.state).toBe('Sta1');
    expect(m.transportOpen).toBe(false);
  });
});

describe('release collision', () => {
  it('FR-DICOM-02.fsm: requestor side Sta6→Sta7→Sta9→Sta11→Sta1', () => {
    const m = new Machine(true);
    m.state = 'Sta6';
    m.transportOpen = true;
    m.fire('Evt11');
    m.fire('Evt12');
    m.fire('Evt14');
    m.fire('Evt13');
    expect(m.states.slice(1)).toEqual(['Sta7', 'Sta9', 'Sta11', 'Sta1']);
    expect(m.actions).toEqual(['AR-1', 'AR-8', 'AR-9', 'AR-3']);
    expect(m.transportOpen).toBe(false);
  });

  it('FR-DICOM-02.fsm: acceptor side Sta6→Sta7→Sta10→Sta12→Sta13→Sta1', () => {
    const m = new Machine(false);
    m.state = 'Sta6';
    m.transportOpen = true;
    m.fire('Evt11');
    m.fire('Evt12');
    m.fire('Evt13');
    m.fire('Evt14');
    m.fire('Evt17');
    expect(m.states.slice(1)).toEqual(['Sta7', 'Sta10', 'Sta12', 'Sta13', 'Sta1']);
    expect(m.actions).toEqual(['AR-1', 'AR-8', 'AR-10', 'AR-4', 'AR-5']);
  });

  it('FR-DICOM-02.fsm: both peers releasing at once resolve the collision with the requestor answering first', () => {
    const rq = new Machine(true);
    const ac = new Machine(false);
    for (const m of [rq, ac]) {
      m.state = 'Sta6';
      m.transportOpen = true;
    }
    const fromRq = rq.fire('Evt11');
    const fromAc = ac.fire('Evt11');
    deliver(fromRq, ac);
    deliver(fromAc, rq);
    expect([rq.state, ac.state]).toEqual(['Sta9', 'Sta10']);
    // PS3.8 Table 9-4: the requestor's user answers first (Sta9), the acceptor waits for that RP (Sta10).
    deliver(rq.fire('Evt14'), ac);
    expect([rq.state, ac.state]).toEqual(['Sta11', 'Sta12']);
    deliver(ac.fire('Evt14'), rq);
    expect([rq.state, ac.state]).toEqual(['Sta1', 'Sta13']);
    ac.transportClosed();
    expect(ac.state).toBe('Sta1');
    expect(primitives(rq)).toEqual(['A-RELEASE indication (release collision)', 'A-RELEASE confirmation']);
    expect(primitives(ac)).toEqual(['A-RELEASE indication (release collision)', 'A-RELEASE confirmation']);
  });
});

describe('ARTIM and aborts', () => {
  it('FR-DICOM-02.fsm: ARTIM expiry in Sta2 (no A-ASSOCIATE-RQ arrived) closes the transport', () => {
    const m = new Machine(false);
    m.fire('Evt5');
    const effects = step(m.state, 'Evt18').effects;
    m.fire('Evt18');
    expect(effects).toEqual([{ kind: 'stopArtim' }, { kind: 'closeTransport' }]);
    expect(m.state).toBe('Sta1');
    expect(m.transportOpen).toBe(false);
  });

  it('FR-DICOM-02.fsm: ARTIM expiry in Sta13 after a local abort closes the transport; late PDUs before it are ignored', () => {
    const m = new Machine(true);
    m.state = 'Sta6';
    m.transportOpen = true;
    m.fire('Evt15');
    expect(m.sent).toEqual([{ kind: 'send', pdu: 'A-ABORT', source: 0, reason: 0 }]);
    expect(m.artimRunning).toBe(true);
    m.fire('Evt10');
    m.fire('Evt13');
    expect(m.state).toBe('Sta13');
    m.fire('Evt18');
    expect(m.actions).toEqual(['AA-1', 'AA-6', 'AA-6', 'AA-2']);
    expect(m.state).toBe('Sta1');
    expect(m.transportOpen || m.artimRunning).toBe(false);
    // A stale expiry after the fact is a blank cell: nothing happens.
    expect(step('Sta1', 'Evt18')).toEqual({ next: 'Sta1', action: null, effects: [], invalid: true });
  });

  it('FR-DICOM-02.fsm: an unexpected PDU on an established association aborts both sides (AA-8 then AA-3)', () => {
    const rq = new Machine(true);
    const ac = new Machine(false);
    for (const m of [rq, ac]) {
      m.state = 'Sta6';
      m.transportOpen = true;
    }
    // The acceptor receives a second A-ASSOCIATE-RQ.
    deliver(ac.fire('Evt6'), rq);
    expect(ac.indications).toEqual([{ kind: 'indicate', primitive: 'A-P-ABORT indication', reason: 2 }]);
    expect(rq.indications).toEqual([{ kind: 'indicate', primitive: 'A-P-ABORT indication', reason: 2 }]);
    expect([rq.state, ac.state]).toEqual(['Sta1', 'Sta13']);
    ac.transportClosed();
    expect(ac.state).toBe('Sta1');
  });

  it('FR-DICOM-02.fsm: the transport dropping on an established association gives an A-P-ABORT (AA-4)', () => {
    const m = new Machine(true);
    m.state = 'Sta6';
    m.transportOpen = true;
    m.transportClosed();
    expect(m.actions).toEqual(['AA-4']);
    expect(primitives(m)).toEqual(['A-P-ABORT indication']);
    expect(m.state).toBe('Sta1');
  });

  it('FR-DICOM-02.fsm: aborting while the transport connect is pending closes it (AA-2 in Sta4)', () => {
    const m = new Machine(true);
    m.fire('Evt1');
    m.fire('Evt15');
    expect(m.actions).toEqual(['AE-1', 'AA-2']);
    expect(m.state).toBe('Sta1');
    expect(m.transportOpen).toBe(false);
  });

  it('FR-DICOM-02.fsm: a local primitive in the wrong state is refused without touching the association', () => {
    for (const [state, event] of [
      ['Sta7', 'Evt9'],
      ['Sta5', 'Evt11'],
      ['Sta2', 'Evt15'],
      ['Sta13', 'Evt15'],
      ['Sta6', 'Evt1'],
    ] as [State, EventId][]) {
      expect(step(state, event)).toEqual({ next: state, action: null, effects: [], invalid: true });
    }
  });
});
