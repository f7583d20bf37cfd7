import { describe, expect, it } from 'vitest';
import {
  createUidGenerator,
  isValidUid,
  MAX_SEQUENCE_DIGITS,
  MAX_UID_LENGTH,
  MIN_SEQUENCE_DIGITS,
  TIME_DIGITS,
  UID_ERROR_CODES,
  UidError,
} from '../src/index.js';

const ROOT = '1.2.826.0.1.3680043.10.543';
const T0 = 1_795_000_000_000;

/** A clock that returns the given values in turn, then repeats the last one. */
function steppingClock(values: readonly number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)]!;
}

function parts(uid: string, prefix: string): { time: number; seq: bigint } {
  expect(uid.startsWith(`${prefix}.`)).toBe(true);
  const [time, seq, ...rest] = uid.slice(prefix.length + 1).split('.');
  expect(rest).toEqual([]);
  return { time: Number(time), seq: BigInt(seq!) };
}

function thrown(fn: () => unknown): UidError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UidError);
    return err as UidError;
  }
  throw new Error('expected a UidError');
}

describe('FR-DICOM-01: UID generator format', () => {
  it('FR-DICOM-01: issues {orgRoot}.{deviceSerial}.{unixTimeMs}.{sequence}', () => {
    const gen = createUidGenerator({ orgRoot: ROOT, deviceSerial: '4711', clock: () => T0 + 0.75 });
    expect(gen.mode).toBe('org');
    expect(gen.prefix).toBe(`${ROOT}.4711`);
    const uid = gen.next();
    expect(uid).toMatch(/^1\.2\.826\.0\.1\.3680043\.10\.543\.4711\.1795000000000\.[1-9][0-9]*$/);
    expect(isValidUid(uid)).toBe(true);
    expect(uid.length).toBeLessThanOrEqual(gen.maxLength);
    expect(gen.maxLength).toBeLessThanOrEqual(MAX_UID_LENGTH);
  });

  it('FR-DICOM-01: a numeric deviceSerial (including 0) is one component', () => {
    expect(createUidGenerator({ orgRoot: ROOT, deviceSerial: 0 }).prefix).toBe(`${ROOT}.0`);
    expect(createUidGenerator({ orgRoot: ROOT, deviceSerial: 90210 }).next()).toMatch(
      /^1\.2\.826\.0\.1\.3680043\.10\.543\.90210\.[1-9][0-9]{12}\.[1-9][0-9]*$/,
    );
  });

  it('FR-DICOM-01: the sequence goes up by one per UID, across milliseconds too', () => {
    const prefix = `${ROOT}.1`;
    const gen = createUidGenerator({
      orgRoot: ROOT,
      deviceSerial: 1,
      clock: steppingClock([T0, T0, T0 + 1, T0 + 5]),
    });
    const seqs = [gen.next(), gen.next(), gen.next(), gen.next()].map((uid) => parts(uid, prefix));
    expect(seqs.map((p) => p.time)).toEqual([T0, T0, T0 + 1, T0 + 5]);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]!.seq).toBe(seqs[i - 1]!.seq + 1n);
  });

  it('FR-DICOM-01: the sequence gets the room left, capped at MAX_SEQUENCE_DIGITS', () => {
    const short = createUidGenerator({ orgRoot: '1.2.3', deviceSerial: 9 });
    expect(short.maxLength).toBe('1.2.3.9'.length + 2 + TIME_DIGITS + MAX_SEQUENCE_DIGITS);
    const long = createUidGenerator({ orgRoot: ROOT, deviceSerial: '123456789' });
    expect(long.maxLength).toBe(MAX_UID_LENGTH);
  });

  it('FR-DICOM-01: two generators on the same prefix in one process never collide, even on one clock', () => {
    const clock = (): number => T0;
    const a = createUidGenerator({ orgRoot: ROOT, deviceSerial: 77, clock });
    const b = createUidGenerator({ orgRoot: ROOT, deviceSerial: 77, clock });
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      seen.add(a.next());
      seen.add(b.next());
    }
    expect(seen.size).toBe(2000);
  });

  it('FR-DICOM-01: 1,000,000 UIDs from one generator are all distinct', () => {
    const gen = createUidGenerator({ orgRoot: ROOT, deviceSerial: 2 });
    const seen = new Set<string>();
    let longest = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const uid = gen.next();
      seen.add(uid);
      if (uid.length > longest) longest = uid.length;
    }
    expect(seen.size).toBe(1_000_000);
    expect(longest).toBeLessThanOrEqual(MAX_UID_LENGTH);
  });
});

describe('FR-DICOM-01: clock stepping backwards', () => {
  it('FR-DICOM-01: keeps the last time and an increasing sequence when the clock goes back', () => {
    const prefix = `${ROOT}.3`;
    const clock = steppingClock([
      T0 + 1000,
      T0 + 2000,
      T0 + 1500,
      T0 + 1500,
      T0 - 60_000,
      T0 + 2000,
      T0 + 2500,
    ]);
    const gen = createUidGenerator({ orgRoot: ROOT, deviceSerial: 3, clock });
    const uids = Array.from({ length: 7 }, () => gen.next());
    expect(new Set(uids).size).toBe(7);
    const p = uids.map((uid) => parts(uid, prefix));
    expect(p.map((x) => x.time)).toEqual([
      T0 + 1000,
      T0 + 2000,
      T0 + 2000,
      T0 + 2000,
      T0 + 2000,
      T0 + 2000,
      T0 + 2500,
    ]);
    for (let i = 1; i < p.length; i++) expect(p[i]!.seq).toBeGreaterThan(p[i - 1]!.seq);
  });

  it('FR-DICOM-01: a clock stuck on one ms still yields distinct UIDs', () => {
    const gen = createUidGenerator({ orgRoot: ROOT, deviceSerial: 4, clock: () => T0 });
    const uids = new Set(Array.from({ length: 10_000 }, () => gen.next()));
    expect(uids.size).toBe(10_000);
  });

  it('FR-DICOM-01: a clock that is not a Unix time in ms fails with HNV_ERR_UID_CLOCK', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -1, 10 ** TIME_DIGITS]) {
      const gen = createUidGenerator({ orgRoot: ROOT, deviceSerial: 5, clock: () => bad });
      expect(thrown(() => gen.next()).code).toBe(UID_ERROR_CODES.clock);
    }
    const edge = createUidGenerator({ orgRoot: ROOT, deviceSerial: 5, clock: () => 10 ** TIME_DIGITS - 1 });
    expect(edge.next().length).toBeLessThanOrEqual(MAX_UID_LENGTH);
    expect(createUidGenerator({ orgRoot: ROOT, deviceSerial: 5, clock: () => 0 }).next()).toMatch(
      /^1\.2\.826\.0\.1\.3680043\.10\.543\.5\.0\.[1-9][0-9]*$/,
    );
  });
});

describe('FR-DICOM-01: length limits', () => {
  const maxPrefix = MAX_UID_LENGTH - 2 - TIME_DIGITS - MIN_SEQUENCE_DIGITS;

  it('FR-DICOM-01: a root + serial of the maximum length works and stays within 64 at the worst time', () => {
    const serial = '7';
    const root = `1.2.${'3'.repeat(maxPrefix - 6)}`;
    expect(`${root}.${serial}`.length).toBe(maxPrefix);
    const gen = createUidGenerator({
      orgRoot: root,
      deviceSerial: serial,
      clock: () => 10 ** TIME_DIGITS - 1,
    });
    expect(gen.maxLength).toBe(MAX_UID_LENGTH);
    for (let i = 0; i < 100; i++) expect(gen.next().length).toBeLessThanOrEqual(MAX_UID_LENGTH);
  });

  it('FR-DICOM-01: a root + serial one character too long fails at construction with HNV_ERR_UID_NO_ROOM', () => {
    const root = `1.2.${'3'.repeat(maxPrefix - 5)}`;
    const err = thrown(() => createUidGenerator({ orgRoot: root, deviceSerial: 7 }));
    expect(err.code).toBe(UID_ERROR_CODES.noRoom);
    expect(err.message).toContain(`${MIN_SEQUENCE_DIGITS} are needed`);
    expect(err.hint).toContain(`at most ${maxPrefix} characters`);
    expect(err.details).toMatchObject({
      prefixLength: maxPrefix + 1,
      maxPrefixLength: maxPrefix,
      sequenceDigits: 11,
    });
  });

  it('FR-DICOM-01: a 2.25 UUID root leaves no room and says so', () => {
    const root = '2.25.329800735698586629295641978511506172918';
    const err = thrown(() => createUidGenerator({ orgRoot: root, deviceSerial: 1 }));
    expect(err.code).toBe(UID_ERROR_CODES.noRoom);
    expect(err.details).toMatchObject({ sequenceDigits: 3 });
  });
});

describe('FR-DICOM-01: orgRoot and deviceSerial validation', () => {
  it.each([
    ['', UID_ERROR_CODES.invalid],
    ['1..2', UID_ERROR_CODES.invalid],
    ['1.2.', UID_ERROR_CODES.invalid],
    ['1.02.3', UID_ERROR_CODES.invalid],
    ['1.2.a', UID_ERROR_CODES.invalid],
    ['1', UID_ERROR_CODES.invalid],
    ['3.1.4', UID_ERROR_CODES.invalid],
    ['1.40.5', UID_ERROR_CODES.invalid],
    ['1.2.840.10008', UID_ERROR_CODES.invalid],
    ['1.2.840.10008.5.1', UID_ERROR_CODES.invalid],
    ['2.25', UID_ERROR_CODES.invalid],
    [`2.25.${(1n << 128n).toString()}`, UID_ERROR_CODES.invalid],
    [`1.2.${'4'.repeat(70)}`, UID_ERROR_CODES.invalid],
  ])('FR-DICOM-01: rejects orgRoot %j', (orgRoot, code) => {
    expect(thrown(() => createUidGenerator({ orgRoot, deviceSerial: 1 })).code).toBe(code);
  });

  it.each(['1.2.3', '2.16.410.1', '0.0', '1.39.1', '2.999.1', '1.2.840.10009'])(
    'FR-DICOM-01: accepts orgRoot %j',
    (orgRoot) => {
      expect(createUidGenerator({ orgRoot, deviceSerial: 1 }).next().startsWith(`${orgRoot}.1.`)).toBe(true);
    },
  );

  it.each<string | number>(['007', '', '1.2', ' 12', 'SN-1234', '+5', -1, 1.5, Number.NaN, 2 ** 53])(
    'FR-DICOM-01: rejects deviceSerial %j',
    (deviceSerial) => {
      const err = thrown(() => createUidGenerator({ orgRoot: ROOT, deviceSerial }));
      expect(err.code).toBe(UID_ERROR_CODES.invalid);
      expect(err.details).toMatchObject({ what: 'deviceSerial' });
    },
  );

  it('FR-DICOM-01: an orgRoot without a deviceSerial fails with HNV_ERR_UID_CONFIG', () => {
    expect(thrown(() => createUidGenerator({ orgRoot: ROOT })).code).toBe(UID_ERROR_CODES.config);
  });

  it('NFR-SEC-01: a deviceSerial that is free text is not echoed in the error', () => {
    const err = thrown(() => createUidGenerator({ orgRoot: ROOT, deviceSerial: 'HONG^GILDONG' }));
    expect(JSON.stringify(err)).not.toContain('HONG');
    expect(err.message).not.toContain('HONG');
  });
});

describe('FR-DICOM-01: 2.25 fallback when no orgRoot is registered', () => {
  it('FR-DICOM-01: issues a fresh PS3.5 B.2 UUID-derived UID per call', () => {
    const gen = createUidGenerator({ deviceSerial: 4711 });
    expect(gen.mode).toBe('uuid');
    expect(gen.prefix).toBe('2.25');
    expect(gen.maxLength).toBe(44);
    const uids = Array.from({ length: 1000 }, () => gen.next());
    expect(new Set(uids).size).toBe(1000);
    for (const uid of uids) {
      expect(uid).toMatch(/^2\.25\.(0|[1-9][0-9]{0,38})$/);
      expect(uid.length).toBeLessThanOrEqual(gen.maxLength);
    }
  });

  it('FR-DICOM-01: still validates the deviceSerial it does not embed', () => {
    expect(thrown(() => createUidGenerator({ deviceSerial: '012' })).code).toBe(UID_ERROR_CODES.invalid);
  });
});
