import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  formatTag,
  implicitVr,
  lookupKeyword,
  lookupTag,
  parseTag,
  TAG,
} from '../../src/dictionary/index.js';

const require = createRequire(import.meta.url);
const { DicomMetaDictionary } = require('dcmjs').data as {
  DicomMetaDictionary: { nameMap: Record<string, { tag: string; vr: string; vm: string; name: string }> };
};

describe('lookupTag', () => {
  it('finds a standard element with keyword, VR, VM', () => {
    const e = lookupTag(0x00100010);
    expect(e).toMatchObject({ tag: 0x00100010, keyword: 'PatientName', vr: 'PN', vrs: ['PN'], vm: '1' });
    expect(e?.retired).toBe(false);
    expect(e?.name).toBe('Patient Name');
    expect(lookupTag(0x00080016)?.name).toBe('SOP Class UID');
  });

  it('normalises ambiguous VRs to PS3.6 alternatives', () => {
    expect(lookupTag(TAG.PixelData)).toMatchObject({ vr: 'OB|OW', vrs: ['OB', 'OW'] });
    expect(lookupTag(TAG.SmallestImagePixelValue)).toMatchObject({ vr: 'US|SS' });
    expect(lookupTag(TAG.LUTData)).toMatchObject({ vr: 'US|OW' });
    expect(lookupTag(0x00041200)).toMatchObject({ vr: 'UL' }); // `up` in DCMTK
    expect(lookupTag(TAG.Item)).toMatchObject({ vr: 'NONE', vrs: [] });
  });

  it('marks retired elements and strips dcmjs RETIRED_ prefix', () => {
    const e = lookupTag(0x00000001);
    expect(e).toMatchObject({ keyword: 'CommandLengthToEnd', retired: true });
  });

  it('resolves repeating groups 50xx, 60xx to the asked tag', () => {
    expect(lookupTag(0x60003000)).toMatchObject({ tag: 0x60003000, keyword: 'OverlayData', vr: 'OB|OW' });
    expect(lookupTag(0x601e3000)).toMatchObject({ tag: 0x601e3000, keyword: 'OverlayData' });
    expect(lookupTag(0x60020010)).toMatchObject({ keyword: 'OverlayRows', vr: 'US' });
    expect(lookupTag(0x50123000)).toMatchObject({ keyword: 'CurveData', retired: true });
    // odd groups are private, not overlays
    expect(lookupTag(0x60013000)).toBeUndefined();
  });

  it('applies the group-length and private-creator rules of PS3.5', () => {
    expect(lookupTag(0x00080000)).toMatchObject({ keyword: 'GenericGroupLength', vr: 'UL', retired: true });
    expect(lookupTag(0x00020000)).toMatchObject({
      keyword: 'FileMetaInformationGroupLength',
      retired: false,
    });
    expect(lookupTag(0x00090010)).toMatchObject({ tag: 0x00090010, keyword: 'PrivateCreator', vr: 'LO' });
    expect(lookupTag(0x001900ff)).toMatchObject({ keyword: 'PrivateCreator' });
    expect(lookupTag(0x00091000)).toBeUndefined();
    expect(lookupTag(0x00090100)).toBeUndefined();
    expect(lookupTag(0x0010fffe)).toBeUndefined();
  });

  it('accepts negative (signed) tag numbers', () => {
    expect(lookupTag(0xfffee000 | 0)?.keyword).toBe('Item');
  });
});

describe('lookupKeyword', () => {
  it('maps keyword to tag and back', () => {
    expect(lookupKeyword('StudyInstanceUID')?.tag).toBe(0x0020000d);
    expect(lookupKeyword('NoSuchKeyword')).toBeUndefined();
    expect(lookupKeyword('CommandLengthToEnd')?.tag).toBe(0x00000001);
    expect(lookupKeyword('RETIRED_CommandLengthToEnd')?.tag).toBe(0x00000001);
  });

  it('round-trips every dcmjs keyword', () => {
    let n = 0;
    for (const d of Object.values(DicomMetaDictionary.nameMap)) {
      const m = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/i.exec(d.tag);
      if (!m) continue;
      const tag = Number.parseInt(`${m[1]}${m[2]}`, 16);
      const e = lookupKeyword(d.name);
      expect(e?.tag, d.name).toBe(tag);
      expect(lookupTag(tag)?.keyword).toBe(e?.keyword);
      expect(e?.vm).toBe(d.vm);
      n++;
    }
    expect(n).toBeGreaterThan(5000);
  });
});

describe('implicitVr', () => {
  it('resolves ambiguous VRs as DCMTK does', () => {
    expect(implicitVr(TAG.PixelData)).toBe('OW');
    expect(implicitVr(TAG.SmallestImagePixelValue)).toBe('US');
    expect(implicitVr(TAG.LUTData)).toBe('OW');
    expect(implicitVr(0x00281200)).toBe('OW'); // US or SS or OW
    expect(implicitVr(0x00041200)).toBe('UL');
    expect(implicitVr(0x60043000)).toBe('OW');
    expect(implicitVr(TAG.Item)).toBeUndefined();
    expect(implicitVr(0x00291000)).toBeUndefined();
    expect(implicitVr(0x00290010)).toBe('LO');
    expect(implicitVr(0x00290000)).toBe('UL');
  });

  it('agrees with dcmjs plus the DCMTK resolution on every dcmjs tag (the rule codec.ts used)', () => {
    const resolve: Record<string, string | undefined> = {
      ox: 'OW',
      xs: 'US',
      up: 'UL',
      lt: 'OW',
      na: undefined,
    };
    let n = 0;
    for (const d of Object.values(DicomMetaDictionary.nameMap)) {
      const tag = parseTag(d.tag);
      if (tag === undefined) continue;
      const expected = d.vr in resolve ? resolve[d.vr] : d.vr;
      expect(implicitVr(tag), d.name).toBe(expected);
      n++;
    }
    expect(n).toBeGreaterThan(5000);
  });
});

describe('TAG', () => {
  it('holds the numbers of the dictionary', () => {
    expect(TAG.PatientName).toBe(0x00100010);
    expect(TAG.SOPInstanceUID).toBe(0x00080018);
    expect(TAG.TransferSyntaxUID).toBe(0x00020010);
    for (const [k, v] of Object.entries(TAG)) if (/^[A-Z]/.test(k)) expect(lookupTag(v)?.keyword, k).toBe(k);
    expect(TAG.pixelData).toBe(TAG.PixelData);
  });
});

describe('formatTag / parseTag', () => {
  it('formats and parses', () => {
    expect(formatTag(TAG.Item)).toBe('(FFFE,E000)');
    expect(parseTag('(7fe0,0010)')).toBe(TAG.PixelData);
    expect(parseTag('00100010')).toBe(TAG.PatientName);
    expect(parseTag('0010,0010')).toBe(TAG.PatientName);
    expect(parseTag('PatientName')).toBeUndefined();
  });
});

describe('generated files', () => {
  it('match what scripts/generate-dictionary.mjs makes from the installed dcmjs', () => {
    const script = fileURLToPath(new URL('../../scripts/generate-dictionary.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
