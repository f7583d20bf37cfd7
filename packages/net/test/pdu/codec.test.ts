import { HnvError } from '@hnvue/core';
import { describe, expect, it } from 'vitest';
import { PduDecodeError } from '../../src/errors.js';
import {
  ABORT_REASON,
  type AssociateRq,
  decodePDataPdvs,
  decodePdu,
  describePdu,
  encodePDataTf,
  encodePdu,
  type Pdu,
  PduEncodeError,
  singlePdvHeader,
} from '../../src/pdu/index.js';
import {
  baseUserInformation,
  fullAssociateAc,
  fullAssociateRq,
  prng,
  randomPdu,
  samplePdus,
} from './fixtures.js';

function decodeError(bytes: Uint8Array): PduDecodeError {
  try {
    decodePdu(bytes);
  } catch (err) {
    if (err instanceof PduDecodeError) return err;
    throw err;
  }
  throw new Error('decodePdu did not throw');
}

function hex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}

describe('PDU round trip', () => {
  it.each(samplePdus.map((pdu, i) => [`${i} ${pdu.type}`, pdu] as const))(
    'FR-DICOM-02.pdu: %s decodes to what was encoded',
    (_name, pdu) => {
      const bytes = encodePdu(pdu);
      expect(decodePdu(bytes)).toEqual(pdu);
      // Re-encoding the decoded value gives the same bytes: the encoding is canonical.
      expect(encodePdu(decodePdu(bytes))).toEqual(bytes);
    },
  );

  it('FR-DICOM-02.pdu: every user information sub-item survives a round trip', () => {
    const rq = decodePdu(encodePdu(fullAssociateRq));
    if (rq.type !== 'A-ASSOCIATE-RQ') throw new Error(rq.type);
    const ui = rq.userInformation;
    expect(ui.maxPduLength).toBe(0);
    expect(ui.asynchronousOperationsWindow).toEqual({ maxOperationsInvoked: 4, maxOperationsPerformed: 1 });
    expect(ui.roleSelections).toHaveLength(2);
    expect(ui.sopClassExtendedNegotiations[0]?.serviceClassApplicationInformation).toEqual(
      Uint8Array.of(1, 1, 0, 1),
    );
    expect(ui.sopClassCommonExtendedNegotiations[0]?.relatedGeneralSopClassUids).toEqual([
      '1.2.840.10008.5.1.4.1.1.1',
      '1.2.840.10008.5.1.4.1.1.1.2',
    ]);
    expect(ui.userIdentityRq?.identityType).toBe(2);
    expect(new TextDecoder().decode(ui.userIdentityRq?.secondaryField)).toBe('s3cret');
    expect(ui.unknownItems).toEqual([{ itemType: 0x5f, data: Uint8Array.of(0xde, 0xad, 0xbe) }]);
    const ac = decodePdu(encodePdu(fullAssociateAc));
    if (ac.type !== 'A-ASSOCIATE-AC') throw new Error(ac.type);
    expect(new TextDecoder().decode(ac.userInformation.userIdentityAc?.serverResponse)).toBe('token-xyz');
    expect(ac.presentationContexts.map((pc) => pc.result)).toEqual([0, 4, 3, 1, 2]);
  });

  it('FR-DICOM-02.pdu: 500 random PDUs round-trip (seeded)', () => {
    const seed = 0x5eed_0001;
    const rand = prng(seed);
    for (let i = 0; i < 500; i++) {
      const pdu = randomPdu(rand);
      const bytes = encodePdu(pdu);
      expect(decodePdu(bytes), `seed ${seed} case ${i}`).toEqual(pdu);
    }
  });

  it('pads AE titles to 16 bytes with spaces and writes UIDs unpadded (PS3.8 Annex F)', () => {
    const bytes = encodePdu({ ...fullAssociateRq, calledAeTitle: 'PACS', callingAeTitle: 'HNVUE' });
    expect(Buffer.from(bytes.subarray(10, 26)).toString('latin1')).toBe('PACS            ');
    expect(Buffer.from(bytes.subarray(26, 42)).toString('latin1')).toBe('HNVUE           ');
    // Application context item: type 0x10, length 21 (odd, no padding), then the UID.
    expect(Array.from(bytes.subarray(74, 78))).toEqual([0x10, 0, 0, 21]);
    expect(Buffer.from(bytes.subarray(78, 99)).toString('latin1')).toBe('1.2.840.10008.3.1.1.1');
  });

  it('encodes the fixed-size PDUs exactly as PS3.8 Tables 9-21, 9-24 to 9-26 lay them out', () => {
    expect(encodePdu({ type: 'A-RELEASE-RQ' })).toEqual(hex('05 00 00000004 00000000'));
    expect(encodePdu({ type: 'A-RELEASE-RP' })).toEqual(hex('06 00 00000004 00000000'));
    expect(encodePdu({ type: 'A-ABORT', source: 2, reason: 6 })).toEqual(hex('07 00 00000004 00 00 02 06'));
    expect(encodePdu({ type: 'A-ASSOCIATE-RJ', result: 1, source: 1, reason: 7 })).toEqual(
      hex('03 00 00000004 00 01 01 07'),
    );
  });

  it('describePdu gives a short summary without PDV values or credentials', () => {
    const text = describePdu(fullAssociateRq);
    expect(text).toContain('A-ASSOCIATE-RQ HNVUE -> ORTHANC, 3 contexts');
    expect(text).toContain('user identity type 2');
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('tech');
    const pdata = describePdu({
      type: 'P-DATA-TF',
      pdvs: [{ contextId: 3, isCommand: false, isLast: true, data: new TextEncoder().encode('DOE^JANE') }],
    });
    expect(pdata).toBe('P-DATA-TF pc 3 data last 8 bytes');
    expect(pdata).not.toContain('DOE');
  });
});

describe('unknown and unexpected items (PS3.8 9.3.1)', () => {
  /** Inserts raw item bytes after the application context item of an encoded A-ASSOCIATE-RQ. */
  function withItem(rq: AssociateRq, item: Uint8Array): Uint8Array {
    const bytes = encodePdu(rq);
    const at = 74 + 4 + rq.applicationContext.length;
    const out = new Uint8Array(bytes.length + item.length);
    out.set(bytes.subarray(0, at));
    out.set(item, at);
    out.set(bytes.subarray(at), at + item.length);
    new DataView(out.buffer).setUint32(2, out.length - 6);
    return out;
  }

  it('FR-DICOM-02.pdu: ignores an A-ASSOCIATE item of unknown type', () => {
    const bytes = withItem(fullAssociateRq, hex('77 00 0003 010203'));
    expect(decodePdu(bytes)).toEqual(fullAssociateRq);
  });

  it('ignores reserved fields (PS3.8 9.3.1: not tested on receipt)', () => {
    const bytes = encodePdu({ type: 'A-ABORT', source: 2, reason: 1 });
    bytes[1] = 0xff;
    bytes[6] = 0xaa;
    bytes[7] = 0xbb;
    expect(decodePdu(bytes)).toEqual({ type: 'A-ABORT', source: 2, reason: 1 });
  });

  it('rejects a presentation context AC item inside an A-ASSOCIATE-RQ as an unexpected parameter', () => {
    const bytes = withItem(fullAssociateRq, hex('21 00 0008 01 00 00 00 40 00 0000'));
    expect(decodeError(bytes).abortReason).toBe(ABORT_REASON.unexpectedPduParameter);
  });

  it('keeps a user identity sub-item of an unknown identity type as an unknown item', () => {
    const rq: AssociateRq = { ...fullAssociateRq, userInformation: baseUserInformation };
    const ui = encodePdu(rq);
    const item = hex('58 00 0006 09 00 0000 0000');
    const out = new Uint8Array(ui.length + item.length);
    out.set(ui);
    out.set(item, ui.length);
    const view = new DataView(out.buffer);
    view.setUint32(2, out.length - 6);
    // The user information item is the last one: grow its length too.
    const uiOffset = findUserInformation(ui);
    view.setUint16(uiOffset + 2, view.getUint16(uiOffset + 2) + item.length);
    const decoded = decodePdu(out);
    if (decoded.type !== 'A-ASSOCIATE-RQ') throw new Error(decoded.type);
    expect(decoded.userInformation.userIdentityRq).toBeUndefined();
    expect(decoded.userInformation.unknownItems).toEqual([{ itemType: 0x58, data: hex('09 00 0000 0000') }]);
  });
});

/** Offset of the user information item (type 0x50) among the items of an encoded A-ASSOCIATE PDU. */
function findUserInformation(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 74;
  while (offset < bytes.length) {
    if (bytes[offset] === 0x50) return offset;
    offset += 4 + view.getUint16(offset + 2);
  }
  throw new Error('no user information item');
}

describe('decode errors carry the A-ABORT reason to send', () => {
  it('FR-DICOM-02.pdu: an unknown PDU type is an unrecognized PDU (reason 1)', () => {
    const err = decodeError(hex('08 00 00000004 00000000'));
    expect(err.abortReason).toBe(ABORT_REASON.unrecognizedPdu);
    expect(err.code).toBe('HNV_ERR_PDU_DECODE');
  });

  it('FR-DICOM-02.pdu: a truncated PDU fails at every cut', () => {
    for (const pdu of samplePdus) {
      const bytes = encodePdu(pdu);
      for (let cut = 0; cut < bytes.length; cut++) {
        expect(decodeError(bytes.subarray(0, cut)).abortReason, `${pdu.type} cut at ${cut}`).toBe(
          ABORT_REASON.invalidPduParameterValue,
        );
      }
    }
  });

  it('rejects bytes after the end of a valid PDU', () => {
    const bytes = encodePdu({ type: 'A-RELEASE-RQ' });
    const out = new Uint8Array(bytes.length + 1);
    out.set(bytes);
    expect(decodeError(out).message).toContain('after the end');
  });

  it.each([
    ['A-ASSOCIATE-RJ', '03 00 00000005 00 01 01 01 00'],
    ['A-RELEASE-RQ', '05 00 00000000'],
    ['A-RELEASE-RP', '06 00 00000008 00000000 00000000'],
    ['A-ABORT', '07 00 00000003 00 00 00'],
  ])('rejects %s with a length other than 4', (_name, bytes) => {
    expect(decodeError(hex(bytes)).abortReason).toBe(ABORT_REASON.invalidPduParameterValue);
  });

  it('rejects an item whose length overruns the PDU', () => {
    const bytes = encodePdu(fullAssociateRq);
    // The application context item length (offset 76) claims more than the PDU holds.
    new DataView(bytes.buffer).setUint16(76, 0xfff0);
    expect(decodeError(bytes).abortReason).toBe(ABORT_REASON.invalidPduParameterValue);
  });

  it('rejects a sub-item whose inner length overruns it (role selection UID length)', () => {
    const rq: AssociateRq = {
      ...fullAssociateRq,
      userInformation: {
        ...baseUserInformation,
        roleSelections: [{ sopClassUid: '1.2', scuRole: true, scpRole: false }],
      },
    };
    const bytes = encodePdu(rq);
    const ui = findUserInformation(bytes);
    const view = new DataView(bytes.buffer);
    let offset = ui + 4;
    while (bytes[offset] !== 0x54) offset += 4 + view.getUint16(offset + 2);
    view.setUint16(offset + 4, 200);
    expect(decodeError(bytes).abortReason).toBe(ABORT_REASON.invalidPduParameterValue);
  });

  it('rejects an even presentation context ID and a missing user information item', () => {
    const bytes = encodePdu(fullAssociateRq);
    const first = 74 + 4 + fullAssociateRq.applicationContext.length;
    expect(bytes[first]).toBe(0x20);
    bytes[first + 4] = 2;
    expect(decodeError(bytes).abortReason).toBe(ABORT_REASON.invalidPduParameterValue);
    const noUi = encodePdu(fullAssociateRq).subarray(0, findUserInformation(encodePdu(fullAssociateRq)));
    const copy = new Uint8Array(noUi);
    new DataView(copy.buffer).setUint32(2, copy.length - 6);
    expect(decodeError(copy).message).toContain('no user information');
  });
});

describe('P-DATA-TF PDVs', () => {
  it('decodePDataPdvs returns views into the PDU, odd lengths included', () => {
    const pdu: Pdu = {
      type: 'P-DATA-TF',
      pdvs: [
        { contextId: 1, isCommand: true, isLast: true, data: Uint8Array.of(1, 2, 3) },
        { contextId: 3, isCommand: false, isLast: false, data: Uint8Array.of(4, 5, 6, 7, 8) },
      ],
    };
    const bytes = encodePdu(pdu);
    const pdvs = decodePDataPdvs(bytes);
    expect(pdvs).toEqual(pdu.pdvs);
    // Zero copy: the PDV value shares the PDU's buffer.
    expect(pdvs[0]?.data.buffer).toBe(bytes.buffer);
    expect(pdvs[1]?.data.byteOffset).toBe(bytes.byteOffset + 6 + 6 + 3 + 6);
  });

  it('singlePdvHeader followed by the value is the same as encodePDataTf with one PDV', () => {
    const value = Uint8Array.of(9, 8, 7, 6, 5);
    const joined = new Uint8Array([...singlePdvHeader(5, false, true, value.length), ...value]);
    expect(joined).toEqual(encodePDataTf([{ contextId: 5, isCommand: false, isLast: true, data: value }]));
  });

  it.each([
    ['item length below 2', '04 00 00000005 00000001 01'],
    ['item overrunning the PDU', '04 00 00000008 00000010 01 03 0000'],
    ['context ID 0', '04 00 00000006 00000002 00 03'],
    ['even context ID', '04 00 00000007 00000003 02 03 00'],
    ['truncated item length', '04 00 00000002 0000'],
  ])('rejects a PDV with %s (reason 6)', (_name, bytes) => {
    expect(() => decodePDataPdvs(hex(bytes))).toThrow(PduDecodeError);
    expect(decodeError(hex(bytes)).abortReason).toBe(ABORT_REASON.invalidPduParameterValue);
  });
});

describe('encode validation', () => {
  function encodeError(pdu: Pdu): PduEncodeError {
    try {
      encodePdu(pdu);
    } catch (err) {
      if (err instanceof PduEncodeError) return err;
      throw err;
    }
    throw new Error('encodePdu did not throw');
  }

  it.each([
    [
      'an even context ID',
      {
        ...fullAssociateRq,
        presentationContexts: [{ id: 2, abstractSyntax: '1.2', transferSyntaxes: ['1.2'] }],
      },
    ],
    [
      'context ID 257',
      {
        ...fullAssociateRq,
        presentationContexts: [{ id: 257, abstractSyntax: '1.2', transferSyntaxes: ['1.2'] }],
      },
    ],
    ['an AE title of 17 characters', { ...fullAssociateRq, calledAeTitle: 'SEVENTEEN_CHARS_X' }],
    ['an empty AE title', { ...fullAssociateRq, callingAeTitle: '   ' }],
    ['a non-ASCII AE title', { ...fullAssociateRq, callingAeTitle: 'STATION-É' }],
    ['an AE title with a backslash', { ...fullAssociateRq, callingAeTitle: 'A\\B' }],
    [
      'no transfer syntax',
      { ...fullAssociateRq, presentationContexts: [{ id: 1, abstractSyntax: '1.2', transferSyntaxes: [] }] },
    ],
    ['a UID longer than 64', { ...fullAssociateRq, applicationContext: '1.'.repeat(40) }],
    [
      'an even PDV context ID',
      { type: 'P-DATA-TF', pdvs: [{ contextId: 4, isCommand: true, isLast: true, data: new Uint8Array(1) }] },
    ],
    ['an A-ABORT source 3', { type: 'A-ABORT', source: 3 as 2, reason: 0 }],
  ] as [string, Pdu][])('throws PduEncodeError (HNV_ERR_INVALID_ARGUMENT) for %s', (_name, pdu) => {
    const err = encodeError(pdu);
    expect(err).toBeInstanceOf(HnvError);
    expect(err.code).toBe('HNV_ERR_INVALID_ARGUMENT');
  });
});
