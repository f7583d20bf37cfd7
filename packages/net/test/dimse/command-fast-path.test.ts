/**
 * The shortcuts of the per-message hot path must agree with the general code they bypass:
 * commandHasDataset with decodeCommand, encodeCommandWithHeadroom with encodeCommand, and a
 * one-PDU command (commandFitsOnePdu + writeSinglePdvHeader) with fragmentCommand.
 */
import { describe, expect, it } from 'vitest';
import {
  commandHasDataset,
  type DimseCommand,
  decodeCommand,
  encodeCommand,
  encodeCommandWithHeadroom,
} from '../../src/dimse/command.js';
import { COMMAND_FIELD } from '../../src/dimse/command-fields.js';
import { commandFitsOnePdu, fragmentCommand } from '../../src/dimse/fragment.js';
import { PDATA_SINGLE_PDV_HEADER_LENGTH, writeSinglePdvHeader } from '../../src/pdu/pdata.js';
import { hexFixture, prng } from './helpers.js';

const VERIFICATION = '1.2.840.10008.1.1';
const commands: DimseCommand[] = [
  {
    commandField: COMMAND_FIELD['C-ECHO-RQ'],
    affectedSopClassUid: VERIFICATION,
    messageId: 1,
    hasDataset: false,
  },
  {
    commandField: COMMAND_FIELD['C-ECHO-RSP'],
    affectedSopClassUid: VERIFICATION,
    messageIdBeingRespondedTo: 65535,
    status: 0,
    hasDataset: false,
  },
  {
    commandField: COMMAND_FIELD['C-FIND-RSP'],
    affectedSopClassUid: '1.2.840.10008.5.1.4.31',
    messageIdBeingRespondedTo: 7,
    status: 0xff00,
    hasDataset: true,
  },
  {
    commandField: COMMAND_FIELD['C-MOVE-RQ'],
    affectedSopClassUid: '1.2.840.10008.5.1.4.1.2.2.2',
    messageId: 3,
    priority: 0,
    moveDestination: 'PACS1',
    hasDataset: true,
  },
  {
    commandField: COMMAND_FIELD['N-SET-RSP'],
    affectedSopClassUid: '1.2.840.10008.3.1.2.3.3',
    affectedSopInstanceUid: '1.2.3.4.5',
    messageIdBeingRespondedTo: 9,
    status: 0x0106,
    offendingElement: [0x00400252, 0x00400250],
    errorComment: 'odd',
    hasDataset: false,
  },
  {
    commandField: COMMAND_FIELD['C-FIND-RSP'],
    affectedSopClassUid: '1.2.840.10008.5.1.4.31',
    messageIdBeingRespondedTo: 7,
    status: 0,
    hasDataset: false,
    unknownElements: [{ tag: 0x0850, value: new Uint8Array([5, 0]) }],
  },
];

describe('command set fast path', () => {
  it('FR-DICOM-02.dimse: commandHasDataset reads (0000,0800) in place as decodeCommand does', () => {
    for (const cmd of commands) expect(commandHasDataset(encodeCommand(cmd))).toBe(cmd.hasDataset);
    const dcmtk = hexFixture('dcmtk-c-store-rq.hex');
    expect(commandHasDataset(dcmtk)).toBe(decodeCommand(dcmtk).hasDataset);
    // Not walkable, or no (0000,0800): undefined, and the caller decodes (which throws).
    expect(commandHasDataset(new Uint8Array(0))).toBeUndefined();
    expect(commandHasDataset(new Uint8Array([0, 0, 0, 1, 4, 0, 0, 0, 0x30, 0]))).toBeUndefined();
    expect(commandHasDataset(new Uint8Array([8, 0, 0, 8, 2, 0, 0, 0, 1, 1]))).toBeUndefined();
  });

  it('FR-DICOM-02.dimse: commandHasDataset never disagrees with decodeCommand on 3000 mutated command sets', () => {
    const rand = prng(0xfa57);
    const seeds = commands.map((c) => encodeCommand(c));
    for (let round = 0; round < 3000; round++) {
      const bytes = seeds[round % seeds.length]!.slice();
      bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      const fast = commandHasDataset(bytes);
      let slow: boolean | undefined;
      try {
        slow = decodeCommand(bytes).hasDataset;
      } catch {
        slow = undefined;
      }
      // The fast read may answer where a full decode refuses the set; never the other way round.
      if (slow !== undefined) expect(fast).toBe(slow);
    }
  });

  it('FR-DICOM-02.dimse: encodeCommandWithHeadroom is encodeCommand behind zeroed headroom', () => {
    for (const cmd of commands) {
      const plain = encodeCommand(cmd);
      for (const headroom of [0, PDATA_SINGLE_PDV_HEADER_LENGTH, 3]) {
        const roomy = encodeCommandWithHeadroom(cmd, headroom);
        expect([...roomy.subarray(0, headroom)]).toEqual(new Array(headroom).fill(0));
        expect(roomy.subarray(headroom)).toEqual(plain);
      }
    }
  });

  it('FR-DICOM-02.dimse: a command set that fits one PDU is the single PDU fragmentCommand yields', () => {
    for (const cmd of commands.filter((c) => !c.hasDataset)) {
      const command = encodeCommand(cmd);
      for (const peerMax of [0, 8, 9, 50, command.length + 5, command.length + 6, 16384]) {
        const pdus = fragmentCommand({ contextId: 3, command, peerMaxPduLength: peerMax });
        expect(commandFitsOnePdu(command.length, peerMax)).toBe(pdus.length === 1);
        if (pdus.length !== 1) continue;
        const pdu = encodeCommandWithHeadroom(cmd, PDATA_SINGLE_PDV_HEADER_LENGTH);
        writeSinglePdvHeader(pdu, 3, true, true, command.length);
        expect([...pdu]).toEqual([...Buffer.concat(pdus[0]!)]);
      }
    }
  });
});
