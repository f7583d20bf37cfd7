/**
 * Real Part 10 files for the truncation sweep, the fuzzer and the peer-parity tests: our own DX,
 * CR and X-Ray Radiation Dose SR built by @hnvue/iod's builders (fixed clock and UIDs) and
 * written by our codec, and — when DCMTK is installed — files DCMTK itself made from them
 * (`dcmconv` to every native encoding with its default undefined-length sequences and items,
 * `dcmcrle` for encapsulated Pixel Data as fragments).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCrImage, buildDxImage, buildRdsr } from '../../../iod/src/index.js';
import { fullCr, fullDx, fullRdsr } from '../../../iod/test/fixtures.js';
import { encodeDataset, type NaturalDataset } from '../../src/codec/index.js';
import { encodePart10Header } from '../../src/part10/index.js';
import { TS } from '../../src/uids/index.js';

export interface RealObject {
  readonly name: 'dx' | 'cr' | 'rdsr';
  readonly dataset: NaturalDataset;
}

/** The three objects the console produces, deterministic (UIDs and clock fixed). */
export function ourObjects(): RealObject[] {
  let i = 0;
  const uid = (): string => `2.25.4242${++i}`;
  const now = (): Date => new Date(Date.UTC(2026, 0, 1, 9, 0, 0));
  const withPixels = (built: {
    dataset: NaturalDataset;
    pixelData: Uint8Array | Uint16Array | Int16Array;
  }): NaturalDataset => {
    const px = built.pixelData;
    const PixelData = px.buffer.slice(px.byteOffset, px.byteOffset + px.byteLength) as ArrayBuffer;
    return { ...built.dataset, PixelData, _vrMap: { PixelData: px.BYTES_PER_ELEMENT === 1 ? 'OB' : 'OW' } };
  };
  return [
    { name: 'dx', dataset: withPixels(buildDxImage(fullDx(), { uid, now })) },
    { name: 'cr', dataset: withPixels(buildCrImage(fullCr(), { uid, now })) },
    { name: 'rdsr', dataset: buildRdsr(fullRdsr(), { uid, now }).dataset },
  ];
}

/** A data set as a Part 10 file in `transferSyntax` (any native one, deflated included). */
export function part10Bytes(dataset: NaturalDataset, transferSyntax: string): Uint8Array {
  const head = encodePart10Header({
    mediaStorageSopClassUid: dataset.SOPClassUID as string,
    mediaStorageSopInstanceUid: dataset.SOPInstanceUID as string,
    transferSyntaxUid: transferSyntax,
    implementationClassUid: '2.25.9',
  });
  const body = encodeDataset(dataset, { transferSyntax });
  return new Uint8Array(Buffer.concat([head, body]));
}

export interface RealFile {
  /** What made it, e.g. `ours dx explicit`, `dcmconv +tb rdsr`. */
  readonly label: string;
  readonly bytes: Uint8Array;
}

/** Our three objects in Explicit VR LE, as written by our codec. */
export function ourFiles(transferSyntax: string = TS.explicitVrLittleEndian): RealFile[] {
  return ourObjects().map((o) => ({
    label: `ours ${o.name}`,
    bytes: part10Bytes(o.dataset, transferSyntax),
  }));
}

/** dcmconv conversions: each native encoding; `-e` writes sequences and items with undefined length. */
export const DCMCONV_FLAGS: readonly (readonly string[])[] = [['+ti'], ['+te', '-e'], ['+tb'], ['+td']];

/**
 * Files DCMTK made from ours, in `dir`: `dcmconv` with each of `flags`, and `dcmcrle` of the DX
 * (encapsulated Pixel Data: Basic Offset Table and a fragment, in undefined-length items).
 */
export function dcmtkFiles(
  dir: string,
  flags: readonly (readonly string[])[] = DCMCONV_FLAGS,
  names: readonly RealObject['name'][] = ['dx', 'cr', 'rdsr'],
): RealFile[] {
  const out: RealFile[] = [];
  for (const o of ourObjects().filter((x) => names.includes(x.name))) {
    const source = join(dir, `${o.name}.dcm`);
    writeFileSync(source, part10Bytes(o.dataset, TS.explicitVrLittleEndian));
    for (const flag of flags) {
      const target = join(dir, `${o.name}${flag.join('').replace(/\W/g, '')}.dcm`);
      execFileSync('dcmconv', [...flag, source, target]);
      out.push({ label: `dcmconv ${flag.join(' ')} ${o.name}`, bytes: new Uint8Array(readFileSync(target)) });
    }
    if (o.name === 'dx') {
      const target = join(dir, `${o.name}-rle.dcm`);
      execFileSync('dcmcrle', [source, target]);
      out.push({ label: `dcmcrle ${o.name}`, bytes: new Uint8Array(readFileSync(target)) });
    }
  }
  return out;
}
