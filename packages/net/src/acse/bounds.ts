/**
 * Bounded negotiation (docs/reliability.md): an acceptor screens the raw bytes of an A-ASSOCIATE-RQ
 * before the decoder builds a single object, so a request with 10,000 presentation contexts, a
 * megabyte-long user identity or thousands of sub-items costs one linear scan of bytes already
 * held by the framer (itself capped) and no allocation. Pure: bytes in, verdict out; no I/O.
 *
 * Two kinds of verdict, kept apart on purpose:
 * - the request breaks PS3.8 itself (an even or zero presentation-context ID, the same ID twice,
 *   hence more than 128 contexts: PS3.8 9.3.2.2 allows only the odd IDs 1-255, each once):
 *   A-ABORT, source service provider, reason 6 invalid-PDU-parameter-value (PS3.8 Table 9-26),
 *   which is what Evt19 in Sta2 (AA-1) sends;
 * - the request is valid but exceeds one of our local limits (transfer syntaxes per context,
 *   user-information sub-items, user identity lengths, a stricter context count):
 *   A-ASSOCIATE-RJ rejected-permanent (the same request will never fit), source 3 service
 *   provider (presentation), reason 2 local-limit-exceeded (PS3.8 Table 9-21).
 * A structure the scan cannot walk (an item overrunning its parent) is left to the decoder,
 * which already answers it with the right A-ABORT.
 */
import { PduDecodeError } from '../errors.js';
import { ABORT_REASON, type AssociateRj, ITEM_TYPE, USER_IDENTITY_TYPE } from '../pdu/types.js';

/** PS3.8 9.3.2.2: presentation-context IDs are the odd integers 1-255. */
export const MAX_PRESENTATION_CONTEXTS = 128;

/** Caps on what a requestor may ask of us in one A-ASSOCIATE-RQ. */
export interface NegotiationLimits {
  /** Presentation contexts per request, 1-128 (the standard's own maximum). Default 128. */
  readonly maxPresentationContexts: number;
  /** Transfer syntax sub-items per presentation context. Default 64. */
  readonly maxTransferSyntaxesPerContext: number;
  /**
   * User-information sub-items (role selection, extended negotiation, unknown…) plus the
   * related general SOP class UIDs they list plus unknown top-level items. Default 512.
   */
  readonly maxSubItems: number;
  /** User identity username (types 1 and 2), bytes. Default 256. */
  readonly maxUsernameLength: number;
  /** User identity passcode (type 2), bytes. Default 256. */
  readonly maxPasscodeLength: number;
  /** User identity Kerberos ticket, SAML assertion or JWT (types 3-5), bytes. Default 16384. */
  readonly maxIdentityTokenLength: number;
  /**
   * The largest asynchronous operations window we grant either way (PS3.7 D.3.3.3): a
   * requestor asking for 0 (unlimited) or more gets this many. Default 16.
   */
  readonly maxOperationsGranted: number;
}

export const DEFAULT_NEGOTIATION_LIMITS: NegotiationLimits = {
  maxPresentationContexts: MAX_PRESENTATION_CONTEXTS,
  maxTransferSyntaxesPerContext: 64,
  maxSubItems: 512,
  maxUsernameLength: 256,
  maxPasscodeLength: 256,
  maxIdentityTokenLength: 16 * 1024,
  maxOperationsGranted: 16,
};

/** The verdict on a request that must not be decoded further. */
export type ScreenVerdict =
  | { readonly type: 'abort'; readonly error: PduDecodeError }
  | {
      readonly type: 'reject';
      readonly rj: AssociateRj;
      /** Which limit was exceeded (a NegotiationLimits key), for the PHI-free log event. */
      readonly limit: keyof NegotiationLimits;
      readonly value: number;
    };

/** PS3.8 Table 9-21: rejected-permanent, service-provider (presentation), local-limit-exceeded. */
const LOCAL_LIMIT_RJ: AssociateRj = { type: 'A-ASSOCIATE-RJ', result: 1, source: 3, reason: 2 };

/** PS3.8 Table 9-11: items start after the header (6) and the fixed fields (68). */
const ITEMS_START = 74;

function invalid(message: string): ScreenVerdict {
  return {
    type: 'abort',
    error: new PduDecodeError(message, ABORT_REASON.invalidPduParameterValue),
  };
}

function overLimit(limit: keyof NegotiationLimits, value: number): ScreenVerdict {
  return { type: 'reject', rj: LOCAL_LIMIT_RJ, limit, value };
}

function u16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

/**
 * Screens a complete A-ASSOCIATE-RQ PDU (header included). Returns undefined when it is within
 * the limits (or malformed in a way the decoder reports), else the verdict to act on.
 */
export function screenAssociateRq(
  bytes: Uint8Array,
  limits: NegotiationLimits = DEFAULT_NEGOTIATION_LIMITS,
): ScreenVerdict | undefined {
  const seen = new Uint8Array(256);
  let contexts = 0;
  let subItems = 0;
  let offset = ITEMS_START;
  const end = bytes.length;
  while (offset + 4 <= end) {
    const type = bytes[offset] ?? 0;
    const length = u16(bytes, offset + 2);
    const start = offset + 4;
    const itemEnd = start + length;
    if (itemEnd > end) return undefined;
    if (type === ITEM_TYPE.presentationContextRq) {
      contexts++;
      if (contexts > MAX_PRESENTATION_CONTEXTS) {
        return invalid(
          `A-ASSOCIATE-RQ proposes more than ${MAX_PRESENTATION_CONTEXTS} presentation contexts`,
        );
      }
      if (length < 4) return undefined;
      const id = bytes[start] ?? 0;
      if (id % 2 === 0) return invalid(`presentation context ID ${id} is not an odd integer 1-255`);
      if (seen[id] === 1) return invalid(`presentation context ID ${id} proposed twice`);
      seen[id] = 1;
      const verdict = screenContext(bytes, start + 4, itemEnd, limits);
      if (verdict !== undefined) return verdict;
    } else if (type === ITEM_TYPE.userInformation) {
      const counted = screenUserInformation(bytes, start, itemEnd, limits);
      if (typeof counted !== 'number') return counted;
      subItems += counted;
    } else if (type !== ITEM_TYPE.applicationContext) {
      subItems++;
    }
    if (subItems > limits.maxSubItems) return overLimit('maxSubItems', subItems);
    offset = itemEnd;
  }
  if (contexts > limits.maxPresentationContexts) return overLimit('maxPresentationContexts', contexts);
  return undefined;
}

function screenContext(
  bytes: Uint8Array,
  start: number,
  end: number,
  limits: NegotiationLimits,
): ScreenVerdict | undefined {
  let transferSyntaxes = 0;
  for (let offset = start; offset + 4 <= end; ) {
    const next = offset + 4 + u16(bytes, offset + 2);
    if (next > end) return undefined;
    if (bytes[offset] === ITEM_TYPE.transferSyntax) {
      transferSyntaxes++;
      if (transferSyntaxes > limits.maxTransferSyntaxesPerContext) {
        return overLimit('maxTransferSyntaxesPerContext', transferSyntaxes);
      }
    }
    offset = next;
  }
  return undefined;
}

/** The number of sub-items counted against maxSubItems, or the verdict. */
function screenUserInformation(
  bytes: Uint8Array,
  start: number,
  end: number,
  limits: NegotiationLimits,
): number | ScreenVerdict {
  let count = 0;
  for (let offset = start; offset + 4 <= end; ) {
    const type = bytes[offset] ?? 0;
    const valueStart = offset + 4;
    const next = valueStart + u16(bytes, offset + 2);
    if (next > end) return count;
    switch (type) {
      case ITEM_TYPE.maximumLength:
      case ITEM_TYPE.implementationClassUid:
      case ITEM_TYPE.implementationVersionName:
      case ITEM_TYPE.asynchronousOperationsWindow:
        break;
      case ITEM_TYPE.userIdentityRq: {
        const verdict = screenIdentity(bytes, valueStart, next, limits);
        if (verdict !== undefined) return verdict;
        break;
      }
      case ITEM_TYPE.sopClassCommonExtendedNegotiation:
        count += 1 + relatedUidCount(bytes, valueStart, next);
        break;
      default:
        count++;
    }
    if (count > limits.maxSubItems) return overLimit('maxSubItems', count);
    offset = next;
  }
  return count;
}

/** PS3.7 D.3.3.7.1: type, positive-response flag, primary length + field, secondary length + field. */
function screenIdentity(
  bytes: Uint8Array,
  start: number,
  end: number,
  limits: NegotiationLimits,
): ScreenVerdict | undefined {
  if (start + 4 > end) return undefined;
  const identityType = bytes[start] ?? 0;
  const primary = u16(bytes, start + 2);
  const secondaryAt = start + 4 + primary;
  const secondary = secondaryAt + 2 <= end ? u16(bytes, secondaryAt) : 0;
  const text =
    identityType === USER_IDENTITY_TYPE.username || identityType === USER_IDENTITY_TYPE.usernameAndPasscode;
  if (text && primary > limits.maxUsernameLength) return overLimit('maxUsernameLength', primary);
  if (!text && primary > limits.maxIdentityTokenLength) return overLimit('maxIdentityTokenLength', primary);
  if (secondary > limits.maxPasscodeLength) return overLimit('maxPasscodeLength', secondary);
  return undefined;
}

/** PS3.7 D.3.3.6: SOP class UID, service class UID, then the related general SOP class UIDs. */
function relatedUidCount(bytes: Uint8Array, start: number, end: number): number {
  let at = start;
  at += 2 + u16(bytes, at);
  at += 2 + u16(bytes, at);
  if (at + 2 > end) return 0;
  const listEnd = Math.min(end, at + 2 + u16(bytes, at));
  let count = 0;
  for (let p = at + 2; p + 2 <= listEnd; p += 2 + u16(bytes, p)) count++;
  return count;
}

/** The two AE titles of an A-ASSOCIATE-RQ, trimmed, for a log line about a screened request. */
export function peekAeTitles(bytes: Uint8Array): { calledAeTitle: string; callingAeTitle: string } {
  const title = (at: number): string => {
    let out = '';
    for (let i = at; i < at + 16 && i < bytes.length; i++) {
      const c = bytes[i] ?? 0;
      // Printable ASCII only: what a log line may carry whatever the peer sent.
      out += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '?';
    }
    return out.trim();
  };
  return { calledAeTitle: title(10), callingAeTitle: title(26) };
}
