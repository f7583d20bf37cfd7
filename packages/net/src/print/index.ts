/** Basic Grayscale Print Management SCU (FR-DICOM-11; PS3.4 Annex H). */
export {
  filmBoxDataset,
  filmSessionDataset,
  imageBoxDataset,
  imageDisplayFormat,
  parsePrintEvent,
  parsePrinter,
} from './datasets.js';
export {
  PRINT_ERROR_CODES,
  PRINTER_BUSY_STATUSES,
  PrinterFailureError,
  type PrintOperation,
  PrintRejectedError,
  PrintStateError,
} from './errors.js';
export {
  type FilmToPrint,
  type PrintJobRequest,
  type PrintJobResult,
  printFilms,
  requirePrinterReady,
  to8Bit,
} from './job.js';
export {
  PRINT_CONTEXTS,
  type PrintRequestOptions,
  PrintScu,
  type PrintScuEvents,
  type PrintScuOptions,
} from './scu.js';
export type * from './types.js';
