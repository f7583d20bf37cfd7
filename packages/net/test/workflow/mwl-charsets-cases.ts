/**
 * Shared by the worklist character set tests (mwl-charsets*.test.ts): one worklist item per
 * Specific Character Set Defined Term, written with our codec (Part 10, Explicit VR LE), and the
 * raw bytes of an element of a C-FIND answer, to check that a peer served the file's bytes.
 */
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { worklistItem } from '@hnvue/testing/worklist';
import {
  elementValue,
  encodeDataset,
  encodePart10Header,
  encodeText,
  findElement,
  parseCharacterSet,
  readElements,
  TAG,
} from '../../../../packages/dicom/src/index.js';
import type { WorklistResult } from '../../src/workflow/index.js';

export interface CharsetCase {
  /** The Specific Character Set written in the file. */
  readonly terms: string | readonly string[];
  /** A PN (alphabetic[=ideographic]) that needs the terms. */
  readonly name: string;
}

/**
 * Every Defined Term of PS3.3 C.12.1.1.2 that can carry a name on its own or as a code extension:
 * the single-byte terms, their ISO 2022 forms, the multi-byte ISO 2022 sets and the three
 * multi-byte sets without extensions.
 */
export const CHARSET_CASES: readonly CharsetCase[] = [
  { terms: 'ISO_IR 100', name: 'Müller^Jürgen' },
  { terms: 'ISO_IR 101', name: 'Dvořák^Antonín' },
  { terms: 'ISO_IR 109', name: 'Ħaġar^Ċikku' },
  { terms: 'ISO_IR 110', name: 'Ķēniņš^Jānis' },
  { terms: 'ISO_IR 144', name: 'Иванов^Иван' },
  { terms: 'ISO_IR 127', name: 'قباني^لنزار' },
  { terms: 'ISO_IR 126', name: 'Διονυσιος^Νικος' },
  { terms: 'ISO_IR 138', name: 'שרון^דבורה' },
  { terms: 'ISO_IR 148', name: 'Çağlar^Şükrü' },
  { terms: 'ISO_IR 203', name: 'Œuvre^Zoë' },
  { terms: 'ISO_IR 13', name: 'ﾔﾏﾀﾞ^ﾀﾛｳ' },
  { terms: 'ISO_IR 166', name: 'ประเทศ^ไทย' },
  { terms: ['ISO 2022 IR 100', 'ISO 2022 IR 144'], name: 'Müller^Иван' },
  { terms: ['ISO 2022 IR 13', 'ISO 2022 IR 87'], name: 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎' },
  { terms: ['', 'ISO 2022 IR 87'], name: 'Yamada^Tarou=山田^太郎' },
  { terms: ['', 'ISO 2022 IR 87', 'ISO 2022 IR 159'], name: 'Kou^Ichi=丂^乚' },
  { terms: ['', 'ISO 2022 IR 149'], name: 'Hong^Gildong=洪^吉洞' },
  { terms: ['', 'ISO 2022 IR 58'], name: 'Zhang^XiaoDong=张^小东' },
  { terms: 'ISO_IR 192', name: 'Wang^XiaoDong=王^小東' },
  { terms: 'GB18030', name: 'Wang^XiaoDong=王^小东' },
  { terms: 'GBK', name: 'Wang^XiaoDong=王^小东' },
];

/** The Patient ID of case `i` (the key the tests query by). */
export const casePatientId = (i: number): string => `CS${i}`;

/** The terms as a test label shows them ('\\ISO 2022 IR 149'). */
export const termsLabel = (terms: string | readonly string[]): string =>
  typeof terms === 'string' ? terms : terms.join('\\');

/** The PN value's bytes as our codec writes them in the case's character set (no padding). */
export function expectedNameBytes(c: CharsetCase): Uint8Array {
  return encodeText(c.name, parseCharacterSet(c.terms), { personName: true });
}

/** The item a PN string stands for in WorklistItem.patientName. */
export function expectedPatientName(name: string): { alphabetic: string; ideographic?: string } {
  const [alphabetic, ideographic] = name.split('=');
  return { alphabetic: alphabetic ?? '', ...(ideographic === undefined ? {} : { ideographic }) };
}

/** Writes one `.wl` file per case into `dir` (`cs<i>.wl`). */
export async function writeCharsetWorklist(dir: string): Promise<void> {
  for (const [i, c] of CHARSET_CASES.entries()) {
    const base = worklistItem(i + 1);
    const dataset = {
      ...base.dataset,
      SpecificCharacterSet: c.terms,
      PatientName: c.name,
      PatientID: casePatientId(i),
      RequestedProcedureDescription: 'CHEST PA',
    };
    const header = encodePart10Header({
      mediaStorageSopClassUid: '1.2.840.10008.5.1.4.31',
      mediaStorageSopInstanceUid: `1.2.826.0.1.3680043.10.1234.3.${i}`,
      transferSyntaxUid: '1.2.840.10008.1.2.1',
      implementationClassUid: '1.2.826.0.1.3680043.10.1234.99',
    });
    const body = encodeDataset(dataset, { transferSyntax: '1.2.840.10008.1.2.1' });
    await writeFile(join(dir, `cs${i}.wl`), Buffer.concat([header, body]));
  }
}

/**
 * The raw value of a top-level element of the answer as it came off the wire (padding removed:
 * trailing spaces and NULs), or undefined when the answer has no such element.
 */
export function rawValue(result: WorklistResult, tag: number): Uint8Array | undefined {
  const explicit = result.transferSyntax !== '1.2.840.10008.1.2';
  const { elements } = readElements(result.bytes, explicit);
  const e = findElement(elements, tag);
  if (e === undefined) return undefined;
  const v = elementValue(result.bytes, e);
  let end = v.length;
  while (end > 0 && (v[end - 1] === 0x20 || v[end - 1] === 0x00)) end--;
  return v.subarray(0, end);
}

/** The raw Patient's Name and Specific Character Set of an answer. */
export function rawNameAndCharset(result: WorklistResult): { name?: Uint8Array; charset?: string } {
  const name = rawValue(result, TAG.PatientName);
  const cs = rawValue(result, TAG.SpecificCharacterSet);
  return {
    ...(name === undefined ? {} : { name }),
    ...(cs === undefined ? {} : { charset: Buffer.from(cs).toString('latin1') }),
  };
}

/** Where Debian/Ubuntu's orthanc package puts the ModalityWorklists plugin. */
const PLUGIN_DIRS = ['/usr/share/orthanc/plugins', '/usr/lib/orthanc', '/usr/local/share/orthanc/plugins'];

/** The ModalityWorklists plugin of the installed Orthanc, or undefined when there is none. */
export function orthancWorklistPlugin(): string | undefined {
  for (const dir of PLUGIN_DIRS) {
    if (!existsSync(dir)) continue;
    const file = readdirSync(dir)
      .filter((f) => f.startsWith('libModalityWorklists.so'))
      .sort()[0];
    if (file !== undefined) return join(dir, file);
  }
  return undefined;
}
