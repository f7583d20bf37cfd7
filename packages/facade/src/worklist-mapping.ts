/**
 * A worklist C-FIND match (@hnvue/net's parsed item) → the IHE SWF slice the image and dose
 * report builders copy (@hnvue/iod's WorklistItem, RAD TF-2 Table 4.8-4).
 */
import type {
  CodedConcept,
  CharacterSet as IodCharacterSet,
  WorklistItem as IodWorklistItem,
} from '@hnvue/iod';
import type { CharacterSet, CodedEntry, WorklistItem } from '@hnvue/net';

function coded(code: CodedEntry): CodedConcept {
  return {
    value: code.codeValue,
    scheme: code.codingSchemeDesignator,
    meaning: code.codeMeaning ?? code.codeValue,
    ...(code.codingSchemeVersion ? { schemeVersion: code.codingSchemeVersion } : {}),
  };
}

export function toIodWorklistItem(item: WorklistItem, studyInstanceUid: string): IodWorklistItem {
  const step = item.scheduledProcedureSteps[0];
  const procedureCode = item.requestedProcedureCodes[0];
  const sex = item.patientSex;
  return {
    patient: {
      ...(item.patientName ? { name: { ...item.patientName } } : {}),
      ...(item.patientId ? { id: item.patientId } : {}),
      ...(item.issuerOfPatientId ? { issuerOfPatientId: item.issuerOfPatientId } : {}),
      ...(item.patientBirthDate ? { birthDate: item.patientBirthDate } : {}),
      ...(sex === 'M' || sex === 'F' || sex === 'O' ? { sex } : {}),
    },
    studyInstanceUid,
    ...(item.accessionNumber ? { accessionNumber: item.accessionNumber } : {}),
    ...(item.referringPhysicianName ? { referringPhysicianName: { ...item.referringPhysicianName } } : {}),
    ...(item.requestedProcedureId ? { requestedProcedureId: item.requestedProcedureId } : {}),
    ...(item.requestedProcedureDescription
      ? { requestedProcedureDescription: item.requestedProcedureDescription }
      : {}),
    ...(procedureCode ? { requestedProcedureCode: coded(procedureCode) } : {}),
    ...(step?.stepId ? { scheduledProcedureStepId: step.stepId } : {}),
    ...(step?.description ? { scheduledProcedureStepDescription: step.description } : {}),
    ...(step?.protocolCodes.length ? { scheduledProtocolCodes: step.protocolCodes.map(coded) } : {}),
    ...(item.referencedStudies.length
      ? { referencedStudies: item.referencedStudies.map((r) => ({ ...r })) }
      : {}),
  };
}

/** The builders' character set for text copied from a worklist answer in `received`. */
export function buildCharacterSet(received: CharacterSet | undefined): IodCharacterSet | 'auto' {
  // Korean sites keep ISO 2022 IR 149 end to end (FR-DICOM-03); everything else: ASCII or UTF-8.
  return received?.terms.includes('ISO 2022 IR 149') ? 'ISO 2022 IR 149' : 'auto';
}
