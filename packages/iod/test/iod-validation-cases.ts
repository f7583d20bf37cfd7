/**
 * The IOD validation run (issue 20 item 5): every object kind @hnvue/iod produces, in each
 * variant, through the independent validators — dicom3tools' dciodvfy on all of them, DCMTK's
 * dcmpschk on the GSPS (PS3.3 A.33.1) and dsrdump on the RDSR (PS3.3 A.35.8, TID 10001), and
 * `dcmdump +E` (DCMTK's parser, errors to stderr) on all of them. A DX image is also transcoded
 * by the C-STORE SCU's own transcoder (packages/net/src/storage/transcode.ts, pixels through
 * @hnvue/native) to every encapsulated transfer syntax an encoder is registered for, lossy ones
 * with allowLossy as a destination that allows them would, and each output is validated the same
 * way. Used by iod-validation.test.ts (fails on any error or unexplained warning) and by
 * scripts/iod-validation.mjs (writes docs/iod-validation.md).
 */
import { spawnSync } from 'node:child_process';
import {
  codecsFor,
  concatBytes,
  encodePart10Header,
  findElement,
  parsePart10Header,
  readElements,
  stringValue,
  TAG,
  TRANSFER_SYNTAXES,
  type TransferSyntaxInfo,
  TS,
} from '@hnvue/dicom';
// The SCU's transcoder itself (a test-only import: @hnvue/iod does not depend on @hnvue/net).
import { transcodeDataset } from '../../net/src/storage/transcode.js';
import { buildCrImage, buildDxImage, buildGsps, buildRdsr, toPart10Buffer } from '../src/index.js';
import { fullCr, fullDx, fullGsps, fullRdsr, image, minimalCr, minimalDx, minimalRdsr } from './fixtures.js';
import { dciodvfy, dcmtk, testUids } from './helpers.js';

export interface KnownWarning {
  readonly tool: string;
  readonly pattern: RegExp;
  readonly reason: string;
}

/** Each warning a validator may give on our objects, with why it is acceptable. */
export const KNOWN_WARNINGS: readonly KnownWarning[] = [
  {
    tool: 'dciodvfy',
    pattern: /needed to build DICOMDIR - (Study ID|Patient ID)$/,
    reason:
      'Study ID and Patient ID are Type 2 in the image IODs (PS3.3 C.7.2.1, C.7.1.1); they are empty when no worklist item or study ID is given; a DICOMDIR is built by the media creator, not by the console.',
  },
  {
    tool: 'dciodvfy',
    pattern: /Unrecognized defined term <99[A-Z0-9]+> for value 1 of attribute <Coding Scheme Designator>/,
    reason:
      'A private coding scheme designator starting with "99" is allowed by PS3.16 8.2 (local protocol codes copied from the worklist); dciodvfy only knows the registered ones.',
  },
  {
    tool: 'dciodvfy',
    pattern: /ViewCodeSequence is empty or absent, but view is known since ViewPosition has a value/,
    reason:
      'View Code Sequence is Type 3 in the DX Positioning Module (PS3.3 C.8.11.5); View Position carries the view, the coded view is left to the site configuration.',
  },
  {
    tool: 'dciodvfy',
    pattern: /is only permitted to be empty when actually unknown.*attribute <Laterality>/,
    reason:
      'Series Laterality (Type 2C, PS3.3 C.7.3.1) is sent empty for unpaired structures; Image Laterality (Type 1, C.8.11.1) carries the value.',
  },
  {
    tool: 'dcmpschk',
    pattern: /^W: patientName absent or empty in presentation state$/,
    reason:
      'Patient Name is Type 2 (PS3.3 C.7.1.1): empty when the referenced image is anonymous (no worklist item); dcmpschk asks for a value only as a recommendation.',
  },
];

export interface Validation {
  readonly object: string;
  readonly variant: string;
  readonly tool: string;
  readonly errors: readonly string[];
  readonly warnings: readonly { readonly text: string; readonly reason?: string }[];
}

interface Built {
  readonly object: string;
  readonly variant: string;
  readonly bytes: Uint8Array;
  readonly extra: readonly ('dcmpschk' | 'dsrdump')[];
  /** Transfer Syntax UID the meta header is read as by dciodvfy (see NEWER_THAN_DCIODVFY). */
  readonly dciodvfyAs?: string;
}

/**
 * Transfer syntaxes newer than the dciodvfy here (2022-06-18): the HTJ2K ones (.201–.203) came to
 * PS3.5 after it, so it reads such a file as native and stops at the encapsulated Pixel Data. The
 * data set is then validated with the meta header's Transfer Syntax UID read as JPEG 2000 — the
 * same encapsulation (PS3.5 A.4); dciodvfy checks the attributes, not the codestream, which the
 * transcoding matrix decodes with OpenJPH (packages/net/test/storage/transcode-matrix.test.ts).
 */
const NEWER_THAN_DCIODVFY: Readonly<Record<string, string>> = {
  [TS.htj2kLossless]: TS.jpeg2000Lossless,
  [TS.htj2kLosslessRpcl]: TS.jpeg2000Lossless,
  [TS.htj2k]: TS.jpeg2000,
};

/** The same Part 10 file with its meta header's Transfer Syntax UID replaced. */
function relabelled(file: Uint8Array, transferSyntaxUid: string): Uint8Array {
  const { meta, datasetOffset } = parsePart10Header(file);
  return concatBytes([encodePart10Header({ ...meta, transferSyntaxUid }), file.subarray(datasetOffset)]);
}

function justify(tool: string, text: string): { text: string; reason?: string } {
  const known = KNOWN_WARNINGS.find((k) => k.tool === tool && k.pattern.test(text));
  return known ? { text, reason: known.reason } : { text };
}

/** Encapsulated syntaxes with an encoder registered (the addon's or a fallback): what we produce. */
export function producedSyntaxes(): readonly TransferSyntaxInfo[] {
  return TRANSFER_SYNTAXES.filter(
    (ts) => ts.pixelEncoding === 'encapsulated' && codecsFor(ts.uid, 'encode').length > 0,
  );
}

export interface NotProduced {
  readonly transferSyntax: string;
  readonly reason: string;
}

/**
 * A lossy-syntax output: whether its pixels still equal the source's (decoded back by the same
 * transcoder) and the Lossy Image Compression attributes it carries (PS3.3 C.7.6.1.1.5: 01 once
 * lossy compression was applied, with the ratio and the method).
 */
export interface LossyOutput {
  readonly variant: string;
  readonly transferSyntax: string;
  readonly pixelExact: boolean;
  readonly lossyImageCompression: string;
  readonly ratio: string;
  readonly method: string;
}

function pixelValue(dataset: Uint8Array): Uint8Array {
  const { elements } = readElements(dataset, true);
  const pixel = findElement(elements, TAG.pixelData);
  return pixel ? dataset.subarray(pixel.valueStart, pixel.end) : new Uint8Array();
}

function lossyAttributes(
  dataset: Uint8Array,
): Pick<LossyOutput, 'lossyImageCompression' | 'ratio' | 'method'> {
  const { elements } = readElements(dataset, true);
  const value = (tag: number) => stringValue(dataset, findElement(elements, tag))?.trim() || '(absent)';
  return {
    lossyImageCompression: value(TAG.LossyImageCompression),
    ratio: value(TAG.LossyImageCompressionRatio),
    method: value(TAG.LossyImageCompressionMethod),
  };
}

/**
 * The DX image (every optional input, 14 bits stored; then the minimal 12-bit and 8-bit ones for
 * a codec that takes fewer bits) transcoded to each produced syntax as the C-STORE SCU does, as
 * Part 10 files; the syntaxes none of them could be transcoded to, with the codec's reason.
 */
async function transcodedDx(
  uid: () => string,
): Promise<{ built: Built[]; notProduced: NotProduced[]; lossy: LossyOutput[] }> {
  const sources = (
    [
      ['every optional input, 14 bits', fullDx()],
      ['minimal, 12 bits', minimalDx()],
      ['minimal, 8 bits', minimalDx({ image: image(8, { patientOrientation: ['L', 'F'] }) })],
    ] as const
  ).map(([label, input]) => {
    const b = buildDxImage(input, { uid });
    const file = toPart10Buffer(b.dataset, b.pixelData);
    const { meta, datasetOffset } = parsePart10Header(file);
    return { label, meta, dataset: file.subarray(datasetOffset) };
  });
  const built: Built[] = [];
  const notProduced: NotProduced[] = [];
  const lossy: LossyOutput[] = [];
  for (const ts of producedSyntaxes()) {
    const reasons: string[] = [];
    for (const source of sources) {
      let parts: Uint8Array[];
      try {
        parts = await transcodeDataset(source.dataset, TS.explicitVrLittleEndian, ts.uid, {
          allowLossy: ts.lossy,
        });
      } catch (err) {
        reasons.push(`${source.label}: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      const header = encodePart10Header({ ...source.meta, transferSyntaxUid: ts.uid });
      const variant = `For Presentation, ${source.label}, transcoded to ${ts.name} (${ts.uid})`;
      const as = NEWER_THAN_DCIODVFY[ts.uid];
      built.push({
        object: 'DX Image',
        variant,
        bytes: concatBytes([header, ...parts]),
        extra: [],
        ...(as ? { dciodvfyAs: as } : {}),
      });
      if (ts.lossy) {
        const output = concatBytes(parts);
        const back = concatBytes(await transcodeDataset(output, ts.uid, TS.explicitVrLittleEndian));
        const a = pixelValue(back);
        const b = pixelValue(source.dataset);
        lossy.push({
          variant,
          transferSyntax: ts.uid,
          pixelExact: a.length === b.length && a.every((v, i) => v === b[i]),
          ...lossyAttributes(output),
        });
      }
      break;
    }
    if (reasons.length === sources.length)
      notProduced.push({ transferSyntax: ts.uid, reason: reasons.join('; ') });
  }
  return { built, notProduced, lossy };
}

function objects(): Built[] {
  const uid = testUids();
  const out: Built[] = [];
  const noWindow = { windowCenter: undefined, windowWidth: undefined };
  const dxVariants = [
    ['For Presentation, minimal', minimalDx()],
    ['For Presentation, every optional input', fullDx()],
    [
      'For Presentation, MONOCHROME1',
      minimalDx({
        image: image(12, { patientOrientation: ['L', 'F'], photometricInterpretation: 'MONOCHROME1' }),
      }),
    ],
    [
      'For Processing, minimal',
      minimalDx({
        presentationIntent: 'FOR PROCESSING',
        image: image(12, { patientOrientation: ['L', 'F'], ...noWindow }),
      }),
    ],
    [
      'For Processing, every optional input',
      fullDx({
        presentationIntent: 'FOR PROCESSING',
        image: image(14, { patientOrientation: ['L', 'F'], ...noWindow }),
      }),
    ],
  ] as const;
  for (const [variant, input] of dxVariants) {
    const b = buildDxImage(input, { uid });
    out.push({ object: 'DX Image', variant, bytes: toPart10Buffer(b.dataset, b.pixelData), extra: [] });
  }
  for (const [variant, input] of [
    ['minimal', minimalCr()],
    ['every optional input', fullCr()],
  ] as const) {
    const b = buildCrImage(input, { uid });
    out.push({ object: 'CR Image', variant, bytes: toPart10Buffer(b.dataset, b.pixelData), extra: [] });
  }
  const six = fullRdsr({
    events: Array.from({ length: 6 }, (_, i) => ({
      start: new Date(2026, 10, 27, 9, i),
      dapDgyCm2: 0.1 * (i + 1),
      kvp: 70 + i,
    })),
  });
  for (const [variant, input] of [
    ['one event, required content only', minimalRdsr()],
    ['two events, every optional content item', fullRdsr()],
    ['six events, no reference-point dose', six],
  ] as const) {
    const b = buildRdsr(input, { uid });
    out.push({
      object: 'X-Ray Radiation Dose SR',
      variant,
      bytes: toPart10Buffer(b.dataset),
      extra: ['dsrdump'],
    });
  }
  const dx = buildDxImage(fullDx(), { uid });
  const anonymous = buildDxImage(minimalDx(), { uid });
  for (const [variant, input] of [
    [
      'window only',
      { image: dx.dataset, equipment: { manufacturer: 'HnVue' }, window: { center: 10, width: 20 } },
    ],
    ['annotations, layers, rectangular shutter, spatial transform', fullGsps(dx.dataset)],
    [
      'circular shutter',
      fullGsps(dx.dataset, { shutter: { shape: 'CIRCULAR', centerRow: 4, centerColumn: 5, radius: 3 } }),
    ],
    ['anonymous image, no options', { image: anonymous.dataset, equipment: { manufacturer: 'HnVue' } }],
  ] as const) {
    const b = buildGsps(input, { uid });
    out.push({
      object: 'Grayscale Softcopy Presentation State',
      variant,
      bytes: toPart10Buffer(b.dataset),
      extra: ['dcmpschk'],
    });
  }
  return out;
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** Builds every object (transcoded ones included) and runs every validator on it. */
export async function runIodValidation(): Promise<{
  rows: Validation[];
  notProduced: NotProduced[];
  lossy: LossyOutput[];
}> {
  const rows: Validation[] = [];
  const transcoded = await transcodedDx(testUids());
  for (const o of [...objects(), ...transcoded.built]) {
    const v = dciodvfy(o.dciodvfyAs ? relabelled(o.bytes, o.dciodvfyAs) : o.bytes);
    rows.push({
      object: o.object,
      variant: o.variant,
      tool: `dciodvfy (${v.iod})${o.dciodvfyAs ? `, meta Transfer Syntax read as ${o.dciodvfyAs}` : ''}`,
      errors: v.errors,
      warnings: v.warnings.map((w) => justify('dciodvfy', w)),
    });
    const dump = dcmtk('dcmdump', o.bytes, ['+E', '-q']);
    const dumpOut = lines(dump.out).filter((l) => /^[EW]:/.test(l));
    rows.push({
      object: o.object,
      variant: o.variant,
      tool: 'dcmdump +E',
      errors: [
        ...dumpOut.filter((l) => l.startsWith('E:')),
        ...(dump.status === 0 ? [] : [`exit status ${dump.status}`]),
      ],
      warnings: dumpOut.filter((l) => l.startsWith('W:')).map((w) => justify('dcmdump', w)),
    });
    if (o.extra.includes('dcmpschk')) {
      const c = dcmtk('dcmpschk', o.bytes);
      const l = lines(c.out).filter(
        (x) => !x.includes('Testing') && !x.includes('Test failed') && !x.includes('Test passed'),
      );
      const passed = c.out.includes('Test passed');
      const warnings = l.filter((x) => x.startsWith('W:'));
      rows.push({
        object: o.object,
        variant: o.variant,
        tool: 'dcmpschk',
        errors: [
          ...l.filter((x) => x.startsWith('E:')),
          ...(passed || warnings.length > 0 ? [] : ['no "Test passed"']),
        ],
        warnings: warnings.map((w) => justify('dcmpschk', w)),
      });
    }
    if (o.extra.includes('dsrdump')) {
      const s = dcmtk('dsrdump', o.bytes, ['-q']);
      const l = lines(s.out).filter((x) => /^[EW]:/.test(x));
      rows.push({
        object: o.object,
        variant: o.variant,
        tool: 'dsrdump',
        errors: [
          ...l.filter((x) => x.startsWith('E:')),
          ...(s.status === 0 ? [] : [`exit status ${s.status}`]),
        ],
        warnings: l.filter((x) => x.startsWith('W:')).map((w) => justify('dsrdump', w)),
      });
    }
  }
  return { rows, notProduced: transcoded.notProduced, lossy: transcoded.lossy };
}

/** The versions of the validators, as they report them. */
export function toolVersions(): Record<string, string> {
  const first = (cmd: string, args: string[], re: RegExp): string => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return lines(`${r.stdout}${r.stderr}`).find((l) => re.test(l)) ?? 'unknown';
  };
  return {
    dciodvfy: first('dciodvfy', ['-version'], /Version/),
    dcmpschk: first('dcmpschk', ['--version'], /dcmtk/),
    dsrdump: first('dsrdump', ['--version'], /dcmtk/),
    dcmdump: first('dcmdump', ['--version'], /dcmtk/),
  };
}
