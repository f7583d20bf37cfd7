/**
 * A Grayscale Softcopy Presentation State as the windowing source of a print (FR-DICOM-11,
 * issue 16 item 2): presentation states made by DCMTK's dcmpsmk from our DX (and edited with
 * dcmodify: another window, INVERSE, a flip and a rotation), and our own GSPS builder's, applied to
 * the image and compared with a reference computed independently here.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildDxImage,
  buildGsps,
  PrintPrepareError,
  preparePrintImage,
  readPart10,
  toPart10Buffer,
} from '../src/index.js';
import { minimalDx } from './fixtures.js';
import { cleanupTemp, tempFile, testUids } from './helpers.js';

afterAll(() => cleanupTemp());

// One generator for the file: each image gets its own SOP Instance UID.
const uids = testUids();
const ROWS = 8;
const COLUMNS = 10;

/** A DX whose pixels are all different, so that a flip or a rotation shows. */
function dx() {
  const pixels = Uint16Array.from({ length: ROWS * COLUMNS }, (_, i) => (i * 53) % 4096);
  const built = buildDxImage(
    minimalDx({
      image: {
        rows: ROWS,
        columns: COLUMNS,
        bitsStored: 12,
        pixels,
        windowCenter: 2048,
        windowWidth: 4096,
        patientOrientation: ['L', 'F'],
      },
    }),
    { uid: uids },
  );
  const path = tempFile(`dx-${Math.random().toString(36).slice(2)}.dcm`);
  writeFileSync(path, toPart10Buffer(built.dataset, built.pixelData));
  return { path, pixels, dataset: readPart10(readFileSync(path)) };
}

/** dcmpsmk's presentation state of `image`, then dcmodify's edits of it. */
function dcmtkGsps(image: string, make: string[], edits: string[] = []) {
  const out = `${image}.gsps.dcm`;
  execFileSync('dcmpsmk', [...make, image, out]);
  if (edits.length > 0) execFileSync('dcmodify', ['-nb', ...edits.flatMap((e) => ['-i', e]), out]);
  return readPart10(readFileSync(out));
}

/**
 * The reference, written from the output pixel back to its source: the output (r, c) of a
 * rotation by `rotation` clockwise of the flipped image, then the linear window of C.11.2.1.2.1.
 */
function reference(
  src: Uint16Array,
  o: { center: number; width: number; invert: boolean; flip: boolean; rotation: 0 | 90 | 180 | 270 },
) {
  const max = 4095;
  const turned = o.rotation === 90 || o.rotation === 270;
  const outRows = turned ? COLUMNS : ROWS;
  const outColumns = turned ? ROWS : COLUMNS;
  const values: number[] = [];
  for (let r = 0; r < outRows; r++) {
    for (let c = 0; c < outColumns; c++) {
      // Undo the rotation: where (r, c) came from in the flipped image.
      let x: number;
      let y: number;
      if (o.rotation === 0) [x, y] = [c, r];
      else if (o.rotation === 90) [x, y] = [r, ROWS - 1 - c];
      else if (o.rotation === 180) [x, y] = [COLUMNS - 1 - c, ROWS - 1 - r];
      else [x, y] = [COLUMNS - 1 - r, c];
      if (o.flip) x = COLUMNS - 1 - x;
      const s = src[y * COLUMNS + x] as number;
      const { center: ce, width: w } = o;
      let v: number;
      if (s <= ce - 0.5 - (w - 1) / 2) v = 0;
      else if (s > ce - 0.5 + (w - 1) / 2) v = max;
      else v = ((s - (ce - 0.5)) / (w - 1) + 0.5) * max;
      const q = Math.round(Math.min(max, Math.max(0, v)));
      values.push(o.invert ? max - q : q);
    }
  }
  return { rows: outRows, columns: outColumns, values };
}

describe('FR-DICOM-11: a presentation state as the windowing source of a print', () => {
  it("FR-DICOM-11: dcmpsmk's GSPS with the image's window prints exactly what the image's own window prints", async () => {
    const { path, dataset } = dx();
    const gsps = dcmtkGsps(path, ['+Vw']);
    const box = { rows: ROWS, columns: COLUMNS, bitDepth: 12 } as const;
    const viaGsps = await preparePrintImage(dataset, { ...box, presentationState: gsps });
    const own = await preparePrintImage(dataset, box);
    expect(Array.from(viaGsps.data)).toEqual(Array.from(own.data));
  });

  it('FR-DICOM-11: another window, INVERSE, a horizontal flip and each rotation (dcmodify-edited) match the reference', async () => {
    const { path, pixels, dataset } = dx();
    for (const rotation of [0, 90, 180, 270] as const) {
      const gsps = dcmtkGsps(
        path,
        ['+Vw'],
        [
          '(0028,3110)[0].(0028,1050)=1500',
          '(0028,3110)[0].(0028,1051)=1200',
          '(2050,0020)=INVERSE',
          '(0070,0041)=Y',
          `(0070,0042)=${rotation}`,
        ],
      );
      const ref = reference(pixels, { center: 1500, width: 1200, invert: true, flip: true, rotation });
      const out = await preparePrintImage(dataset, {
        rows: ref.rows,
        columns: ref.columns,
        bitDepth: 12,
        presentationState: gsps,
      });
      expect(Array.from(out.data), `rotation ${rotation}`).toEqual(ref.values);
    }
  });

  it('FR-DICOM-11: a GSPS without a VOI (dcmpsmk -V) stretches the pixel range (the identity VOI)', async () => {
    const { path, pixels, dataset } = dx();
    const gsps = dcmtkGsps(path, ['-V']);
    const lo = Math.min(...pixels);
    const hi = Math.max(...pixels);
    const width = hi - lo + 1;
    const ref = reference(pixels, {
      center: lo + (width - 1) / 2 + 0.5,
      width,
      invert: false,
      flip: false,
      rotation: 0,
    });
    const out = await preparePrintImage(dataset, {
      rows: ROWS,
      columns: COLUMNS,
      bitDepth: 12,
      presentationState: gsps,
    });
    expect(Array.from(out.data)).toEqual(ref.values);
  });

  it("FR-DICOM-11: our GSPS builder's window and rotation apply the same way", async () => {
    const { pixels, dataset } = dx();
    const { dataset: gsps } = buildGsps(
      {
        image: dataset,
        equipment: { manufacturer: 'HnVue' },
        window: { center: 1000, width: 800 },
        rotation: 90,
      },
      { uid: uids },
    );
    const ref = reference(pixels, { center: 1000, width: 800, invert: false, flip: false, rotation: 90 });
    const out = await preparePrintImage(dataset, {
      rows: ref.rows,
      columns: ref.columns,
      bitDepth: 12,
      presentationState: gsps,
    });
    expect(Array.from(out.data)).toEqual(ref.values);
  });

  it('FR-DICOM-11: a presentation state of another image, or with a window given too, is a typed error', async () => {
    const first = dx();
    const second = dx();
    const gsps = dcmtkGsps(second.path, ['+Vw']);
    const box = { rows: ROWS, columns: COLUMNS, bitDepth: 8 } as const;
    await expect(preparePrintImage(first.dataset, { ...box, presentationState: gsps })).rejects.toThrow(
      /does not reference this image/,
    );
    await expect(
      preparePrintImage(second.dataset, { ...box, presentationState: gsps, window: { center: 1, width: 2 } }),
    ).rejects.toBeInstanceOf(PrintPrepareError);
  });
});
