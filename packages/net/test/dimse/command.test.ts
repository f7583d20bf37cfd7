import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  COMMAND_FIELD,
  type CommandFieldName,
  DATASET_PRESENT,
  type DimseCommand,
  DimseDecodeError,
  DimseEncodeError,
  decodeCommand,
  encodeCommand,
  NO_DATASET,
  PRIORITY,
} from '../../src/dimse/index.js';
import { NET_ERROR_CODES } from '../../src/errors.js';
import { hexFixture, prng } from './helpers.js';

const DX = '1.2.840.10008.5.1.4.1.1.1.1';
const STUDY_ROOT_MOVE = '1.2.840.10008.5.1.4.1.2.2.2';
const STUDY_ROOT_GET = '1.2.840.10008.5.1.4.1.2.2.3';
const MWL_FIND = '1.2.840.10008.5.1.4.31';
const MPPS = '1.2.840.10008.3.1.2.3.3';
const COMMITMENT = '1.2.840.10008.1.20.1';
const COMMITMENT_INSTANCE = '1.2.840.10008.1.20.1.1';
const PRINTER = '1.2.840.10008.5.1.1.16';
const PRINTER_INSTANCE = '1.2.840.10008.5.1.1.17';
const FILM_SESSION = '1.2.840.10008.5.1.1.1';
const INSTANCE = '1.2.410.200001.7.1.20261127.1234567.10';
const INSTANCE_ODD = '1.2.410.200001.7.1.20261127.1234567.1'; // 37 characters

/** One realistic command set per PS3.7 command field (Sections 9.3 and 10.3). */
const SAMPLES: Record<CommandFieldName, DimseCommand> = {
  'C-STORE-RQ': {
    commandField: 0x0001,
    messageId: 17,
    affectedSopClassUid: DX,
    affectedSopInstanceUid: INSTANCE,
    priority: PRIORITY.medium,
    moveOriginatorApplicationEntityTitle: 'ORTHANC',
    moveOriginatorMessageId: 3,
    hasDataset: true,
  },
  'C-STORE-RSP': {
    commandField: 0x8001,
    messageIdBeingRespondedTo: 17,
    affectedSopClassUid: DX,
    affectedSopInstanceUid: INSTANCE_ODD,
    status: 0xb000,
    hasDataset: false,
  },
  'C-GET-RQ': {
    commandField: 0x0010,
    messageId: 4,
    affectedSopClassUid: STUDY_ROOT_GET,
    priority: PRIORITY.high,
    hasDataset: true,
  },
  'C-GET-RSP': {
    commandField: 0x8010,
    messageIdBeingRespondedTo: 4,
    affectedSopClassUid: STUDY_ROOT_GET,
    status: 0xff00,
    numberOfRemainingSuboperations: 12,
    numberOfCompletedSuboperations: 3,
    numberOfFailedSuboperations: 1,
    numberOfWarningSuboperations: 0,
    hasDataset: false,
  },
  'C-FIND-RQ': {
    commandField: 0x0020,
    messageId: 65535,
    affectedSopClassUid: MWL_FIND,
    priority: PRIORITY.low,
    hasDataset: true,
  },
  'C-FIND-RSP': {
    commandField: 0x8020,
    messageIdBeingRespondedTo: 65535,
    affectedSopClassUid: MWL_FIND,
    status: 0xff01,
    hasDataset: true,
  },
  'C-MOVE-RQ': {
    commandField: 0x0021,
    messageId: 9,
    affectedSopClassUid: STUDY_ROOT_MOVE,
    priority: PRIORITY.medium,
    moveDestination: 'HNVUE_CONSOLE',
    hasDataset: true,
  },
  'C-MOVE-RSP': {
    commandField: 0x8021,
    messageIdBeingRespondedTo: 9,
    affectedSopClassUid: STUDY_ROOT_MOVE,
    status: 0xa801,
    numberOfCompletedSuboperations: 0,
    numberOfFailedSuboperations: 2,
    numberOfWarningSuboperations: 0,
    errorComment: 'Unknown destination',
    hasDataset: true,
  },
  'C-ECHO-RQ': {
    commandField: 0x0030,
    messageId: 1,
    affectedSopClassUid: '1.2.840.10008.1.1',
    hasDataset: false,
  },
  'C-ECHO-RSP': {
    commandField: 0x8030,
    messageIdBeingRespondedTo: 1,
    affectedSopClassUid: '1.2.840.10008.1.1',
    status: 0x0000,
    hasDataset: false,
  },
  'N-EVENT-REPORT-RQ': {
    commandField: 0x0100,
    messageId: 1,
    affectedSopClassUid: COMMITMENT,
    affectedSopInstanceUid: COMMITMENT_INSTANCE,
    eventTypeId: 2,
    hasDataset: true,
  },
  'N-EVENT-REPORT-RSP': {
    commandField: 0x8100,
    messageIdBeingRespondedTo: 1,
    affectedSopClassUid: COMMITMENT,
    affectedSopInstanceUid: COMMITMENT_INSTANCE,
    eventTypeId: 2,
    status: 0x0000,
    hasDataset: false,
  },
  'N-GET-RQ': {
    commandField: 0x0110,
    messageId: 2,
    requestedSopClassUid: PRINTER,
    requestedSopInstanceUid: PRINTER_INSTANCE,
    attributeIdentifierList: [0x21100010, 0x21100020, 0x00080070],
    hasDataset: false,
  },
  'N-GET-RSP': {
    commandField: 0x8110,
    messageIdBeingRespondedTo: 2,
    affectedSopClassUid: PRINTER,
    affectedSopInstanceUid: PRINTER_INSTANCE,
    status: 0x0001,
    hasDataset: true,
  },
  'N-SET-RQ': {
    commandField: 0x0120,
    messageId: 5,
    requestedSopClassUid: MPPS,
    requestedSopInstanceUid: INSTANCE,
    hasDataset: true,
  },
  'N-SET-RSP': {
    commandField: 0x8120,
    messageIdBeingRespondedTo: 5,
    affectedSopClassUid: MPPS,
    affectedSopInstanceUid: INSTANCE,
    status: 0x0106,
    offendingElement: [0x00400252, 0x00400250],
    errorComment: 'Performed Procedure Step Status invalid',
    errorId: 0xc310,
    hasDataset: false,
  },
  'N-ACTION-RQ': {
    commandField: 0x0130,
    messageId: 6,
    requestedSopClassUid: COMMITMENT,
    requestedSopInstanceUid: COMMITMENT_INSTANCE,
    actionTypeId: 1,
    hasDataset: true,
  },
  'N-ACTION-RSP': {
    commandField: 0x8130,
    messageIdBeingRespondedTo: 6,
    affectedSopClassUid: COMMITMENT,
    affectedSopInstanceUid: COMMITMENT_INSTANCE,
    actionTypeId: 1,
    status: 0x0000,
    hasDataset: false,
  },
  'N-CREATE-RQ': {
    commandField: 0x0140,
    messageId: 7,
    affectedSopClassUid: MPPS,
    affectedSopInstanceUid: INSTANCE_ODD,
    hasDataset: true,
  },
  'N-CREATE-RSP': {
    commandField: 0x8140,
    messageIdBeingRespondedTo: 7,
    affectedSopClassUid: MPPS,
    affectedSopInstanceUid: INSTANCE_ODD,
    status: 0x0111,
    hasDataset: false,
  },
  'N-DELETE-RQ': {
    commandField: 0x0150,
    messageId: 8,
    requestedSopClassUid: FILM_SESSION,
    requestedSopInstanceUid: INSTANCE,
    hasDataset: false,
  },
  'N-DELETE-RSP': {
    commandField: 0x8150,
    messageIdBeingRespondedTo: 8,
    affectedSopClassUid: FILM_SESSION,
    affectedSopInstanceUid: INSTANCE,
    status: 0x0112,
    hasDataset: false,
  },
  'C-CANCEL-RQ': { commandField: 0x0fff, messageIdBeingRespondedTo: 65535, hasDataset: false },
};

/** Walks an encoded command set: [{ tag, length, value }]. */
function elements(bytes: Uint8Array): { tag: number; length: number; value: Uint8Array }[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: { tag: number; length: number; value: Uint8Array }[] = [];
  for (let p = 0; p < bytes.length; ) {
    const tag = (view.getUint16(p, true) << 16) | view.getUint16(p + 2, true);
    const length = view.getUint32(p + 4, true);
    out.push({ tag, length, value: bytes.subarray(p + 8, p + 8 + length) });
    p += 8 + length;
  }
  return out;
}

function element(tag: number, value: number[]): number[] {
  return [0, 0, tag & 0xff, tag >> 8, value.length & 0xff, value.length >> 8, 0, 0, ...value];
}

function withGroupLength(body: number[]): Uint8Array {
  const n = body.length;
  return new Uint8Array([...element(0x0000, [n & 0xff, (n >> 8) & 0xff, 0, 0]), ...body]);
}

describe('DIMSE command set codec', () => {
  it('FR-DICOM-02.dimse: has a sample for every PS3.7 command field and COMMAND_FIELD matches PS3.7', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(Object.keys(COMMAND_FIELD).sort());
    for (const [name, sample] of Object.entries(SAMPLES)) {
      expect(sample.commandField, name).toBe(COMMAND_FIELD[name as CommandFieldName]);
    }
    expect(COMMAND_FIELD['C-STORE-RQ']).toBe(0x0001);
    expect(COMMAND_FIELD['C-STORE-RSP']).toBe(0x8001);
    expect(COMMAND_FIELD['C-CANCEL-RQ']).toBe(0x0fff);
    expect(COMMAND_FIELD['N-DELETE-RSP']).toBe(0x8150);
  });

  for (const [name, sample] of Object.entries(SAMPLES)) {
    it(`FR-DICOM-02.dimse: round-trips ${name} through Implicit VR LE`, () => {
      const bytes = encodeCommand(sample);
      expect(bytes.length % 2).toBe(0);
      expect(decodeCommand(bytes)).toEqual(sample);

      const els = elements(bytes);
      // PS3.7 6.3.1: group length first and equal to the bytes that follow it; tags ascending.
      expect(els[0]!.tag).toBe(0x00000000);
      expect(new DataView(els[0]!.value.buffer, els[0]!.value.byteOffset).getUint32(0, true)).toBe(
        bytes.length - 12,
      );
      const tags = els.map((e) => e.tag);
      expect(tags).toEqual([...tags].sort((a, b) => a - b));
      for (const e of els) expect(e.length % 2, `tag ${e.tag.toString(16)}`).toBe(0);
      const datasetType = els.find((e) => e.tag === 0x0800)!;
      expect(datasetType.value[0]! | (datasetType.value[1]! << 8)).toBe(
        sample.hasDataset ? DATASET_PRESENT : NO_DATASET,
      );
    });
  }

  it('FR-DICOM-02.negotiation: pads UIDs with NUL and AE titles and LO with space (PS3.5 6.2)', () => {
    const bytes = encodeCommand(SAMPLES['C-STORE-RSP']);
    const uid = elements(bytes).find((e) => e.tag === 0x1000)!;
    expect(uid.length).toBe(INSTANCE_ODD.length + 1);
    expect(uid.value.at(-1)).toBe(0x00);
    const move = elements(encodeCommand({ ...SAMPLES['C-MOVE-RQ'], moveDestination: 'PACS1' }));
    const ae = move.find((e) => e.tag === 0x0600)!;
    expect(Buffer.from(ae.value).toString('latin1')).toBe('PACS1 ');
    const rsp = elements(encodeCommand({ ...SAMPLES['C-ECHO-RSP'], errorComment: 'odd' }));
    expect(Buffer.from(rsp.find((e) => e.tag === 0x0902)!.value).toString('latin1')).toBe('odd ');
  });

  it('FR-DICOM-02.dimse: encodes AT values as group then element, little endian', () => {
    const els = elements(encodeCommand(SAMPLES['N-SET-RSP']));
    const at = els.find((e) => e.tag === 0x0901)!;
    expect([...at.value]).toEqual([0x40, 0x00, 0x52, 0x02, 0x40, 0x00, 0x50, 0x02]);
  });

  it('FR-DICOM-02.dimse: keeps unknown (retired) group 0000 elements and writes them back in tag order', () => {
    const numberOfMatches = { tag: 0x0850, value: new Uint8Array([5, 0]) };
    const priv = { tag: 0x4000, value: new Uint8Array([0x41, 0x42]) };
    const cmd: DimseCommand = { ...SAMPLES['C-FIND-RSP'], unknownElements: [priv, numberOfMatches] };
    const bytes = encodeCommand(cmd);
    expect(elements(bytes).map((e) => e.tag)).toEqual([
      0x0000, 0x0002, 0x0100, 0x0120, 0x0800, 0x0850, 0x0900, 0x4000,
    ]);
    const decoded = decodeCommand(bytes);
    expect(decoded.unknownElements).toEqual([numberOfMatches, priv]);
    expect(encodeCommand(decoded)).toEqual(bytes);
  });

  it('FR-DICOM-02.dimse: decodes the C-ECHO-RQ captured from DCMTK echoscu and re-encodes it byte for byte', () => {
    const bytes = hexFixture('dcmtk-c-echo-rq.hex');
    const cmd = decodeCommand(bytes);
    expect(cmd).toEqual({
      commandField: COMMAND_FIELD['C-ECHO-RQ'],
      affectedSopClassUid: '1.2.840.10008.1.1',
      messageId: 1,
      hasDataset: false,
    });
    expect(encodeCommand(cmd)).toEqual(bytes);
  });

  it('FR-DICOM-04.transcode: decodes the C-STORE-RQ captured from DCMTK storescu and re-encodes it byte for byte', () => {
    const bytes = hexFixture('dcmtk-c-store-rq.hex');
    const cmd = decodeCommand(bytes);
    expect(cmd).toEqual({
      commandField: COMMAND_FIELD['C-STORE-RQ'],
      affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.7',
      affectedSopInstanceUid: '1.2.826.0.1.3680043.2.1125.1.42.1',
      messageId: 1,
      priority: PRIORITY.medium,
      hasDataset: true,
    });
    expect(encodeCommand(cmd)).toEqual(bytes);
  });

  it('FR-DICOM-04.store: decodes the C-STORE-RSP and C-ECHO-RSP captured from DCMTK storescp', () => {
    const store = hexFixture('dcmtk-c-store-rsp.hex');
    const storeRsp = decodeCommand(store);
    expect(storeRsp).toMatchObject({
      commandField: COMMAND_FIELD['C-STORE-RSP'],
      messageIdBeingRespondedTo: 1,
      status: 0,
      affectedSopInstanceUid: '1.2.826.0.1.3680043.2.1125.1.42.1',
      hasDataset: false,
    });
    expect(encodeCommand(storeRsp)).toEqual(store);
    const echo = hexFixture('dcmtk-c-echo-rsp.hex');
    expect(decodeCommand(echo)).toMatchObject({
      commandField: 0x8030,
      messageIdBeingRespondedTo: 1,
      status: 0,
    });
    expect(encodeCommand(decodeCommand(echo))).toEqual(echo);
  });

  it('FR-DICOM-02.dimse: DCMTK dcmdump reads our command sets as we meant them', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hnv-dimse-dcmdump-'));
    try {
      const dump = (cmd: DimseCommand): string => {
        const file = path.join(dir, 'cmd.bin');
        writeFileSync(file, encodeCommand(cmd));
        const run = spawnSync('dcmdump', ['-ti', '-f', '+L', file], { encoding: 'utf8' });
        // dcmdump reports parse problems as "W: …" / "E: …" lines on stderr.
        expect(run.stderr).toBe('');
        expect(run.status).toBe(0);
        return run.stdout;
      };
      const move = dump(SAMPLES['C-MOVE-RQ']);
      expect(move).toMatch(/\(0000,0000\) UL 98\b/);
      expect(move).toMatch(/\(0000,0600\) AE \[HNVUE_CONSOLE\]/);
      expect(move).toMatch(/\(0000,0100\) US 33\b/);
      expect(move).toMatch(/\(0000,0800\) US 1\b/);
      const nset = dump(SAMPLES['N-SET-RSP']);
      expect(nset).toMatch(/\(0000,0901\) AT \(0040,0252\)\\\(0040,0250\)/);
      expect(nset).toMatch(/\(0000,0902\) LO \[Performed Procedure Step Status invalid\]/);
      expect(nset).toMatch(/\(0000,1000\) UI \[1\.2\.410\.200001\.7\.1\.20261127\.1234567\.10\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('FR-DICOM-02.dimse: accepts odd value lengths, unpadded UIDs, trailing-space UIDs and a wrong group length', () => {
    const uid = [...Buffer.from('1.2.840.10008.1.1', 'latin1')]; // 17 bytes, odd, no padding
    const body = [
      ...element(0x0002, uid),
      ...element(0x0100, [0x30, 0x00]),
      ...element(0x0110, [0x07, 0x00]),
      ...element(0x0800, [0x01, 0x01]),
    ];
    const bytes = new Uint8Array([...element(0x0000, [0xff, 0, 0, 0]), ...body]);
    expect(decodeCommand(bytes)).toEqual({
      commandField: 0x0030,
      affectedSopClassUid: '1.2.840.10008.1.1',
      messageId: 7,
      hasDataset: false,
    });
    const spaced = withGroupLength([
      ...element(0x0002, [...Buffer.from('1.2.3 ', 'latin1')]),
      ...element(0x0100, [0x30, 0x00]),
      ...element(0x0800, [0x01, 0x01]),
    ]);
    expect(decodeCommand(spaced).affectedSopClassUid).toBe('1.2.3');
  });

  it('FR-DICOM-02.dimse: treats any Command Data Set Type other than 0101H as a data set (PS3.7 E.1-1)', () => {
    for (const value of [0x0000, 0x0001, 0x0102, 0xfefe]) {
      const bytes = withGroupLength([
        ...element(0x0100, [0x01, 0x00]),
        ...element(0x0800, [value & 0xff, value >> 8]),
      ]);
      expect(decodeCommand(bytes).hasDataset).toBe(true);
    }
  });

  it('FR-DICOM-02.dimse: accepts elements out of order and a missing group length', () => {
    const bytes = new Uint8Array([...element(0x0800, [0x01, 0x01]), ...element(0x0100, [0x30, 0x80])]);
    expect(decodeCommand(bytes)).toEqual({ commandField: 0x8030, hasDataset: false });
  });

  const malformed: [string, Uint8Array][] = [
    ['a truncated element header', new Uint8Array([...element(0x0100, [0x30, 0x00]), 0, 0, 0])],
    ['a value running past the end', new Uint8Array([0, 0, 0x00, 0x01, 4, 0, 0, 0, 0x30, 0x00])],
    ['undefined length', new Uint8Array([0, 0, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff])],
    ['a US of length 4', withGroupLength([...element(0x0100, [0x30, 0, 0, 0]), ...element(0x0800, [1, 1])])],
    [
      'a US of length 0',
      withGroupLength([...element(0x0100, [0x30, 0]), ...element(0x0110, []), ...element(0x0800, [1, 1])]),
    ],
    [
      'a UL group length of length 2',
      new Uint8Array([...element(0x0000, [8, 0]), ...element(0x0100, [0x30, 0]), ...element(0x0800, [1, 1])]),
    ],
    [
      'an AT of length 6',
      withGroupLength([
        ...element(0x0100, [0x30, 0]),
        ...element(0x0800, [1, 1]),
        ...element(0x0901, [0, 0, 0, 0, 0, 0]),
      ]),
    ],
    ['no Command Field', withGroupLength([...element(0x0110, [1, 0]), ...element(0x0800, [1, 1])])],
    ['no Command Data Set Type', withGroupLength([...element(0x0100, [0x30, 0])])],
    [
      'an element of group 0008',
      withGroupLength([
        ...element(0x0100, [0x30, 0]),
        ...element(0x0800, [1, 1]),
        0x08,
        0,
        0x18,
        0,
        2,
        0,
        0,
        0,
        0x31,
        0,
      ]),
    ],
    [
      'a repeated element',
      withGroupLength([
        ...element(0x0100, [0x30, 0]),
        ...element(0x0100, [0x30, 0]),
        ...element(0x0800, [1, 1]),
      ]),
    ],
    ['nothing at all', new Uint8Array(0)],
  ];
  for (const [what, bytes] of malformed) {
    it(`FR-DICOM-02.dimse: rejects a command set with ${what} as DimseDecodeError`, () => {
      let caught: unknown;
      try {
        decodeCommand(bytes);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(DimseDecodeError);
      expect((caught as DimseDecodeError).code).toBe(NET_ERROR_CODES.dimseDecode);
    });
  }

  it('FR-DICOM-02.dimse: decodes views into a larger buffer at any offset, and copies what it keeps', () => {
    const bytes = encodeCommand({
      ...SAMPLES['C-ECHO-RQ'],
      unknownElements: [{ tag: 0x0850, value: new Uint8Array([1, 0]) }],
    });
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    const decoded = decodeCommand(big.subarray(3));
    big.fill(0xee);
    expect(decoded.messageId).toBe(1);
    expect([...decoded.unknownElements![0]!.value]).toEqual([1, 0]);
  });

  const invalid: [string, DimseCommand][] = [
    ['a UID with letters', { ...SAMPLES['C-ECHO-RQ'], affectedSopClassUid: '1.2.abc' }],
    ['a UID longer than 64', { ...SAMPLES['C-ECHO-RQ'], affectedSopClassUid: `1.${'2'.repeat(64)}` }],
    ['an AE title longer than 16', { ...SAMPLES['C-MOVE-RQ'], moveDestination: 'A'.repeat(17) }],
    ['an AE title with a backslash', { ...SAMPLES['C-MOVE-RQ'], moveDestination: 'A\\B' }],
    ['an empty AE title', { ...SAMPLES['C-MOVE-RQ'], moveDestination: '   ' }],
    ['a message ID above 65535', { ...SAMPLES['C-ECHO-RQ'], messageId: 65536 }],
    ['a negative status', { ...SAMPLES['C-ECHO-RSP'], status: -1 }],
    [
      'a typed field among unknownElements',
      { ...SAMPLES['C-ECHO-RQ'], unknownElements: [{ tag: 0x0110, value: new Uint8Array(2) }] },
    ],
    [
      'an unknown element outside group 0000',
      { ...SAMPLES['C-ECHO-RQ'], unknownElements: [{ tag: 0x00080018, value: new Uint8Array(2) }] },
    ],
  ];
  for (const [what, cmd] of invalid) {
    it(`FR-DICOM-02.dimse: refuses to encode ${what}`, () => {
      expect(() => encodeCommand(cmd)).toThrow(DimseEncodeError);
    });
  }

  it('FR-DICOM-02.dimse: sanitises Error Comment to 64 characters of the default repertoire', () => {
    const cmd = decodeCommand(
      encodeCommand({ ...SAMPLES['C-ECHO-RSP'], errorComment: `é\\${'x'.repeat(80)}` }),
    );
    expect(cmd.errorComment).toBe(`??${'x'.repeat(62)}`);
  });

  it('FR-DICOM-02.dimse: decodes or rejects with DimseDecodeError, never anything else, 5000 mutated command sets', () => {
    const rand = prng(0xd15e);
    const seeds = Object.values(SAMPLES).map((c) => encodeCommand(c));
    for (let round = 0; round < 5000; round++) {
      const bytes = seeds[round % seeds.length]!.slice();
      const edits = 1 + Math.floor(rand() * 4);
      let mutated: Uint8Array = bytes;
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * mutated.length);
        const kind = rand();
        if (kind < 0.6) mutated[at] = (rand() * 256) | 0;
        else if (kind < 0.8) mutated = mutated.subarray(0, at);
        else
          mutated = new Uint8Array([...mutated.subarray(0, at), (rand() * 256) | 0, ...mutated.subarray(at)]);
      }
      try {
        const cmd = decodeCommand(mutated);
        expect(typeof cmd.commandField).toBe('number');
      } catch (err) {
        if (!(err instanceof DimseDecodeError)) throw err;
      }
    }
  });
});
