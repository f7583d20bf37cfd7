/**
 * Where the upper layer's PDUs come from (PS3.8 9.3): the TypeScript framer (pdu/framer.ts), or
 * the native PDU path (@hnvue/native NativePduStream: one addon call frames a whole socket read
 * and splits its PDVs; native/README.md, "PDU framing"). Opt-in: `framing.nativePdu` or HNVUE_NATIVE_PDU=1, and
 * only when the loaded addon has it; otherwise TypeScript. Both give the same PDUs, PDVs and
 * errors (native/test/framer-diff-chunk.test.ts).
 */
import { NativePduDecodeError, NativePduStream, nativeChunkFramingAvailable } from '@hnvue/native';
import { PduDecodeError } from '../errors.js';
import { createPduFramer, type PduFramerOptions } from '../pdu/framer.js';
import type { Pdv } from '../pdu/types.js';

/** One framed PDU as views of the reads it arrived in; see RawPduParts. */
export interface FramedPdu {
  readonly pduType: number;
  readonly parts: readonly Uint8Array[];
  readonly length: number;
  /** A P-DATA-TF's PDVs when the source already split them (the native path, within one read). */
  readonly pdvs?: readonly Pdv[];
  /** Why those PDVs could not be split (what decodePDataPdvs would throw). */
  readonly pdvError?: PduDecodeError;
}

export interface PduSource {
  /** Which implementation frames: for diagnostics and the benchmarks. */
  readonly kind: 'typescript' | 'native';
  push(chunk: Uint8Array): void;
  /** Throws PduDecodeError for a header that fails its check, as PduFramer.next(). */
  next(): FramedPdu | undefined;
  reset(): void;
}

/** True when HNVUE_NATIVE_PDU=1 asks for the native PDU path (benchmarks, tests). */
export function nativePduRequested(): boolean {
  return process.env.HNVUE_NATIVE_PDU === '1';
}

export function createPduSource(options: PduFramerOptions & { readonly native?: boolean }): PduSource {
  const { native, ...framerOptions } = options;
  if ((native ?? nativePduRequested()) && nativeChunkFramingAvailable()) {
    return nativeSource(new NativePduStream(framerOptions));
  }
  const framer = createPduFramer(framerOptions);
  return {
    kind: 'typescript',
    push: (chunk) => framer.push(chunk),
    next: () => framer.nextParts(),
    reset: () => framer.reset(),
  };
}

function nativeSource(stream: NativePduStream): PduSource {
  return {
    kind: 'native',
    push: (chunk) => stream.push(chunk),
    next: () => {
      let framed: ReturnType<NativePduStream['next']>;
      try {
        framed = stream.next();
      } catch (err) {
        throw err instanceof NativePduDecodeError ? toPduDecodeError(err) : err;
      }
      if (framed?.pdvError === undefined) return framed;
      return { ...framed, pdvError: toPduDecodeError(framed.pdvError) };
    },
    reset: () => stream.reset(),
  };
}

/** The native error as net's (same message, same PS3.8 Table 9-26 reason). */
function toPduDecodeError(err: NativePduDecodeError): PduDecodeError {
  return new PduDecodeError(err.message, err.abortReason);
}
