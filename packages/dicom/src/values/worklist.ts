/**
 * A Modality Worklist item, typed (PS3.4 Table K.6-1): what the worklist SCU reads from a
 * C-FIND match (net), what the image and dose report builders copy under IHE SWF (iod, RAD TF-2
 * Table 4.8-4) and what the facade keeps for an open procedure. One shape for all three.
 */
import type { CodedEntry, SopRef } from './coded.js';
import type { PersonName } from './person-name.js';

/** One item of the Scheduled Procedure Step Sequence (0040,0100). */
export interface ScheduledProcedureStep {
  readonly scheduledStationAeTitle?: string;
  readonly scheduledStationName?: string;
  /** DA */
  readonly startDate?: string;
  /** TM */
  readonly startTime?: string;
  readonly modality?: string;
  readonly scheduledPerformingPhysicianName?: PersonName;
  readonly description?: string;
  readonly location?: string;
  readonly stepId?: string;
  readonly status?: string;
  readonly protocolCodes: readonly CodedEntry[];
}

/** One worklist match. Absent or empty attributes are undefined; sequences are arrays. */
export interface WorklistItem {
  readonly patientName?: PersonName;
  readonly patientId?: string;
  readonly issuerOfPatientId?: string;
  readonly otherPatientIds: readonly string[];
  /** DA */
  readonly patientBirthDate?: string;
  readonly patientSex?: string;
  readonly patientWeight?: number;
  readonly patientSize?: number;
  readonly medicalAlerts?: string;
  readonly allergies?: string;
  readonly pregnancyStatus?: number;
  readonly admissionId?: string;
  readonly currentPatientLocation?: string;
  readonly accessionNumber?: string;
  readonly requestingPhysician?: PersonName;
  readonly referringPhysicianName?: PersonName;
  readonly requestedProcedureId?: string;
  readonly requestedProcedureDescription?: string;
  readonly requestedProcedureCodes: readonly CodedEntry[];
  readonly requestedProcedurePriority?: string;
  readonly studyInstanceUid?: string;
  readonly referencedStudies: readonly SopRef[];
  readonly scheduledProcedureSteps: readonly ScheduledProcedureStep[];
}
