/**
 * Malformed input from a scripted raw peer, to our SCP and to our SCU (DICOM-PITFALLS.md): each
 * time our side sends the A-ABORT PS3.8 prescribes (asserted byte for byte), closes, surfaces a
 * typed error, and the SCP keeps serving the next association.
 */

import { abortBytes, connectRaw, type RawServer, startRawServer } from '@hnvue/testing/raw-peer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildAssociateRq, HNVUE_IMPLEMENTATION_CLASS_UID } from '../src/acse/negotiate.js';
import { cEchoRq, encodeCommand, responseTo } from '../src/dimse/index.js';
import {
  Association,
  AssociationAbortedError,
  createServer,
  type DicomServer,
  NetTimeoutError,
  PduDecodeError,
  TRANSFER_SYNTAX,
  VERIFICATION_SOP_CLASS,
} from '../src/index.js';
import { decodePdu, encodePDataTf, encodePdu } from '../src/pdu/index.js';
import type { AssociateAc } from '../src/pdu/types.js';

const rqBytes = (called = 'HNVUE') =>
  encodePdu(
    buildAssociateRq({
      callingAeTitle: 'RAW',
      calledAeTitle: called,
      contexts: [
        {
          abstractSyntax: VERIFICATION_SOP_CLASS,
          transferSyntaxes: [TRANSFER_SYNTAX.implicitVrLittleEndian],
        },
      ],
      maxPduLength: 16384,
      implementationClassUid: '1.2.3.4',
    }),
  );

const ac: AssociateAc = {
  type: 'A-ASSOCIATE-AC',
  protocolVersion: 1,
  calledAeTitle: 'RAW',
  callingAeTitle: 'HNVUE',
  applicationContext: '1.2.840.10008.3.1.1.1',
  presentationContexts: [{ id: 1, result: 0, transferSyntax: TRANSFER_SYNTAX.explicitVrLittleEndian }],
  userInformation: {
    maxPduLength: 16384,
    implementationClassUid: HNVUE_IMPLEMENTATION_CLASS_UID,
    roleSelections: [],
    sopClassExtendedNegotiations: [],
    sopClassCommonExtendedNegotiations: [],
    unknownItems: [],
  },
};
const acBytes = encodePdu(ac);
const echoPData = encodePDataTf([
  { contextId: 1, isCommand: true, isLast: true, data: encodeCommand(cEchoRq(1)) },
]);
const UNKNOWN_PDU = [0x0a, 0x00, 0x00, 0x00, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04];

describe('our SCP against a raw peer', () => {
  let server: DicomServer;
  let port: number;
  const connectionErrors: Error[] = [];
  const aborted: Error[] = [];

  beforeAll(async () => {
    server = createServer({ aeTitles: ['HNVUE'], timeouts: { acseMs: 2000 } });
    server.on('connectionError', (e) => connectionErrors.push(e));
    server.on('association', (a) => a.on('aborted', (e) => aborted.push(e)));
    port = await server.listen(0);
  });

  afterAll(async () => {
    await server.close({ abort: true });
  });

  afterEach(async () => {
    // The SCP keeps serving the next association after every malformed one.
    const association = await Association.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'SCU',
      calledAeTitle: 'HNVUE',
    });
    expect((await association.echo()).status).toBe(0);
    await association.release();
  });

  async function established() {
    const raw = await connectRaw(port);
    raw.send(rqBytes());
    const first = await raw.nextPdu();
    expect(first.type).toBe(0x02);
    return raw;
  }

  it('FR-DICOM-02.fsm: unknown PDU type before association → A-ABORT (provider, unrecognized PDU), close, typed report', async () => {
    const before = connectionErrors.length;
    const raw = await connectRaw(port);
    raw.send(UNKNOWN_PDU);
    expect([...(await raw.nextPdu()).bytes]).toEqual(abortBytes(2, 1));
    await raw.waitClosed();
    expect(connectionErrors.length).toBe(before + 1);
    const error = connectionErrors.at(-1) as AssociationAbortedError;
    expect(error).toBeInstanceOf(AssociationAbortedError);
    expect([error.source, error.reason]).toEqual([2, 1]);
    expect(error.cause).toBeInstanceOf(PduDecodeError);
  });

  it('FR-DICOM-02.fsm: unknown PDU type on an established association → A-ABORT (2, 1) and a typed A-P-ABORT', async () => {
    const before = aborted.length;
    const raw = await established();
    raw.send(UNKNOWN_PDU);
    expect([...(await raw.nextPdu()).bytes]).toEqual(abortBytes(2, 1));
    await raw.waitClosed();
    expect(aborted.length).toBe(before + 1);
    const error = aborted.at(-1) as AssociationAbortedError;
    expect(error).toBeInstanceOf(AssociationAbortedError);
    expect([error.source, error.reason]).toEqual([2, 1]);
    expect(error.cause).toBeInstanceOf(PduDecodeError);
  });

  it('FR-DICOM-02.pdu: a P-DATA-TF length of 0xFFFFFFFF is refused at the header (6 bytes sent) → A-ABORT (2, 6)', async () => {
    const raw = await established();
    raw.send([0x04, 0x00, 0xff, 0xff, 0xff, 0xff]);
    expect([...(await raw.nextPdu()).bytes]).toEqual(abortBytes(2, 6));
    await raw.waitClosed();
  });

  it('FR-DICOM-02.pdu: an A-ASSOCIATE-RQ longer than the associate limit is refused at the header', async () => {
    const raw = await connectRaw(port);
    raw.send([0x01, 0x00, 0x7f, 0xff, 0xff, 0xff]);
    const pdu = await raw.nextPdu();
    expect(pdu.type).toBe(0x07);
    expect(pdu.bytes[8]).toBe(2);
    await raw.waitClosed();
  });

  it('FR-DICOM-02.fsm: a truncated PDU then close → no crash, the connection is dropped', async () => {
    const raw = await established();
    const truncated = echoPData.subarray(0, echoPData.length - 5);
    raw.sendAndEnd(truncated);
    await raw.waitClosed();
  });

  it('FR-DICOM-02.pdu: item lengths that overrun the A-ASSOCIATE-RQ → A-ABORT with the decoder reason', async () => {
    const bytes = new Uint8Array(rqBytes());
    // The application context item starts at offset 74; its length (offset 76) now overruns the PDU.
    bytes[76] = 0xff;
    bytes[77] = 0xf0;
    let expectedReason = -1;
    try {
      decodePdu(bytes);
    } catch (err) {
      expectedReason = (err as PduDecodeError).abortReason;
    }
    expect(expectedReason).toBeGreaterThanOrEqual(0);
    const raw = await connectRaw(port);
    raw.send(bytes);
    expect([...(await raw.nextPdu()).bytes]).toEqual(abortBytes(2, expectedReason));
    await raw.waitClosed();
  });

  it('FR-DICOM-02.fsm: P-DATA-TF before the association → A-ABORT (2, unexpected PDU), typed report', async () => {
    const before = connectionErrors.length;
    const raw = await connectRaw(port);
    raw.send(echoPData);
    expect([...(await raw.nextPdu()).bytes]).toEqual(abortBytes(2, 2));
    await raw.waitClosed();
    const error = connectionErrors.at(-1) as AssociationAbortedError;
    expect(connectionErrors.length).toBe(before + 1);
    expect([error.code, error.source, error.reason]).toEqual(['HNV_ERR_ASSOC_ABORTED', 2, 2]);
  });

  it('FR-DICOM-02.negotiation: a calling AE title of spaces and lowercase called AE are tolerated by default', async () => {
    const bytes = new Uint8Array(rqBytes('hnvue'));
    // PS3.8 Table 9-11: calling AE title at offsets 26-41.
    bytes.fill(0x20, 26, 42);
    const raw = await connectRaw(port);
    raw.send(bytes);
    const ac = await raw.nextPdu();
    expect(ac.type).toBe(0x02);
    // PS3.8 Table 9-17: the AC echoes the RQ's reserved AE title bytes.
    expect([...ac.bytes.subarray(10, 42)]).toEqual([...bytes.subarray(10, 42)]);
    raw.send([0x05, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00]);
    expect((await raw.nextPdu()).type).toBe(0x06);
    raw.destroy();
  });

  it('FR-DICOM-02.fsm: A-ASSOCIATE-AC sent to the acceptor (wrong state) → A-ABORT (2, 2), before and after establishment', async () => {
    const raw = await connectRaw(port);
    raw.send(acBytes);
    expect([...(await raw.nextPdu()).bytes]).toEqual(abortBytes(2, 2));
    await raw.waitClosed();
    const raw2 = await established();
    raw2.send(acBytes);
    expect([...(await raw2.nextPdu()).bytes]).toEqual(abortBytes(2, 2));
    await raw2.waitClosed();
  });

  it('FR-DICOM-02.fsm: garbage after a valid PDU → A-ABORT (2, 1)', async () => {
    const raw = await established();
    raw.send(Buffer.concat([echoPData, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x00, 0x00])]));
    await raw.waitClosed();
    // The garbage aborts the association; the C-ECHO-RQ before it may or may not have been answered.
    const pdus = raw.received.slice(1);
    expect(pdus.every((p) => p.type === 0x04 || p.type === 0x07)).toBe(true);
    expect([...(pdus.at(-1)?.bytes ?? [])]).toEqual(abortBytes(2, 1));
  });

  it('FR-DICOM-02.timers: a peer that connects and says nothing is dropped by the ARTIM timer', async () => {
    const raw = await connectRaw(port);
    await raw.waitClosed(5000);
  });
});

describe('our SCU against a raw peer', () => {
  let peer: RawServer;

  beforeAll(async () => {
    peer = await startRawServer();
  });

  afterAll(async () => {
    await peer.close();
  });

  const open = (timeouts = {}) =>
    Association.open({
      host: '127.0.0.1',
      port: peer.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'RAW',
      timeouts: { acseMs: 2000, dimseMs: 2000, ...timeouts },
    });

  async function respondWith(bytes: Uint8Array | number[]) {
    const opening = open().catch((e: unknown) => e);
    const raw = await peer.nextConnection();
    expect((await raw.nextPdu()).type).toBe(0x01);
    raw.send(bytes);
    return { raw, error: await opening };
  }

  it('FR-DICOM-02.fsm: unknown PDU instead of A-ASSOCIATE-AC → A-ABORT (2, 1), open rejects typed', async () => {
    const { raw, error } = await respondWith(UNKNOWN_PDU);
    expect(error).toBeInstanceOf(AssociationAbortedError);
    expect([(error as AssociationAbortedError).source, (error as AssociationAbortedError).reason]).toEqual([
      2, 1,
    ]);
    expect([...(await raw.nextPdu()).bytes]).toEqual(abortBytes(2, 1));
    await raw.waitClosed();
  });

  it('FR-DICOM-02.fsm: P-DATA-TF instead of A-ASSOCIATE-AC → A-ABORT (2, 2)', async () => {
    const { raw, error } = await respondWith(echoPData);
    expect(error).toBeInstanceOf(AssociationAbortedError);
    expect([...(await raw.nextPdu()).bytes]).toEqual(abortBytes(2, 2));
    await raw.waitClosed();
  });

  it('FR-DICOM-02.pdu: an A-ASSOCIATE-AC declaring 0xFFFFFFFF bytes is refused at the header → A-ABORT (2, 6)', async () => {
    const { raw, error } = await respondWith([0x02, 0x00, 0xff, 0xff, 0xff, 0xff]);
    expect(error).toBeInstanceOf(AssociationAbortedError);
    expect([...(await raw.nextPdu()).bytes]).toEqual(abortBytes(2, 6));
    await raw.waitClosed();
  });

  it('FR-DICOM-02.pdu: item lengths that overrun the A-ASSOCIATE-AC → A-ABORT with the decoder reason', async () => {
    const bytes = new Uint8Array(acBytes);
    bytes[76] = 0xff;
    let expectedReason = -1;
    try {
      decodePdu(bytes);
    } catch (err) {
      expectedReason = (err as PduDecodeError).abortReason;
    }
    const { raw, error } = await respondWith(bytes);
    expect(error).toBeInstanceOf(AssociationAbortedError);
    expect([...(await raw.nextPdu()).bytes]).toEqual(abortBytes(2, expectedReason));
  });

  it('FR-DICOM-02.fsm: a second A-ASSOCIATE-AC on an established association → A-ABORT (2, 2), pending C-ECHO fails typed', async () => {
    const { raw, error } = await respondWith(acBytes);
    const association = error as Association;
    expect(association).toBeInstanceOf(Association);
    const echoing = association.echo().catch((e: unknown) => e);
    expect((await raw.nextPdu()).type).toBe(0x04);
    raw.send(acBytes);
    expect([...(await raw.nextPdu()).bytes]).toEqual(abortBytes(2, 2));
    expect(await echoing).toBeInstanceOf(AssociationAbortedError);
    await raw.waitClosed();
  });

  it('FR-DICOM-02.fsm: a truncated response then close → the C-ECHO fails with A-P-ABORT', async () => {
    const { raw, error } = await respondWith(acBytes);
    const association = error as Association;
    const echoing = association.echo().catch((e: unknown) => e);
    expect((await raw.nextPdu()).type).toBe(0x04);
    raw.sendAndEnd(echoPData.subarray(0, 9));
    const failure = await echoing;
    expect(failure).toBeInstanceOf(AssociationAbortedError);
    expect((failure as AssociationAbortedError).code).toBe('HNV_ERR_ASSOC_ABORTED');
    await association.closed;
  });

  it('FR-DICOM-02.timers: a peer that never answers the A-ASSOCIATE-RQ → NetTimeoutError(acse), A-ABORT sent', async () => {
    const opening = open({ acseMs: 300 }).catch((e: unknown) => e);
    const raw = await peer.nextConnection();
    expect((await raw.nextPdu()).type).toBe(0x01);
    const error = await opening;
    expect(error).toBeInstanceOf(NetTimeoutError);
    expect((error as NetTimeoutError).timeout).toBe('acse');
    expect([...(await raw.nextPdu()).bytes]).toEqual(abortBytes(0, 0));
    await raw.waitClosed();
  });

  it('FR-DICOM-02.timers: a peer that never answers a C-ECHO → NetTimeoutError(dimse), A-ABORT sent', async () => {
    const { raw, error } = await respondWith(acBytes);
    const association = error as Association;
    const aborted: Error[] = [];
    association.on('aborted', (e) => aborted.push(e));
    const echoing = association.echo({ timeoutMs: 300 }).catch((e: unknown) => e);
    expect((await raw.nextPdu()).type).toBe(0x04);
    const failure = await echoing;
    expect(failure).toBeInstanceOf(NetTimeoutError);
    expect((failure as NetTimeoutError).timeout).toBe('dimse');
    expect([...(await raw.nextPdu()).bytes]).toEqual(abortBytes(0, 0));
    await raw.waitClosed();
    expect(aborted[0]).toBeInstanceOf(NetTimeoutError);
  });

  it('FR-DICOM-02.timers: a connector that never connects → NetTimeoutError(connect)', async () => {
    const error = await Association.open({
      host: '192.0.2.1',
      port: 104,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'RAW',
      connector: () => new Promise(() => {}),
      timeouts: { connectMs: 100 },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetTimeoutError);
    expect((error as NetTimeoutError).timeout).toBe('connect');
  });

  it('FR-DICOM-02.timers: the network idle timeout aborts a silent association → NetTimeoutError(idle), A-ABORT sent', async () => {
    const opening = open({ idleMs: 300 }).catch((e: unknown) => e);
    const raw = await peer.nextConnection();
    expect((await raw.nextPdu()).type).toBe(0x01);
    raw.send(acBytes);
    const association = (await opening) as Association;
    const error = await new Promise<Error>((resolve) => association.once('aborted', resolve));
    expect(error).toBeInstanceOf(NetTimeoutError);
    expect((error as NetTimeoutError).timeout).toBe('idle');
    expect([...(await raw.nextPdu()).bytes]).toEqual(abortBytes(0, 0));
  });

  it('FR-DICOM-02.timers: a slow response that keeps making progress does not trip the DIMSE timeout', async () => {
    const { raw, error } = await respondWith(acBytes);
    const association = error as Association;
    const echoing = association.echo({ timeoutMs: 1000 });
    expect((await raw.nextPdu()).type).toBe(0x04);
    const response = encodeCommand(responseTo(cEchoRq(1), 0));
    // Eight or more fragments 150 ms apart: longer than the timeout in total, never idle for it.
    const step = 2 * Math.ceil(response.length / 16);
    for (let offset = 0; offset < response.length; offset += step) {
      const last = offset + step >= response.length;
      raw.send(
        encodePDataTf([
          { contextId: 1, isCommand: true, isLast: last, data: response.subarray(offset, offset + step) },
        ]),
      );
      if (!last) await new Promise((r) => setTimeout(r, 150));
    }
    expect((await echoing).status).toBe(0);
    association.abort();
  });
});
