/**
 * The transcoding matrix's sources (issue 13, FR-DICOM-04): our own generated images, converted to
 * every source syntax by tools we did not write — DCMTK (dcmconv, dcmcrle, dcmcjpeg, dcmcjpls),
 * GDCM (gdcmconv) and OpenJPH (ojph_compress) — and the pixels each source must decode to: the
 * generated ones for a lossless source, the tool's own decode (dcmdjpeg, dcmdjpls, gdcmconv --raw)
 * for a lossy one.
 */
import { readFileSync } from 'node:fs';
import { parsePart10Header, TS } from '@hnvue/dicom';
import { encapsulate, type FrameInfo } from '@hnvue/native';
import { frameInfo, syntheticFrame } from '../../../../../native/test/helpers/images.js';
import { writeNetpbm } from '../../../../../native/test/helpers/netpbm.js';
import { type PaletteLut, readPart10, writePart10 } from '../../../../../native/test/helpers/part10.js';
import { nativePixels } from '../../../../../native/test/helpers/peers.js';
import { runTool, type TempDir } from '../../../../../native/test/helpers/tools.js';

export const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';

/** Secondary Capture and the multi-frame SC classes GDCM converts a multi-frame SC file to. */
export const SC_CLASSES: readonly string[] = [
  SECONDARY_CAPTURE,
  '1.2.840.10008.5.1.4.1.1.7.1',
  '1.2.840.10008.5.1.4.1.1.7.2',
  '1.2.840.10008.5.1.4.1.1.7.3',
  '1.2.840.10008.5.1.4.1.1.7.4',
];

export interface MatrixImage {
  readonly name: string;
  readonly info: FrameInfo;
  readonly frames: number;
  /** Native frames, concatenated, canonical (Bits Allocated 1: packed, PS3.5 8.1.1). */
  readonly pixels: Uint8Array;
  /** MONOCHROME2 or RGB unless given. */
  readonly photometric?: string;
  readonly palette?: PaletteLut;
}

function image(name: string, info: FrameInfo, frames = 1): MatrixImage {
  const parts: Uint8Array[] = [];
  for (let f = 0; f < frames; f++) parts.push(syntheticFrame(info, 11 + f, 0.2));
  return { name, info, frames, pixels: Buffer.concat(parts) };
}

/** A Bits Allocated 1 MONOCHROME2 mask: blobs and stripes, packed least significant bit first. */
function singleBit(name: string, rows: number, columns: number): MatrixImage {
  const info: FrameInfo = {
    rows,
    columns,
    bitsAllocated: 1,
    bitsStored: 1,
    pixelRepresentation: 0,
    samplesPerPixel: 1,
    planarConfiguration: 0,
  };
  const pixels = new Uint8Array(Math.ceil((rows * columns) / 8));
  for (let i = 0; i < rows * columns; i++) {
    const x = i % columns;
    const y = Math.floor(i / columns);
    const on = (x - 12) ** 2 + (y - 10) ** 2 < 50 || (x + 2 * y) % 7 === 0;
    if (on) pixels[i >>> 3]! |= 1 << (i & 7);
  }
  return { name, info, frames: 1, pixels };
}

/** A PALETTE COLOR image: indices into a LUT of `entries` entries of `bits` bits (PS3.3 C.7.6.3.1.5). */
function paletteImage(name: string, info: FrameInfo, entries: number, bits: 8 | 16): MatrixImage {
  const base = image(name, info);
  const table = (phase: number): Uint8Array => {
    // 16-bit entries one per word; 8-bit entries two per word (C.7.6.3.1.6).
    const out = new Uint8Array(bits === 16 ? 2 * entries : entries + (entries & 1));
    for (let e = 0; e < entries; e++) {
      const v = 0.5 + 0.5 * Math.sin((e / entries) * 6.283 + phase);
      if (bits === 16) new DataView(out.buffer).setUint16(2 * e, Math.round(v * 65535), true);
      else out[e] = Math.round(v * 255);
    }
    return out;
  };
  return {
    ...base,
    photometric: 'PALETTE COLOR',
    palette: { entries, bits, red: table(0), green: table(2.1), blue: table(4.2) },
  };
}

/** The images of the matrix: every depth and sign, colour, several frames, an odd size. */
export function matrixImages(): MatrixImage[] {
  return [
    image('8-bit mono', frameInfo(24, 32, 8, 8)),
    image('12-bit', frameInfo(17, 33, 16, 12)),
    image('16-bit signed', frameInfo(24, 32, 16, 16, true)),
    image('16-bit 7x3', frameInfo(3, 7, 16, 16)),
    image('32-bit', frameInfo(8, 16, 32, 32)),
    image('RGB', frameInfo(16, 24, 8, 8, false, 3, 0)),
    image('3-frame 8-bit', frameInfo(16, 16, 8, 8), 3),
    singleBit('1-bit MONOCHROME2', 24, 32),
    paletteImage('PALETTE COLOR 8-bit LUT', frameInfo(16, 24, 8, 8), 256, 8),
    paletteImage('PALETTE COLOR 16-bit LUT', frameInfo(16, 24, 16, 12), 4096, 16),
  ];
}

export type Lossiness = 'lossless' | 'lossy';

export interface MatrixSource {
  readonly image: MatrixImage;
  readonly transferSyntax: string;
  /** The file's own SOP class (GDCM turns multi-frame SC into Multi-frame … SC Image Storage). */
  readonly sopClassUid: string;
  readonly label: string;
  readonly path: string;
  readonly lossiness: Lossiness;
  /** What the source decodes to (canonical, the image's planar layout; RGB for a YBR source). */
  readonly expected: Uint8Array;
}

interface SourceKind {
  readonly label: string;
  readonly transferSyntax: string;
  readonly lossiness: Lossiness;
  /** Whether the tool can make this image at all (else the cell has no source). */
  readonly applies: (image: MatrixImage) => boolean;
  readonly make: (dir: TempDir, explicitPath: string, image: MatrixImage, out: string) => void;
  /** For a lossy source: the independent decode of it to native (a Part 10 file path). */
  readonly reference?: (dir: TempDir, path: string, out: string) => void;
}

const mono = (i: MatrixImage) => i.info.samplesPerPixel === 1;
const upTo16 = (i: MatrixImage) => i.info.bitsAllocated <= 16;
/** Whole bytes per sample: what the tools compress (they refuse Bits Allocated 1, see below). */
const bytes = (i: MatrixImage) => i.info.bitsAllocated >= 8;
/** PS3.5 8.2: PALETTE COLOR only with lossless compression (A.4.4 for JPEG 2000). */
const notPalette = (i: MatrixImage) => i.palette === undefined;
const unsigned = (i: MatrixImage) => i.info.pixelRepresentation === 0;
const eightBit = (i: MatrixImage) => i.info.bitsAllocated === 8;

function tool(cmd: string, ...flags: string[]) {
  return (_dir: TempDir, input: string, _image: MatrixImage, out: string) =>
    runTool(cmd, [...flags, input, out]);
}

/** OpenJPH's levels rule for tiny images (its default of 5 breaks a 7x3 frame). */
function levels(info: FrameInfo): number {
  let l = 5;
  while (l > 0 && (1 << l > info.columns || 1 << l > info.rows)) l--;
  return l;
}

/** ojph_compress each frame, then encapsulate the codestreams in a Part 10 file. */
function ojph(transferSyntax: string, extra: readonly string[]) {
  return (dir: TempDir, _input: string, image: MatrixImage, out: string) => {
    const { info } = image;
    const frameBytes = image.pixels.length / image.frames;
    const codestreams: Uint8Array[] = [];
    for (let f = 0; f < image.frames; f++) {
      const pnm = dir.file(`${out.replace(/\W/g, '_')}-${f}.${info.samplesPerPixel === 3 ? 'ppm' : 'pgm'}`);
      writeNetpbm(pnm, image.pixels.subarray(f * frameBytes, (f + 1) * frameBytes), info);
      const j2c = `${pnm}.j2c`;
      runTool('ojph_compress', ['-i', pnm, '-o', j2c, '-num_decomps', String(levels(info)), ...extra]);
      codestreams.push(new Uint8Array(readFileSync(j2c)));
    }
    writePart10(out, {
      info,
      transferSyntaxUid: transferSyntax,
      pixelData: encapsulate(codestreams),
      encapsulated: true,
      numberOfFrames: image.frames,
      ...(image.photometric ? { photometric: image.photometric } : {}),
      ...(image.palette ? { palette: image.palette } : {}),
    });
  };
}

const KINDS: readonly SourceKind[] = [
  {
    label: 'Implicit LE (dcmconv)',
    transferSyntax: TS.implicitVrLittleEndian,
    lossiness: 'lossless',
    applies: () => true,
    make: tool('dcmconv', '+ti'),
  },
  {
    label: 'Explicit LE (dcmconv)',
    transferSyntax: TS.explicitVrLittleEndian,
    lossiness: 'lossless',
    applies: () => true,
    make: tool('dcmconv', '+te'),
  },
  {
    label: 'Explicit BE (dcmconv)',
    transferSyntax: TS.explicitVrBigEndian,
    lossiness: 'lossless',
    applies: () => true,
    make: tool('dcmconv', '+tb'),
  },
  {
    label: 'Deflated (dcmconv)',
    transferSyntax: TS.deflatedExplicitVrLittleEndian,
    lossiness: 'lossless',
    applies: () => true,
    make: tool('dcmconv', '+td'),
  },
  {
    label: 'RLE (dcmcrle)',
    transferSyntax: TS.rleLossless,
    lossiness: 'lossless',
    applies: () => true,
    make: tool('dcmcrle'),
  },
  {
    label: 'JPEG baseline .50 (dcmcjpeg +eb)',
    transferSyntax: TS.jpegBaseline,
    lossiness: 'lossy',
    applies: (i) => eightBit(i) && notPalette(i),
    make: tool('dcmcjpeg', '+eb'),
    reference: (_d, path, out) => runTool('dcmdjpeg', [path, out]),
  },
  {
    label: 'JPEG extended .51 (dcmcjpeg +ee)',
    transferSyntax: TS.jpegExtended,
    lossiness: 'lossy',
    applies: (i) =>
      mono(i) && bytes(i) && upTo16(i) && unsigned(i) && i.info.bitsStored <= 12 && notPalette(i),
    make: tool('dcmcjpeg', '+ee'),
    reference: (_d, path, out) => runTool('dcmdjpeg', [path, out]),
  },
  {
    label: 'JPEG lossless .57 (dcmcjpeg +el)',
    transferSyntax: TS.jpegLossless,
    lossiness: 'lossless',
    applies: upTo16,
    make: tool('dcmcjpeg', '+el'),
  },
  {
    label: 'JPEG lossless SV1 .70 (dcmcjpeg +e1)',
    transferSyntax: TS.jpegLosslessSv1,
    lossiness: 'lossless',
    applies: upTo16,
    make: tool('dcmcjpeg', '+e1'),
  },
  {
    label: 'JPEG-LS .80 (dcmcjpls)',
    transferSyntax: TS.jpegLsLossless,
    lossiness: 'lossless',
    applies: (i) => upTo16(i) && unsigned(i),
    make: tool('dcmcjpls'),
  },
  {
    label: 'JPEG-LS near-lossless .81 (dcmcjpls +en)',
    transferSyntax: TS.jpegLsNearLossless,
    lossiness: 'lossy',
    applies: (i) => upTo16(i) && unsigned(i) && notPalette(i),
    make: tool('dcmcjpls', '+en'),
    reference: (_d, path, out) => runTool('dcmdjpls', [path, out]),
  },
  {
    label: 'J2K lossless .90 (gdcmconv)',
    transferSyntax: TS.jpeg2000Lossless,
    lossiness: 'lossless',
    applies: upTo16,
    make: tool('gdcmconv', '--j2k'),
  },
  {
    label: 'J2K .91 (gdcmconv --lossy)',
    transferSyntax: TS.jpeg2000,
    lossiness: 'lossy',
    applies: (i) => upTo16(i) && notPalette(i),
    make: tool('gdcmconv', '--j2k', '--lossy', '-q', '40'),
    reference: (_d, path, out) => runTool('gdcmconv', ['--raw', path, out]),
  },
  {
    label: 'HTJ2K lossless .201 (ojph_compress)',
    transferSyntax: TS.htj2kLossless,
    lossiness: 'lossless',
    applies: (i) => bytes(i) && upTo16(i) && unsigned(i),
    make: ojph(TS.htj2kLossless, ['-reversible', 'true']),
  },
  {
    label: 'HTJ2K .203 (ojph_compress, irreversible)',
    transferSyntax: TS.htj2k,
    lossiness: 'lossy',
    applies: (i) => bytes(i) && upTo16(i) && unsigned(i) && notPalette(i),
    make: ojph(TS.htj2k, ['-reversible', 'false', '-qstep', '0.005']),
  },
];

/**
 * Every (image, source syntax) the tools can make, written under `dir`, with the pixels each must
 * decode to; what a tool cannot make is listed in `noSource`. A lossy HTJ2K .203 source has no
 * tool that turns it back into DICOM: OpenJPH's ojph_expand decode stands in (`htj2kPixels`).
 */
export async function writeMatrixSources(
  dir: TempDir,
  images: readonly MatrixImage[],
  htj2kPixels: (path: string, image: MatrixImage) => Promise<Uint8Array>,
  noSource: string[] = [],
): Promise<MatrixSource[]> {
  const out: MatrixSource[] = [];
  let n = 0;
  for (const img of images) {
    n++;
    for (const kind of KINDS) {
      if (!kind.applies(img)) continue;
      // Each source its own SOP Instance UID (a peer files by it): a fresh original per source.
      const explicitPath = dir.file(`img-${n}-${kind.transferSyntax}.dcm`);
      writePart10(explicitPath, {
        info: img.info,
        transferSyntaxUid: TS.explicitVrLittleEndian,
        pixelData: img.pixels,
        encapsulated: false,
        numberOfFrames: img.frames,
        ...(img.photometric ? { photometric: img.photometric } : {}),
        ...(img.palette ? { palette: img.palette } : {}),
      });
      const path = dir.file(`src-${n}-${kind.transferSyntax}.dcm`);
      try {
        kind.make(dir, explicitPath, img, path);
      } catch (err) {
        // The other tool cannot write this image (e.g. OpenJPEG's default levels on 7x3): no cell.
        noSource.push(`${img.name} | ${kind.label}: ${(err as Error).message.split('\n')[0]?.slice(0, 160)}`);
        continue;
      }
      let expected = img.pixels;
      if (kind.lossiness === 'lossy') {
        if (kind.reference) {
          const ref = `${path}.ref.dcm`;
          kind.reference(dir, path, ref);
          expected = nativePixels(readPart10(ref), img.info);
          expected = allFrames(readPart10(ref).pixelData, img, expected);
        } else {
          expected = await htj2kPixels(path, img);
        }
      }
      const meta = parsePart10Header(new Uint8Array(readFileSync(path))).meta;
      out.push({
        image: img,
        transferSyntax: kind.transferSyntax,
        sopClassUid: meta.mediaStorageSopClassUid,
        label: kind.label,
        path,
        lossiness: kind.lossiness,
        expected,
      });
    }
  }
  return out;
}

/** nativePixels reads one frame; a multi-frame reference keeps every frame (canonical). */
function allFrames(pixelData: Uint8Array, img: MatrixImage, first: Uint8Array): Uint8Array {
  if (img.frames === 1) return first;
  const frameBytes = img.pixels.length / img.frames;
  const parts: Uint8Array[] = [];
  for (let f = 0; f < img.frames; f++) {
    parts.push(
      nativePixels(
        {
          transferSyntaxUid: TS.explicitVrLittleEndian,
          elements: new Map(),
          pixelData: pixelData.subarray(f * frameBytes),
          encapsulated: false,
        },
        img.info,
      ),
    );
  }
  return Buffer.concat(parts);
}
