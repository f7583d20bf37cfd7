import { type NaturalDataset, SOP_CLASS } from '@hnvue/dicom';
import {
  CODE_ITEM,
  GENERAL_EQUIPMENT,
  GENERAL_STUDY,
  PATIENT,
  SOP_COMMON,
  SOP_REFERENCE,
} from './common-modules.js';
import type { AttributeRule, Finding, IodDefinition, ModuleRule } from './types.js';

const HIERARCHICAL_REFERENCE: readonly AttributeRule[] = [
  { keyword: 'StudyInstanceUID', type: '1' },
  {
    keyword: 'ReferencedSeriesSequence',
    type: '1',
    items: [
      { keyword: 'SeriesInstanceUID', type: '1' },
      { keyword: 'ReferencedSOPSequence', type: '1', items: SOP_REFERENCE },
    ],
  },
];

/** PS3.3 C.17.1 */
const SR_DOCUMENT_SERIES: ModuleRule = {
  name: 'SRDocumentSeries',
  usage: 'M',
  attributes: [
    { keyword: 'Modality', type: '1', enumerated: ['SR'] },
    { keyword: 'SeriesInstanceUID', type: '1' },
    { keyword: 'SeriesNumber', type: '1' },
    { keyword: 'ReferencedPerformedProcedureStepSequence', type: '2', items: SOP_REFERENCE, maxItems: 1 },
  ],
};

/** PS3.3 C.7.5.2 */
const ENHANCED_GENERAL_EQUIPMENT: ModuleRule = {
  name: 'EnhancedGeneralEquipment',
  usage: 'M',
  attributes: [
    { keyword: 'Manufacturer', type: '1' },
    { keyword: 'ManufacturerModelName', type: '1' },
    { keyword: 'DeviceSerialNumber', type: '1' },
    { keyword: 'SoftwareVersions', type: '1' },
  ],
};

/** PS3.3 C.17.2 */
const SR_DOCUMENT_GENERAL: ModuleRule = {
  name: 'SRDocumentGeneral',
  usage: 'M',
  attributes: [
    { keyword: 'InstanceNumber', type: '1' },
    { keyword: 'CompletionFlag', type: '1', enumerated: ['PARTIAL', 'COMPLETE'] },
    { keyword: 'VerificationFlag', type: '1', enumerated: ['UNVERIFIED', 'VERIFIED'] },
    { keyword: 'ContentDate', type: '1' },
    { keyword: 'ContentTime', type: '1' },
    { keyword: 'PerformedProcedureCodeSequence', type: '2', items: CODE_ITEM },
    {
      keyword: 'ReferencedRequestSequence',
      type: '1C',
      when: () => false,
      mayBePresentOtherwise: true,
      items: [
        { keyword: 'StudyInstanceUID', type: '1' },
        { keyword: 'ReferencedStudySequence', type: '2', items: SOP_REFERENCE },
        { keyword: 'AccessionNumber', type: '2' },
        { keyword: 'PlacerOrderNumberImagingServiceRequest', type: '2' },
        { keyword: 'FillerOrderNumberImagingServiceRequest', type: '2' },
        { keyword: 'RequestedProcedureID', type: '2' },
        { keyword: 'RequestedProcedureDescription', type: '2' },
        { keyword: 'RequestedProcedureCodeSequence', type: '2', items: CODE_ITEM },
      ],
    },
    {
      keyword: 'CurrentRequestedProcedureEvidenceSequence',
      type: '1C',
      when: () => false,
      mayBePresentOtherwise: true,
      items: HIERARCHICAL_REFERENCE,
    },
  ],
};

/** PS3.3 C.17.3: the root content item (document title, template). */
const SR_DOCUMENT_CONTENT: ModuleRule = {
  name: 'SRDocumentContent',
  usage: 'M',
  attributes: [
    { keyword: 'ValueType', type: '1', enumerated: ['CONTAINER'] },
    { keyword: 'ConceptNameCodeSequence', type: '1', items: CODE_ITEM, minItems: 1, maxItems: 1 },
    { keyword: 'ContinuityOfContent', type: '1', enumerated: ['SEPARATE', 'CONTINUOUS'] },
    {
      keyword: 'ContentTemplateSequence',
      type: '1C',
      when: () => true,
      items: [
        { keyword: 'MappingResource', type: '1', enumerated: ['DCMR'] },
        { keyword: 'TemplateIdentifier', type: '1', enumerated: ['10001'] },
      ],
    },
    { keyword: 'ContentSequence', type: '1C', when: () => true },
  ],
};

type Item = NaturalDataset;

function conceptOf(it: Item): string {
  const name = (it.ConceptNameCodeSequence as Item[] | undefined)?.[0];
  return name === undefined ? '' : `${String(name.CodeValue)}:${String(name.CodingSchemeDesignator)}`;
}

function children(it: Item): Item[] {
  return Array.isArray(it.ContentSequence) ? (it.ContentSequence as Item[]) : [];
}

interface Required {
  readonly concept: string;
  readonly label: string;
  readonly relationship: string;
  readonly valueType: string;
}

const req = (concept: string, label: string, relationship: string, valueType: string): Required => ({
  concept,
  label,
  relationship,
  valueType,
});

// PS3.16 TID 10001 rows that are mandatory for a projection X-ray report.
const ROOT_ITEMS: readonly Required[] = [
  req('121058:DCM', 'Procedure reported', 'HAS CONCEPT MOD', 'CODE'),
  req('121005:DCM', 'Observer Type', 'HAS OBS CONTEXT', 'CODE'),
  req('113705:DCM', 'Scope of Accumulation', 'HAS OBS CONTEXT', 'CODE'),
  req('113702:DCM', 'Accumulated X-Ray Dose Data', 'CONTAINS', 'CONTAINER'),
  req('113706:DCM', 'Irradiation Event X-Ray Data', 'CONTAINS', 'CONTAINER'),
  req('113854:DCM', 'Source of Dose Information', 'CONTAINS', 'CODE'),
];

// PS3.16 TID 10003 mandatory rows.
const EVENT_ITEMS: readonly Required[] = [
  req('113764:DCM', 'Acquisition Plane', 'CONTAINS', 'CODE'),
  req('113769:DCM', 'Irradiation Event UID', 'CONTAINS', 'UIDREF'),
  req('111526:DCM', 'DateTime Started', 'CONTAINS', 'DATETIME'),
  req('113721:DCM', 'Irradiation Event Type', 'CONTAINS', 'CODE'),
  req('122130:DCM', 'Dose Area Product', 'CONTAINS', 'NUM'),
];

const ACCUMULATED_ITEMS: readonly Required[] = [req('113764:DCM', 'Acquisition Plane', 'CONTAINS', 'CODE')];

function requireItems(parent: Item, wanted: readonly Required[], path: string, out: Finding[]): void {
  const kids = children(parent);
  for (const w of wanted) {
    const found = kids.filter((k) => conceptOf(k) === w.concept);
    const base = { severity: 'error' as const, module: 'TID10001', keyword: 'ContentSequence' };
    if (found.length === 0) {
      out.push({
        ...base,
        path: `${path}(${w.label})`,
        kind: 'missing',
        message: `missing content item ${w.label}`,
      });
      continue;
    }
    for (const f of found) {
      if (f.RelationshipType !== w.relationship || f.ValueType !== w.valueType) {
        out.push({
          ...base,
          path: `${path}(${w.label})`,
          kind: 'value',
          message: `${w.label} must be ${w.relationship} ${w.valueType}`,
        });
      }
    }
  }
}

/** Every NUM item carries a measured value with one UCUM unit (PS3.3 C.18.1, TID 10001). */
function checkUnits(it: Item, path: string, out: Finding[]): void {
  for (const k of children(it)) {
    if (k.ValueType === 'NUM') {
      const mv = (k.MeasuredValueSequence as Item[] | undefined)?.[0];
      const unit = (mv?.MeasurementUnitsCodeSequence as Item[] | undefined)?.[0];
      const at = `${path}(${conceptOf(k)})`;
      const base = { severity: 'error' as const, module: 'TID10001', path: at };
      if (mv === undefined) {
        out.push({
          ...base,
          keyword: 'MeasuredValueSequence',
          kind: 'missing',
          message: 'numeric item without a value',
        });
      } else if (unit === undefined) {
        out.push({
          ...base,
          keyword: 'MeasurementUnitsCodeSequence',
          kind: 'missing',
          message: 'numeric item without a unit',
        });
      } else if (unit.CodingSchemeDesignator !== 'UCUM') {
        out.push({
          ...base,
          keyword: 'CodingSchemeDesignator',
          kind: 'value',
          message: 'unit is not a UCUM code',
        });
      }
    }
    checkUnits(k, `${path}(${conceptOf(k)}).`, out);
  }
}

/** The TID 10001/10003 content tree constraints dciodvfy leaves unchecked. */
function checkTid10001(ds: NaturalDataset): Finding[] {
  const out: Finding[] = [];
  if (conceptOf(ds) !== '113701:DCM') {
    out.push({
      severity: 'error',
      module: 'TID10001',
      keyword: 'ConceptNameCodeSequence',
      path: 'ConceptNameCodeSequence',
      kind: 'value',
      message: 'document title is not (113701, DCM, "X-Ray Radiation Dose Report")',
    });
  }
  requireItems(ds, ROOT_ITEMS, 'ContentSequence', out);
  for (const k of children(ds)) {
    if (conceptOf(k) === '113706:DCM')
      requireItems(k, EVENT_ITEMS, 'ContentSequence(Irradiation Event).', out);
    if (conceptOf(k) === '113702:DCM')
      requireItems(k, ACCUMULATED_ITEMS, 'ContentSequence(Accumulated).', out);
  }
  checkUnits(ds, 'ContentSequence', out);
  return out;
}

/** PS3.3 A.35.8: X-Ray Radiation Dose SR IOD. */
export const RDSR_IOD: IodDefinition = {
  name: 'RDSR',
  sopClassUids: [SOP_CLASS.xRayRadiationDoseSrStorage],
  modules: [
    PATIENT,
    GENERAL_STUDY,
    SR_DOCUMENT_SERIES,
    GENERAL_EQUIPMENT,
    ENHANCED_GENERAL_EQUIPMENT,
    SR_DOCUMENT_GENERAL,
    SR_DOCUMENT_CONTENT,
    SOP_COMMON,
  ],
  check: checkTid10001,
};
