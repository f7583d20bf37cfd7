export {
  type PreparedPixels,
  type PrepareOptions,
  PrintPrepareError,
  preparePrintImage,
  presentationValues,
  storedValues,
} from './prepare.js';
export { type GrayscalePipeline, presentationStatePipeline } from './presentation-state.js';
