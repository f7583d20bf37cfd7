export {
  composeFilm,
  PRINT_SCP_CONTEXTS,
  type PrinterStatusReport,
  type PrintScpOptions,
  printScpHandlers,
} from './print-scp.js';
export {
  type IndexedInstance,
  indexFile,
  indexFolder,
  type QrDestination,
  type QrScpOptions,
  qrScpHandlers,
} from './qr-scp.js';
export { type SeedOptions, seedWorklist } from './seed.js';
export {
  type ModalityAddress,
  RisPacsSimulator,
  type SimulatorAddress,
  type SimulatorEvents,
  type SimulatorOptions,
  startSimulator,
} from './simulator.js';
export {
  matchesIdentifier,
  projectItem,
  type WorklistScpOptions,
  worklistScpHandler,
} from './worklist-scp.js';
