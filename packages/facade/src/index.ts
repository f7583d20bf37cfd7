// The configuration API only, for now (NFR-CFG-01); wiring and workflow come later.
export * from './config/index.js';
