/**
 * Issue 13's matrix (FR-DICOM-04): every source syntax other tools write × every target a
 * single-syntax peer accepts × images of every depth, sign, colour, frame count and an odd size.
 * Each source file goes to a peer that accepts only the target syntax; what the peer stored is
 * decoded by a tool we did not write and must equal the source's pixels exactly (lossless source)
 * or within a small tolerance of the tool's own decode of it (lossy source). A cell the target
 * cannot hold is refused before any byte is sent, with a typed error that says why; every refusal
 * is listed below, so a new one (or a fixed one) shows in review.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isHnvError } from '@hnvue/core';
import { TS } from '@hnvue/dicom';
import { nativeStatus } from '@hnvue/native';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPart10 } from '../../../../native/test/helpers/part10.js';
import { type TempDir, tempDir } from '../../../../native/test/helpers/tools.js';
import { Association } from '../../src/association.js';
import { storageContexts } from '../../src/storage/negotiation.js';
import { storeInstance } from '../../src/storage/scu.js';
import { type MatrixImage, type MatrixSource, matrixImages, writeMatrixSources } from './matrix/sources.js';
import {
  htj2kFramesIndependently,
  MATRIX_TARGETS,
  type MatrixTarget,
  photometricOf,
} from './matrix/targets.js';

const ADDON = nativeStatus().kind === 'loaded';
let dir: TempDir;
let sources: MatrixSource[];
const rows: string[] = [];
const noSource: string[] = [];

beforeAll(async () => {
  dir = tempDir('matrix');
  sources = await writeMatrixSources(
    dir,
    matrixImages(),
    async (path, image) => await htj2kFramesIndependently(dir, path, image),
    noSource,
  );
  rows.push(`${sources.length} sources; the other tools could not make:`, ...noSource.map((n) => `  ${n}`));
}, 120_000);
afterAll(() => {
  dir?.remove();
  if (rows.length) console.info(`transcoding matrix:\n${rows.join('\n')}`);
});

function sample(px: Uint8Array, i: number, image: MatrixImage): number {
  const { bitsAllocated, pixelRepresentation } = image.info;
  const view = new DataView(px.buffer, px.byteOffset, px.byteLength);
  if (bitsAllocated === 8) return pixelRepresentation ? view.getInt8(i) : view.getUint8(i);
  if (bitsAllocated === 16)
    return pixelRepresentation ? view.getInt16(2 * i, true) : view.getUint16(2 * i, true);
  return pixelRepresentation ? view.getInt32(4 * i, true) : view.getUint32(4 * i, true);
}

/** The largest sample difference, or Infinity when the lengths differ (1-bit: differing bytes). */
function maxDifference(a: Uint8Array, b: Uint8Array, image: MatrixImage): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  if (image.info.bitsAllocated === 1) return a.findIndex((v, i) => v !== b[i]) === -1 ? 0 : 1;
  const n = a.length / (image.info.bitsAllocated / 8);
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(sample(a, i, image) - sample(b, i, image)));
  return max;
}

/** A lossy source decodes in two decoders (IDCT, colour, rounding) within a level or two. */
function tolerance(source: MatrixSource): number {
  return source.lossiness === 'lossless' ? 0 : Math.max(2, 2 ** (source.image.info.bitsStored - 8));
}

type Cell =
  | { readonly kind: 'passed'; readonly source: MatrixSource; readonly transcoded: boolean }
  | {
      readonly kind: 'refused';
      readonly source: MatrixSource;
      readonly code: string;
      readonly reason: string;
    }
  | { readonly kind: 'failed'; readonly source: MatrixSource; readonly why: string };

const cellName = (s: MatrixSource, t: MatrixTarget) => `${s.image.name} | ${s.label} → ${t.label}`;

/**
 * The cells refused today, each by rule and with the reason its message must give. JPEG Lossless
 * and JPEG-LS hold 2–16 bits (PS3.5 A.4.1, A.4.3), and our JPEG 2000 / HTJ2K encoders 1–16 bits,
 * so a 32-bit image goes only to the native syntaxes and RLE. A 12-bit JPEG Process 4 stream
 * decodes everywhere: GDCM's libgdcmjpeg12 in the addon, else our TypeScript decoder
 * (native/lib/jpeg12-ts.ts).
 */
function expectedRefusal(source: MatrixSource, target: MatrixTarget): RegExp | undefined {
  // Without the addon JPEG Lossless decodes (TypeScript) but is not encoded: no .70 target.
  if (!ADDON && target.transferSyntax === TS.jpegLosslessSv1 && source.transferSyntax !== TS.jpegLosslessSv1)
    return /no accepted presentation context.*: no encoder for JPEG Lossless.* is registered here/;
  const limited: readonly string[] = [
    TS.jpegLosslessSv1,
    TS.jpegLsLossless,
    TS.jpeg2000Lossless,
    TS.htj2kLossless,
  ];
  if (source.image.info.bitsAllocated === 32 && limited.includes(target.transferSyntax))
    return /holds (1|2)–16 bits; this image has 32/;
  // Bits Allocated 1: JPEG 2000 and HTJ2K take it unpacked (native/lib/single-bit.ts); RLE, JPEG
  // Lossless and JPEG-LS refuse it, as dcmcrle, dcmcjpeg and dcmcjpls do.
  const byteCodecs: readonly string[] = [TS.rleLossless, TS.jpegLosslessSv1, TS.jpegLsLossless];
  if (source.image.info.bitsAllocated === 1 && byteCodecs.includes(target.transferSyntax))
    return /(holds 8, 16 or 32 bits allocated|holds 2–16 bits); this image has 1/;
  return undefined;
}

async function runTarget(target: MatrixTarget): Promise<Cell[]> {
  const out = dir.file(`in-${target.transferSyntax}`);
  await mkdir(out, { recursive: true });
  const peer = await target.start(dir, out);
  const cells: Cell[] = [];
  const sent = new Map<string, MatrixSource>();
  try {
    const association = await Association.open({
      host: '127.0.0.1',
      port: peer.port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'STORESCP',
      presentationContexts: storageContexts(
        sources.map((s) => ({ sopClassUid: s.sopClassUid, transferSyntax: s.transferSyntax })),
        { transferSyntaxes: [target.transferSyntax], proposeImplicit: false },
      ),
    });
    try {
      for (const sopClass of new Set(sources.map((s) => s.sopClassUid))) {
        expect(
          association.acceptedContexts
            .filter((c) => c.abstractSyntax === sopClass)
            .map((c) => c.transferSyntax),
        ).toEqual([target.transferSyntax]);
      }
      for (const source of sources) {
        try {
          const result = await storeInstance(association, source.path);
          if (result.status !== 0 || result.transferSyntax !== target.transferSyntax) {
            cells.push({
              kind: 'failed',
              source,
              why: `status ${result.status} in ${result.transferSyntax}`,
            });
          } else {
            sent.set(result.sopInstanceUid, source);
            cells.push({ kind: 'passed', source, transcoded: result.transcoded });
          }
        } catch (err) {
          if (isHnvError(err)) {
            cells.push({ kind: 'refused', source, code: err.code, reason: err.message });
          } else {
            cells.push({ kind: 'failed', source, why: `untyped ${String(err)}` });
          }
        }
      }
    } finally {
      await association.release();
    }
  } finally {
    await peer.stop();
  }
  // What the peer stored, decoded independently, against what the source decodes to.
  const files = (await readdir(out, { recursive: true })).map(String).filter((f) => !f.startsWith('.'));
  for (const [uid, source] of sent) {
    const i = cells.findIndex((c) => c.source === source);
    const name = files.find((f) => f.includes(uid));
    if (!name) {
      cells[i] = {
        kind: 'failed',
        source,
        why: `not stored by the peer (${uid}; it holds ${files.slice(0, 3).join(', ')})`,
      };
      continue;
    }
    const path = join(out, name);
    try {
      const photometric = photometricOf(path);
      // Colour pixels are declared as what they are: RGB once decoded (a YBR_FULL_422 label on full
      // RGB samples is a wrong file, whatever its bytes), YBR_RCT in a JPEG 2000 codestream.
      const colour = source.image.info.samplesPerPixel === 3;
      const allowed =
        target.transferSyntax.startsWith('1.2.840.10008.1.2.4.20') ||
        target.transferSyntax === TS.jpeg2000Lossless
          ? ['RGB', 'YBR_RCT']
          : ['RGB'];
      if (colour && !allowed.includes(photometric)) {
        cells[i] = { kind: 'failed', source, why: `declares ${photometric}` };
        continue;
      }
      // PALETTE COLOR arrives as PALETTE COLOR with the same LUTs (issue 13: "kept").
      const palette = source.image.palette;
      if (palette !== undefined) {
        const stored = readPart10(path).elements;
        const same = (tag: string, want: Uint8Array) =>
          Buffer.from(stored.get(tag) ?? new Uint8Array()).equals(Buffer.from(want));
        if (
          photometric !== 'PALETTE COLOR' ||
          !same('00281201', palette.red) ||
          !same('00281202', palette.green) ||
          !same('00281203', palette.blue)
        ) {
          cells[i] = {
            kind: 'failed',
            source,
            why: `declares ${photometric}; LUTs kept: ${same('00281201', palette.red)}`,
          };
          continue;
        }
      }
      const decoded = await target.decode(dir, path, source.image);
      const diff = maxDifference(decoded, source.expected, source.image);
      if (diff > tolerance(source)) {
        cells[i] = { kind: 'failed', source, why: `pixels differ by ${diff} (${photometric})` };
      }
    } catch (err) {
      cells[i] = {
        kind: 'failed',
        source,
        why: `independent decode failed: ${(err as Error).message.slice(0, 300)}`,
      };
    }
  }
  return cells;
}

describe('transcoding matrix: any file to any single-syntax peer', { timeout: 300_000 }, () => {
  for (const target of MATRIX_TARGETS) {
    it(`FR-DICOM-04.negotiation: every source syntax × image reaches a peer that accepts only ${target.label}, pixels equal by an independent decoder, or is refused with the reason`, async () => {
      const cells = await runTarget(target);
      const passed = cells.filter((c) => c.kind === 'passed').length;
      const refused = cells.filter((c) => c.kind === 'refused');
      const failed = cells.filter((c) => c.kind === 'failed');
      rows.push(
        `${target.label}: ${passed} passed, ${refused.length} refused, ${failed.length} failed of ${cells.length}`,
      );
      for (const c of refused) rows.push(`  refused ${cellName(c.source, target)}: ${c.code}: ${c.reason}`);
      for (const c of failed) rows.push(`  FAILED ${cellName(c.source, target)}: ${c.why}`);
      expect(failed.map((c) => `${cellName(c.source, target)}: ${c.why}`)).toEqual([]);
      // Exactly the expected cells are refused, each with its reason.
      expect(
        refused
          .filter((c) => !expectedRefusal(c.source, target)?.test(c.reason))
          .map((c) => `${cellName(c.source, target)}: ${c.reason}`),
      ).toEqual([]);
      expect(passed + refused.length).toBe(cells.length);
      expect(refused.length).toBe(sources.filter((s) => expectedRefusal(s, target)).length);
    });
  }
});
