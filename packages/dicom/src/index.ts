/**
 * @hnvue/dicom: the one DICOM data model of HnVue — the transfer-syntax and codec registry, the
 * element walker, the data set codec, Specific Character Set handling and Part 10 files. Nothing
 * here opens a socket; every package that reads or writes DICOM stands on it.
 */
export * from './charset/index.js';
export * from './codec/index.js';
export * from './dictionary/index.js';
// elements/ re-exports the same TAG; named here so the root export never depends on star-export rules.
export { TAG } from './dictionary/index.js';
export * from './elements/index.js';
export * from './part10/index.js';
export * from './uids/index.js';
export * from './values/index.js';
