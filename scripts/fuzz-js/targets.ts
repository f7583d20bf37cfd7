/** The JS fuzz targets: entry module, committed seed corpus, input size cap. */
import { join } from 'node:path';
import { ROOT } from './build.js';

export interface TargetInfo {
  readonly entry: string;
  /** Committed seeds: real inputs (make-corpus.ts) and regression inputs. */
  readonly seeds: string;
  /** Committed minimised coverage corpus of the last long run (`--corpus-out` default). */
  readonly minimised: string;
  readonly maxLen: number;
}

const at = (pkg: string, name: string, maxLen: number): TargetInfo => ({
  entry: join(ROOT, 'packages', pkg, 'fuzz', `${name}.ts`),
  seeds: join(ROOT, 'packages', pkg, 'fuzz', 'corpus', name),
  minimised: join(ROOT, 'packages', pkg, 'fuzz', 'corpus', `${name}.min`),
  maxLen,
});

export const TARGETS: Readonly<Record<string, TargetInfo>> = {
  pdu: at('net', 'pdu', 16384),
  'dimse-command': at('net', 'dimse-command', 1024),
  walker: at('dicom', 'walker', 4096),
  part10: at('dicom', 'part10', 4096),
};
