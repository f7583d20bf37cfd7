import type { NaturalDataset } from '@hnvue/dicom';
/**
 * The simulated RIS's worklist: fictional patients, scheduled today, in the character sets a
 * Korean site meets (FR-DICOM-03): Korean in ISO 2022 IR 149 and in UTF-8, Latin-1, plain ASCII.
 * Every name, ID and accession number here is invented.
 */

export interface SeedOptions {
  /** Scheduled date of every item; default today. */
  readonly date?: Date;
  /** Scheduled Station AE Title of every item; default HNVUE_DR1. */
  readonly stationAeTitle?: string;
  /** Root of the generated Study Instance UIDs; default a 2.25 UUID-derived root per run. */
  readonly uidRoot?: string;
}

function ymd(d: Date): string {
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

interface SeedRow {
  readonly charset: string | readonly string[] | undefined;
  readonly name: string;
  readonly id: string;
  readonly birthDate: string;
  readonly sex: 'M' | 'F' | 'O';
  readonly accession: string;
  readonly modality: 'DX' | 'CR';
  readonly time: string;
  readonly procedure: string;
  readonly code: string;
  readonly physician: string;
}

const ROWS: readonly SeedRow[] = [
  {
    // PS3.5 Annex I: Korean in G1 after ESC $ ) C, ASCII in G0.
    charset: ['', 'ISO 2022 IR 149'],
    name: 'Hong^Gildong=洪^吉洞=홍^길동',
    id: 'SIM-0001',
    birthDate: '19800115',
    sex: 'M',
    accession: 'SIMACC0001',
    modality: 'DX',
    time: '090000',
    procedure: 'Chest PA',
    code: 'RPID-CHEST-PA',
    physician: 'Park^Jiyeon',
  },
  {
    charset: 'ISO_IR 192',
    name: 'Kim^Minjun=金^敏俊=김^민준',
    id: 'SIM-0002',
    birthDate: '19920304',
    sex: 'M',
    accession: 'SIMACC0002',
    modality: 'DX',
    time: '093000',
    procedure: 'Hand left',
    code: 'RPID-HAND-L',
    physician: 'Lee^Seojun',
  },
  {
    charset: 'ISO_IR 192',
    name: 'Lee^Soyeon=李^素妍=이^소연',
    id: 'SIM-0003',
    birthDate: '19751122',
    sex: 'F',
    accession: 'SIMACC0003',
    modality: 'CR',
    time: '100000',
    procedure: 'Knee right',
    code: 'RPID-KNEE-R',
    physician: 'Choi^Yuna',
  },
  {
    charset: 'ISO_IR 100',
    name: 'Ødegård^Åse',
    id: 'SIM-0004',
    birthDate: '19681009',
    sex: 'F',
    accession: 'SIMACC0004',
    modality: 'DX',
    time: '103000',
    procedure: 'Chest PA',
    code: 'RPID-CHEST-PA',
    physician: 'Müller^Jürgen',
  },
  {
    charset: undefined,
    name: 'Doe^Jane',
    id: 'SIM-0005',
    birthDate: '20010630',
    sex: 'F',
    accession: 'SIMACC0005',
    modality: 'DX',
    time: '110000',
    procedure: 'Pelvis AP',
    code: 'RPID-PELVIS-AP',
    physician: 'Smith^John',
  },
];

function uuidRoot(): string {
  // PS3.5 B.2: 2.25 followed by a UUID as one decimal integer.
  const hex = crypto.randomUUID().replace(/-/g, '');
  return `2.25.${BigInt(`0x${hex}`).toString()}`;
}

/** Five scheduled items (MWL C-FIND return keys of PS3.4 Table K.6-1 that IHE SWF asks for). */
export function seedWorklist(options: SeedOptions = {}): NaturalDataset[] {
  const date = ymd(options.date ?? new Date());
  const station = options.stationAeTitle ?? 'HNVUE_DR1';
  // Keep each Study Instance UID within 64 characters: a short root, then .index.
  const root = options.uidRoot ?? uuidRoot().slice(0, 40).replace(/\.$/, '');
  return ROWS.map((row, index) => {
    const ds: NaturalDataset = {
      PatientName: row.name,
      PatientID: row.id,
      IssuerOfPatientID: 'SIMRIS',
      PatientBirthDate: row.birthDate,
      PatientSex: row.sex,
      AccessionNumber: row.accession,
      ReferringPhysicianName: row.physician,
      RequestingPhysician: row.physician,
      StudyInstanceUID: `${root}.${index + 1}`,
      RequestedProcedureID: `RP${String(index + 1).padStart(4, '0')}`,
      RequestedProcedureDescription: row.procedure,
      RequestedProcedureCodeSequence: [
        { CodeValue: row.code, CodingSchemeDesignator: '99SIMRIS', CodeMeaning: row.procedure },
      ],
      RequestedProcedurePriority: 'ROUTINE',
      AdmissionID: '',
      CurrentPatientLocation: '',
      ReferencedStudySequence: [],
      ScheduledProcedureStepSequence: [
        {
          ScheduledStationAETitle: station,
          ScheduledStationName: 'DR ROOM 1',
          ScheduledProcedureStepStartDate: date,
          ScheduledProcedureStepStartTime: row.time,
          Modality: row.modality,
          ScheduledPerformingPhysicianName: '',
          ScheduledProcedureStepDescription: row.procedure,
          ScheduledProcedureStepID: `SPS${String(index + 1).padStart(4, '0')}`,
          ScheduledProcedureStepLocation: 'RADIOLOGY',
          ScheduledProcedureStepStatus: 'SCHEDULED',
          ScheduledProtocolCodeSequence: [
            { CodeValue: row.code, CodingSchemeDesignator: '99SIMRIS', CodeMeaning: row.procedure },
          ],
        },
      ],
    };
    if (row.charset !== undefined) {
      ds.SpecificCharacterSet = typeof row.charset === 'string' ? row.charset : [...row.charset];
    }
    return ds;
  });
}
