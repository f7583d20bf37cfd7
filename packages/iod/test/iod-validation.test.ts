import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemp } from './helpers.js';
import { producedSyntaxes, runIodValidation } from './iod-validation-cases.js';

afterAll(cleanupTemp);

// The run behind docs/iod-validation.md (scripts/iod-validation.mjs): built once, asserted per row.
const { rows, notProduced } = await runIodValidation();

describe('IOD validation report (issue 20)', () => {
  it('FR-DICOM-08: every object kind is validated: DX (both intents), CR, RDSR, GSPS, each by dciodvfy and dcmdump', () => {
    const objects = new Set(rows.map((r) => r.object));
    expect([...objects].sort()).toEqual(
      ['CR Image', 'DX Image', 'Grayscale Softcopy Presentation State', 'X-Ray Radiation Dose SR'].sort(),
    );
    const iods = new Set(rows.filter((r) => r.tool.startsWith('dciodvfy')).map((r) => r.tool));
    expect(iods).toContain('dciodvfy (DXImageForPresentation)');
    expect(iods).toContain('dciodvfy (DXImageForProcessing)');
    expect(rows.some((r) => r.tool === 'dcmpschk')).toBe(true);
    expect(rows.some((r) => r.tool === 'dsrdump')).toBe(true);
  });

  it("FR-DICOM-04.transcode: a DX transcoded by the SCU's transcoder to each syntax we encode is validated too", () => {
    const syntaxes = producedSyntaxes().map((ts) => ts.uid);
    expect(syntaxes.length).toBeGreaterThan(0);
    expect(notProduced).toEqual([]);
    for (const uid of syntaxes) {
      const validated = rows.filter((r) => r.variant.endsWith(`(${uid})`) && r.tool.startsWith('dciodvfy'));
      expect(validated, uid).toHaveLength(1);
    }
  });

  it.each(rows.map((r) => ({ ...r, name: `${r.object}, ${r.variant}, ${r.tool}` })))(
    'FR-DICOM-08: $name — zero errors, every warning justified',
    (r) => {
      expect(r.errors).toEqual([]);
      expect(r.warnings.filter((w) => w.reason === undefined).map((w) => w.text)).toEqual([]);
    },
  );
});
