export {
  type CodedEntry,
  codedEntry,
  codedEntryFromDataset,
  codedEntryToDataset,
  type SopRef,
  sameCode,
  sopRefFromDataset,
  sopRefToDataset,
} from './coded.js';
export {
  type DateTimeVr,
  type DicomDate,
  type DicomDateTime,
  type DicomRange,
  type DicomTime,
  dateRange,
  type FormatDateTimeOptions,
  type FormatTimeOptions,
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
} from './datetime.js';
export {
  type DcmjsPersonName,
  formatPersonName,
  formatPersonNameComponents,
  type PersonName,
  type PersonNameComponents,
  parsePersonName,
  parsePersonNameComponents,
  personNameFromDcmjs,
  personNameToDcmjs,
} from './person-name.js';
export { checkVrValue, type VrRule, type VrViolation } from './vr-rules.js';
export type { ScheduledProcedureStep, WorklistItem } from './worklist.js';
