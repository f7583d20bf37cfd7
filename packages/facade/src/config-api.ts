// `@hnvue/facade/config`: the configuration API (NFR-CFG-01) and the per-destination association
// options, without the services. It loads no image builder, queue or codec, so a tool that only
// reads a configuration and opens an association (the CLI's echo, worklist, query) starts fast.
export {
  type CertificateReportLine,
  type CertificateUse,
  certificateReport,
  checkCertificates,
} from './certificates.js';
export * from './config/index.js';
export { associationOptionsFor, connectorFor, requireDestination } from './destinations.js';
export { FACADE_ERROR_CODES, FacadeError } from './errors.js';
