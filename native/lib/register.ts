/**
 * Registers this package's codecs with @hnvue/dicom's codec registry, so that "which codec
 * serves this transfer syntax" is asked in one place. Imported for its effect by lib/index.ts.
 * JPEG 2000 registers the backend that loaded: the addon when it was built with OpenJPEG, the
 * WebAssembly build (@cornerstonejs/codec-openjpeg) always as the fallback.
 */
import { registerCodec, TS } from '@hnvue/dicom';
import { defaultJ2kBackend } from './j2k.js';
import { nativeBinding } from './native.js';

export function registerNativeCodecs(): void {
  const addon = nativeBinding() !== undefined;
  for (const uid of [TS.jpegLossless, TS.jpegLosslessSv1]) {
    registerCodec({
      transferSyntax: uid,
      name: 'hnvue-jpeg-lossless',
      backend: 'native',
      decode: addon,
      encode: addon,
      limits: addon ? '2–16 bits, 1 or 3 samples' : 'addon not loaded',
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
}

registerNativeCodecs();
