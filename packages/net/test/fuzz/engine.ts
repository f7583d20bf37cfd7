/**
 * Decoder fuzzing shared by the bounded CI test (pdu-decoder.fuzz.test.ts) and the long run
 * (scripts/fuzz-pdu.ts). Inputs are random bytes and mutations (bit flips, truncation, length-field
 * lies, splices) of the golden and round-trip corpus. The property: decodePdu, decodePDataPdvs and
 * the framer return a value or throw PduDecodeError, never another error; a decoded PDU re-encodes
 * (or fails with PduEncodeError) and decodes back to itself.
 */
import { isDeepStrictEqual } from 'node:util';
import { PduDecodeError } from '../../src/errors.js';
import {
  createPduFramer,
  decodePDataPdvs,
  decodePdu,
  encodePdu,
  type Pdu,
  PduEncodeError,
} from '../../src/pdu/index.js';
import { loadGoldens, prng, randomPdu, samplePdus } from '../pdu/fixtures.js';

export interface FuzzFailure {
  readonly seed: number;
  readonly iteration: number;
  readonly input: string;
  readonly error: unknown;
}

export function buildCorpus(seed: number): Uint8Array[] {
  const rand = prng(seed);
  const corpus = [...loadGoldens().map((g) => g.bytes), ...samplePdus.map((p) => encodePdu(p))];
  for (let i = 0; i < 40; i++) corpus.push(encodePdu(randomPdu(rand)));
  return corpus;
}

function mutate(input: Uint8Array, rand: () => number, corpus: readonly Uint8Array[]): Uint8Array {
  const int = (n: number): number => Math.floor(rand() * n);
  let out = Uint8Array.from(input);
  const rounds = 1 + int(4);
  for (let r = 0; r < rounds; r++) {
    const view = new DataView(out.buffer);
    switch (int(8)) {
      case 0: // bit flips
        for (let k = 1 + int(8); k > 0 && out.length > 0; k--) {
          const at = int(out.length);
          out[at] = (out[at] ?? 0) ^ (1 << int(8));
        }
        break;
      case 1: // truncation
        out = out.subarray(0, int(out.length + 1));
        break;
      case 2: // PDU length lie
        if (out.length >= 6) {
          const lies = [
            0,
            1,
            3,
            4,
            5,
            0xffff_ffff,
            0x7fff_ffff,
            out.length - 6 + 1,
            out.length - 6 - 1,
            int(0x1_0000_0000),
          ];
          view.setUint32(2, (lies[int(lies.length)] ?? 0) >>> 0);
        }
        break;
      case 3: // 16-bit item length lie at a random offset
        if (out.length >= 2) {
          const lies = [0, 1, 2, 3, 0xffff, int(0x10000)];
          view.setUint16(int(out.length - 1), lies[int(lies.length)] ?? 0);
        }
        break;
      case 4: // 32-bit PDV length lie
        if (out.length >= 4)
          view.setUint32(int(out.length - 3), [0, 1, 2, 0xffff_ffff, int(0x1_0000_0000)][int(5)] ?? 0);
        break;
      case 5: {
        // append garbage or another PDU
        const tail = rand() < 0.5 ? (corpus[int(corpus.length)] ?? new Uint8Array(0)) : randomBytes(rand, 16);
        const joined = new Uint8Array(out.length + tail.length);
        joined.set(out);
        joined.set(tail, out.length);
        out = joined;
        break;
      }
      case 6: // set a byte to an interesting value (item/PDU types, context IDs)
        if (out.length > 0)
          out[int(out.length)] =
            [0, 1, 2, 0x10, 0x20, 0x21, 0x30, 0x40, 0x50, 0x51, 0x54, 0x58, 0x59, 0xff][int(14)] ?? 0;
        break;
      default: {
        // splice a slice of another input in
        const other = corpus[int(corpus.length)] ?? new Uint8Array(0);
        const from = int(other.length + 1);
        const slice = other.subarray(from, from + int(64));
        const at = int(out.length + 1);
        const joined = new Uint8Array(out.length + slice.length);
        joined.set(out.subarray(0, at));
        joined.set(slice, at);
        joined.set(out.subarray(at), at + slice.length);
        out = joined;
        break;
      }
    }
  }
  return out;
}

function randomBytes(rand: () => number, max: number): Uint8Array {
  const out = new Uint8Array(Math.floor(rand() * (max + 1)));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

function expectDecodeError(err: unknown): void {
  if (!(err instanceof PduDecodeError)) throw err;
}

/** Decode, then re-encode and decode again: the second decode must equal the first. */
function checkDecoded(pdu: Pdu): void {
  let encoded: Uint8Array;
  try {
    encoded = encodePdu(pdu);
  } catch (err) {
    if (err instanceof PduEncodeError) return;
    throw err;
  }
  const again = decodePdu(encoded);
  if (!isDeepStrictEqual(normalize(again), normalize(pdu)))
    throw new Error('re-encoded PDU decodes differently');
}

/** Views and copies of the same bytes compare equal once both are plain arrays. */
function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = normalize(v);
    return out;
  }
  return value;
}

/** One input through every entry point. Throws on a property violation. */
export function checkInput(input: Uint8Array, rand: () => number): void {
  try {
    const pdu = decodePdu(input);
    checkDecoded(pdu);
  } catch (err) {
    expectDecodeError(err);
  }
  if (input[0] === 0x04) {
    try {
      decodePDataPdvs(input);
    } catch (err) {
      expectDecodeError(err);
    }
  }
  const framer = createPduFramer({
    maxPduLength: rand() < 0.5 ? 0 : Math.floor(rand() * 70000),
    leniencyBytes: Math.floor(rand() * 100),
    maxAssociatePduLength: rand() < 0.5 ? undefined : Math.floor(rand() * 20000),
  });
  try {
    for (let at = 0; at < input.length; ) {
      const size = 1 + Math.floor(rand() * 64);
      framer.push(input.subarray(at, at + size));
      at += size;
      for (let raw = framer.next(); raw !== undefined; raw = framer.next()) {
        if (raw.bytes[0] !== raw.pduType) throw new Error('framed PDU type mismatch');
        try {
          decodePdu(raw.bytes);
        } catch (err) {
          expectDecodeError(err);
        }
      }
    }
  } catch (err) {
    expectDecodeError(err);
  }
}

/** Runs `iterations` inputs (or until `deadline` ms since epoch); returns the first failure, if any. */
export function fuzz(
  seed: number,
  iterations: number,
  deadline = Number.POSITIVE_INFINITY,
): FuzzFailure | undefined {
  const rand = prng(seed);
  const corpus = buildCorpus(seed);
  for (let i = 0; i < iterations && (i % 256 !== 0 || Date.now() < deadline); i++) {
    const input =
      rand() < 0.1
        ? randomBytes(rand, 200)
        : mutate(corpus[Math.floor(rand() * corpus.length)] ?? new Uint8Array(0), rand, corpus);
    try {
      checkInput(input, rand);
    } catch (error) {
      return { seed, iteration: i, input: Buffer.from(input).toString('hex'), error };
    }
  }
  return undefined;
}
