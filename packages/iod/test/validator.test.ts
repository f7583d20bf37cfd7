import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDxImage, iodForSopClass, readPart10, toPart10Buffer, validateIod } from '../src/index.js';
import { fullDx } from './fixtures.js';
import { cleanupTemp, dciodvfy, tempFile, testUids } from './helpers.js';

afterAll(cleanupTemp);

describe('validator on third-party objects', () => {
  it('FR-DICOM-10: checks a GSPS made by DCMTK dcmpsmk for our DX the way dciodvfy does', () => {
    const dx = buildDxImage(fullDx(), { uid: testUids() });
    const image = tempFile('dx-for-dcmpsmk.dcm');
    const state = tempFile('dcmpsmk.dcm');
    writeFileSync(image, toPart10Buffer(dx.dataset, dx.pixelData));
    const r = spawnSync('dcmpsmk', [image, state], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const bytes = readFileSync(state);
    const received = readPart10(bytes);
    const errorsOf = (ds: Record<string, unknown>): string[] =>
      [
        ...new Set(
          validateIod(ds)
            .filter((f) => f.severity === 'error')
            .map((f) => f.keyword),
        ),
      ].sort();
    expect(errorsOf(received)).toEqual([...dciodvfy(bytes).errorKeywords].sort());
    // The same file with two attributes removed: both validators add exactly those.
    const { ContentLabel: _l, PresentationCreationDate: _d, ...broken } = received;
    const brokenErrors = errorsOf(broken);
    expect(brokenErrors).toEqual([...dciodvfy(toPart10Buffer(broken)).errorKeywords].sort());
    expect(brokenErrors).toEqual([...errorsOf(received), 'ContentLabel', 'PresentationCreationDate'].sort());
  });

  it('FR-DICOM-08: reports an unknown SOP class instead of guessing an IOD', () => {
    const findings = validateIod({ SOPClassUID: '1.2.840.10008.5.1.4.1.1.2' });
    expect(findings.map((f) => [f.keyword, f.kind])).toEqual([['SOPClassUID', 'value']]);
    expect(validateIod({}).map((f) => f.kind)).toEqual(['missing']);
    expect(iodForSopClass('1.2.840.10008.5.1.4.1.1.88.67')?.name).toBe('RDSR');
  });

  it('NFR-SEC-01: findings and their messages carry no dataset values', () => {
    const dx = buildDxImage(fullDx(), { uid: testUids() });
    const ds = { ...dx.dataset, PatientSex: 'SECRET-VALUE', PatientID: undefined };
    const text = JSON.stringify(validateIod(ds, { pixelDataPresent: true }));
    expect(text).toContain('PatientSex');
    expect(text).not.toContain('SECRET-VALUE');
  });
});
