export {
  fileNameForInstance,
  openPart10File,
  type Part10Source,
  type WritePart10Options,
  type WrittenPart10,
  writePart10File,
} from './file-io.js';
export {
  encodePart10Header,
  type FileMetaInformation,
  PART10_ERROR_CODE,
  Part10Error,
  type Part10Header,
  parsePart10Header,
  readPart10Header,
} from './meta.js';
