import { HnvError, type HnvErrorOptions } from '@hnvue/core';

/**
 * Stable codes of @hnvue/native. Callers switch on `code`, never on the message; messages name
 * sizes, transfer syntax UIDs and markers, never dataset values (NFR-SEC-01).
 */
export const CODEC_ERROR_CODES = {
  /** The compressed bytes are malformed or truncated. */
  corrupt: 'HNV_ERR_CODEC_CORRUPT',
  /** Valid input that this codec does not handle (a lossy process, subsampling, a TS we lack). */
  unsupported: 'HNV_ERR_CODEC_UNSUPPORTED',
  /** The needed codec backend is not available (the native addon did not load). */
  unavailable: 'HNV_ERR_CODEC_UNAVAILABLE',
  /** The target transfer syntax is lossy and the caller did not pass `allowLossy: true`. */
  lossyNotAllowed: 'HNV_ERR_LOSSY_NOT_ALLOWED',
  /** Geometry or buffer sizes that do not describe a frame. */
  invalidArgument: 'HNV_ERR_CODEC_INVALID_ARGUMENT',
  /** Allocation failed inside a codec. */
  resource: 'HNV_ERR_CODEC_RESOURCE',
  /** A codec failed in a way that is a bug on our side. */
  internal: 'HNV_ERR_CODEC_INTERNAL',
} as const;

export type CodecErrorCode = (typeof CODEC_ERROR_CODES)[keyof typeof CODEC_ERROR_CODES];

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(CODEC_ERROR_CODES));

/** Every failure of an encode, decode or (de)encapsulation. */
export class CodecError extends HnvError {
  declare readonly code: CodecErrorCode;
  constructor(code: CodecErrorCode, message: string, options: HnvErrorOptions = {}) {
    super(code, message, options);
  }
}

/** Maps an error thrown by the addon or the WebAssembly module onto a CodecError. */
export function toCodecError(err: unknown, context: string): CodecError {
  if (err instanceof CodecError) return err;
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && KNOWN_CODES.has(code)) {
      return new CodecError(code as CodecErrorCode, err.message, { cause: err });
    }
    if (err instanceof TypeError) {
      return new CodecError(CODEC_ERROR_CODES.invalidArgument, `${context}: ${err.message}`, { cause: err });
    }
    return new CodecError(CODEC_ERROR_CODES.corrupt, `${context}: ${err.message}`, { cause: err });
  }
  // Emscripten throws a bare number (an exception pointer) when the C++ side throws.
  return new CodecError(CODEC_ERROR_CODES.corrupt, `${context}: the codec rejected the data`, {
    details: { thrown: typeof err },
  });
}
