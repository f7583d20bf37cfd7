/**
 * Registers this package's codecs with @hnvue/dicom's codec registry, so that "which codec
 * serves this transfer syntax" is asked in one place. Imported for its effect by lib/index.ts.
 * JPEG 2000 registers the backend that loaded: the addon when it was built with OpenJPEG, the
 * WebAssembly build (@cornerstonejs/codec-openjpeg) always as the fallback.
 */
import { registerCodec, TS } from '@hnvue/dicom';
import { defaultJ2kBackend } from './j2k.js';
import { nativeBinding } from './native.js';

/**
 * A library codec: the addon's build when it linked the library, its WebAssembly build always
 * (priority 1, the fallback). `nativeEncode` false leaves encoding to WebAssembly.
 */
function registerLibrary(
  uid: string,
  name: string,
  native: boolean,
  encode: boolean,
  limits: string,
  nativeEncode = encode,
  nativeDecode = true,
): void {
  if (native)
    registerCodec({
      transferSyntax: uid,
      name,
      backend: 'native',
      decode: nativeDecode,
      encode: nativeEncode,
      limits,
    });
  registerCodec({ transferSyntax: uid, name, backend: 'wasm', decode: true, encode, priority: 1, limits });
}

export function registerNativeCodecs(): void {
  const binding = nativeBinding();
  const addon = binding !== undefined;
  for (const uid of [TS.jpegLossless, TS.jpegLosslessSv1]) {
    // Without the addon, lib/jpeg-lossless-ts.ts decodes (TypeScript); encoding needs the addon.
    registerCodec({
      transferSyntax: uid,
      name: 'hnvue-jpeg-lossless',
      backend: addon ? 'native' : 'js',
      decode: true,
      encode: addon,
      limits: addon
        ? '2–16 bits, 1 or 3 samples'
        : '2–16 bits, 1 or 3 samples; decode only (addon not loaded)',
    });
  }
  const j2kNative = defaultJ2kBackend() === 'native';
  for (const uid of [TS.jpeg2000Lossless, TS.jpeg2000]) {
    if (j2kNative) {
      registerCodec({ transferSyntax: uid, name: 'openjpeg', backend: 'native', decode: true, encode: true });
    }
    registerCodec({
      transferSyntax: uid,
      name: 'openjpeg',
      backend: 'wasm',
      decode: true,
      encode: true,
      priority: 1,
      ...(uid === TS.jpeg2000 ? { limits: 'encodes reversibly (5/3) only' } : {}),
    });
  }
  registerCodec({
    transferSyntax: TS.rleLossless,
    name: 'hnvue-rle',
    backend: 'js',
    decode: true,
    encode: true,
    limits: '8, 16 or 32 bits allocated, 1 or 3 samples',
  });
  const charls = binding?.hasCharls === true;
  registerLibrary(TS.jpegLsLossless, 'charls', charls, true, '2–16 bits, 1 or 3 samples');
  registerLibrary(
    TS.jpegLsNearLossless,
    'charls',
    charls,
    true,
    '2–16 bits; encodes only with allowLossy (NEAR 2 by default)',
  );
  const libjpeg = binding?.hasLibjpeg === true;
  registerLibrary(
    TS.jpegBaseline,
    'libjpeg-turbo',
    libjpeg,
    true,
    '8-bit; encodes only with allowLossy, 4:4:4',
  );
  registerLibrary(
    TS.jpegExtended,
    'libjpeg-turbo',
    libjpeg,
    true,
    '8-bit precision (Process 2); encodes baseline, only with allowLossy',
  );
  // 12-bit (Process 4): GDCM's 12-bit IJG build in the addon decodes and encodes; without it our
  // TypeScript decoder (lib/jpeg12-ts.ts) decodes, and encoding is refused. Registered at the
  // 8-bit decoder's priority: the two serve different streams (P 8, P 12), neither is the other's
  // fallback, so `hnvue doctor` names both.
  const priority = libjpeg ? 0 : 1;
  if (binding?.hasJpeg12 === true) {
    registerCodec({
      transferSyntax: TS.jpegExtended,
      name: 'gdcm-ijg12',
      backend: 'native',
      decode: true,
      encode: true,
      priority,
      limits: '12-bit precision (Process 4); encodes unsigned 9–12 bits only with allowLossy',
    });
  } else {
    registerCodec({
      transferSyntax: TS.jpegExtended,
      name: 'hnvue-jpeg12',
      backend: 'js',
      decode: true,
      encode: false,
      priority,
      limits: '12-bit precision (Process 4); decode only (addon without libgdcmjpeg12)',
    });
  }
  // Native OpenJPH 0.9.0 encodes; it aborts the process on some malformed streams, so it is not
  // registered as a decoder.
  const openjph = binding?.hasOpenJph === true;
  registerLibrary(TS.htj2kLossless, 'openjph', openjph, true, '1–16 bits, reversible', true, false);
  registerLibrary(
    TS.htj2kLosslessRpcl,
    'openjph',
    openjph,
    true,
    '1–16 bits; .202 encoded by the wasm build (TLM markers)',
    false,
    false,
  );
  registerLibrary(
    TS.htj2k,
    'openjph',
    openjph,
    true,
    '1–16 bits; encodes reversibly, only with allowLossy',
    true,
    false,
  );
  // Decoding defaults to OpenJPEG in WebAssembly (lib/htj2k.ts: the one decoder that survived the
  // fuzz runs); OpenJPH decodes only on request with trustedInput.
  for (const uid of [TS.htj2kLossless, TS.htj2kLosslessRpcl, TS.htj2k]) {
    registerCodec({
      transferSyntax: uid,
      name: 'openjpeg',
      backend: 'wasm',
      decode: true,
      encode: false,
      limits: '1–16 bits',
    });
  }
}

registerNativeCodecs();
