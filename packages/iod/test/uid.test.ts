import { describe, expect, it } from 'vitest';
import { buildDxImage } from '../src/index.js';
import { minimalDx } from './fixtures.js';

describe('UID source', () => {
  it('FR-DICOM-08: defaults to @hnvue/uid (2.25 UUID UIDs), distinct per object', () => {
    const a = buildDxImage(minimalDx()).dataset;
    const b = buildDxImage(minimalDx()).dataset;
    for (const k of ['SOPInstanceUID', 'SeriesInstanceUID', 'StudyInstanceUID']) {
      expect(String(a[k])).toMatch(/^2\.25\.\d+$/);
      expect(a[k]).not.toBe(b[k]);
    }
  });

  it('FR-DICOM-08: uses an injected uid function for every generated UID', () => {
    let n = 0;
    const ds = buildDxImage(minimalDx(), { uid: () => `1.2.3.${++n}` }).dataset;
    expect([ds.SOPInstanceUID, ds.StudyInstanceUID, ds.SeriesInstanceUID].sort()).toEqual([
      '1.2.3.1',
      '1.2.3.2',
      '1.2.3.3',
    ]);
  });
});
