import { describe, expect, it } from 'vitest';
import {
  buildAssociateRq,
  decideAssociation,
  negotiatedFromAc,
  type RequestorParameters,
} from '../src/acse/negotiate.js';
import { TRANSFER_SYNTAX, VERIFICATION_SOP_CLASS } from '../src/index.js';
import { PRESENTATION_CONTEXT_RESULT } from '../src/pdu/index.js';
import type { AssociateAc } from '../src/pdu/types.js';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const { explicitVrLittleEndian: ELE, implicitVrLittleEndian: ILE, jpeg2000Lossless: J2K } = TRANSFER_SYNTAX;

const params: RequestorParameters = {
  callingAeTitle: 'HNVUE',
  calledAeTitle: 'PACS',
  contexts: [
    { abstractSyntax: VERIFICATION_SOP_CLASS, transferSyntaxes: [ILE] },
    { abstractSyntax: CT, transferSyntaxes: [J2K, ELE] },
  ],
  maxPduLength: 32768,
  implementationClassUid: '1.2.3',
  implementationVersionName: 'TEST',
};

const policy = {
  contexts: [
    { abstractSyntax: VERIFICATION_SOP_CLASS, transferSyntaxes: [ELE, ILE] },
    { abstractSyntax: CT, transferSyntaxes: [ELE, J2K] },
  ],
  maxPduLength: 16384,
  implementationClassUid: '1.2.4',
};

describe('ACSE negotiation (pure)', () => {
  it('FR-DICOM-02.negotiation: proposes exactly the given transfer syntaxes with odd context IDs and no window item by default', () => {
    const rq = buildAssociateRq(params);
    expect(rq.presentationContexts.map((c) => [c.id, c.transferSyntaxes])).toEqual([
      [1, [ILE]],
      [3, [J2K, ELE]],
    ]);
    expect(rq.userInformation.asynchronousOperationsWindow).toBeUndefined();
    expect(rq.userInformation.maxPduLength).toBe(32768);
    expect(rq.userInformation.implementationVersionName).toBe('TEST');
  });

  it("FR-DICOM-02.negotiation: the acceptor's transfer syntax preference wins over the proposal order", () => {
    const decision = decideAssociation(buildAssociateRq(params), policy);
    expect(decision.type).toBe('accept');
    if (decision.type !== 'accept') return;
    expect(decision.ac.presentationContexts.map((c) => [c.id, c.result, c.transferSyntax])).toEqual([
      [1, 0, ILE],
      [3, 0, ELE],
    ]);
    expect(decision.negotiated.peerMaxPduLength).toBe(32768);
    expect(decision.ac.userInformation.maxPduLength).toBe(16384);
  });

  it('FR-DICOM-02.negotiation: protocol version without bit 0 → RJ (1, 2, 2); foreign application context → RJ (1, 1, 2)', () => {
    const rq = buildAssociateRq(params);
    expect(decideAssociation({ ...rq, protocolVersion: 2 }, policy)).toEqual({
      type: 'reject',
      rj: { type: 'A-ASSOCIATE-RJ', result: 1, source: 2, reason: 2 },
    });
    expect(decideAssociation({ ...rq, applicationContext: '1.2.3.4' }, policy)).toEqual({
      type: 'reject',
      rj: { type: 'A-ASSOCIATE-RJ', result: 1, source: 1, reason: 2 },
    });
  });

  it('FR-DICOM-02.negotiation: calling AE titles of spaces-trimmed lowercase are accepted unless case-sensitive matching is asked', () => {
    const rq = { ...buildAssociateRq(params), calledAeTitle: ' pacs ' };
    expect(decideAssociation(rq, { ...policy, aeTitles: ['PACS'] }).type).toBe('accept');
    expect(
      decideAssociation(rq, { ...policy, aeTitles: ['PACS'], aeTitlesCaseInsensitive: false }).type,
    ).toBe('reject');
  });

  it('FR-DICOM-02.negotiation: the asynchronous operations window is the minimum of both sides, 0 meaning unlimited', () => {
    const rq = buildAssociateRq({
      ...params,
      asyncOpsWindow: { maxOperationsInvoked: 8, maxOperationsPerformed: 1 },
    });
    const decision = decideAssociation(rq, {
      ...policy,
      asyncOpsWindow: { maxOperationsInvoked: 1, maxOperationsPerformed: 0 },
    });
    if (decision.type !== 'accept') throw new Error('expected accept');
    expect(decision.ac.userInformation.asynchronousOperationsWindow).toEqual({
      maxOperationsInvoked: 1,
      maxOperationsPerformed: 8,
    });
    const requestor = negotiatedFromAc(rq, decision.ac);
    expect(requestor.requestorMaxInvoked).toBe(8);
    expect(requestor.acceptorMaxInvoked).toBe(1);
    expect(decision.negotiated.requestorMaxInvoked).toBe(8);
  });

  it('FR-DICOM-02.negotiation: no window item in the AC means 1 outstanding operation', () => {
    const rq = buildAssociateRq({
      ...params,
      asyncOpsWindow: { maxOperationsInvoked: 8, maxOperationsPerformed: 8 },
    });
    const decision = decideAssociation(rq, policy);
    if (decision.type !== 'accept') throw new Error('expected accept');
    expect(decision.ac.userInformation.asynchronousOperationsWindow).toBeUndefined();
    expect(negotiatedFromAc(rq, decision.ac).requestorMaxInvoked).toBe(1);
  });

  it('FR-DICOM-02.negotiation: an AC accepting a transfer syntax we never proposed is not an acceptance', () => {
    const rq = buildAssociateRq(params);
    const decision = decideAssociation(rq, policy);
    if (decision.type !== 'accept') throw new Error('expected accept');
    const ac: AssociateAc = {
      ...decision.ac,
      presentationContexts: [
        { id: 1, result: 0, transferSyntax: ELE },
        { id: 3, result: 0, transferSyntax: ELE },
      ],
    };
    const negotiated = negotiatedFromAc(rq, ac);
    expect(negotiated.contexts.get(1)?.result).toBe(PRESENTATION_CONTEXT_RESULT.noReason);
    expect(negotiated.contexts.get(3)?.result).toBe(PRESENTATION_CONTEXT_RESULT.acceptance);
  });

  it('FR-DICOM-02.negotiation: role selection: a role is granted only when proposed and allowed; replied only when proposed', () => {
    const rq = buildAssociateRq({ ...params, roles: [{ sopClassUid: CT, scuRole: false, scpRole: true }] });
    const denied = decideAssociation(rq, policy);
    if (denied.type !== 'accept') throw new Error('expected accept');
    expect(denied.ac.userInformation.roleSelections).toEqual([
      { sopClassUid: CT, scuRole: false, scpRole: false },
    ]);
    const allowed = decideAssociation(rq, {
      ...policy,
      contexts: [{ abstractSyntax: CT, transferSyntaxes: [ELE], requestorScp: true }],
    });
    if (allowed.type !== 'accept') throw new Error('expected accept');
    expect(allowed.ac.userInformation.roleSelections).toEqual([
      { sopClassUid: CT, scuRole: false, scpRole: true },
    ]);
    const negotiated = negotiatedFromAc(rq, allowed.ac);
    expect(negotiated.contexts.get(3)?.requestorScp).toBe(true);
    expect(negotiated.contexts.get(3)?.requestorScu).toBe(false);
  });

  it('FR-DICOM-02.negotiation: user identity: rejected by the hook → RJ (1, 1, 1); positive response only when requested', () => {
    const rq = buildAssociateRq({
      ...params,
      userIdentity: { type: 'username', username: 'tech', positiveResponseRequested: true },
    });
    expect(decideAssociation(rq, policy, false)).toMatchObject({
      type: 'reject',
      rj: { result: 1, source: 1, reason: 1 },
    });
    const ok = decideAssociation(rq, policy, { accept: true, serverResponse: Uint8Array.from([1]) });
    if (ok.type !== 'accept') throw new Error('expected accept');
    expect([...(ok.ac.userInformation.userIdentityAc?.serverResponse ?? [])]).toEqual([1]);
  });
});
