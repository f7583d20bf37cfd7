export {
  type PreparedPixels,
  type PrepareOptions,
  PrintPrepareError,
  preparePrintImage,
  presentationValues,
  storedValues,
} from './prepare.js';
