/**
 * `hnvue render` (issue 18 item 3): grayscale images become grayscale PNGs (PNG colour type 0)
 * with the window applied, an 8-bit RGB image an RGB PNG; a compressed file renders exactly as its
 * uncompressed original; `--frame` picks one frame of a multi-frame image.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { concatBytes, encodePart10Header, parsePart10File, TS } from '@hnvue/dicom';
import { transcodeDataset } from '@hnvue/net';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { frameInfo, syntheticFrame } from '../../../native/test/helpers/images.js';
import { writePart10 } from '../../../native/test/helpers/part10.js';
import { tempDir } from '../../../native/test/helpers/tools.js';
import { EXIT_CODES, main } from '../src/index.js';
import { context } from './helpers/context.js';

const dir = tempDir('cli-render');
afterAll(() => dir.remove());

const GRAY = frameInfo(20, 30, 16, 12);
const frames = [0, 1, 2].map((i) => syntheticFrame(GRAY, 40 + i, 0.3));

function file(name: string, pixels: Uint8Array, info = GRAY, numberOfFrames = 1): string {
  const path = dir.file(name);
  writePart10(path, {
    info,
    transferSyntaxUid: TS.explicitVrLittleEndian,
    pixelData: pixels,
    encapsulated: false,
    numberOfFrames,
  });
  return path;
}

/** The same file with its data set transcoded by our codecs to `ts`. */
async function compressed(source: string, ts: string, name: string): Promise<string> {
  const part10 = parsePart10File(new Uint8Array(readFileSync(source)));
  const dataset = concatBytes(await transcodeDataset(part10.dataset, part10.datasetTransferSyntax, ts));
  const header = encodePart10Header({
    mediaStorageSopClassUid: part10.meta.mediaStorageSopClassUid,
    mediaStorageSopInstanceUid: part10.meta.mediaStorageSopInstanceUid,
    transferSyntaxUid: ts,
    implementationClassUid: '1.2.3.4',
  });
  const out = dir.file(name);
  writeFileSync(out, Buffer.concat([header, dataset]));
  return out;
}

async function pngPixels(path: string): Promise<{ data: Buffer; channels: number; colourType: number }> {
  const png = readFileSync(path);
  // IHDR's colour type: 0 grayscale, 2 RGB (PNG 11.2.2); libvips reads a grey PNG as b-w.
  const colourType = png[25]!;
  const image = colourType === 0 ? sharp(png).toColourspace('b-w') : sharp(png);
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { data, channels: info.channels, colourType };
}

/** The window of PS3.3 C.11.2.1.2.1 computed here, independently of the CLI. */
function windowed(px: Uint8Array, center: number, width: number): Uint8Array {
  const out = new Uint8Array(px.length / 2);
  for (let i = 0; i < out.length; i++) {
    const x = px[2 * i]! | (px[2 * i + 1]! << 8);
    const y =
      x <= center - 0.5 - (width - 1) / 2
        ? 0
        : x > center - 0.5 + (width - 1) / 2
          ? 255
          : ((x - (center - 0.5)) / (width - 1) + 0.5) * 255;
    out[i] = Math.round(Math.min(255, Math.max(0, y)));
  }
  return out;
}

describe('hnvue render', () => {
  it('NFR-OBS-01: a 12-bit grayscale image becomes a grayscale PNG with the window applied', async () => {
    const src = file('gray.dcm', frames[0]!);
    const ctx = context();
    expect(await main(['render', src, dir.file('gray.png'), '--wc', '2000', '--ww', '3000'], ctx)).toBe(
      EXIT_CODES.ok,
    );
    const png = await pngPixels(dir.file('gray.png'));
    expect(png.colourType).toBe(0);
    expect(png.channels).toBe(1);
    expect(Buffer.from(png.data).equals(Buffer.from(windowed(frames[0]!, 2000, 3000)))).toBe(true);
  });

  it('FR-DICOM-04.transcode: a JPEG Lossless, JPEG 2000 or RLE file renders exactly as its uncompressed original', async () => {
    const src = file('plain.dcm', frames[0]!);
    await main(['render', src, dir.file('plain.png'), '--wc', '2000', '--ww', '3000'], context());
    const reference = (await pngPixels(dir.file('plain.png'))).data;
    for (const ts of [TS.jpegLosslessSv1, TS.jpeg2000Lossless, TS.rleLossless, TS.jpegLsLossless]) {
      const path = await compressed(src, ts, `c-${ts}.dcm`);
      const ctx = context();
      expect(
        await main(['render', path, dir.file(`c-${ts}.png`), '--wc', '2000', '--ww', '3000'], ctx),
        ctx.stderr(),
      ).toBe(EXIT_CODES.ok);
      expect((await pngPixels(dir.file(`c-${ts}.png`))).data.equals(reference), ts).toBe(true);
    }
  });

  it('NFR-OBS-01: --frame picks one frame of a multi-frame image; a frame that does not exist is a typed error', async () => {
    const src = file('multi.dcm', Buffer.concat(frames), GRAY, 3);
    expect(
      await main(
        ['render', src, dir.file('f1.png'), '--frame', '1', '--wc', '2000', '--ww', '3000'],
        context(),
      ),
    ).toBe(EXIT_CODES.ok);
    expect(
      (await pngPixels(dir.file('f1.png'))).data.equals(Buffer.from(windowed(frames[1]!, 2000, 3000))),
    ).toBe(true);
    const ctx = context();
    expect(await main(['render', src, dir.file('f9.png'), '--frame', '9'], ctx)).not.toBe(EXIT_CODES.ok);
    expect(ctx.stderr()).toMatch(/HNV_ERR_RENDER: frame 9 does not exist: the image has 3/);
  });

  it('NFR-OBS-01: an 8-bit RGB image becomes an RGB PNG with its samples', async () => {
    const rgbInfo = frameInfo(10, 12, 8, 8, false, 3, 0);
    const px = syntheticFrame(rgbInfo, 5, 0.3);
    const src = file('rgb.dcm', px, rgbInfo);
    expect(await main(['render', src, dir.file('rgb.png')], context())).toBe(EXIT_CODES.ok);
    const png = await pngPixels(dir.file('rgb.png'));
    expect(png.colourType).toBe(2);
    expect(png.data.equals(Buffer.from(px))).toBe(true);
  });
});
