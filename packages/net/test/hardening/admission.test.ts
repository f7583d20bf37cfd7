/**
 * Issue 17 item 1, fair acceptance, the accounting alone (server/admission.ts, no sockets): who
 * is dropped when a new connection arrives, and how association slots are reserved.
 */
import { describe, expect, it } from 'vitest';
import { Admission, type PendingConnection } from '../../src/server/admission.js';
import { DEFAULT_SERVER_LIMITS } from '../../src/server/limits.js';

let clock = 0;
function conn(
  address: string,
  extra: Partial<PendingConnection> & { last?: number } = {},
): PendingConnection {
  const acceptedAt = ++clock;
  const last = extra.last ?? acceptedAt;
  return {
    address,
    acceptedAt,
    disallowed: extra.disallowed ?? false,
    phase: extra.phase ?? 'awaiting-rq',
    lastActivity: () => last,
  };
}

const limits = { ...DEFAULT_SERVER_LIMITS, maxPendingConnections: 4, maxPendingPerAddress: 2 };

describe('FR-DICOM-02.limits: admission of pending connections', () => {
  it('FR-DICOM-02.limits: a new connection is always admitted; the oldest idle of its address is closed first', () => {
    const admission = new Admission(limits);
    const a1 = conn('10.0.0.1');
    const a2 = conn('10.0.0.1');
    expect(admission.admit(a1)).toEqual([]);
    expect(admission.admit(a2)).toEqual([]);
    const a3 = conn('10.0.0.1');
    expect(admission.admit(a3)).toEqual([{ victim: a1, reason: 'maxPendingPerAddress' }]);
    expect(admission.pendingFor('10.0.0.1')).toBe(2);
    expect(admission.has(a3)).toBe(true);
  });

  it('FR-DICOM-02.limits: the global limit closes the connection idle the longest, whatever its address', () => {
    const admission = new Admission(limits);
    const busy = conn('10.0.0.1', { last: 1000 });
    const idle = conn('10.0.0.2', { last: 1 });
    const c = conn('10.0.0.3', { last: 500 });
    const d = conn('10.0.0.4', { last: 600 });
    for (const x of [busy, idle, c, d]) admission.admit(x);
    expect(admission.admit(conn('10.0.0.5'))).toEqual([{ victim: idle, reason: 'maxPendingConnections' }]);
    expect(admission.pendingCount).toBe(4);
  });

  it('FR-DICOM-02.limits: disallowed addresses go first, then connections already closing after an RJ', () => {
    const admission = new Admission(limits);
    const oldest = conn('10.0.0.1', { last: 0 });
    const closing = conn('10.0.0.2', { phase: 'closing', last: 900 });
    const banned = conn('10.0.0.3', { disallowed: true, last: 1000 });
    const other = conn('10.0.0.4');
    for (const x of [oldest, closing, banned, other]) admission.admit(x);
    expect(admission.admit(conn('10.0.0.5'))[0]?.victim).toBe(banned);
    expect(admission.admit(conn('10.0.0.6'))[0]?.victim).toBe(closing);
    expect(admission.admit(conn('10.0.0.7'))[0]?.victim).toBe(oldest);
  });

  it('FR-DICOM-02.limits: a request being decided is never dropped and does not count as pending', () => {
    const admission = new Admission({ ...limits, maxPendingConnections: 1 });
    const deciding = conn('10.0.0.1', { phase: 'deciding', last: 0 });
    admission.admit(deciding);
    expect(admission.pendingCount).toBe(0);
    const next = conn('10.0.0.2');
    expect(admission.admit(next)).toEqual([]);
    expect(admission.admit(conn('10.0.0.3'))).toEqual([{ victim: next, reason: 'maxPendingConnections' }]);
    expect(admission.has(deciding)).toBe(true);
  });
});

describe('FR-DICOM-02.limits: association slots', () => {
  it('FR-DICOM-02.limits: slots are bounded globally and per calling AE, and freed once each', () => {
    const admission = new Admission({ ...limits, maxAssociations: 3, maxAssociationsPerCallingAe: 2 });
    const a = admission.reserve('MODALITY');
    const b = admission.reserve('MODALITY');
    expect(a.ok && b.ok).toBe(true);
    expect(admission.reserve('MODALITY')).toEqual({
      ok: false,
      limit: 'maxAssociationsPerCallingAe',
      active: 2,
      max: 2,
    });
    const c = admission.reserve('PACS');
    expect(c.ok).toBe(true);
    expect(admission.reserve('OTHER')).toEqual({ ok: false, limit: 'maxAssociations', active: 3, max: 3 });
    if (!a.ok) return;
    a.reservation.release();
    a.reservation.release();
    expect(admission.activeAssociations).toBe(2);
    expect(admission.reserve('MODALITY').ok).toBe(true);
    expect(admission.reserve('OTHER').ok).toBe(false);
  });

  it('FR-DICOM-02.limits: pending connections hold no slot (the 31-of-32 race of issue 17)', () => {
    const admission = new Admission({
      ...limits,
      maxAssociations: 2,
      maxPendingConnections: 100,
      maxPendingPerAddress: 100,
    });
    for (let i = 0; i < 50; i++) admission.admit(conn('127.0.0.1'));
    expect(admission.reserve('A').ok).toBe(true);
    expect(admission.reserve('B').ok).toBe(true);
    expect(admission.reserve('C').ok).toBe(false);
  });
});
