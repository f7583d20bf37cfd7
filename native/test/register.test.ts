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
      expect(codecsFor(uid, 'decode').length).toBe(loaded ? 1 : 0);
    }
    for (const uid of [TS.jpeg2000Lossless, TS.jpeg2000]) {
      const backends = codecsFor(uid, 'decode').map((c) => c.backend);
      expect(backends).toEqual(defaultJ2kBackend() === 'native' ? ['native', 'wasm'] : ['wasm']);
    }
    expect(codecsFor(TS.rleLossless, 'decode').map((c) => c.name)).toEqual(['hnvue-rle']);
    expect(codecsFor(TS.rleLossless, 'encode').map((c) => c.name)).toEqual(['hnvue-rle']);
  });

  it('answers "ours" from the registries', () => {
    expect(isEncapsulatedTransferSyntax(TS.jpeg2000)).toBe(true);
    expect(isEncapsulatedTransferSyntax(TS.jpegBaseline)).toBe(false); // no codec registered
    expect(isNativeTransferSyntax(TS.explicitVrLittleEndian)).toBe(true);
    expect(isNativeTransferSyntax(TS.explicitVrBigEndian)).toBe(false); // re-encoded before us
  });
});
