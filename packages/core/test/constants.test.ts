import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HNVUE_IMPLEMENTATION_CLASS_UID, HNVUE_IMPLEMENTATION_VERSION_NAME } from '../src/constants.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('implementation identification (PS3.7 D.3.3.2)', () => {
  it('FR-DICOM-01: the Implementation Version Name follows the release (major and minor of @hnvue/core)', () => {
    const [major, minor] = pkg.version.split('.');
    // A `changeset version` that moves the minor version fails here until the name is changed
    // with it (docs/release.md).
    expect(HNVUE_IMPLEMENTATION_VERSION_NAME).toBe(`HNVUE_${major}_${minor}`);
    expect(HNVUE_IMPLEMENTATION_VERSION_NAME.length).toBeLessThanOrEqual(16);
    expect(HNVUE_IMPLEMENTATION_VERSION_NAME).toMatch(/^[ -~]+$/);
  });

  it('FR-DICOM-01: the Implementation Class UID is a valid UI value', () => {
    expect(HNVUE_IMPLEMENTATION_CLASS_UID.length).toBeLessThanOrEqual(64);
    expect(HNVUE_IMPLEMENTATION_CLASS_UID).toMatch(/^(0|[1-9]\d*)(\.(0|[1-9]\d*))+$/);
  });
});
