import { isHnvError } from '@hnvue/core';
import { describe, expect, it } from 'vitest';
import {
  buildCrImage,
  buildDxImage,
  buildGsps,
  type DxInput,
  IodValueError,
  toPart10Buffer,
  type WorklistItem,
} from '../src/index.js';
import { minimalCr, minimalDx, WORKLIST } from './fixtures.js';

// A test patient whose identifiers occur nowhere else: any of these in an error is a leak.
const NAME = 'Qzvrblatt^Yolanthe';
const ID = 'PIDQ77310';
const BIRTH = '19470823';
const ACCESSION = 'ACCX9904';
const MARKERS = ['Qzvrblatt', 'Yolanthe', ID, BIRTH, '1947-08-23', ACCESSION, 'ZQ7PHI'];

const patient = { name: NAME, id: ID, birthDate: BIRTH, sex: 'F' as const };
const worklist: WorklistItem = {
  ...WORKLIST,
  patientName: { alphabetic: NAME },
  patientId: ID,
  patientBirthDate: BIRTH,
  accessionNumber: ACCESSION,
};

/** Every text an error carries that a logger may print: message, stack, details, causes. */
function texts(err: unknown, depth = 0): string[] {
  if (depth > 5 || err === null || err === undefined) return [];
  if (!(err instanceof Error)) return [String(err)];
  const out = [err.message, err.stack ?? '', JSON.stringify(err)];
  const details = (err as { details?: unknown }).details;
  if (details !== undefined) out.push(JSON.stringify(details));
  return [...out, ...texts(err.cause, depth + 1)];
}

function leaks(err: unknown): string[] {
  const all = texts(err).join('\n');
  return MARKERS.filter((m) => all.includes(m));
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

const dx = (extra: Partial<DxInput>) => () => {
  const built = buildDxImage(minimalDx(extra));
  return toPart10Buffer(built.dataset, built.pixelData);
};

interface Case {
  readonly name: string;
  readonly run: () => unknown;
  readonly code: string;
  /** The attribute the message must name (keyword and tag). */
  readonly names?: readonly [string, string];
}

const long = (prefix: string, n: number): string => prefix + 'x'.repeat(n - prefix.length);

const CASES: readonly Case[] = [
  {
    name: 'a patient name longer than 64 characters',
    run: dx({ patient: { ...patient, name: `Qzvrblatt${'e'.repeat(60)}^Yolanthe` } }),
    code: 'HNV_ERR_IOD_INPUT',
    names: ['PatientName', '(0010,0010)'],
  },
  {
    name: 'a patient name group longer than 64 characters (object form)',
    run: dx({ patient: { ...patient, name: { alphabetic: NAME, ideographic: long('Qzvrblatt', 70) } } }),
    code: 'HNV_ERR_IOD_INPUT',
    names: ['PatientName', '(0010,0010)'],
  },
  {
    name: 'a patient name with a backslash',
    run: dx({ patient: { ...patient, name: `${NAME}\\ZQ7PHI` } }),
    code: 'HNV_ERR_IOD_INPUT',
    names: ['PatientName', '(0010,0010)'],
  },
  {
    name: 'a patient name with a control character',
    run: dx({ patient: { ...patient, name: `${NAME}\nZQ7PHI` } }),
    code: 'HNV_ERR_IOD_INPUT',
    names: ['PatientName', '(0010,0010)'],
  },
  {
    name: 'a malformed birth date (ISO form)',
    run: dx({ patient: { ...patient, birthDate: '1947-08-23' } }),
    code: 'HNV_ERR_IOD_INPUT',
    names: ['PatientBirthDate', '(0010,0030)'],
  },
  {
    name: 'an impossible birth date',
    run: dx({ patient: { ...patient, birthDate: '19471323' } }),
    code: 'HNV_ERR_IOD_INPUT',
    names: ['PatientBirthDate', '(0010,0030)'],
  },
  {
    name: 'an invalid Date object as birth date',
    run: dx({ patient: { ...patient, birthDate: new Date(Number.NaN) } }),
    code: 'HNV_ERR_IOD_INPUT',
    names: ['PatientBirthDate', '(0010,0030)'],
  },
  {
    name: 'a 78-character Patient ID',
    run: dx({ patient: { ...patient, id: long(ID, 78) } }),
    code: 'HNV_ERR_IOD_INPUT',
    names: ['PatientID', '(0010,0020)'],
  },
  {
    name: 'a 30-character Accession Number',
    run: dx({ patient, study: { accessionNumber: long(ACCESSION, 30) } }),
    code: 'HNV_ERR_IOD_INPUT',
    names: ['AccessionNumber', '(0008,0050)'],
  },
  {
    name: 'a 30-character Accession Number from the worklist',
    run: dx({ worklistItem: { ...worklist, accessionNumber: long(ACCESSION, 30) } }),
    code: 'HNV_ERR_IOD_INPUT',
    names: ['AccessionNumber', '(0008,0050)'],
  },
  {
    name: 'a 78-character Patient ID from the worklist',
    run: dx({ worklistItem: { ...worklist, patientId: long(ID, 78) } }),
    code: 'HNV_ERR_IOD_INPUT',
    names: ['PatientID', '(0010,0020)'],
  },
  {
    name: 'a malformed birth date from the worklist',
    run: dx({ worklistItem: { ...worklist, patientBirthDate: '1947-08-23' } }),
    code: 'HNV_ERR_IOD_INPUT',
    names: ['PatientBirthDate', '(0010,0030)'],
  },
  {
    name: 'a Study Instance UID made of a patient identifier',
    run: dx({ patient, study: { studyInstanceUid: `1.2.${ID}` } }),
    code: 'HNV_ERR_IOD_INPUT',
    names: ['StudyInstanceUID', '(0020,000D)'],
  },
  {
    name: 'a malformed study time',
    run: dx({ patient, study: { studyTime: `12:30 ${ID}` } }),
    code: 'HNV_ERR_IOD_INPUT',
    names: ['StudyTime', '(0008,0030)'],
  },
  {
    name: 'a Study ID longer than SH allows',
    run: dx({ patient, study: { studyId: `${ACCESSION}-${ID}` } }),
    code: 'HNV_ERR_IOD_INPUT',
    names: ['StudyID', '(0020,0010)'],
  },
  {
    name: 'a CR image with a 78-character Patient ID',
    run: () => {
      const built = buildCrImage(minimalCr({ patient: { ...patient, id: long(ID, 78) } }));
      return toPart10Buffer(built.dataset, built.pixelData);
    },
    code: 'HNV_ERR_IOD_INPUT',
    names: ['PatientID', '(0010,0020)'],
  },
  {
    name: 'a GSPS of an image whose Patient ID is too long',
    run: () => {
      const image = buildDxImage(minimalDx({ patient })).dataset;
      return buildGsps({
        image: { ...image, PatientID: long(ID, 78) },
        equipment: { manufacturer: 'HnVue' },
        label: 'REVIEW',
      });
    },
    code: 'HNV_ERR_IOD_INPUT',
    names: ['PatientID', '(0010,0020)'],
  },
  {
    name: 'Korean text in a data set declared as the default repertoire (charset)',
    run: () => {
      const built = buildDxImage(minimalDx({ patient: { ...patient, name: 'Qzvrblatt^홍길동' } }), {
        characterSet: 'ISO_IR 6',
      });
      return toPart10Buffer(built.dataset, built.pixelData);
    },
    code: 'HNV_ERR_IOD_CHARSET',
  },
  {
    name: 'a value the encoder chokes on (a foreign throw quoting the value)',
    run: () => {
      const built = buildDxImage(minimalDx({ patient }));
      const poisoned = {
        toString(): string {
          throw new TypeError(`cannot stringify ${NAME} ${ID} ${BIRTH}`);
        },
      };
      return toPart10Buffer({ ...built.dataset, StudyDescription: poisoned }, built.pixelData);
    },
    code: 'HNV_ERR_IOD_WRITE',
  },
  {
    name: 'an IOD validation failure (Patient Sex not enumerated)',
    run: () => buildDxImage(minimalDx({ patient: { ...patient, sex: 'Q' as never } })),
    code: 'HNV_ERR_IOD_INVALID',
  },
];

describe('NFR-SEC-01: no PHI in iod errors; no invalid value reaches the wire', () => {
  const results: { name: string; leaks: string[] }[] = [];

  for (const c of CASES) {
    it(`NFR-SEC-01: ${c.name} throws ${c.code} without the value`, () => {
      const err = thrown(c.run);
      expect(isHnvError(err), String(err)).toBe(true);
      expect((err as { code: string }).code).toBe(c.code);
      const found = leaks(err);
      results.push({ name: c.name, leaks: found });
      expect(found).toEqual([]);
      if (c.names !== undefined) {
        const [keyword, tag] = c.names;
        const message = (err as Error).message;
        expect(message).toContain(keyword);
        expect(message).toContain(tag);
        expect(err).toBeInstanceOf(IodValueError);
        const problem = (err as IodValueError).problem;
        expect(problem.keyword).toBe(keyword);
        expect(problem.rule).toMatch(/^[a-z-]+$/);
      }
    });
  }

  it('NFR-SEC-01: the identifiers are in the object when the values are valid (the grep would see them)', () => {
    const built = buildDxImage(minimalDx({ worklistItem: worklist }));
    const bytes = toPart10Buffer(built.dataset, built.pixelData).toString('latin1');
    for (const m of ['Qzvrblatt', ID, BIRTH, ACCESSION]) expect(bytes).toContain(m);
  });

  it('NFR-SEC-01: every error path checked, 0 identifiers found', () => {
    expect(results.length).toBe(CASES.length);
    expect(results.flatMap((r) => r.leaks)).toEqual([]);
  });
});
