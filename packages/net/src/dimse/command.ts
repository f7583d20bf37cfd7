/**
 * DIMSE command set codec (PS3.7 Section 6.3.1 and Annex E). Pure: bytes in, data out.
 * A command set is always Implicit VR Little Endian (PS3.7 6.3.1), group 0000 only, with the
 * Command Group Length (0000,0000) first. Elements we do not model (the retired ones of PS3.7
 * Table E.2-1, private extensions) are kept as raw bytes and written back in tag order.
 */
import { commandFieldLabel } from './command-fields.js';
import { DimseDecodeError, DimseEncodeError } from './errors.js';

/** PS3.7 Table E.1-1: the value of Command Data Set Type (0000,0800) meaning "no data set". */
export const NO_DATASET = 0x0101;
/**
 * The value we write when a data set follows. PS3.7 E.1-1 only says "any value other than 0101H";
 * 0x0001 is what DCMTK 3.6.7 storescu sends (fixtures/dcmtk-c-store-rq.hex) and what pynetdicom
 * writes, so picky peers have seen it before.
 */
export const DATASET_PRESENT = 0x0001;

/** PS3.7 Table E.1-1: Priority (0000,0700). */
export const PRIORITY = { medium: 0x0000, high: 0x0001, low: 0x0002 } as const;
export type Priority = (typeof PRIORITY)[keyof typeof PRIORITY];

/** An element of group 0000 that the typed fields do not model; `value` is the raw bytes. */
export interface UnknownCommandElement {
  /** Full tag, 0x0000EEEE (the group is always 0000 in a command set). */
  readonly tag: number;
  readonly value: Uint8Array;
}

/**
 * One DIMSE command set (PS3.7 Table E.1-1). Which fields a message carries is set by PS3.7
 * Sections 9.3 and 10.3; the codec does not enforce that (the services layer does), so a peer's
 * extra or missing optional elements still decode. UIDs and AE titles are held trimmed.
 * AT values (offendingElement, attributeIdentifierList) are tags as 0xGGGGEEEE.
 */
export interface DimseCommand {
  /** (0000,0100) US — see COMMAND_FIELD. */
  readonly commandField: number;
  /** (0000,0800) US: false is encoded as 0x0101, true as DATASET_PRESENT. */
  readonly hasDataset: boolean;
  /** (0000,0002) UI */
  readonly affectedSopClassUid?: string | undefined;
  /** (0000,0003) UI */
  readonly requestedSopClassUid?: string | undefined;
  /** (0000,0110) US */
  readonly messageId?: number | undefined;
  /** (0000,0120) US */
  readonly messageIdBeingRespondedTo?: number | undefined;
  /** (0000,0600) AE */
  readonly moveDestination?: string | undefined;
  /** (0000,0700) US — see PRIORITY. */
  readonly priority?: number | undefined;
  /** (0000,0900) US */
  readonly status?: number | undefined;
  /** (0000,0901) AT, VM 1-n */
  readonly offendingElement?: readonly number[] | undefined;
  /** (0000,0902) LO. Free text from the peer: may hold anything, keep it out of logs. */
  readonly errorComment?: string | undefined;
  /** (0000,0903) US */
  readonly errorId?: number | undefined;
  /** (0000,1000) UI */
  readonly affectedSopInstanceUid?: string | undefined;
  /** (0000,1001) UI */
  readonly requestedSopInstanceUid?: string | undefined;
  /** (0000,1002) US */
  readonly eventTypeId?: number | undefined;
  /** (0000,1005) AT, VM 1-n */
  readonly attributeIdentifierList?: readonly number[] | undefined;
  /** (0000,1008) US */
  readonly actionTypeId?: number | undefined;
  /** (0000,1020) US */
  readonly numberOfRemainingSuboperations?: number | undefined;
  /** (0000,1021) US */
  readonly numberOfCompletedSuboperations?: number | undefined;
  /** (0000,1022) US */
  readonly numberOfFailedSuboperations?: number | undefined;
  /** (0000,1023) US */
  readonly numberOfWarningSuboperations?: number | undefined;
  /** (0000,1030) AE */
  readonly moveOriginatorApplicationEntityTitle?: string | undefined;
  /** (0000,1031) US */
  readonly moveOriginatorMessageId?: number | undefined;
  /** Any other group 0000 element, kept and re-encoded as is. */
  readonly unknownElements?: readonly UnknownCommandElement[] | undefined;
}

type CommandVr = 'US' | 'UI' | 'AE' | 'LO' | 'AT';
type FieldKey = Exclude<keyof DimseCommand, 'hasDataset' | 'unknownElements'>;

/** PS3.7 Table E.1-1, in tag order. (0000,0000) and (0000,0800) are handled apart. */
const ELEMENTS: readonly { readonly tag: number; readonly key: FieldKey; readonly vr: CommandVr }[] = [
  { tag: 0x0002, key: 'affectedSopClassUid', vr: 'UI' },
  { tag: 0x0003, key: 'requestedSopClassUid', vr: 'UI' },
  { tag: 0x0100, key: 'commandField', vr: 'US' },
  { tag: 0x0110, key: 'messageId', vr: 'US' },
  { tag: 0x0120, key: 'messageIdBeingRespondedTo', vr: 'US' },
  { tag: 0x0600, key: 'moveDestination', vr: 'AE' },
  { tag: 0x0700, key: 'priority', vr: 'US' },
  { tag: 0x0900, key: 'status', vr: 'US' },
  { tag: 0x0901, key: 'offendingElement', vr: 'AT' },
  { tag: 0x0902, key: 'errorComment', vr: 'LO' },
  { tag: 0x0903, key: 'errorId', vr: 'US' },
  { tag: 0x1000, key: 'affectedSopInstanceUid', vr: 'UI' },
  { tag: 0x1001, key: 'requestedSopInstanceUid', vr: 'UI' },
  { tag: 0x1002, key: 'eventTypeId', vr: 'US' },
  { tag: 0x1005, key: 'attributeIdentifierList', vr: 'AT' },
  { tag: 0x1008, key: 'actionTypeId', vr: 'US' },
  { tag: 0x1020, key: 'numberOfRemainingSuboperations', vr: 'US' },
  { tag: 0x1021, key: 'numberOfCompletedSuboperations', vr: 'US' },
  { tag: 0x1022, key: 'numberOfFailedSuboperations', vr: 'US' },
  { tag: 0x1023, key: 'numberOfWarningSuboperations', vr: 'US' },
  { tag: 0x1030, key: 'moveOriginatorApplicationEntityTitle', vr: 'AE' },
  { tag: 0x1031, key: 'moveOriginatorMessageId', vr: 'US' },
];

const TAG_GROUP_LENGTH = 0x0000;
const TAG_DATASET_TYPE = 0x0800;
const ELEMENT_BY_TAG: ReadonlyMap<number, (typeof ELEMENTS)[number]> = new Map(
  ELEMENTS.map((e) => [e.tag, e]),
);

/** The command element tags this codec models (group 0000), for tests and diagnostics. */
export const COMMAND_TAG: Readonly<Record<FieldKey | 'commandGroupLength' | 'commandDataSetType', number>> =
  Object.freeze({
    commandGroupLength: TAG_GROUP_LENGTH,
    commandDataSetType: TAG_DATASET_TYPE,
    ...Object.fromEntries(ELEMENTS.map((e) => [e.key, e.tag])),
  } as Record<FieldKey | 'commandGroupLength' | 'commandDataSetType', number>);

const tagLabel = (tag: number): string => `(0000,${tag.toString(16).padStart(4, '0').toUpperCase()})`;

// PS3.5 Table 6.2-1: UI is digits and dots, at most 64 bytes.
const UID_PATTERN = /^[0-9.]{1,64}$/;
// PS3.5 Table 6.2-1: AE is at most 16 characters of the default repertoire, no backslash or control.
const AE_PATTERN = /^[\x20-\x5b\x5d-\x7e]{1,16}$/;

function encodeString(vr: CommandVr, tag: number, value: string): Uint8Array {
  let text = value;
  let pad = 0x20;
  if (vr === 'UI') {
    if (!UID_PATTERN.test(text)) throw new DimseEncodeError(`${tagLabel(tag)} is not a valid UID`);
    pad = 0x00; // PS3.5 6.2: UI values are padded with a single trailing NUL.
  } else if (vr === 'AE') {
    text = text.trim();
    if (!AE_PATTERN.test(text)) throw new DimseEncodeError(`${tagLabel(tag)} is not a valid AE title`);
  } else {
    // LO: Error Comment is informational; sanitise rather than fail a response (PS3.5 6.2: 64
    // characters, default repertoire since a command set has no Specific Character Set).
    text = text.replace(/[^\x20-\x5b\x5d-\x7e]/g, '?').slice(0, 64);
  }
  const length = text.length + (text.length & 1);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  if (length > text.length) bytes[length - 1] = pad;
  return bytes;
}

function encodeUs(tag: number, value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new DimseEncodeError(`${tagLabel(tag)} must be an integer 0…65535, got ${value}`);
  }
  return new Uint8Array([value & 0xff, value >>> 8]);
}

function encodeAt(tag: number, values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
      throw new DimseEncodeError(`${tagLabel(tag)} holds an invalid tag`);
    }
    // PS3.5 6.2: AT is a pair of 16-bit unsigned integers, group first.
    view.setUint16(i * 4, value >>> 16, true);
    view.setUint16(i * 4 + 2, value & 0xffff, true);
  });
  return bytes;
}

/**
 * Encodes a command set as Implicit VR Little Endian (PS3.7 6.3.1): elements in ascending tag
 * order, (0000,0000) computed, UIDs padded with NUL and AE/LO with space to even length (PS3.5
 * 6.2). Throws DimseEncodeError for values PS3.5 does not allow.
 */
export function encodeCommand(cmd: DimseCommand): Uint8Array {
  const parts: { tag: number; value: Uint8Array }[] = [];
  for (const { tag, key, vr } of ELEMENTS) {
    const value = cmd[key];
    if (value === undefined) continue;
    if (vr === 'US') parts.push({ tag, value: encodeUs(tag, value as number) });
    else if (vr === 'AT') parts.push({ tag, value: encodeAt(tag, value as readonly number[]) });
    else parts.push({ tag, value: encodeString(vr, tag, value as string) });
  }
  parts.push({
    tag: TAG_DATASET_TYPE,
    value: encodeUs(TAG_DATASET_TYPE, cmd.hasDataset ? DATASET_PRESENT : NO_DATASET),
  });
  for (const unknown of cmd.unknownElements ?? []) {
    if (unknown.tag >>> 16 !== 0 || unknown.tag === TAG_GROUP_LENGTH) {
      throw new DimseEncodeError(
        `unknown element 0x${unknown.tag.toString(16)} is not a group 0000 command element`,
      );
    }
    if (ELEMENT_BY_TAG.has(unknown.tag) || unknown.tag === TAG_DATASET_TYPE) {
      throw new DimseEncodeError(
        `${tagLabel(unknown.tag)} is a typed field; do not pass it in unknownElements`,
      );
    }
    parts.push({ tag: unknown.tag, value: unknown.value });
  }
  parts.sort((a, b) => a.tag - b.tag);
  for (let i = 1; i < parts.length; i++) {
    if (parts[i]!.tag === parts[i - 1]!.tag)
      throw new DimseEncodeError(`${tagLabel(parts[i]!.tag)} appears twice`);
  }

  let groupLength = 0;
  for (const p of parts) groupLength += 8 + p.value.length;
  const out = new Uint8Array(12 + groupLength);
  const view = new DataView(out.buffer);
  // (0000,0000) UL: the byte count after this element up to the end of the group (PS3.5 7.2).
  view.setUint32(4, 4, true);
  view.setUint32(8, groupLength, true);
  let offset = 12;
  for (const p of parts) {
    view.setUint16(offset, 0x0000, true);
    view.setUint16(offset + 2, p.tag, true);
    view.setUint32(offset + 4, p.value.length, true);
    out.set(p.value, offset + 8);
    offset += 8 + p.value.length;
  }
  return out;
}

function decodeText(bytes: Uint8Array): string {
  // The default repertoire is ASCII; latin1 keeps any stray byte visible instead of failing.
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return text;
}

/**
 * Decodes an Implicit VR Little Endian command set. Tolerant of what is harmless (odd value
 * lengths, unpadded UIDs, elements out of order, a wrong group length value, which is ignored);
 * throws DimseDecodeError for what is not: a truncated element, a US/UL of the wrong length, an
 * element outside group 0000, a repeated element, or no Command Field / Command Data Set Type.
 */
export function decodeCommand(bytes: Uint8Array): DimseCommand {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields: Record<string, unknown> = {};
  const unknownElements: UnknownCommandElement[] = [];
  const seen = new Set<number>();
  let datasetType: number | undefined;
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 8 > bytes.length) {
      throw new DimseDecodeError(`command set truncated in an element header at offset ${offset}`, {
        details: { offset, length: bytes.length },
      });
    }
    const group = view.getUint16(offset, true);
    const tag = view.getUint16(offset + 2, true);
    const length = view.getUint32(offset + 4, true);
    if (group !== 0x0000) {
      throw new DimseDecodeError(
        `command set holds an element of group ${group.toString(16)} at offset ${offset}`,
        {
          details: { offset, group },
        },
      );
    }
    if (length === 0xffff_ffff || offset + 8 + length > bytes.length) {
      throw new DimseDecodeError(
        `${tagLabel(tag)} at offset ${offset} declares ${length} bytes past the end`,
        {
          details: { offset, tag, length },
        },
      );
    }
    if (seen.has(tag)) throw new DimseDecodeError(`${tagLabel(tag)} appears twice`, { details: { tag } });
    seen.add(tag);
    const value = bytes.subarray(offset + 8, offset + 8 + length);
    offset += 8 + length;

    if (tag === TAG_GROUP_LENGTH) {
      if (length !== 4) throw wrongLength(tag, 'UL', length);
      continue; // Recomputed on encode; a wrong value is harmless here.
    }
    if (tag === TAG_DATASET_TYPE) {
      if (length !== 2) throw wrongLength(tag, 'US', length);
      datasetType = view.getUint16(offset - 2, true);
      continue;
    }
    const element = ELEMENT_BY_TAG.get(tag);
    if (element === undefined) {
      // Copy: the caller's buffer may be a reused PDU view (STYLE.md: copy what a caller may keep).
      unknownElements.push({ tag, value: value.slice() });
      continue;
    }
    switch (element.vr) {
      case 'US':
        if (length !== 2) throw wrongLength(tag, 'US', length);
        fields[element.key] = view.getUint16(offset - 2, true);
        break;
      case 'AT': {
        if (length % 4 !== 0) throw wrongLength(tag, 'AT', length);
        const tags: number[] = [];
        for (let p = 0; p < length; p += 4) {
          const at = offset - length + p;
          tags.push(((view.getUint16(at, true) << 16) | view.getUint16(at + 2, true)) >>> 0);
        }
        fields[element.key] = tags;
        break;
      }
      case 'UI':
        fields[element.key] = decodeText(value).replace(/[\0 ]+$/, '');
        break;
      case 'AE':
      case 'LO':
        fields[element.key] = decodeText(value).replace(/\0+$/, '').trim();
        break;
      default: {
        const exhaustive: never = element.vr;
        throw new Error(`unreachable VR ${String(exhaustive)}`);
      }
    }
  }
  if (fields.commandField === undefined) {
    throw new DimseDecodeError('command set has no Command Field (0000,0100)');
  }
  if (datasetType === undefined) {
    throw new DimseDecodeError(
      `${commandFieldLabel(fields.commandField as number)} has no Command Data Set Type (0000,0800)`,
    );
  }
  const command = { ...fields, hasDataset: datasetType !== NO_DATASET } as Record<string, unknown>;
  if (unknownElements.length > 0) command.unknownElements = unknownElements;
  return command as unknown as DimseCommand;
}

function wrongLength(tag: number, vr: string, length: number): DimseDecodeError {
  return new DimseDecodeError(`${tagLabel(tag)} ${vr} has length ${length}`, { details: { tag, length } });
}
