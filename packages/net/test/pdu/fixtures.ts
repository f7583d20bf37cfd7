/**
 * Sample PDUs, golden loading, a seeded PRNG and a random PDU generator shared by the codec tests,
 * the bounded fuzz test and scripts/fuzz-pdu.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AssociateAc,
  type AssociateRq,
  DICOM_APPLICATION_CONTEXT,
  type Pdu,
  type PresentationContextResult,
  type UserIdentityType,
  type UserInformation,
} from '../../src/pdu/index.js';

export const GOLDEN_DIR: string = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');

export interface Golden {
  readonly name: string;
  readonly comment: string;
  readonly bytes: Uint8Array;
}

/** Every test/golden/*.hex file: `#` comment lines, then hex. */
export function loadGoldens(): Golden[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith('.hex'))
    .sort()
    .map((f) => {
      const lines = readFileSync(join(GOLDEN_DIR, f), 'utf8').split('\n');
      const comment = lines.filter((l) => l.startsWith('#')).join('\n');
      const hex = lines
        .filter((l) => !l.startsWith('#'))
        .join('')
        .trim();
      return { name: f.replace(/\.hex$/, ''), comment, bytes: new Uint8Array(Buffer.from(hex, 'hex')) };
    });
}

/** mulberry32: small, fast, and good enough to drive fuzzing reproducibly from a printed seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

export const baseUserInformation: UserInformation = {
  maxPduLength: 16384,
  implementationClassUid: '1.2.826.0.1.3680043.10.1234',
  implementationVersionName: 'HNVUE_010',
  roleSelections: [],
  sopClassExtendedNegotiations: [],
  sopClassCommonExtendedNegotiations: [],
  unknownItems: [],
};

/** Every item and sub-item of PS3.8 / PS3.7 Annex D in one request. */
export const fullAssociateRq: AssociateRq = {
  type: 'A-ASSOCIATE-RQ',
  protocolVersion: 1,
  calledAeTitle: 'ORTHANC',
  callingAeTitle: 'HNVUE',
  applicationContext: DICOM_APPLICATION_CONTEXT,
  presentationContexts: [
    { id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] },
    {
      id: 3,
      abstractSyntax: '1.2.840.10008.5.1.4.1.1.1.1',
      transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2', '1.2.840.10008.1.2.4.70'],
    },
    { id: 255, abstractSyntax: '1.2.840.10008.5.1.4.31', transferSyntaxes: ['1.2.840.10008.1.2.1'] },
  ],
  userInformation: {
    maxPduLength: 0,
    implementationClassUid: '1.2.826.0.1.3680043.10.1234',
    implementationVersionName: 'HNVUE_0.1.0',
    asynchronousOperationsWindow: { maxOperationsInvoked: 4, maxOperationsPerformed: 1 },
    roleSelections: [
      { sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1', scuRole: true, scpRole: true },
      { sopClassUid: '1.2.840.10008.5.1.4.1.1.2', scuRole: false, scpRole: true },
    ],
    sopClassExtendedNegotiations: [
      { sopClassUid: '1.2.840.10008.5.1.4.1.2.2.1', serviceClassApplicationInformation: bytes(1, 1, 0, 1) },
    ],
    sopClassCommonExtendedNegotiations: [
      {
        sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1',
        serviceClassUid: '1.2.840.10008.4.2',
        relatedGeneralSopClassUids: ['1.2.840.10008.5.1.4.1.1.1', '1.2.840.10008.5.1.4.1.1.1.2'],
      },
      {
        sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
        serviceClassUid: '1.2.840.10008.4.2',
        relatedGeneralSopClassUids: [],
      },
    ],
    userIdentityRq: {
      identityType: 2,
      positiveResponseRequested: true,
      primaryField: ascii('tech'),
      secondaryField: ascii('s3cret'),
    },
    unknownItems: [{ itemType: 0x5f, data: bytes(0xde, 0xad, 0xbe) }],
  },
};

export const fullAssociateAc: AssociateAc = {
  type: 'A-ASSOCIATE-AC',
  protocolVersion: 1,
  calledAeTitle: 'ORTHANC',
  callingAeTitle: 'HNVUE',
  applicationContext: DICOM_APPLICATION_CONTEXT,
  presentationContexts: [
    { id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2' },
    { id: 3, result: 4, transferSyntax: '' },
    { id: 5, result: 3, transferSyntax: '1.2.840.10008.1.2' },
    { id: 7, result: 1, transferSyntax: '' },
    { id: 9, result: 2, transferSyntax: '1.2.840.10008.1.2.1' },
  ],
  userInformation: {
    ...baseUserInformation,
    asynchronousOperationsWindow: { maxOperationsInvoked: 1, maxOperationsPerformed: 1 },
    roleSelections: [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', scuRole: false, scpRole: true }],
    sopClassExtendedNegotiations: [
      { sopClassUid: '1.2.840.10008.5.1.4.1.2.2.1', serviceClassApplicationInformation: bytes(1) },
    ],
    userIdentityAc: { serverResponse: ascii('token-xyz') },
  },
};

/** One PDU of each type, plus variants that exercise every optional field. */
export const samplePdus: readonly Pdu[] = [
  fullAssociateRq,
  {
    ...fullAssociateRq,
    calledAeTitle: 'A',
    callingAeTitle: 'SIXTEEN_CHARS_AE',
    userInformation: {
      ...baseUserInformation,
      userIdentityRq: {
        identityType: 1,
        positiveResponseRequested: false,
        primaryField: ascii('operator'),
        secondaryField: new Uint8Array(0),
      },
    },
  },
  fullAssociateAc,
  { ...fullAssociateAc, presentationContexts: [], userInformation: baseUserInformation },
  { type: 'A-ASSOCIATE-RJ', result: 1, source: 1, reason: 7 },
  { type: 'A-ASSOCIATE-RJ', result: 2, source: 3, reason: 2 },
  {
    type: 'P-DATA-TF',
    pdvs: [
      {
        contextId: 1,
        isCommand: true,
        isLast: true,
        data: bytes(0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00),
      },
      { contextId: 1, isCommand: false, isLast: false, data: bytes(1, 2, 3) },
      { contextId: 255, isCommand: false, isLast: true, data: new Uint8Array(0) },
    ],
  },
  { type: 'P-DATA-TF', pdvs: [] },
  { type: 'A-RELEASE-RQ' },
  { type: 'A-RELEASE-RP' },
  { type: 'A-ABORT', source: 0, reason: 0 },
  { type: 'A-ABORT', source: 2, reason: 6 },
];

const UID_CHARS = '0123456789';

function randomUid(rand: () => number): string {
  const parts = 1 + Math.floor(rand() * 8);
  const out: string[] = [];
  for (let i = 0; i < parts; i++) {
    let part = String(1 + Math.floor(rand() * 9));
    const extra = Math.floor(rand() * 5);
    for (let j = 0; j < extra; j++) part += UID_CHARS[Math.floor(rand() * 10)];
    out.push(part);
  }
  return out.join('.').slice(0, 64);
}

function randomBytes(rand: () => number, max: number): Uint8Array {
  const out = new Uint8Array(Math.floor(rand() * (max + 1)));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

function randomAe(rand: () => number): string {
  const length = 1 + Math.floor(rand() * 16);
  let out = '';
  for (let i = 0; i < length; i++) out += String.fromCharCode(0x41 + Math.floor(rand() * 26));
  return out;
}

function oddId(rand: () => number): number {
  return 1 + 2 * Math.floor(rand() * 128);
}

function pick<T>(rand: () => number, count: number, make: () => T): T[] {
  const n = Math.floor(rand() * (count + 1));
  return Array.from({ length: n }, make);
}

function randomUserInformation(rand: () => number, rq: boolean): UserInformation {
  const maybe = <T>(make: () => T): T | undefined => (rand() < 0.5 ? make() : undefined);
  return {
    maxPduLength: Math.floor(rand() * 0x1_0000_0000),
    implementationClassUid: randomUid(rand),
    implementationVersionName: maybe(() => randomAe(rand)),
    asynchronousOperationsWindow: maybe(() => ({
      maxOperationsInvoked: Math.floor(rand() * 65536),
      maxOperationsPerformed: Math.floor(rand() * 65536),
    })),
    roleSelections: pick(rand, 3, () => ({
      sopClassUid: randomUid(rand),
      scuRole: rand() < 0.5,
      scpRole: rand() < 0.5,
    })),
    sopClassExtendedNegotiations: pick(rand, 2, () => ({
      sopClassUid: randomUid(rand),
      serviceClassApplicationInformation: randomBytes(rand, 8),
    })),
    sopClassCommonExtendedNegotiations: rq
      ? pick(rand, 2, () => ({
          sopClassUid: randomUid(rand),
          serviceClassUid: randomUid(rand),
          relatedGeneralSopClassUids: pick(rand, 3, () => randomUid(rand)),
        }))
      : [],
    userIdentityRq: rq
      ? maybe(() => ({
          identityType: (1 + Math.floor(rand() * 5)) as UserIdentityType,
          positiveResponseRequested: rand() < 0.5,
          primaryField: randomBytes(rand, 40),
          secondaryField: randomBytes(rand, 20),
        }))
      : undefined,
    userIdentityAc: rq ? undefined : maybe(() => ({ serverResponse: randomBytes(rand, 40) })),
    // 0x5a-0x5f and above: not assigned by PS3.7 Annex D.
    unknownItems: pick(rand, 2, () => ({
      itemType: 0x5a + Math.floor(rand() * 6),
      data: randomBytes(rand, 10),
    })),
  };
}

/** A random valid PDU of any type, for property-style round trips and the fuzz corpus. */
export function randomPdu(rand: () => number): Pdu {
  const kind = Math.floor(rand() * 7);
  switch (kind) {
    case 0:
      return {
        type: 'A-ASSOCIATE-RQ',
        protocolVersion: 1,
        calledAeTitle: randomAe(rand),
        callingAeTitle: randomAe(rand),
        applicationContext: randomUid(rand),
        presentationContexts: pick(rand, 5, () => ({
          id: oddId(rand),
          abstractSyntax: randomUid(rand),
          transferSyntaxes: [randomUid(rand), ...pick(rand, 3, () => randomUid(rand))],
        })),
        userInformation: randomUserInformation(rand, true),
      };
    case 1:
      return {
        type: 'A-ASSOCIATE-AC',
        protocolVersion: 1,
        calledAeTitle: randomAe(rand),
        callingAeTitle: randomAe(rand),
        applicationContext: randomUid(rand),
        presentationContexts: pick(rand, 5, () => {
          const result = Math.floor(rand() * 5) as PresentationContextResult;
          return {
            id: oddId(rand),
            result,
            transferSyntax: result === 0 || rand() < 0.5 ? randomUid(rand) : '',
          };
        }),
        userInformation: randomUserInformation(rand, false),
      };
    case 2:
      return {
        type: 'A-ASSOCIATE-RJ',
        result: rand() < 0.5 ? 1 : 2,
        source: (1 + Math.floor(rand() * 3)) as 1 | 2 | 3,
        reason: Math.floor(rand() * 256),
      };
    case 3:
      return {
        type: 'P-DATA-TF',
        pdvs: pick(rand, 4, () => ({
          contextId: oddId(rand),
          isCommand: rand() < 0.5,
          isLast: rand() < 0.5,
          data: randomBytes(rand, 300),
        })),
      };
    case 4:
      return { type: 'A-RELEASE-RQ' };
    case 5:
      return { type: 'A-RELEASE-RP' };
    default:
      return { type: 'A-ABORT', source: rand() < 0.5 ? 0 : 2, reason: Math.floor(rand() * 7) };
  }
}
