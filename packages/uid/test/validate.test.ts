import { HnvError, isHnvError } from '@hnvue/core';
import { describe, expect, it } from 'vitest';
import {
  assertValidUid,
  checkUid,
  isValidUid,
  MAX_UID_LENGTH,
  UID_ERROR_CODES,
  UidError,
} from '../src/index.js';

const SIXTY_FOUR = `1.2.${'3'.repeat(MAX_UID_LENGTH - 4)}`;

describe('FR-DICOM-01: UID validation (PS3.5 9.1)', () => {
  it.each([
    '0',
    '1.2',
    '1.2.840.10008.1.2.1',
    '1.2.840.10008.5.1.4.1.1.1.1',
    '1.2.0.4',
    '2.25.0',
    '2.25.340282366920938463463374607431768211455',
    '1.3.6.1.4.1.9590.100.1.0.100.4.0',
    SIXTY_FOUR,
  ])('FR-DICOM-01: accepts %j', (uid) => {
    expect(checkUid(uid)).toBeUndefined();
    expect(isValidUid(uid)).toBe(true);
    expect(() => assertValidUid(uid)).not.toThrow();
  });

  it.each([
    ['', 'empty'],
    [`${SIXTY_FOUR}4`, 'too-long'],
    ['1.2.3\0', 'bad-character'],
    ['1.2.3 ', 'bad-character'],
    ['1.2.a', 'bad-character'],
    ['1,2,3', 'bad-character'],
    ['1.2.-3', 'bad-character'],
    ['1.2.٣', 'bad-character'],
    ['.1.2', 'empty-component'],
    ['1..2', 'empty-component'],
    ['1.2.', 'empty-component'],
    ['.', 'empty-component'],
    ['1.2.03', 'leading-zero'],
    ['00', 'leading-zero'],
    ['01.2', 'leading-zero'],
    ['1.2.840.010008', 'leading-zero'],
  ])('FR-DICOM-01: rejects %j (%s)', (uid, problem) => {
    expect(checkUid(uid)).toBe(problem);
    expect(isValidUid(uid)).toBe(false);
    expect(() => assertValidUid(uid)).toThrow(UidError);
  });

  it.each([undefined, null, 123, ['1.2'], { uid: '1.2' }])(
    'FR-DICOM-01: rejects the non-string %j',
    (value) => {
      expect(checkUid(value)).toBe('not-a-string');
      expect(isValidUid(value)).toBe(false);
    },
  );

  it('FR-DICOM-01: assertValidUid throws an HnvError with code HNV_ERR_UID_INVALID naming the field', () => {
    try {
      assertValidUid('1.2.03', 'SOPInstanceUID');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(HnvError);
      expect(isHnvError(err, UID_ERROR_CODES.invalid)).toBe(true);
      const e = err as UidError;
      expect(e.name).toBe('UidError');
      expect(e.message).toBe(
        'SOPInstanceUID is not a valid UID: has a component with a leading zero ("1.2.03")',
      );
      expect(e.details).toMatchObject({ what: 'SOPInstanceUID', problem: 'leading-zero', value: '1.2.03' });
      expect(e.hint).toContain('PS3.5 9.1');
    }
  });

  it('NFR-SEC-01: a value that is not UID-shaped is never echoed in the message or details', () => {
    const phi = 'HONG^GILDONG';
    try {
      assertValidUid(phi, 'StudyInstanceUID');
      expect.unreachable();
    } catch (err) {
      const e = err as UidError;
      expect(e.message).not.toContain('HONG');
      expect(JSON.stringify(e)).not.toContain('HONG');
      expect(e.details).toMatchObject({ problem: 'bad-character', length: phi.length, index: 0 });
    }
  });
});
