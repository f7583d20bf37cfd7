import { rmTempDir, startWlmscpfs, type WlmscpfsPeer } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Association,
  AssociationRejectedError,
  createServer,
  type DicomServer,
  InvalidArgumentError,
  NoPresentationContextError,
  type RejectionInfo,
  TRANSFER_SYNTAX,
  VERIFICATION_SOP_CLASS,
} from '../src/index.js';
import { PRESENTATION_CONTEXT_RESULT, REJECT_REASON } from '../src/pdu/index.js';

const MWL_FIND = '1.2.840.10008.5.1.4.31';
const CT_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

describe('association rejections come back typed', () => {
  let wlm: WlmscpfsPeer;
  let server: DicomServer;
  let port: number;
  const rejections: RejectionInfo[] = [];

  beforeAll(async () => {
    wlm = await startWlmscpfs({ aeTitle: 'WLMSCP' });
    server = createServer({
      aeTitles: ['HNVUE'],
      callingAeTitles: ['MODALITY', 'SCU'],
      contexts: [
        {
          abstractSyntax: VERIFICATION_SOP_CLASS,
          transferSyntaxes: [TRANSFER_SYNTAX.implicitVrLittleEndian],
        },
        {
          abstractSyntax: MWL_FIND,
          transferSyntaxes: [TRANSFER_SYNTAX.explicitVrLittleEndian],
          reject: true,
        },
      ],
      authenticate: (identity) => identity === undefined || identity.passcode === 'secret',
    });
    server.on('rejected', (info) => rejections.push(info));
    port = await server.listen(0);
  });

  afterAll(async () => {
    await wlm?.stop();
    if (wlm) await rmTempDir(wlm.dataDir);
    await server?.close();
  });

  it('FR-DICOM-02.negotiation: wrong called AE to wlmscpfs → A-ASSOCIATE-RJ permanent / user / called AE not recognized', async () => {
    const error = await Association.open({
      host: '127.0.0.1',
      port: wlm.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'NOBODY',
      presentationContexts: [
        { abstractSyntax: MWL_FIND, transferSyntaxes: [TRANSFER_SYNTAX.implicitVrLittleEndian] },
      ],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AssociationRejectedError);
    const rj = error as AssociationRejectedError;
    expect(rj.code).toBe('HNV_ERR_ASSOC_REJECTED');
    expect([rj.result, rj.source, rj.reason]).toEqual([1, 1, REJECT_REASON.user.calledAeNotRecognized]);
  });

  it('FR-DICOM-02.negotiation: a context nobody accepts → HNV_ERR_NO_PRESENTATION_CONTEXT when used, association stays open', async () => {
    const association = await Association.open({
      host: '127.0.0.1',
      port: wlm.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'WLMSCP',
      presentationContexts: [
        {
          abstractSyntax: VERIFICATION_SOP_CLASS,
          transferSyntaxes: [TRANSFER_SYNTAX.implicitVrLittleEndian],
        },
        { abstractSyntax: CT_STORAGE, transferSyntaxes: [TRANSFER_SYNTAX.implicitVrLittleEndian] },
      ],
    });
    const ct = [...association.negotiated.contexts.values()].find((c) => c.abstractSyntax === CT_STORAGE);
    expect(ct?.result).toBe(PRESENTATION_CONTEXT_RESULT.abstractSyntaxNotSupported);
    const error = await association
      .send({
        abstractSyntax: CT_STORAGE,
        command: {
          commandField: 0x0001,
          affectedSopClassUid: CT_STORAGE,
          affectedSopInstanceUid: '2.25.1',
          priority: 0,
        },
        dataset: new Uint8Array(0),
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoPresentationContextError);
    expect((error as NoPresentationContextError).code).toBe('HNV_ERR_NO_PRESENTATION_CONTEXT');
    expect(association.usable).toBe(true);
    expect((await association.echo()).status).toBe(0);
    await association.release();
  });

  it('FR-DICOM-02.negotiation: our SCP reports per-context results: acceptance, user rejection, abstract/transfer syntax not supported', async () => {
    const association = await Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'SCU',
      calledAeTitle: 'HNVUE',
      presentationContexts: [
        {
          abstractSyntax: VERIFICATION_SOP_CLASS,
          transferSyntaxes: [TRANSFER_SYNTAX.explicitVrLittleEndian],
        },
        {
          abstractSyntax: VERIFICATION_SOP_CLASS,
          transferSyntaxes: [TRANSFER_SYNTAX.explicitVrLittleEndian, TRANSFER_SYNTAX.implicitVrLittleEndian],
        },
        { abstractSyntax: MWL_FIND, transferSyntaxes: [TRANSFER_SYNTAX.explicitVrLittleEndian] },
        { abstractSyntax: CT_STORAGE, transferSyntaxes: [TRANSFER_SYNTAX.explicitVrLittleEndian] },
      ],
    });
    const results = [...association.negotiated.contexts.values()].map((c) => [
      c.id,
      c.result,
      c.transferSyntax,
    ]);
    expect(results).toEqual([
      [1, PRESENTATION_CONTEXT_RESULT.transferSyntaxesNotSupported, ''],
      [3, PRESENTATION_CONTEXT_RESULT.acceptance, TRANSFER_SYNTAX.implicitVrLittleEndian],
      [5, PRESENTATION_CONTEXT_RESULT.userRejection, ''],
      [7, PRESENTATION_CONTEXT_RESULT.abstractSyntaxNotSupported, ''],
    ]);
    expect((await association.echo()).status).toBe(0);
    await association.release();
  });

  it('FR-DICOM-02.negotiation: our SCP rejects an unknown called AE title with reason 7 and notifies', async () => {
    const before = rejections.length;
    const error = await Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'SCU',
      calledAeTitle: 'OTHER',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AssociationRejectedError);
    expect((error as AssociationRejectedError).reason).toBe(7);
    expect(rejections.length).toBe(before + 1);
    expect(rejections.at(-1)?.error.reason).toBe(7);
  });

  it('FR-DICOM-02.negotiation: our SCP rejects an unknown calling AE title with reason 3', async () => {
    const error = await Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'STRANGER',
      calledAeTitle: 'HNVUE',
    }).catch((e: unknown) => e);
    expect((error as AssociationRejectedError).reason).toBe(REJECT_REASON.user.callingAeNotRecognized);
  });

  it('FR-DICOM-02.negotiation: user identity username+passcode is decided by the acceptor hook', async () => {
    const good = await Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'SCU',
      calledAeTitle: 'HNVUE',
      userIdentity: {
        type: 'usernameAndPasscode',
        username: 'tech',
        passcode: 'secret',
        positiveResponseRequested: true,
      },
    });
    expect(good.negotiated.userIdentityServerResponse).toBeInstanceOf(Uint8Array);
    await good.release();
    const error = await Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'SCU',
      calledAeTitle: 'HNVUE',
      userIdentity: { type: 'usernameAndPasscode', username: 'tech', passcode: 'wrong' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AssociationRejectedError);
    expect([(error as AssociationRejectedError).result, (error as AssociationRejectedError).source]).toEqual([
      1, 1,
    ]);
  });

  it('FR-DICOM-02.negotiation: we are strict in what we send: an AE title over 16 characters is refused before connecting', async () => {
    const error = await Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'A_CALLING_AE_TITLE_TOO_LONG',
      calledAeTitle: 'HNVUE',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
  });
});
