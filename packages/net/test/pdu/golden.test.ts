/**
 * PDUs captured from DCMTK 3.6.7 (scripts/capture-golden.ts): each decodes, re-encodes to the same
 * bytes, and carries the fields the DCMTK command asked for.
 */
import { describe, expect, it } from 'vitest';
import { createPduFramer, decodePdu, encodePdu, type Pdu, type RawPdu } from '../../src/pdu/index.js';
import { loadGoldens, prng } from './fixtures.js';

const goldens = loadGoldens();
const byName = new Map(goldens.map((g) => [g.name, g]));
const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);

function golden(name: string): Pdu {
  const g = byName.get(name);
  if (g === undefined) throw new Error(`missing golden ${name}`);
  return decodePdu(g.bytes);
}

/**
 * Offsets of the reserved byte at value offset 2 of each presentation context RQ item: DCMTK 3.6.7
 * sends 0xFF there where PS3.8 Table 9-14 asks for 00H (and receivers must not test it).
 */
function dcmtkReservedOffsets(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let offset = 74; offset < bytes.length; offset += 4 + view.getUint16(offset + 2)) {
    if (bytes[offset] === 0x20) out.push(offset + 6);
  }
  return out;
}

describe('golden PDUs from DCMTK 3.6.7', () => {
  it('has a golden for every PDU type', () => {
    expect(goldens.length).toBeGreaterThanOrEqual(15);
    expect(new Set(goldens.map((g) => g.bytes[0]))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7]));
    for (const g of goldens) expect(g.comment, g.name).toMatch(/^# .*\n# command: .*\n# decoded: /);
  });

  it.each(goldens.map((g) => [g.name, g] as const))(
    'FR-DICOM-02.pdu: %s re-encodes to the captured bytes',
    (_n, g) => {
      const encoded = encodePdu(decodePdu(g.bytes));
      expect(encoded.length).toBe(g.bytes.length);
      const differing: number[] = [];
      for (let i = 0; i < encoded.length; i++) if (encoded[i] !== g.bytes[i]) differing.push(i);
      // Only DCMTK's non-zero reserved byte differs; everything else is canonical.
      const allowed = g.bytes[0] === 0x01 ? dcmtkReservedOffsets(g.bytes) : [];
      expect(differing.every((i) => allowed.includes(i) && g.bytes[i] === 0xff && encoded[i] === 0)).toBe(
        true,
      );
    },
  );

  it('echoscu A-ASSOCIATE-RQ and storescp A-ASSOCIATE-AC carry the requested fields', () => {
    const rq = golden('echo-associate-rq');
    if (rq.type !== 'A-ASSOCIATE-RQ') throw new Error(rq.type);
    expect(rq).toMatchObject({
      protocolVersion: 1,
      calledAeTitle: 'STORESCP',
      callingAeTitle: 'HNVUE_SCU',
      applicationContext: '1.2.840.10008.3.1.1.1',
      presentationContexts: [
        { id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] },
      ],
    });
    expect(rq.userInformation).toMatchObject({
      maxPduLength: 16384,
      implementationClassUid: '1.2.276.0.7230010.3.0.3.6.7',
      implementationVersionName: 'OFFIS_DCMTK_367',
      unknownItems: [],
    });
    const ac = golden('echo-associate-ac');
    expect(ac).toMatchObject({
      type: 'A-ASSOCIATE-AC',
      presentationContexts: [{ id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2' }],
    });
    const multi = golden('echo-multi-associate-rq');
    if (multi.type !== 'A-ASSOCIATE-RQ') throw new Error(multi.type);
    expect(multi.userInformation.maxPduLength).toBe(65536);
    expect(multi.presentationContexts.map((pc) => [pc.id, pc.transferSyntaxes.length])).toEqual([
      [1, 3],
      [3, 3],
      [5, 3],
    ]);
  });

  it('storescu user identity: type 2 (user name and passcode) and type 1 (user name)', () => {
    const two = golden('store-user-identity-2-associate-rq');
    if (two.type !== 'A-ASSOCIATE-RQ') throw new Error(two.type);
    expect(two.presentationContexts).toHaveLength(128);
    expect(two.userInformation.maxPduLength).toBe(4096);
    const id2 = two.userInformation.userIdentityRq;
    expect([
      id2?.identityType,
      id2?.positiveResponseRequested,
      text(id2?.primaryField),
      text(id2?.secondaryField),
    ]).toEqual([2, false, 'hnvue', 'golden']);
    const one = golden('store-user-identity-1-associate-rq');
    if (one.type !== 'A-ASSOCIATE-RQ') throw new Error(one.type);
    const id1 = one.userInformation.userIdentityRq;
    expect([id1?.identityType, text(id1?.primaryField), id1?.secondaryField.length]).toEqual([1, 'hnvue', 0]);
  });

  it('role selection and SOP class extended negotiation, requested and answered', () => {
    const rq = golden('negotiation-associate-rq');
    if (rq.type !== 'A-ASSOCIATE-RQ') throw new Error(rq.type);
    expect(rq.userInformation.roleSelections).toEqual([
      { sopClassUid: '1.2.840.10008.5.1.4.1.1.7', scuRole: true, scpRole: true },
    ]);
    expect(rq.userInformation.sopClassExtendedNegotiations).toEqual([
      {
        sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
        serviceClassApplicationInformation: Uint8Array.of(2, 0, 3, 0, 0, 0),
      },
    ]);
    const ac = golden('negotiation-associate-ac');
    if (ac.type !== 'A-ASSOCIATE-AC') throw new Error(ac.type);
    expect(ac.userInformation.roleSelections).toHaveLength(1);
    expect(ac.userInformation.sopClassExtendedNegotiations).toHaveLength(1);
  });

  it('P-DATA-TF, A-ASSOCIATE-RJ, A-RELEASE and A-ABORT decode to the expected fields', () => {
    expect(golden('echo-pdata-command-rq')).toMatchObject({
      type: 'P-DATA-TF',
      pdvs: [{ contextId: 1, isCommand: true, isLast: true }],
    });
    const dataset = golden('store-pdata-dataset');
    if (dataset.type !== 'P-DATA-TF') throw new Error(dataset.type);
    expect(dataset.pdvs.map((p) => [p.isCommand, p.isLast, p.data.length])).toEqual([[false, true, 330]]);
    expect(golden('associate-rj')).toEqual({ type: 'A-ASSOCIATE-RJ', result: 1, source: 1, reason: 1 });
    expect(golden('release-rq')).toEqual({ type: 'A-RELEASE-RQ' });
    expect(golden('release-rp')).toEqual({ type: 'A-RELEASE-RP' });
    expect(golden('abort-user')).toEqual({ type: 'A-ABORT', source: 0, reason: 0 });
  });

  it('FR-DICOM-02.pdu: all goldens as one stream, in random chunks, frame back to the same PDUs', () => {
    const all = Buffer.concat(goldens.map((g) => g.bytes));
    const seed = 20261127;
    const rand = prng(seed);
    for (let round = 0; round < 20; round++) {
      const framer = createPduFramer({ maxPduLength: 0 });
      const got: RawPdu[] = [];
      for (let at = 0; at < all.length; ) {
        const size = 1 + Math.floor(rand() * (round < 10 ? 16 : 4096));
        framer.push(all.subarray(at, at + size));
        at += size;
        for (let p = framer.next(); p !== undefined; p = framer.next()) got.push(p);
      }
      const same =
        got.length === goldens.length &&
        got.every((p, i) => Buffer.from(p.bytes).equals(goldens[i]?.bytes ?? new Uint8Array(0)));
      expect(same, `seed ${seed} round ${round}`).toBe(true);
    }
  });
});
