// The configuration API (NFR-CFG-01) and the single entry point that wires every service.
export * from './config-api.js';
export {
  type FindPriorsOptions,
  findPriors,
  type PriorStudy,
  PriorsCache,
  type PriorsCacheOptions,
  type RetrievedStudy,
  type RetrievePriorsOptions,
} from './priors.js';
export {
  type CommitmentExpiredInfo,
  type CommitmentInfo,
  type CommitmentReRequestInfo,
  type CommitmentTimeoutInfo,
  type CompleteInput,
  type CreateDicomServicesOptions,
  createDicomServices,
  type DeliveryInfo,
  DicomServices,
  type DicomServicesEvents,
  type ImageInput,
  type PrintedInfo,
  type PrinterStatusInfo,
  type PrintImageInput,
  type PrintJobInfo,
  type PrintJobStatusInfo,
  type PrintOptions,
  type Procedure,
  queueDirFor,
  type StartProcedureInput,
  type StoredObject,
  type StudyDeliveredInfo,
} from './services.js';
export type { SopRef } from './state.js';
