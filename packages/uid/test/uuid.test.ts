import { describe, expect, it } from 'vitest';
import { isValidUid, MAX_UUID_UID_LENGTH, UID_ERROR_CODES, UidError, uuidToUid } from '../src/index.js';

describe('FR-DICOM-01: UUID-derived UIDs (PS3.5 B.2)', () => {
  it.each([
    // The example of ISO/IEC 9834-8 and PS3.5 B.2.
    ['f81d4fae-7dec-11d0-a765-00a0c91e6bf6', '2.25.329800735698586629295641978511506172918'],
    ['F81D4FAE7DEC11D0A76500A0C91E6BF6', '2.25.329800735698586629295641978511506172918'],
    ['00000000-0000-0000-0000-000000000000', '2.25.0'],
    ['00000000-0000-0000-0000-00000000000a', '2.25.10'],
    ['ffffffff-ffff-ffff-ffff-ffffffffffff', '2.25.340282366920938463463374607431768211455'],
  ])('FR-DICOM-01: %s becomes %s', (uuid, uid) => {
    expect(uuidToUid(uuid)).toBe(uid);
    expect(isValidUid(uid)).toBe(true);
  });

  it('FR-DICOM-01: the longest form is 44 characters', () => {
    expect(uuidToUid('ffffffff-ffff-ffff-ffff-ffffffffffff')).toHaveLength(MAX_UUID_UID_LENGTH);
  });

  it('FR-DICOM-01: a random UUID gives the decimal of its 128 bits, no leading zeros, ≤ 64 characters', () => {
    for (let i = 0; i < 2000; i++) {
      const uid = uuidToUid();
      expect(uid).toMatch(/^2\.25\.[1-9][0-9]{0,38}$/);
      expect(uid.length).toBeLessThanOrEqual(MAX_UUID_UID_LENGTH);
      // Back to hex: a version 4, variant 10 UUID (RFC 9562), so the decimal is the whole UUID.
      const hex = BigInt(uid.slice(5)).toString(16).padStart(32, '0');
      expect(hex[12]).toBe('4');
      expect('89ab').toContain(hex[16]);
    }
  });

  it.each([
    '',
    'f81d4fae-7dec-11d0-a765',
    'g81d4fae-7dec-11d0-a765-00a0c91e6bf6',
    '{f81d4fae-7dec-11d0-a765-00a0c91e6bf6}',
  ])('FR-DICOM-01: rejects the non-UUID %j', (uuid) => {
    try {
      uuidToUid(uuid);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UidError);
      expect((err as UidError).code).toBe(UID_ERROR_CODES.invalid);
    }
  });
});
