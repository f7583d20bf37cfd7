/**
 * PDU encoder (PS3.8 Section 9.3, PS3.7 Annex D). Pure: data in, bytes out. Input is validated
 * and an invalid PDU throws PduEncodeError before any byte is produced.
 */
import { concatBytes } from '@hnvue/dicom';
import { checkContextId, PduEncodeError } from './encode-error.js';
import { encodePDataTf, PDU_HEADER_LENGTH } from './pdata.js';
import {
  type AssociateAc,
  type AssociateRq,
  ITEM_TYPE,
  PDU_TYPE,
  type Pdu,
  type PresentationContextAc,
  type PresentationContextRq,
  type UserInformation,
} from './types.js';

const MAX_ITEM_LENGTH = 0xffff;
const MAX_UID_LENGTH = 64;
const AE_TITLE_LENGTH = 16;

/** The whole PDU, 6-byte header included. Throws PduEncodeError on invalid input. */
export function encodePdu(pdu: Pdu): Uint8Array {
  switch (pdu.type) {
    case 'A-ASSOCIATE-RQ':
      return encodeAssociate(pdu);
    case 'A-ASSOCIATE-AC':
      return encodeAssociate(pdu);
    case 'A-ASSOCIATE-RJ':
      checkByte(pdu.result, 1, 2, 'A-ASSOCIATE-RJ result');
      checkByte(pdu.source, 1, 3, 'A-ASSOCIATE-RJ source');
      checkByte(pdu.reason, 0, 255, 'A-ASSOCIATE-RJ reason');
      return fixed(PDU_TYPE['A-ASSOCIATE-RJ'], [0, pdu.result, pdu.source, pdu.reason]);
    case 'P-DATA-TF':
      return encodePDataTf(pdu.pdvs);
    case 'A-RELEASE-RQ':
      return fixed(PDU_TYPE['A-RELEASE-RQ'], [0, 0, 0, 0]);
    case 'A-RELEASE-RP':
      return fixed(PDU_TYPE['A-RELEASE-RP'], [0, 0, 0, 0]);
    case 'A-ABORT':
      checkByte(pdu.source, 0, 2, 'A-ABORT source');
      checkByte(pdu.reason, 0, 255, 'A-ABORT reason');
      return fixed(PDU_TYPE['A-ABORT'], [0, 0, pdu.source, pdu.reason]);
    default: {
      const never: never = pdu;
      throw new PduEncodeError(`unknown PDU type ${String((never as { type?: unknown }).type)}`);
    }
  }
}

function fixed(type: number, body: readonly number[]): Uint8Array {
  const out = new Uint8Array(PDU_HEADER_LENGTH + body.length);
  out[0] = type;
  new DataView(out.buffer).setUint32(2, body.length);
  out.set(body, PDU_HEADER_LENGTH);
  return out;
}

function checkByte(value: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new PduEncodeError(`${what} ${value} is outside ${min}-${max}`);
  }
}

function encodeAssociate(pdu: AssociateRq | AssociateAc): Uint8Array {
  checkByte(pdu.protocolVersion, 0, 0xffff, 'protocol version');
  const items: Uint8Array[] = [
    uidItem(ITEM_TYPE.applicationContext, pdu.applicationContext, 'application context'),
  ];
  if (pdu.type === 'A-ASSOCIATE-RQ') {
    for (const pc of pdu.presentationContexts) items.push(presentationContextRq(pc));
  } else {
    for (const pc of pdu.presentationContexts) items.push(presentationContextAc(pc));
  }
  items.push(userInformation(pdu.userInformation));
  // PS3.8 Table 9-11: fixed part of 68 bytes after the header.
  const fixedPart = new Uint8Array(68);
  const view = new DataView(fixedPart.buffer);
  view.setUint16(0, pdu.protocolVersion);
  fixedPart.set(aeTitle(pdu.calledAeTitle, 'called AE title'), 4);
  fixedPart.set(aeTitle(pdu.callingAeTitle, 'calling AE title'), 20);
  const body = concatBytes([fixedPart, ...items]);
  const out = new Uint8Array(PDU_HEADER_LENGTH + body.length);
  out[0] = PDU_TYPE[pdu.type];
  new DataView(out.buffer).setUint32(2, body.length);
  out.set(body, PDU_HEADER_LENGTH);
  return out;
}

/** PS3.8 Table 9-11 and PS3.5 6.2 (AE): at most 16 characters, space padded; no backslash or control. */
function aeTitle(value: string, what: string): Uint8Array {
  const trimmed = value.trim();
  if (trimmed.length === 0 || value.length > AE_TITLE_LENGTH || !/^[\x20-\x5b\x5d-\x7e]+$/.test(value)) {
    throw new PduEncodeError(`${what} must be 1-16 printable ASCII characters without a backslash`, {
      details: { length: value.length },
    });
  }
  const out = new Uint8Array(AE_TITLE_LENGTH).fill(0x20);
  for (let i = 0; i < value.length; i++) out[i] = value.charCodeAt(i);
  return out;
}

function ascii(value: string, what: string, maxLength: number, allowEmpty = false): Uint8Array {
  if ((!allowEmpty && value.length === 0) || value.length > maxLength || !/^[\x20-\x7e]*$/.test(value)) {
    throw new PduEncodeError(
      `${what} must be ${allowEmpty ? 0 : 1}-${maxLength} printable ASCII characters`,
      {
        details: { length: value.length },
      },
    );
  }
  const out = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) out[i] = value.charCodeAt(i);
  return out;
}

/** PS3.8 Annex F: UIDs go as they are, never padded inside an item. */
function uid(value: string, what: string, allowEmpty = false): Uint8Array {
  return ascii(value, what, MAX_UID_LENGTH, allowEmpty);
}

function item(type: number, parts: readonly Uint8Array[], what: string): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  if (length > MAX_ITEM_LENGTH) throw new PduEncodeError(`${what} item is longer than 65535 bytes`);
  const out = new Uint8Array(4 + length);
  out[0] = type;
  new DataView(out.buffer).setUint16(2, length);
  let offset = 4;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function uidItem(type: number, value: string, what: string, allowEmpty = false): Uint8Array {
  return item(type, [uid(value, what, allowEmpty)], what);
}

function u16(value: number, what: string): Uint8Array {
  checkByte(value, 0, 0xffff, what);
  return Uint8Array.of(value >>> 8, value & 0xff);
}

/** A 2-byte length followed by the value (PS3.7 D.3.3.4-D.3.3.7 sub-item fields). */
function lengthPrefixed(value: Uint8Array, what: string): Uint8Array[] {
  if (value.length > MAX_ITEM_LENGTH) throw new PduEncodeError(`${what} is longer than 65535 bytes`);
  return [u16(value.length, what), value];
}

function presentationContextRq(pc: PresentationContextRq): Uint8Array {
  checkContextId(pc.id, 'presentation context');
  if (pc.transferSyntaxes.length === 0) {
    throw new PduEncodeError(`presentation context ${pc.id} proposes no transfer syntax`);
  }
  const parts = [
    Uint8Array.of(pc.id, 0, 0, 0),
    uidItem(ITEM_TYPE.abstractSyntax, pc.abstractSyntax, 'abstract syntax'),
  ];
  for (const ts of pc.transferSyntaxes) parts.push(uidItem(ITEM_TYPE.transferSyntax, ts, 'transfer syntax'));
  return item(ITEM_TYPE.presentationContextRq, parts, 'presentation context');
}

function presentationContextAc(pc: PresentationContextAc): Uint8Array {
  checkContextId(pc.id, 'presentation context');
  checkByte(pc.result, 0, 4, 'presentation context result');
  // PS3.8 Table 9-18: the transfer syntax is not significant unless accepted, so it may be empty.
  const ts = uidItem(ITEM_TYPE.transferSyntax, pc.transferSyntax, 'transfer syntax', pc.result !== 0);
  return item(
    ITEM_TYPE.presentationContextAc,
    [Uint8Array.of(pc.id, 0, pc.result, 0), ts],
    'presentation context',
  );
}

/**
 * Sub-items in item-type order, which is also the order DCMTK 3.6.7 writes them (0x51, 0x52, 0x54,
 * 0x55, 0x56, 0x58 seen in the goldens), so captured PDUs re-encode byte for byte. Unknown
 * sub-items go last.
 */
function userInformation(ui: UserInformation): Uint8Array {
  checkByte(ui.maxPduLength, 0, 0xffff_ffff, 'maximum length');
  const max = new Uint8Array(4);
  new DataView(max.buffer).setUint32(0, ui.maxPduLength);
  const parts: Uint8Array[] = [item(ITEM_TYPE.maximumLength, [max], 'maximum length')];
  if (ui.implementationClassUid !== '') {
    parts.push(
      uidItem(ITEM_TYPE.implementationClassUid, ui.implementationClassUid, 'implementation class UID'),
    );
  }
  if (ui.asynchronousOperationsWindow !== undefined) {
    const w = ui.asynchronousOperationsWindow;
    parts.push(
      item(
        ITEM_TYPE.asynchronousOperationsWindow,
        [
          u16(w.maxOperationsInvoked, 'max operations invoked'),
          u16(w.maxOperationsPerformed, 'max operations performed'),
        ],
        'asynchronous operations window',
      ),
    );
  }
  for (const role of ui.roleSelections) {
    parts.push(
      item(
        ITEM_TYPE.roleSelection,
        [
          ...lengthPrefixed(uid(role.sopClassUid, 'role selection SOP class UID'), 'SOP class UID'),
          Uint8Array.of(role.scuRole ? 1 : 0, role.scpRole ? 1 : 0),
        ],
        'role selection',
      ),
    );
  }
  if (ui.implementationVersionName !== undefined) {
    // PS3.7 D.3.3.2.3: 1-16 characters.
    const name = ascii(ui.implementationVersionName, 'implementation version name', 16);
    parts.push(item(ITEM_TYPE.implementationVersionName, [name], 'implementation version name'));
  }
  for (const ext of ui.sopClassExtendedNegotiations) {
    parts.push(
      item(
        ITEM_TYPE.sopClassExtendedNegotiation,
        [
          ...lengthPrefixed(uid(ext.sopClassUid, 'extended negotiation SOP class UID'), 'SOP class UID'),
          ext.serviceClassApplicationInformation,
        ],
        'SOP class extended negotiation',
      ),
    );
  }
  for (const common of ui.sopClassCommonExtendedNegotiations) {
    const related: Uint8Array[] = [];
    for (const r of common.relatedGeneralSopClassUids) {
      related.push(
        ...lengthPrefixed(uid(r, 'related general SOP class UID'), 'related general SOP class UID'),
      );
    }
    parts.push(
      item(
        ITEM_TYPE.sopClassCommonExtendedNegotiation,
        [
          ...lengthPrefixed(uid(common.sopClassUid, 'common extended SOP class UID'), 'SOP class UID'),
          ...lengthPrefixed(uid(common.serviceClassUid, 'service class UID'), 'service class UID'),
          ...lengthPrefixed(concatBytes(related), 'related general SOP class identification'),
        ],
        'SOP class common extended negotiation',
      ),
    );
  }
  if (ui.userIdentityRq !== undefined) {
    const id = ui.userIdentityRq;
    checkByte(id.identityType, 1, 255, 'user identity type');
    parts.push(
      item(
        ITEM_TYPE.userIdentityRq,
        [
          Uint8Array.of(id.identityType, id.positiveResponseRequested ? 1 : 0),
          ...lengthPrefixed(id.primaryField, 'user identity primary field'),
          ...lengthPrefixed(id.secondaryField, 'user identity secondary field'),
        ],
        'user identity',
      ),
    );
  }
  if (ui.userIdentityAc !== undefined) {
    parts.push(
      item(
        ITEM_TYPE.userIdentityAc,
        lengthPrefixed(ui.userIdentityAc.serverResponse, 'user identity server response'),
        'user identity',
      ),
    );
  }
  for (const unknown of ui.unknownItems) {
    checkByte(unknown.itemType, 0, 255, 'unknown item type');
    parts.push(item(unknown.itemType, [unknown.data], 'unknown user information'));
  }
  return item(ITEM_TYPE.userInformation, parts, 'user information');
}
