import { codecsFor, TS } from '@hnvue/dicom';
import { describe, expect, it } from 'vitest';
import {
  defaultJ2kBackend,
  isEncapsulatedTransferSyntax,
  isNativeTransferSyntax,
  nativeStatus,
} from '../lib/index.js';

describe('codec registration with @hnvue/dicom', () => {
  it('registers JPEG Lossless .57/.70, JPEG 2000 .90/.91 and RLE decode', () => {
    const loaded = nativeStatus().kind === 'loaded';
    for (const uid of [TS.jpegLossless, TS.jpegLosslessSv1]) {
      expect(codecsFor(uid).map((c) => c.name)).toEqual(['hnvue-jpeg-lossless']);
      // Decoded by the addon, or without it by the TypeScript port; encoded only by the addon.
      expect(codecsFor(uid, 'decode').map((c) => c.backend)).toEqual([loaded ? 'native' : 'js']);
      expect(codecsFor(uid, 'encode').length).toBe(loaded ? 1 : 0);
    }
    for (const uid of [TS.jpeg2000Lossless, TS.jpeg2000]) {
      const backends = codecsFor(uid, 'decode').map((c) => c.backend);
      expect(backends).toEqual(defaultJ2kBackend() === 'native' ? ['native', 'wasm'] : ['wasm']);
    }
    expect(codecsFor(TS.rleLossless, 'decode').map((c) => c.name)).toEqual(['hnvue-rle']);
    expect(codecsFor(TS.rleLossless, 'encode').map((c) => c.name)).toEqual(['hnvue-rle']);
  });

  it('registers CharLS, libjpeg-turbo and OpenJPH: the addon build first when it linked them, WebAssembly always', () => {
    const status = nativeStatus();
    const libs = status.kind === 'loaded' ? status : undefined;
    const cases: readonly [string, string, boolean | undefined, boolean, boolean, boolean][] = [
      // uid, name, addon has the library, encodes (wasm), encodes (native), decodes (native)
      [TS.jpegLsLossless, 'charls', libs?.charls !== undefined, true, true, true],
      [TS.jpegLsNearLossless, 'charls', libs?.charls !== undefined, true, true, true],
      [TS.jpegBaseline, 'libjpeg-turbo', libs?.libjpeg, true, true, true],
      [TS.htj2kLossless, 'openjph', libs?.openJph !== undefined, true, true, false],
      [TS.htj2kLosslessRpcl, 'openjph', libs?.openJph !== undefined, true, false, false],
      [TS.htj2k, 'openjph', libs?.openJph !== undefined, true, true, false],
    ];
    for (const [uid, name, native, encodes, nativeEncodes, nativeDecodes] of cases) {
      const decoders = codecsFor(uid, 'decode');
      const nativeDecoder = native === true && nativeDecodes;
      // HTJ2K decodes through OpenJPEG (WebAssembly) first, OpenJPH's WebAssembly build second.
      const first = name === 'openjph' ? ['openjpeg'] : nativeDecoder ? [name] : [];
      expect(decoders.map((c) => c.name)).toEqual([...first, name]);
      expect(decoders.map((c) => c.backend)).toEqual([
        ...(nativeDecoder ? ['native'] : first.map(() => 'wasm')),
        'wasm',
      ]);
      const encoders = codecsFor(uid, 'encode').map((c) => c.backend);
      const want = [...(native === true && nativeEncodes ? ['native'] : []), ...(encodes ? ['wasm'] : [])];
      expect(encoders).toEqual(want);
    }
  });

  it('FR-DICOM-04.codec: registers JPEG .51 through libjpeg-turbo (8-bit) and GDCM libgdcmjpeg12 when the addon linked it, else the TypeScript 12-bit decoder (decode only)', () => {
    const status = nativeStatus();
    const libs = status.kind === 'loaded' ? status : undefined;
    const ijg = libs?.jpeg12 === true;
    const turbo = libs?.libjpeg === true;
    const twelve = ijg ? 'gdcm-ijg12/native' : 'hnvue-jpeg12/js';
    // The 12-bit codec sits at the 8-bit decoder's priority (0 with native libjpeg-turbo, else 1).
    const decoders = turbo
      ? ['libjpeg-turbo/native', twelve, 'libjpeg-turbo/wasm']
      : ['libjpeg-turbo/wasm', twelve];
    expect(codecsFor(TS.jpegExtended, 'decode').map((c) => `${c.name}/${c.backend}`)).toEqual(decoders);
    expect(codecsFor(TS.jpegExtended, 'encode').map((c) => `${c.name}/${c.backend}`)).toEqual(
      decoders.filter((d) => d !== 'hnvue-jpeg12/js'),
    );
    const entry = codecsFor(TS.jpegExtended).find((c) => c.name === (ijg ? 'gdcm-ijg12' : 'hnvue-jpeg12'));
    expect(entry?.limits).toBe(
      ijg
        ? '12-bit precision (Process 4); encodes unsigned 9–12 bits only with allowLossy'
        : '12-bit precision (Process 4); decode only (addon without libgdcmjpeg12)',
    );
  });

  it('answers "ours" from the registries', () => {
    expect(isEncapsulatedTransferSyntax(TS.jpeg2000)).toBe(true);
    expect(isEncapsulatedTransferSyntax('1.2.840.10008.1.2.4.110')).toBe(false); // JPEG XL: no codec
    expect(isEncapsulatedTransferSyntax(TS.jpegBaseline)).toBe(true);
    expect(isNativeTransferSyntax(TS.explicitVrLittleEndian)).toBe(true);
    expect(isNativeTransferSyntax(TS.explicitVrBigEndian)).toBe(false); // re-encoded before us
  });
});
