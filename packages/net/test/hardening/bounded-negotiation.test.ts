/**
 * Issue 17 item 2, bounded negotiation: what a requestor may ask of our SCP in one
 * A-ASSOCIATE-RQ. Protocol violations (even, zero or repeated presentation-context IDs, hence
 * more than 128 contexts) get A-ABORT source 2 reason 6 (PS3.8 Table 9-26); requests beyond our
 * local caps get A-ASSOCIATE-RJ 1/3/2 (PS3.8 Table 9-21); none is decoded into objects.
 */

import { connectRaw } from '@hnvue/testing/raw-peer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_NEGOTIATION_LIMITS, screenAssociateRq } from '../../src/acse/bounds.js';
import {
  Association,
  createServer,
  type DicomServer,
  type RejectionInfo,
  TRANSFER_SYNTAX,
  VERIFICATION_SOP_CLASS,
} from '../../src/index.js';
import { decodePdu, encodePdu } from '../../src/pdu/index.js';
import { echoRq, MemorySampler, manyContextsRq } from './helpers.js';

const identity = (identityType: 1 | 2 | 3 | 4 | 5, primary: number, secondary = 0) => ({
  identityType,
  positiveResponseRequested: false,
  primaryField: new Uint8Array(primary).fill(0x61),
  secondaryField: new Uint8Array(secondary).fill(0x62),
});

/** Offset of the first presentation context's ID byte in an RQ from manyContextsRq(). */
function firstContextIdOffset(bytes: Uint8Array): number {
  let offset = 74;
  while (bytes[offset] !== 0x20) offset += 4 + ((bytes[offset + 2]! << 8) | bytes[offset + 3]!);
  return offset + 4;
}

describe('FR-DICOM-02.limits: the A-ASSOCIATE-RQ screen (pure, on raw bytes)', () => {
  it('FR-DICOM-02.limits: 128 contexts with distinct odd IDs pass; the 129th is a repeated ID → abort reason 6', () => {
    expect(screenAssociateRq(manyContextsRq(128))).toBeUndefined();
    const verdict = screenAssociateRq(manyContextsRq(129));
    expect(verdict?.type).toBe('abort');
    if (verdict?.type !== 'abort') return;
    expect(verdict.error.code).toBe('HNV_ERR_PDU_DECODE');
    expect(verdict.error.abortReason).toBe(6);
  });

  it('FR-DICOM-02.limits: a repeated or an even presentation-context ID → abort reason 6', () => {
    const repeated = manyContextsRq(2);
    // Second context's ID byte: make it equal to the first (1).
    const first = firstContextIdOffset(repeated);
    const second = first + ((repeated[first - 2]! << 8) | repeated[first - 1]!);
    expect(repeated[second]).toBe(0x20);
    repeated[second + 4] = 1;
    expect(screenAssociateRq(repeated)).toMatchObject({ type: 'abort', error: { abortReason: 6 } });
    const even = manyContextsRq(1);
    even[firstContextIdOffset(even)] = 2;
    expect(screenAssociateRq(even)).toMatchObject({ type: 'abort', error: { abortReason: 6 } });
    const zero = manyContextsRq(1);
    zero[firstContextIdOffset(zero)] = 0;
    expect(screenAssociateRq(zero)).toMatchObject({ type: 'abort', error: { abortReason: 6 } });
  });

  it('FR-DICOM-02.limits: local caps (contexts, transfer syntaxes, user identity lengths) → A-ASSOCIATE-RJ 1/3/2 naming the limit', () => {
    const rj = { type: 'A-ASSOCIATE-RJ', result: 1, source: 3, reason: 2 };
    expect(
      screenAssociateRq(manyContextsRq(10), { ...DEFAULT_NEGOTIATION_LIMITS, maxPresentationContexts: 8 }),
    ).toEqual({ type: 'reject', rj, limit: 'maxPresentationContexts', value: 10 });
    expect(screenAssociateRq(manyContextsRq(1, 64))).toBeUndefined();
    expect(screenAssociateRq(manyContextsRq(1, 65))).toEqual({
      type: 'reject',
      rj,
      limit: 'maxTransferSyntaxesPerContext',
      value: 65,
    });
    expect(screenAssociateRq(manyContextsRq(1, 1, identity(1, 256)))).toBeUndefined();
    expect(screenAssociateRq(manyContextsRq(1, 1, identity(1, 257)))).toMatchObject({
      limit: 'maxUsernameLength',
      value: 257,
    });
    expect(screenAssociateRq(manyContextsRq(1, 1, identity(2, 10, 257)))).toMatchObject({
      limit: 'maxPasscodeLength',
    });
    expect(screenAssociateRq(manyContextsRq(1, 1, identity(5, 16_384)))).toBeUndefined();
    expect(screenAssociateRq(manyContextsRq(1, 1, identity(5, 16_385)))).toMatchObject({
      limit: 'maxIdentityTokenLength',
    });
  });

  it('FR-DICOM-02.limits: user-information sub-items beyond maxSubItems → RJ 1/3/2', () => {
    const base = echoRq();
    const roles = Array.from({ length: 40 }, (_, i) => ({
      sopClassUid: `1.2.3.${i}`,
      scuRole: true,
      scpRole: false,
    }));
    const bytes = encodePdu({ ...base, userInformation: { ...base.userInformation, roleSelections: roles } });
    expect(screenAssociateRq(bytes)).toBeUndefined();
    expect(screenAssociateRq(bytes, { ...DEFAULT_NEGOTIATION_LIMITS, maxSubItems: 39 })).toMatchObject({
      type: 'reject',
      limit: 'maxSubItems',
    });
  });
});

describe('FR-DICOM-02.limits: bounded negotiation on the wire', () => {
  let server: DicomServer;
  let port: number;
  const rejections: RejectionInfo[] = [];
  let associations = 0;

  beforeAll(async () => {
    server = createServer({
      aeTitles: ['HNVUE'],
      asyncOpsWindow: { maxOperationsInvoked: 0, maxOperationsPerformed: 0 },
      limits: { maxTransferSyntaxesPerContext: 8 },
    });
    server.on('rejected', (r) => rejections.push(r));
    server.on('association', () => associations++);
    port = await server.listen(0);
  });

  afterAll(async () => {
    await server.close({ abort: true });
  });

  it('FR-DICOM-02.limits: a 10,000-context A-ASSOCIATE-RQ is refused with A-ABORT (2, 6), never decoded, memory bounded', async () => {
    const bytes = manyContextsRq(10_000);
    expect(bytes.length).toBeGreaterThan(400_000);
    const before = associations;
    const memory = new MemorySampler(5);
    const raw = await connectRaw(port);
    raw.send(bytes);
    const pdu = await raw.nextPdu(3000);
    await raw.waitClosed(3000);
    const figures = memory.stop();
    expect(pdu.type).toBe(0x07);
    expect(decodePdu(pdu.bytes)).toEqual({ type: 'A-ABORT', source: 2, reason: 6 });
    expect(associations).toBe(before);
    // The request itself is ~0.5 MB held by the framer; an accepted one cost ~30 MB (issue 17).
    expect(figures.heapGrowthMb).toBeLessThan(16);
    console.info(`10,000-PC RQ (${bytes.length} bytes): ${JSON.stringify(figures)}`);
  });

  it('FR-DICOM-02.limits: an A-ASSOCIATE-RQ longer than maxAssociateRqLength is aborted at its header (reason 6)', async () => {
    const raw = await connectRaw(port);
    // Only the header: a 2 MiB length is refused before any body byte is buffered.
    raw.send([0x01, 0x00, 0x00, 0x20, 0x00, 0x00]);
    const pdu = await raw.nextPdu(3000);
    expect(decodePdu(pdu.bytes)).toEqual({ type: 'A-ABORT', source: 2, reason: 6 });
    await raw.waitClosed(3000);
  });

  it('FR-DICOM-02.limits: a context with more transfer syntaxes than configured → A-ASSOCIATE-RJ 1/3/2 and a rejection event', async () => {
    const raw = await connectRaw(port);
    raw.send(manyContextsRq(1, 9));
    const pdu = await raw.nextPdu(3000);
    expect(decodePdu(pdu.bytes)).toEqual({ type: 'A-ASSOCIATE-RJ', result: 1, source: 3, reason: 2 });
    raw.destroy();
    const last = rejections.at(-1);
    expect(last?.callingAeTitle).toBe('RAW');
    expect(last?.error.details).toMatchObject({ limit: 'maxTransferSyntaxesPerContext', value: 9 });
  });

  it('FR-DICOM-02.limits: a requestor asking for an unlimited window is granted maxOperationsGranted (16), not unlimited', async () => {
    const association = await Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'WINDOW',
      calledAeTitle: 'HNVUE',
      presentationContexts: [
        {
          abstractSyntax: VERIFICATION_SOP_CLASS,
          transferSyntaxes: [TRANSFER_SYNTAX.implicitVrLittleEndian],
        },
      ],
      asyncOpsWindow: { maxOperationsInvoked: 0, maxOperationsPerformed: 0 },
    });
    expect(association.negotiated.requestorMaxInvoked).toBe(DEFAULT_NEGOTIATION_LIMITS.maxOperationsGranted);
    expect(association.negotiated.acceptorMaxInvoked).toBe(DEFAULT_NEGOTIATION_LIMITS.maxOperationsGranted);
    expect(association.capacity).toBe(16);
    await association.release();
  });
});
