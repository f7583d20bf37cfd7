export {
  fileNameForInstance,
  type OpenPart10Options,
  openPart10File,
  type Part10Source,
  type WritePart10Options,
  type WrittenPart10,
  writePart10Dataset,
  writePart10File,
} from './file-io.js';
export {
  encodePart10Header,
  type FileMetaInformation,
  PART10_ERROR_CODE,
  PART10_TRUNCATED_ERROR_CODE,
  Part10Error,
  type Part10Header,
  Part10TruncatedError,
  parsePart10Header,
  readPart10Header,
} from './meta.js';
export {
  MAX_VALIDATE_INFLATED,
  type Part10File,
  type Part10Structure,
  parsePart10File,
  readPart10File,
  readPart10Structure,
  validatePart10File,
} from './read.js';
