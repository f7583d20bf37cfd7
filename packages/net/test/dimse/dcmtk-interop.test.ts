/**
 * Our DIMSE fragmentation and assembly against a real DCMTK 3.6.7 storescp on loopback: a C-ECHO
 * and C-STOREs fragmented at the odd maximum PDU length storescp advertises, with command and
 * data set in separate PDUs and packed together; the stored file must hold our data set byte for
 * byte, and the responses must assemble and decode.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cEchoRq,
  classifyStatus,
  cStoreRq,
  DimseAssembler,
  type DimseCommand,
  encodeCommand,
  fragmentCommand,
  fragmentMessage,
} from '../../src/dimse/index.js';
import { createPduFramer, decodePDataPdvs, decodePdu, encodePdu, type RawPdu } from '../../src/pdu/index.js';
import { DICOM_APPLICATION_CONTEXT } from '../../src/pdu/types.js';
import { prng, randomBytes, sameBytes } from './helpers.js';

const SC = '1.2.840.10008.5.1.4.1.1.7';
const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';
// storescp accepts 4096…131072 and advertises an even value. We fragment for one byte less (an
// odd limit; sending below the peer's maximum is always allowed) to exercise the even-fragment
// rounding of PS3.8 E.1 against a real receiver.
const SCP_MAX_PDU = 4096;

let scp: ChildProcess | undefined;
let port = 0;
let dir = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address() as net.AddressInfo;
      s.close(() => resolve(address.port));
    });
  });
}

async function waitForPort(p: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(p, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`storescp never listened on ${p}`);
}

/** Implicit VR LE element (PS3.5 7.1.3). */
function el(group: number, element: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + value.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, group, true);
  view.setUint16(2, element, true);
  view.setUint32(4, value.length, true);
  out.set(value, 8);
  return out;
}
const text = (s: string, pad = ' '): Uint8Array => Buffer.from(s.length % 2 ? s + pad : s, 'latin1');
const us = (n: number): Uint8Array => new Uint8Array([n & 0xff, n >> 8]);

/** A synthetic 8-bit Secondary Capture data set (no patient data), Implicit VR LE. */
function secondaryCapture(instanceUid: string, rows: number, cols: number): Uint8Array[] {
  const pixels = randomBytes(rows * cols, prng(rows));
  return [
    el(0x0008, 0x0016, text(SC, '\0')),
    el(0x0008, 0x0018, text(instanceUid, '\0')),
    el(0x0008, 0x0060, text('OT')),
    el(0x0020, 0x000d, text('1.2.826.0.1.3680043.2.1125.1.77.1', '\0')),
    el(0x0020, 0x000e, text('1.2.826.0.1.3680043.2.1125.1.77.2', '\0')),
    el(0x0028, 0x0002, us(1)),
    el(0x0028, 0x0004, text('MONOCHROME2')),
    el(0x0028, 0x0010, us(rows)),
    el(0x0028, 0x0011, us(cols)),
    el(0x0028, 0x0100, us(8)),
    el(0x0028, 0x0101, us(8)),
    el(0x0028, 0x0102, us(7)),
    el(0x0028, 0x0103, us(0)),
    el(0x7fe0, 0x0010, pixels),
  ];
}

/** A minimal SCU session: associate, exchange messages, release. Test scaffolding, not the driver. */
class Session {
  readonly #socket: net.Socket;
  readonly #framer = createPduFramer({ maxPduLength: 16384 });
  #waiters: ((pdu: RawPdu) => void)[] = [];
  #queue: RawPdu[] = [];
  peerMax = 0;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#framer.push(chunk);
      for (let pdu = this.#framer.next(); pdu; pdu = this.#framer.next()) {
        const w = this.#waiters.shift();
        if (w) w(pdu);
        else this.#queue.push(pdu);
      }
    });
  }

  static async open(): Promise<Session> {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const s = new Session(socket);
    socket.write(
      encodePdu({
        type: 'A-ASSOCIATE-RQ',
        protocolVersion: 1,
        calledAeTitle: 'STORESCP',
        callingAeTitle: 'HNVUE',
        applicationContext: DICOM_APPLICATION_CONTEXT,
        presentationContexts: [
          { id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] },
          { id: 3, abstractSyntax: SC, transferSyntaxes: [IMPLICIT_LE] },
        ],
        userInformation: {
          maxPduLength: 16384,
          implementationClassUid: '1.2.826.0.1.3680043.10.1234',
          roleSelections: [],
          sopClassExtendedNegotiations: [],
          sopClassCommonExtendedNegotiations: [],
          unknownItems: [],
        },
      }),
    );
    const ac = decodePdu((await s.#next()).bytes);
    if (ac.type !== 'A-ASSOCIATE-AC') throw new Error(`expected A-ASSOCIATE-AC, got ${ac.type}`);
    expect(ac.presentationContexts.every((pc) => pc.result === 0)).toBe(true);
    s.peerMax = ac.userInformation.maxPduLength;
    return s;
  }

  #next(): Promise<RawPdu> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async write(pdu: readonly Uint8Array[]): Promise<void> {
    this.#socket.cork();
    for (const b of pdu) this.#socket.write(b);
    this.#socket.uncork();
    if (this.#socket.writableNeedDrain) await new Promise((r) => this.#socket.once('drain', r));
  }

  /** Reads PDUs until one whole response message is assembled. */
  async response(): Promise<DimseCommand> {
    const assembler = new DimseAssembler();
    for (;;) {
      const raw = await this.#next();
      if (raw.pduType !== 0x04) throw new Error(`unexpected PDU type ${raw.pduType}`);
      for (const pdv of decodePDataPdvs(raw.bytes)) {
        const e = assembler.push(pdv);
        if (e?.kind === 'command' && !e.hasDataset) return e.command;
      }
    }
  }

  async release(): Promise<void> {
    this.#socket.write(encodePdu({ type: 'A-RELEASE-RQ' }));
    const rp = await this.#next();
    expect(rp.pduType).toBe(0x06);
    this.#socket.end();
  }

  /** storescp serves one association at a time: never leave one open after a failure. */
  destroy(): void {
    this.#socket.destroy();
  }
}

/** Data set bytes of a Part 10 file: after the preamble, "DICM" and the group 0002 meta header. */
function datasetOfFile(file: string): Uint8Array {
  const bytes = readFileSync(file);
  expect(bytes.subarray(128, 132).toString('latin1')).toBe('DICM');
  // (0002,0000) UL, Explicit VR LE: tag 4 + VR 2 + length 2 + value 4, at offset 132.
  const groupLength = bytes.readUInt32LE(140);
  return new Uint8Array(bytes.subarray(144 + groupLength));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hnv-dimse-interop-'));
  port = await freePort();
  scp = spawn(
    'storescp',
    ['-aet', 'STORESCP', '-pdu', String(SCP_MAX_PDU), '-od', dir, '+xi', String(port)],
    {
      env: { ...process.env, TCP_NODELAY: '1' },
      stdio: 'ignore',
    },
  );
  await waitForPort(port);
});

afterAll(() => {
  scp?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('DIMSE against DCMTK storescp', () => {
  it('FR-DICOM-02.dimse: storescp answers a C-ECHO we framed, and its C-ECHO-RSP assembles', async () => {
    const s = await Session.open();
    try {
      expect(s.peerMax).toBe(SCP_MAX_PDU);
      for (const pdu of fragmentCommand({
        contextId: 1,
        command: encodeCommand(cEchoRq(11)),
        peerMaxPduLength: s.peerMax,
      })) {
        await s.write(pdu);
      }
      const rsp = await s.response();
      expect(rsp).toMatchObject({ commandField: 0x8030, messageIdBeingRespondedTo: 11, status: 0 });
      await s.release();
    } finally {
      s.destroy();
    }
  });

  const variants: [string, { separateCommandAndData: boolean; maxPdvsPerPdu?: number }][] = [
    ['command and data set in separate PDUs', { separateCommandAndData: true }],
    ['the first data set PDV packed with the command', { separateCommandAndData: false }],
    ['one PDV per PDU', { separateCommandAndData: false, maxPdvsPerPdu: 1 }],
  ];
  variants.forEach(([what, options], i) => {
    it(`FR-DICOM-04.store: storescp stores a 300 kB C-STORE fragmented below its max PDU at an odd limit, ${what}`, async () => {
      const uid = `1.2.826.0.1.3680043.2.1125.1.77.3.${i + 1}`;
      const elements = secondaryCapture(uid, 480, 640);
      // Re-chunk at odd sizes so PDV boundaries cut through element headers (PS3.8 E.1 note 2).
      const whole = Buffer.concat(elements);
      const chunks: Uint8Array[] = [];
      for (let p = 0, n = 1; p < whole.length; p += n, n = (n * 7 + 13) % 50_001)
        chunks.push(whole.subarray(p, p + n));
      const s = await Session.open();
      try {
        const command = encodeCommand(
          cStoreRq({ messageId: 20 + i, affectedSopClassUid: SC, affectedSopInstanceUid: uid }),
        );
        const peerMaxPduLength = s.peerMax - 1;
        for await (const pdu of fragmentMessage({
          contextId: 3,
          command,
          dataset: chunks,
          peerMaxPduLength,
          ...options,
        })) {
          await s.write(pdu);
        }
        const rsp = await s.response();
        expect(rsp).toMatchObject({
          commandField: 0x8001,
          messageIdBeingRespondedTo: 20 + i,
          affectedSopInstanceUid: uid,
        });
        expect(classifyStatus(rsp.status!)).toBe('success');
        await s.release();
      } finally {
        s.destroy();
      }
      const file = readdirSync(dir).find((f) => f.endsWith(uid));
      expect(file).toBeDefined();
      expect(sameBytes(datasetOfFile(path.join(dir, file!)), whole)).toBe(true);
    });
  });
});
