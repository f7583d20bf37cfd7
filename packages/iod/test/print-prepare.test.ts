import { describe, expect, it } from 'vitest';
import { PrintPrepareError, preparePrintImage } from '../src/index.js';

/** A 12-bit DX-like image as a naturalized data set (native pixel data). */
function image(rows: number, columns: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const px = new Uint16Array(rows * columns);
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < columns; x++)
      px[y * columns + x] = Math.min(4095, Math.round((x * 4000) / (columns - 1)) + y);
  return {
    Rows: rows,
    Columns: columns,
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    PixelData: [px.buffer],
    ...extra,
  };
}

// Independent reference: PS3.3 C.11.2.1.2.1 written out, plain loops.
function reference(
  ds: Record<string, unknown>,
  max: number,
  c: number,
  w: number,
  invert: boolean,
): number[] {
  const src = new Uint16Array((ds.PixelData as ArrayBuffer[])[0] as ArrayBuffer);
  const out: number[] = [];
  for (const v of src) {
    const s = v & 0x0fff;
    let y: number;
    if (s <= c - 0.5 - (w - 1) / 2) y = 0;
    else if (s > c - 0.5 + (w - 1) / 2) y = max;
    else y = ((s - (c - 0.5)) / (w - 1) + 0.5) * max;
    const r = Math.round(Math.min(max, Math.max(0, y)));
    out.push(invert ? max - r : r);
  }
  return out;
}

describe('print image preparation (FR-DICOM-11)', () => {
  it('FR-DICOM-11: window center/width, 8-bit, placed in a larger box with the border density', async () => {
    const ds = image(20, 40, { WindowCenter: '2048', WindowWidth: '2000' });
    const out = await preparePrintImage(ds, { rows: 40, columns: 40, bitDepth: 8, border: 'WHITE' });
    const ref = reference(ds, 255, 2048, 2000, false);
    expect(out.bitDepth).toBe(8);
    for (let y = 0; y < 40; y++) {
      for (let x = 0; x < 40; x++) {
        const inside = y >= 10 && y < 30;
        expect(out.data[y * 40 + x]).toBe(inside ? ref[(y - 10) * 40 + x] : 255);
      }
    }
  });

  it('FR-DICOM-11: MONOCHROME1 is inverted to MONOCHROME2, 12-bit output, pixel range without a window', async () => {
    const ds = image(16, 16, { PhotometricInterpretation: 'MONOCHROME1' });
    const out = await preparePrintImage(ds, { rows: 16, columns: 16, bitDepth: 12 });
    const src = new Uint16Array((ds.PixelData as ArrayBuffer[])[0] as ArrayBuffer);
    const lo = Math.min(...src);
    const hi = Math.max(...src);
    const w = hi - lo + 1;
    expect(Array.from(out.data)).toEqual(reference(ds, 4095, lo + (w - 1) / 2 + 0.5, w, true));
  });

  it('FR-DICOM-11: a VOI LUT Sequence takes precedence over the window', async () => {
    const lut = Array.from({ length: 4096 }, (_, i) => 4095 - i); // an inverting LUT, 12-bit entries
    const ds = image(8, 8, {
      WindowCenter: '100',
      WindowWidth: '10',
      VOILUTSequence: [{ LUTDescriptor: [4096, 0, 12], LUTData: lut }],
    });
    const out = await preparePrintImage(ds, { rows: 8, columns: 8, bitDepth: 12 });
    const src = new Uint16Array((ds.PixelData as ArrayBuffer[])[0] as ArrayBuffer);
    expect(Array.from(out.data)).toEqual(Array.from(src, (v) => 4095 - v));
  });

  it('FR-DICOM-11: resized to the box keeping the aspect ratio, close to an area-average reference', async () => {
    const ds = image(200, 100, { WindowCenter: '2048', WindowWidth: '4096' });
    const out = await preparePrintImage(ds, { rows: 100, columns: 100, bitDepth: 12 });
    const full = reference(ds, 4095, 2048, 4096, false);
    // 200×100 → 100×50, centred: columns 25…74 hold the image, the rest is BLACK.
    let worst = 0;
    for (let y = 0; y < 100; y++) {
      for (let x = 0; x < 100; x++) {
        const v = out.data[y * 100 + x] as number;
        if (x < 25 || x >= 75) {
          expect(v).toBe(0);
          continue;
        }
        const sx = (x - 25) * 2;
        const sy = y * 2;
        const avg =
          ((full[sy * 100 + sx] as number) +
            (full[sy * 100 + sx + 1] as number) +
            (full[(sy + 1) * 100 + sx] as number) +
            (full[(sy + 1) * 100 + sx + 1] as number)) /
          4;
        // Edge columns of the ramp ring with lanczos3; inside, the resample stays near the mean.
        if (sx > 4 && sx < 95) worst = Math.max(worst, Math.abs(v - avg));
      }
    }
    expect(worst).toBeLessThan(4095 * 0.01);
  });

  it('FR-DICOM-11: a colour image is a typed error', async () => {
    const ds = image(4, 4, { PhotometricInterpretation: 'RGB' });
    await expect(preparePrintImage(ds, { rows: 4, columns: 4, bitDepth: 8 })).rejects.toBeInstanceOf(
      PrintPrepareError,
    );
  });
});
