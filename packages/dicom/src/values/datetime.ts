/**
 * DA, TM and DT values (PS3.5 Table 6.2-1) and their ranges as C-FIND uses them (PS3.4
 * C.2.2.2.5): parse, format, and match a value against a query. A JavaScript `Date` is read and
 * written in local time — the modality's clock, as IHE SWF expects.
 */

export type DateTimeVr = 'DA' | 'TM' | 'DT';

/** A DA value. */
export interface DicomDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** A TM value; absent parts were not written (`HH`, `HHMM` are valid TM). */
export interface DicomTime {
  readonly hours: number;
  readonly minutes?: number;
  readonly seconds?: number;
  /** The fraction digits as written, 1–6 (`'5'` is half a second). */
  readonly fraction?: string;
}

/** A DT value; only the year is required (PS3.5 Table 6.2-1). */
export interface DicomDateTime {
  readonly year: number;
  readonly month?: number;
  readonly day?: number;
  readonly time?: DicomTime;
  /** `&ZZXX` UTC offset as written (`+0900`), when present. */
  readonly offset?: string;
}

/** A range `from-to`; either end may be absent (`-to`, `from-`). */
export interface DicomRange {
  readonly from?: string;
  readonly to?: string;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

/** Parses DA `YYYYMMDD` (and the ACR-NEMA `YYYY.MM.DD` PS3.5 still lets readers accept). */
export function parseDate(value: string): DicomDate | undefined {
  const m = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec(value.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return validDate(year, month, day) ? { year, month, day } : undefined;
}

/** DA `YYYYMMDD`; a `Date` in local time. */
export function formatDate(d: Date | DicomDate): string {
  if (d instanceof Date) return `${pad(d.getFullYear(), 4)}${pad(d.getMonth() + 1)}${pad(d.getDate())}`;
  return `${pad(d.year, 4)}${pad(d.month)}${pad(d.day)}`;
}

/** Parses TM `HH[MM[SS[.F{1,6}]]]` (and the ACR-NEMA `HH:MM:SS.frac`). */
export function parseTime(value: string): DicomTime | undefined {
  const v = value.trim();
  const m = /^(\d{2})(?::?(\d{2})(?::?(\d{2})(?:\.(\d{1,6}))?)?)?$/.exec(v);
  if (!m) return undefined;
  const hours = Number(m[1]);
  const minutes = m[2] === undefined ? undefined : Number(m[2]);
  // PS3.5: SS may be 60 for a leap second.
  const seconds = m[3] === undefined ? undefined : Number(m[3]);
  if (hours > 23 || (minutes ?? 0) > 59 || (seconds ?? 0) > 60) return undefined;
  return {
    hours,
    ...(minutes === undefined ? {} : { minutes }),
    ...(seconds === undefined ? {} : { seconds }),
    ...(m[4] === undefined ? {} : { fraction: m[4] }),
  };
}

export interface FormatTimeOptions {
  /** Fraction digits to write for a `Date` (0–6; default 0: `HHMMSS`). */
  readonly fractionDigits?: number;
}

/** TM; a `Date` in local time as `HHMMSS` (plus `fractionDigits` of its milliseconds). */
export function formatTime(t: Date | DicomTime, options: FormatTimeOptions = {}): string {
  if (t instanceof Date) {
    const digits = Math.max(0, Math.min(6, options.fractionDigits ?? 0));
    const base = `${pad(t.getHours())}${pad(t.getMinutes())}${pad(t.getSeconds())}`;
    if (digits === 0) return base;
    return `${base}.${pad(t.getMilliseconds(), 3).padEnd(6, '0').slice(0, digits)}`;
  }
  let s = pad(t.hours);
  if (t.minutes === undefined) return s;
  s += pad(t.minutes);
  if (t.seconds === undefined) return s;
  s += pad(t.seconds);
  return t.fraction === undefined ? s : `${s}.${t.fraction}`;
}

/** Parses DT `YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX]`. */
export function parseDateTime(value: string): DicomDateTime | undefined {
  const m = /^(\d{4})(?:(\d{2})(?:(\d{2})(\d{2}(?:\d{2}(?:\d{2}(?:\.\d{1,6})?)?)?)?)?)?([+-]\d{4})?$/.exec(
    value.trim(),
  );
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = m[2] === undefined ? undefined : Number(m[2]);
  const day = m[3] === undefined ? undefined : Number(m[3]);
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (day !== undefined && !validDate(year, month ?? 1, day)) return undefined;
  const time = m[4] === undefined ? undefined : parseTime(m[4]);
  if (m[4] !== undefined && time === undefined) return undefined;
  return {
    year,
    ...(month === undefined ? {} : { month }),
    ...(day === undefined ? {} : { day }),
    ...(time === undefined ? {} : { time }),
    ...(m[5] === undefined ? {} : { offset: m[5] }),
  };
}

export interface FormatDateTimeOptions extends FormatTimeOptions {
  /** Append the local UTC offset `&ZZXX` (default false). */
  readonly offset?: boolean;
}

/** DT; a `Date` in local time as `YYYYMMDDHHMMSS[.F][&ZZXX]`. */
export function formatDateTime(d: Date | DicomDateTime, options: FormatDateTimeOptions = {}): string {
  if (d instanceof Date) {
    let s = `${formatDate(d)}${formatTime(d, options)}`;
    if (options.offset === true) {
      const minutes = -d.getTimezoneOffset();
      const abs = Math.abs(minutes);
      s += `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
    }
    return s;
  }
  let s = pad(d.year, 4);
  if (d.month !== undefined) {
    s += pad(d.month);
    if (d.day !== undefined) {
      s += pad(d.day);
      if (d.time !== undefined) s += formatTime(d.time);
    }
  }
  return d.offset === undefined ? s : s + d.offset;
}

/** A local-time `Date` of a DA (and TM) value. */
export function toJsDate(date: DicomDate, time?: DicomTime): Date {
  const ms = time?.fraction === undefined ? 0 : Math.floor(Number(`0.${time.fraction}`) * 1000);
  return new Date(
    date.year,
    date.month - 1,
    date.day,
    time?.hours ?? 0,
    time?.minutes ?? 0,
    time?.seconds ?? 0,
    ms,
  );
}

/**
 * Parses a C-FIND range (`from-to`, `-to`, `from-`) or single value (both ends equal). `''` and
 * a lone `-` are `undefined` (universal matching). DT offsets contain `-`: the separator is the
 * hyphen that leaves a valid value on each side.
 */
export function parseRange(query: string, vr: DateTimeVr = 'DA'): DicomRange | undefined {
  const q = query.trim();
  if (q === '' || q === '-') return undefined;
  const valid = (s: string): boolean =>
    s === '' || (vr === 'DA' ? parseDate(s) : vr === 'TM' ? parseTime(s) : parseDateTime(s)) !== undefined;
  if (valid(q)) return { from: q, to: q };
  for (let i = q.indexOf('-'); i >= 0; i = q.indexOf('-', i + 1)) {
    const from = q.slice(0, i);
    const to = q.slice(i + 1);
    if (valid(from) && valid(to)) return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  }
  return undefined;
}

/** The query string of a range (`from-to`, `-to`, `from-`; one value when both ends are equal). */
export function formatRange(range: DicomRange): string {
  if (range.from !== undefined && range.from === range.to) return range.from;
  return `${range.from ?? ''}-${range.to ?? ''}`;
}

/** A DA range for a query: `dateRange(new Date(), new Date())` is today. */
export function dateRange(from?: Date | string, to?: Date | string): string {
  const f = from === undefined ? undefined : typeof from === 'string' ? from : formatDate(from);
  const t = to === undefined ? undefined : typeof to === 'string' ? to : formatDate(to);
  return formatRange({ ...(f ? { from: f } : {}), ...(t ? { to: t } : {}) });
}

// Comparable forms: fixed width, an absent lower part is its lowest value for `from` and its
// highest for `to`, so `-1030` includes 10:30:59.999999 (PS3.4 C.2.2.2.5.1: ranges inclusive).
function timeKey(t: DicomTime, high: boolean): string {
  const hi = (n: number | undefined, max: number) => pad(n ?? (high ? max : 0));
  const fraction = (t.fraction ?? '').padEnd(6, t.fraction === undefined && high ? '9' : '0');
  return `${pad(t.hours)}${hi(t.minutes, 59)}${hi(t.seconds, 59)}.${fraction}`;
}

function key(value: string, vr: DateTimeVr, high: boolean): string | undefined {
  if (vr === 'DA') {
    const d = parseDate(value);
    return d === undefined ? undefined : formatDate(d);
  }
  if (vr === 'TM') {
    const t = parseTime(value);
    return t === undefined ? undefined : timeKey(t, high);
  }
  const dt = parseDateTime(value);
  if (dt === undefined) return undefined;
  const month = pad(dt.month ?? (high ? 12 : 1));
  const day = pad(dt.day ?? (high ? 31 : 1));
  const time = dt.time === undefined ? (high ? '235959.999999' : '000000.000000') : timeKey(dt.time, high);
  return `${pad(dt.year, 4)}${month}${day}${time}`;
}

/**
 * Whether `value` (an attribute of a candidate) matches `query` (a C-FIND key of VR `vr`):
 * empty query matches all (universal matching), a single value or a range is compared
 * inclusively (PS3.4 C.2.2.2.5). DT offsets are not normalised: both are taken as local time.
 * A value that does not parse matches nothing but the universal query.
 */
export function matchesDateTime(query: string, value: string, vr: DateTimeVr): boolean {
  const range = parseRange(query, vr);
  if (range === undefined) return query.trim() === '' || query.trim() === '-';
  const low = key(value, vr, false);
  const high = key(value, vr, true);
  if (low === undefined || high === undefined) return false;
  if (range.from !== undefined) {
    const from = key(range.from, vr, false);
    if (from === undefined || high < from) return false;
  }
  if (range.to !== undefined) {
    const to = key(range.to, vr, true);
    if (to === undefined || low > to) return false;
  }
  return true;
}
