import { describe, expect, it } from 'vitest';
import {
  dateRange,
  formatDate,
  formatDateTime,
  formatRange,
  formatTime,
  matchesDateTime,
  parseDate,
  parseDateTime,
  parseRange,
  parseTime,
  toJsDate,
} from '../../src/values/index.js';

describe('DA', () => {
  it('parses and formats', () => {
    expect(parseDate('20240229')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseDate('1993.08.22')).toEqual({ year: 1993, month: 8, day: 22 });
    expect(parseDate('20230229')).toBeUndefined();
    expect(parseDate('2024131')).toBeUndefined();
    expect(formatDate({ year: 2024, month: 2, day: 9 })).toBe('20240209');
    expect(formatDate(new Date(2026, 11, 3, 23, 59))).toBe('20261203');
  });
});

describe('TM', () => {
  it('parses the truncated forms and fractions', () => {
    expect(parseTime('07')).toEqual({ hours: 7 });
    expect(parseTime('0730')).toEqual({ hours: 7, minutes: 30 });
    expect(parseTime('073015.25')).toEqual({ hours: 7, minutes: 30, seconds: 15, fraction: '25' });
    expect(parseTime('07:30:15')).toEqual({ hours: 7, minutes: 30, seconds: 15 });
    expect(parseTime('2400')).toBeUndefined();
    expect(parseTime('073015.1234567')).toBeUndefined();
    for (const s of ['07', '0730', '073015', '073015.000001']) expect(formatTime(parseTime(s)!)).toBe(s);
  });

  it('formats a Date in local time', () => {
    const d = new Date(2026, 0, 2, 3, 4, 5, 678);
    expect(formatTime(d)).toBe('030405');
    expect(formatTime(d, { fractionDigits: 3 })).toBe('030405.678');
    expect(formatTime(d, { fractionDigits: 6 })).toBe('030405.678000');
  });
});

describe('DT', () => {
  it('parses partial values and offsets', () => {
    expect(parseDateTime('2026')).toEqual({ year: 2026 });
    expect(parseDateTime('20261203101530.5+0900')).toEqual({
      year: 2026,
      month: 12,
      day: 3,
      time: { hours: 10, minutes: 15, seconds: 30, fraction: '5' },
      offset: '+0900',
    });
    expect(parseDateTime('202613')).toBeUndefined();
    for (const s of ['2026', '202612', '20261203', '2026120310', '20261203101530.5+0900', '20261203-0500'])
      expect(formatDateTime(parseDateTime(s)!)).toBe(s);
  });

  it('formats a Date, with offset when asked', () => {
    const d = new Date(2026, 11, 3, 10, 15, 30);
    expect(formatDateTime(d)).toBe('20261203101530');
    expect(formatDateTime(d, { offset: true })).toMatch(/^20261203101530[+-]\d{4}$/);
    expect(toJsDate(parseDate('20261203')!, parseTime('101530.5'))).toEqual(
      new Date(2026, 11, 3, 10, 15, 30, 500),
    );
  });
});

describe('ranges (PS3.4 C.2.2.2.5)', () => {
  it('parses and formats', () => {
    expect(parseRange('20260101-20261231')).toEqual({ from: '20260101', to: '20261231' });
    expect(parseRange('-20261231')).toEqual({ to: '20261231' });
    expect(parseRange('20260101-')).toEqual({ from: '20260101' });
    expect(parseRange('20260101')).toEqual({ from: '20260101', to: '20260101' });
    expect(parseRange('')).toBeUndefined();
    expect(parseRange('2026-01-01')).toBeUndefined();
    expect(parseRange('20261203-0500-20261204', 'DT')).toEqual({ from: '20261203-0500', to: '20261204' });
    expect(formatRange({ from: '20260101', to: '20261231' })).toBe('20260101-20261231');
    expect(formatRange({ to: '1030' })).toBe('-1030');
    expect(formatRange({ from: 'x', to: 'x' })).toBe('x');
    expect(dateRange(new Date(2026, 11, 3), new Date(2026, 11, 3))).toBe('20261203');
    expect(dateRange(undefined, '20261203')).toBe('-20261203');
  });

  it('matches DA values', () => {
    expect(matchesDateTime('', '20261203', 'DA')).toBe(true);
    expect(matchesDateTime('20261203', '20261203', 'DA')).toBe(true);
    expect(matchesDateTime('20261201-20261203', '20261203', 'DA')).toBe(true);
    expect(matchesDateTime('20261201-20261202', '20261203', 'DA')).toBe(false);
    expect(matchesDateTime('-20261202', '20261203', 'DA')).toBe(false);
    expect(matchesDateTime('20261203-', '20261203', 'DA')).toBe(true);
    expect(matchesDateTime('20261203', 'garbage', 'DA')).toBe(false);
  });

  it('matches TM values, truncated ends inclusive', () => {
    expect(matchesDateTime('-1030', '103059.5', 'TM')).toBe(true);
    expect(matchesDateTime('-1030', '103100', 'TM')).toBe(false);
    expect(matchesDateTime('10-11', '115959', 'TM')).toBe(true);
    expect(matchesDateTime('1000-', '095959.999999', 'TM')).toBe(false);
    expect(matchesDateTime('10', '1030', 'TM')).toBe(true);
  });

  it('matches DT values', () => {
    expect(matchesDateTime('2026-2026', '20261231235959', 'DT')).toBe(true);
    expect(matchesDateTime('20261203-', '202612', 'DT')).toBe(true); // a month overlapping the range
    expect(matchesDateTime('-20261202', '20261203000000', 'DT')).toBe(false);
  });
});
