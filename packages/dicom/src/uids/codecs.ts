/**
 * Which codec serves which transfer syntax: codecs register themselves here (the native addon,
 * its WebAssembly fallbacks, TypeScript codecs); everything else asks. The registry holds no
 * codec of its own and imports none, so the data model stays a leaf package.
 */
import { transferSyntax } from './transfer-syntax.js';

/** Where a codec's code runs: the C++ addon, a WebAssembly build, or TypeScript. */
export type CodecBackend = 'native' | 'wasm' | 'js';

/** What a registered codec can do for one transfer syntax. */
export interface CodecRegistration {
  /** The transfer syntax served. */
  readonly transferSyntax: string;
  /** A short, stable name of the implementation (`openjpeg`, `charls`, `hnvue-jpeg-lossless`). */
  readonly name: string;
  readonly backend: CodecBackend;
  readonly decode: boolean;
  readonly encode: boolean;
  /** Lower runs first when several codecs serve the same syntax (native before its fallback). */
  readonly priority?: number;
  /** Limits of the implementation in words, for errors and the conformance statement. */
  readonly limits?: string;
}

const registered: CodecRegistration[] = [];

/**
 * Registers a codec for a transfer syntax. Registering the same (syntax, name, backend) again
 * replaces the earlier entry, so a module evaluated twice (tests) does not list itself twice.
 */
export function registerCodec(codec: CodecRegistration): void {
  if (transferSyntax(codec.transferSyntax) === undefined) {
    throw new TypeError(`registerCodec: ${codec.transferSyntax} is not a transfer syntax of PS3.6`);
  }
  const i = registered.findIndex(
    (c) => c.transferSyntax === codec.transferSyntax && c.name === codec.name && c.backend === codec.backend,
  );
  if (i >= 0) registered.splice(i, 1, codec);
  else registered.push(codec);
}

/** The codecs registered for a syntax, best first; filtered to those that can `direction`. */
export function codecsFor(uid: string, direction?: 'decode' | 'encode'): readonly CodecRegistration[] {
  return registered
    .filter((c) => c.transferSyntax === uid && (direction === undefined || c[direction]))
    .sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
}

/** Every registration, in the order made: for `hnvue doctor` and the conformance statement. */
export function registeredCodecs(): readonly CodecRegistration[] {
  return [...registered];
}
