import { checkVrValue } from '@hnvue/dicom';
import { describe, expect, it } from 'vitest';

// PS3.5 Table 6.2-1, one row per rule the builders rely on: [vr, value, rule or undefined].
const TABLE: readonly [string, unknown, string | undefined][] = [
  ['PN', 'Doe^Jane', undefined],
  ['PN', `${'a'.repeat(64)}^B`, 'too-long'],
  ['PN', `${'a'.repeat(64)}=${'b'.repeat(64)}`, undefined],
  ['PN', { Alphabetic: 'Doe^Jane', Ideographic: 'x'.repeat(65) }, 'too-long'],
  ['PN', 'a^b^c^d^e^f', 'format'],
  ['PN', 'a=b=c=d', 'format'],
  ['LO', 'x'.repeat(64), undefined],
  ['LO', 'x'.repeat(65), 'too-long'],
  ['LO', 'a\\b', 'backslash'],
  ['LO', 'a\tb', 'control-character'],
  ['LO', '홍길동', undefined],
  ['LO', '\u001b$)C', undefined],
  ['SH', 'x'.repeat(17), 'too-long'],
  ['LT', 'line 1\r\nline 2\\3', undefined],
  ['ST', 'x'.repeat(1025), 'too-long'],
  ['CS', 'ORIGINAL', undefined],
  ['CS', 'lower', 'repertoire'],
  ['CS', 'x'.repeat(17), 'too-long'],
  ['AE', 'HNVUE', undefined],
  ['AE', 'é', 'repertoire'],
  ['DA', '19800214', undefined],
  ['DA', '1980-02-14', 'too-long'],
  ['DA', '19800230', 'format'],
  ['DA', '1980.2.1', 'format'],
  ['DA', '', undefined],
  ['TM', '083000.123456', undefined],
  ['TM', '08:30', 'format'],
  ['TM', '246000', 'format'],
  ['DT', '20260101083000.5+0900', undefined],
  ['DT', '2026-01-01', 'format'],
  ['AS', '042Y', undefined],
  ['AS', '42Y', 'format'],
  ['IS', '2147483647', undefined],
  ['IS', '2147483648', 'range'],
  ['IS', 12, undefined],
  ['IS', '1.5', 'format'],
  ['DS', '-1.5e3', undefined],
  ['DS', 0.1 + 0.2, 'too-long'],
  ['DS', Number.NaN, 'range'],
  ['DS', 'abc', 'format'],
  ['UI', '1.2.840.10008.1.1', undefined],
  ['UI', '1.2.840.010008', 'components'],
  ['UI', '1..2', 'components'],
  ['UI', '1.2.a', 'repertoire'],
  ['UI', `1.${'2'.repeat(63)}`, 'too-long'],
  ['US', 65535, undefined],
  ['US', 65536, 'range'],
  ['US', '1', 'type'],
  ['SS', -32769, 'range'],
  ['FD', 1.5, undefined],
  ['OB', new ArrayBuffer(3), undefined],
  ['PN', null, undefined],
];

describe('checkVrValue (PS3.5 Table 6.2-1)', () => {
  for (const [vr, value, rule] of TABLE) {
    const shown =
      typeof value === 'string' && value.length > 24
        ? `${value.slice(0, 12)}…(${value.length})`
        : JSON.stringify(value);
    it(`NFR-SEC-01: ${vr} ${shown} → ${rule ?? 'valid'}`, () => {
      const problem = checkVrValue(vr, value);
      expect(problem?.rule).toBe(rule);
      // The description names the rule, never the value.
      if (problem !== undefined && typeof value === 'string' && value.length > 3) {
        expect(problem.description).not.toContain(value);
      }
    });
  }
});
