/**
 * The IOD validation run (issue 20 item 5): every object kind @hnvue/iod produces, in each
 * variant, through the independent validators — dicom3tools' dciodvfy on all of them, DCMTK's
 * dcmpschk on the GSPS (PS3.3 A.33.1) and dsrdump on the RDSR (PS3.3 A.35.8, TID 10001), and
 * `dcmdump +E` (DCMTK's parser, errors to stderr) on all of them. Used by iod-validation.test.ts
 * (fails on any error or unexplained warning) and by scripts/iod-validation.mjs (writes
 * docs/iod-validation.md).
 */
import { spawnSync } from 'node:child_process';
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
}

function justify(tool: string, text: string): { text: string; reason?: string } {
  const known = KNOWN_WARNINGS.find((k) => k.tool === tool && k.pattern.test(text));
  return known ? { text, reason: known.reason } : { text };
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

/** Builds every object and runs every validator on it. */
export function runIodValidation(): Validation[] {
  const rows: Validation[] = [];
  for (const o of objects()) {
    const v = dciodvfy(o.bytes);
    rows.push({
      object: o.object,
      variant: o.variant,
      tool: `dciodvfy (${v.iod})`,
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
  return rows;
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
