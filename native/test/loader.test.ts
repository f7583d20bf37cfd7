import { afterEach, describe, expect, it, vi } from 'vitest';
import { frameInfo, syntheticFrame } from './helpers/images.js';

// The loader never throws at import: HNVUE_NATIVE=0 and a missing build both fall back.
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  vi.resetModules();
});

async function freshImport() {
  vi.resetModules();
  return import('../lib/index.js');
}

describe('native loader', () => {
  it('FR-DICOM-04.codec: HNVUE_NATIVE=0 forces the fallbacks: J2K through WebAssembly, JPEG Lossless unavailable', async () => {
    vi.stubEnv('HNVUE_NATIVE', '0');
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const lib = await freshImport();
    expect(lib.nativeStatus().kind).toBe('disabled');
    expect(lib.defaultJ2kBackend()).toBe('wasm');
    const info = frameInfo(9, 8, 16, 12);
    const px = syntheticFrame(info, 1, 0.3);
    const j2k = await lib.encodeFrame(px, info, lib.TransferSyntax.jpeg2000Lossless);
    expect(Array.from(await lib.decodeFrame(j2k, info, lib.TransferSyntax.jpeg2000Lossless))).toEqual(
      Array.from(px),
    );
    const err = await lib.encodeFrame(px, info, lib.TransferSyntax.jpegLosslessSv1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(lib.CodecError);
    expect((err as InstanceType<typeof lib.CodecError>).code).toBe(lib.CODEC_ERROR_CODES.unavailable);
    expect((err as InstanceType<typeof lib.CodecError>).hint).toContain('HNVUE_NATIVE');
    expect(warn).not.toHaveBeenCalled();
  });

  it('FR-DICOM-04.codec: a missing build warns once and falls back without throwing', async () => {
    vi.stubEnv('HNVUE_NATIVE', undefined);
    vi.stubEnv('HNVUE_NATIVE_PATH', '/nonexistent/hnvue_native.node');
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const lib = await freshImport();
    const status = lib.nativeStatus();
    expect(status.kind).toBe('missing');
    lib.nativeStatus();
    expect(lib.defaultJ2kBackend()).toBe('wasm');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('build:native');
    const info = frameInfo(3, 3, 8, 8);
    // Decoding has a TypeScript fallback now; encoding JPEG Lossless still needs the addon.
    const err = (await lib.encodeFrame(new Uint8Array(9), info, lib.TransferSyntax.jpegLosslessSv1).then(
      () => undefined,
      (e: unknown) => e,
    )) as InstanceType<typeof lib.CodecError>;
    expect(err.code).toBe(lib.CODEC_ERROR_CODES.unavailable);
    expect(err.hint).toContain('build:native');
  });

  it('FR-DICOM-04.codec: a present build loads with OpenJPEG', async () => {
    vi.stubEnv('HNVUE_NATIVE', undefined);
    const lib = await freshImport();
    const status = lib.nativeStatus();
    expect(status.kind).toBe('loaded');
    if (status.kind === 'loaded') expect(status.openJpeg).toMatch(/^2\./);
  });
});
