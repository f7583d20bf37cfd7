import { describe, expect, it } from 'vitest';
import {
  formatPersonName,
  formatPersonNameComponents,
  parsePersonName,
  parsePersonNameComponents,
  personNameFromDcmjs,
  personNameToDcmjs,
} from '../../src/values/index.js';

describe('PersonName', () => {
  it('parses the three component groups (PS3.5 H.3.1 example)', () => {
    expect(parsePersonName('Yamada^Tarou=山田^太郎=やまだ^たろう')).toEqual({
      alphabetic: 'Yamada^Tarou',
      ideographic: '山田^太郎',
      phonetic: 'やまだ^たろう',
    });
    expect(parsePersonName('Hong^Gildong=洪^吉洞')).toEqual({
      alphabetic: 'Hong^Gildong',
      ideographic: '洪^吉洞',
    });
    expect(parsePersonName('=山田^太郎')).toEqual({ alphabetic: '', ideographic: '山田^太郎' });
    expect(parsePersonName('Doe^John ')).toEqual({ alphabetic: 'Doe^John' });
    expect(parsePersonName('')).toBeUndefined();
    expect(parsePersonName('==')).toBeUndefined();
  });

  it('formats back, trailing empty groups dropped', () => {
    for (const s of ['Yamada^Tarou=山田^太郎=やまだ^たろう', 'Doe^John', '=山田^太郎', 'A==p']) {
      expect(formatPersonName(parsePersonName(s)!)).toBe(s);
    }
    expect(formatPersonName({ alphabetic: 'Doe', ideographic: '', phonetic: '' })).toBe('Doe');
    expect(formatPersonName('raw^string')).toBe('raw^string');
  });

  it('splits and joins the five components', () => {
    expect(parsePersonNameComponents('Adams^John Robert Quincy^^Rev.^B.A. M.Div.')).toEqual({
      familyName: 'Adams',
      givenName: 'John Robert Quincy',
      middleName: '',
      namePrefix: 'Rev.',
      nameSuffix: 'B.A. M.Div.',
    });
    expect(parsePersonNameComponents('Morrison-Jones^Susan')).toMatchObject({
      givenName: 'Susan',
      nameSuffix: '',
    });
    expect(formatPersonNameComponents({ familyName: 'Doe', givenName: 'John' })).toBe('Doe^John');
    expect(formatPersonNameComponents({ familyName: 'Doe', namePrefix: 'Dr' })).toBe('Doe^^^Dr');
    expect(formatPersonNameComponents({})).toBe('');
  });

  it('converts from and to dcmjs naturalized form', () => {
    expect(personNameFromDcmjs([{ Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎' }])).toEqual({
      alphabetic: 'Yamada^Tarou',
      ideographic: '山田^太郎',
    });
    expect(personNameFromDcmjs('Doe^John=J')).toEqual({ alphabetic: 'Doe^John', ideographic: 'J' });
    expect(personNameFromDcmjs([{}])).toBeUndefined();
    expect(personNameFromDcmjs(undefined)).toBeUndefined();
    expect(personNameFromDcmjs(42)).toBeUndefined();
    expect(personNameToDcmjs({ alphabetic: 'Doe^John', phonetic: 'do' })).toEqual({
      Alphabetic: 'Doe^John',
      Phonetic: 'do',
    });
    expect(personNameToDcmjs('A=B')).toEqual({ Alphabetic: 'A', Ideographic: 'B' });
  });
});
