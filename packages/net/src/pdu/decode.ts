/**
 * PDU decoder (PS3.8 Section 9.3, PS3.7 Annex D). Pure: bytes in, data out. Every failure is a
 * PduDecodeError carrying the A-ABORT reason to send (PS3.8 Table 9-26).
 *
 * PS3.8 9.3.1: reserved fields are not checked; items of unknown type in an A-ASSOCIATE PDU are
 * skipped, and unknown user information sub-items are kept in `unknownItems` so the association
 * layer may log them. Byte values (user identity fields, extended negotiation info, unknown item
 * data, PDV values) are views into `bytes`: they stay valid as long as `bytes` is not written to.
 */
import { PduDecodeError } from '../errors.js';
import { decodePDataPdvs, PDU_HEADER_LENGTH } from './pdata.js';
import {
  ABORT_REASON,
  type AssociateAc,
  type AssociateRq,
  type AsynchronousOperationsWindow,
  ITEM_TYPE,
  type Pdu,
  type PresentationContextAc,
  type PresentationContextResult,
  type PresentationContextRq,
  type RoleSelection,
  type SopClassCommonExtendedNegotiation,
  type SopClassExtendedNegotiation,
  type UnknownItem,
  type UserIdentityAc,
  type UserIdentityRq,
  type UserIdentityType,
  type UserInformation,
} from './types.js';

const INVALID = ABORT_REASON.invalidPduParameterValue;
const UNEXPECTED_PARAMETER = ABORT_REASON.unexpectedPduParameter;
/** PS3.8 Table 9-26 fixed-size PDUs: A-ASSOCIATE-RJ, A-RELEASE-RQ/RP, A-ABORT carry 4 bytes. */
const FIXED_BODY_LENGTH = 4;

/** A complete PDU, header included, and nothing after it. */
export function decodePdu(bytes: Uint8Array): Pdu {
  if (bytes.length < PDU_HEADER_LENGTH) {
    throw new PduDecodeError(`truncated PDU: ${bytes.length} bytes, the header alone is 6`, INVALID);
  }
  const type = bytes[0] ?? 0;
  if (type < 0x01 || type > 0x07) {
    throw new PduDecodeError(`unrecognized PDU type 0x${hex(type)}`, ABORT_REASON.unrecognizedPdu);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(2);
  const available = bytes.length - PDU_HEADER_LENGTH;
  if (length > available) {
    throw new PduDecodeError(`truncated PDU: length ${length}, ${available} bytes given`, INVALID);
  }
  if (length < available) {
    throw new PduDecodeError(`${available - length} bytes after the end of the PDU`, INVALID);
  }
  switch (type) {
    case 0x01:
      return decodeAssociate(bytes, view, 'A-ASSOCIATE-RQ');
    case 0x02:
      return decodeAssociate(bytes, view, 'A-ASSOCIATE-AC');
    case 0x03: {
      checkFixed(length, 'A-ASSOCIATE-RJ');
      const result = bytes[7] ?? 0;
      const source = bytes[8] ?? 0;
      if (result !== 1 && result !== 2) throw new PduDecodeError(`A-ASSOCIATE-RJ result ${result}`, INVALID);
      if (source !== 1 && source !== 2 && source !== 3) {
        throw new PduDecodeError(`A-ASSOCIATE-RJ source ${source}`, INVALID);
      }
      return { type: 'A-ASSOCIATE-RJ', result, source, reason: bytes[9] ?? 0 };
    }
    case 0x04:
      return { type: 'P-DATA-TF', pdvs: decodePDataPdvs(bytes) };
    case 0x05:
      checkFixed(length, 'A-RELEASE-RQ');
      return { type: 'A-RELEASE-RQ' };
    case 0x06:
      checkFixed(length, 'A-RELEASE-RP');
      return { type: 'A-RELEASE-RP' };
    default: {
      checkFixed(length, 'A-ABORT');
      const source = bytes[8] ?? 0;
      if (source !== 0 && source !== 1 && source !== 2)
        throw new PduDecodeError(`A-ABORT source ${source}`, INVALID);
      return { type: 'A-ABORT', source, reason: bytes[9] ?? 0 };
    }
  }
}

function checkFixed(length: number, name: string): void {
  if (length !== FIXED_BODY_LENGTH) {
    throw new PduDecodeError(`${name} length ${length}, expected ${FIXED_BODY_LENGTH}`, INVALID);
  }
}

function hex(value: number): string {
  return value.toString(16).padStart(2, '0');
}

interface RawItem {
  readonly type: number;
  /** The item value (after the 4-byte item header). */
  readonly start: number;
  readonly end: number;
}

/** The items laid end to end in bytes[start, end): type (1), reserved (1), length (2), value. */
function items(bytes: Uint8Array, view: DataView, start: number, end: number, where: string): RawItem[] {
  const out: RawItem[] = [];
  let offset = start;
  while (offset < end) {
    if (offset + 4 > end) throw new PduDecodeError(`truncated item header in ${where}`, INVALID);
    const type = bytes[offset] ?? 0;
    const length = view.getUint16(offset + 2);
    const valueEnd = offset + 4 + length;
    if (valueEnd > end) {
      throw new PduDecodeError(`item 0x${hex(type)} of ${length} bytes overruns ${where}`, INVALID);
    }
    out.push({ type, start: offset + 4, end: valueEnd });
    offset = valueEnd;
  }
  return out;
}

/** PS3.8 Annex F: UIDs are not padded, but some peers pad with NUL or space; both are dropped. */
function text(bytes: Uint8Array, start: number, end: number): string {
  let last = end;
  while (last > start && (bytes[last - 1] === 0x00 || bytes[last - 1] === 0x20)) last--;
  let out = '';
  for (let i = start; i < last; i++) out += String.fromCharCode(bytes[i] ?? 0);
  return out;
}

/** PS3.5 6.2: leading and trailing spaces of an AE title are not significant. */
function aeTitle(bytes: Uint8Array, start: number): string {
  return text(bytes, start, start + 16).replace(/^[ \0]+/, '');
}

function decodeAssociate(
  bytes: Uint8Array,
  view: DataView,
  type: 'A-ASSOCIATE-RQ' | 'A-ASSOCIATE-AC',
): AssociateRq | AssociateAc {
  // PS3.8 Table 9-11/9-17: 68 bytes of fixed fields after the header, then the items.
  const itemsStart = PDU_HEADER_LENGTH + 68;
  if (bytes.length < itemsStart) throw new PduDecodeError(`${type} shorter than its fixed fields`, INVALID);
  const protocolVersion = view.getUint16(6);
  const calledAeTitle = aeTitle(bytes, 10);
  const callingAeTitle = aeTitle(bytes, 26);
  let applicationContext: string | undefined;
  let userInformation: UserInformation | undefined;
  const rqContexts: PresentationContextRq[] = [];
  const acContexts: PresentationContextAc[] = [];
  for (const it of items(bytes, view, itemsStart, bytes.length, type)) {
    switch (it.type) {
      case ITEM_TYPE.applicationContext:
        if (applicationContext !== undefined) {
          throw new PduDecodeError(`${type} has two application context items`, UNEXPECTED_PARAMETER);
        }
        applicationContext = text(bytes, it.start, it.end);
        break;
      case ITEM_TYPE.presentationContextRq:
        if (type !== 'A-ASSOCIATE-RQ') throw unexpected(it.type, type);
        rqContexts.push(presentationContextRq(bytes, view, it));
        break;
      case ITEM_TYPE.presentationContextAc:
        if (type !== 'A-ASSOCIATE-AC') throw unexpected(it.type, type);
        acContexts.push(presentationContextAc(bytes, view, it));
        break;
      case ITEM_TYPE.userInformation:
        if (userInformation !== undefined) {
          throw new PduDecodeError(`${type} has two user information items`, UNEXPECTED_PARAMETER);
        }
        userInformation = decodeUserInformation(bytes, view, it);
        break;
      default:
        // PS3.8 9.3.1: items of other types in an A-ASSOCIATE PDU are ignored.
        if (isKnownItemType(it.type)) throw unexpected(it.type, type);
        break;
    }
  }
  // PS3.8 Tables 9-11 and 9-17: both items are mandatory.
  if (applicationContext === undefined)
    throw new PduDecodeError(`${type} has no application context item`, INVALID);
  if (userInformation === undefined)
    throw new PduDecodeError(`${type} has no user information item`, INVALID);
  const common = { protocolVersion, calledAeTitle, callingAeTitle, applicationContext, userInformation };
  return type === 'A-ASSOCIATE-RQ'
    ? { type, ...common, presentationContexts: rqContexts }
    : { type, ...common, presentationContexts: acContexts };
}

function isKnownItemType(type: number): boolean {
  return (
    type === 0x10 ||
    type === 0x20 ||
    type === 0x21 ||
    type === 0x30 ||
    type === 0x40 ||
    (type >= 0x50 && type <= 0x59)
  );
}

function unexpected(itemType: number, where: string): PduDecodeError {
  return new PduDecodeError(`item 0x${hex(itemType)} is not expected in ${where}`, UNEXPECTED_PARAMETER);
}

function contextId(bytes: Uint8Array, offset: number): number {
  const id = bytes[offset] ?? 0;
  // PS3.8 9.3.2.2: odd integers 1-255.
  if (id % 2 === 0) throw new PduDecodeError(`presentation context ID ${id} is not odd`, INVALID);
  return id;
}

function presentationContextRq(bytes: Uint8Array, view: DataView, it: RawItem): PresentationContextRq {
  if (it.end - it.start < 4) throw new PduDecodeError('presentation context item too short', INVALID);
  const id = contextId(bytes, it.start);
  let abstractSyntax: string | undefined;
  const transferSyntaxes: string[] = [];
  for (const sub of items(bytes, view, it.start + 4, it.end, 'presentation context')) {
    if (sub.type === ITEM_TYPE.abstractSyntax) {
      if (abstractSyntax !== undefined) {
        throw new PduDecodeError(
          `presentation context ${id} has two abstract syntaxes`,
          UNEXPECTED_PARAMETER,
        );
      }
      abstractSyntax = text(bytes, sub.start, sub.end);
    } else if (sub.type === ITEM_TYPE.transferSyntax) {
      transferSyntaxes.push(text(bytes, sub.start, sub.end));
    } else if (isKnownItemType(sub.type)) {
      throw unexpected(sub.type, 'a presentation context');
    }
  }
  // PS3.8 Table 9-14: one abstract syntax and one or more transfer syntaxes.
  if (abstractSyntax === undefined || transferSyntaxes.length === 0) {
    throw new PduDecodeError(`presentation context ${id} lacks an abstract or transfer syntax`, INVALID);
  }
  return { id, abstractSyntax, transferSyntaxes };
}

function presentationContextAc(bytes: Uint8Array, view: DataView, it: RawItem): PresentationContextAc {
  if (it.end - it.start < 4) throw new PduDecodeError('presentation context item too short', INVALID);
  const id = contextId(bytes, it.start);
  const result = bytes[it.start + 2] ?? 0;
  if (result > 4) throw new PduDecodeError(`presentation context ${id} result ${result}`, INVALID);
  let transferSyntax: string | undefined;
  for (const sub of items(bytes, view, it.start + 4, it.end, 'presentation context')) {
    if (sub.type === ITEM_TYPE.transferSyntax) {
      if (transferSyntax !== undefined) {
        throw new PduDecodeError(
          `presentation context ${id} has two transfer syntaxes`,
          UNEXPECTED_PARAMETER,
        );
      }
      transferSyntax = text(bytes, sub.start, sub.end);
    } else if (isKnownItemType(sub.type)) {
      throw unexpected(sub.type, 'a presentation context');
    }
  }
  // PS3.8 Table 9-18: the sub-item is not significant when the context is not accepted.
  if (transferSyntax === undefined && result === 0) {
    throw new PduDecodeError(`accepted presentation context ${id} has no transfer syntax`, INVALID);
  }
  return { id, result: result as PresentationContextResult, transferSyntax: transferSyntax ?? '' };
}

/** Reads fields of a sub-item with bounds checks; each overrun is reason 6. */
class Cursor {
  offset: number;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly view: DataView,
    start: number,
    private readonly end: number,
    private readonly where: string,
  ) {
    this.offset = start;
  }
  private need(n: number): void {
    if (this.offset + n > this.end) throw new PduDecodeError(`${this.where} sub-item is truncated`, INVALID);
  }
  u8(): number {
    this.need(1);
    return this.bytes[this.offset++] ?? 0;
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.offset);
    this.offset += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }
  /** A 2-byte length then that many bytes, as a view. */
  prefixed(): Uint8Array {
    const length = this.u16();
    this.need(length);
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }
  prefixedText(): string {
    const value = this.prefixed();
    return text(value, 0, value.length);
  }
  rest(): Uint8Array {
    const out = this.bytes.subarray(this.offset, this.end);
    this.offset = this.end;
    return out;
  }
  get remaining(): number {
    return this.end - this.offset;
  }
}

function decodeUserInformation(bytes: Uint8Array, view: DataView, it: RawItem): UserInformation {
  let maxPduLength: number | undefined;
  let implementationClassUid = '';
  let implementationVersionName: string | undefined;
  let asynchronousOperationsWindow: AsynchronousOperationsWindow | undefined;
  let userIdentityRq: UserIdentityRq | undefined;
  let userIdentityAc: UserIdentityAc | undefined;
  const roleSelections: RoleSelection[] = [];
  const sopClassExtendedNegotiations: SopClassExtendedNegotiation[] = [];
  const sopClassCommonExtendedNegotiations: SopClassCommonExtendedNegotiation[] = [];
  const unknownItems: UnknownItem[] = [];
  for (const sub of items(bytes, view, it.start, it.end, 'user information')) {
    const c = new Cursor(bytes, view, sub.start, sub.end, `user information 0x${hex(sub.type)}`);
    switch (sub.type) {
      case ITEM_TYPE.maximumLength:
        maxPduLength = c.u32();
        break;
      case ITEM_TYPE.implementationClassUid:
        implementationClassUid = text(bytes, sub.start, sub.end);
        break;
      case ITEM_TYPE.implementationVersionName:
        // An empty name is as good as none (PS3.7 D.3.3.2.3 asks for 1-16 characters).
        implementationVersionName = text(bytes, sub.start, sub.end) || undefined;
        break;
      case ITEM_TYPE.asynchronousOperationsWindow:
        asynchronousOperationsWindow = { maxOperationsInvoked: c.u16(), maxOperationsPerformed: c.u16() };
        break;
      case ITEM_TYPE.roleSelection: {
        const sopClassUid = c.prefixedText();
        roleSelections.push({ sopClassUid, scuRole: c.u8() !== 0, scpRole: c.u8() !== 0 });
        break;
      }
      case ITEM_TYPE.sopClassExtendedNegotiation: {
        const sopClassUid = c.prefixedText();
        sopClassExtendedNegotiations.push({ sopClassUid, serviceClassApplicationInformation: c.rest() });
        break;
      }
      case ITEM_TYPE.sopClassCommonExtendedNegotiation: {
        const sopClassUid = c.prefixedText();
        const serviceClassUid = c.prefixedText();
        const related = c.prefixed();
        const relatedGeneralSopClassUids: string[] = [];
        const r = new Cursor(
          related,
          new DataView(related.buffer, related.byteOffset, related.byteLength),
          0,
          related.length,
          'related general SOP class',
        );
        while (r.remaining > 0) relatedGeneralSopClassUids.push(r.prefixedText());
        sopClassCommonExtendedNegotiations.push({ sopClassUid, serviceClassUid, relatedGeneralSopClassUids });
        break;
      }
      case ITEM_TYPE.userIdentityRq: {
        const identityType = c.u8();
        const positiveResponseRequested = c.u8() === 1;
        const primaryField = c.prefixed();
        // PS3.7 Table D.3-14: the secondary field length is present (0) for every type.
        const secondaryField = c.prefixed();
        if (identityType >= 1 && identityType <= 5) {
          userIdentityRq = {
            identityType: identityType as UserIdentityType,
            positiveResponseRequested,
            primaryField,
            secondaryField,
          };
        } else {
          unknownItems.push({ itemType: sub.type, data: bytes.subarray(sub.start, sub.end) });
        }
        break;
      }
      case ITEM_TYPE.userIdentityAc:
        userIdentityAc = { serverResponse: c.prefixed() };
        break;
      default:
        // PS3.8 9.3.1 / PS3.7 D.3.3: unknown sub-items are ignored; kept so they can be logged.
        unknownItems.push({ itemType: sub.type, data: bytes.subarray(sub.start, sub.end) });
        break;
    }
  }
  // PS3.8 D.1: the maximum length sub-item is mandatory; guessing a limit could overrun the peer.
  if (maxPduLength === undefined)
    throw new PduDecodeError('user information has no maximum length sub-item', INVALID);
  return {
    maxPduLength,
    implementationClassUid,
    implementationVersionName,
    asynchronousOperationsWindow,
    roleSelections,
    sopClassExtendedNegotiations,
    sopClassCommonExtendedNegotiations,
    userIdentityRq,
    userIdentityAc,
    unknownItems,
  };
}
