/**
 * DIMSE status codes (PS3.7 Annex C for the classes and the general codes, PS3.4 for the
 * service-specific meanings). Success, Warning, Pending and Cancel are data; only Failure becomes
 * an error (DimseFailureError), as STYLE.md asks.
 */
import { DimseFailureError } from '../errors.js';
import type { DimseCommand } from './command.js';
import { COMMAND_FIELD, commandFieldLabel } from './command-fields.js';

export type StatusClass = 'success' | 'warning' | 'failure' | 'pending' | 'cancel';

/** Status codes named by PS3.7 Annex C and the PS3.4 services this project uses. */
export const STATUS = {
  success: 0x0000,
  // PS3.7 C.3 / PS3.4: warnings
  warningOptionalAttributesNotSupported: 0x0001,
  attributeListError: 0x0107,
  attributeValueOutOfRange: 0x0116,
  coercionOfDataElements: 0xb000,
  elementsDiscarded: 0xb006,
  dataSetDoesNotMatchSopClassWarning: 0xb007,
  // PS3.7 C.4 / C.5: failures
  noSuchAttribute: 0x0105,
  invalidAttributeValue: 0x0106,
  processingFailure: 0x0110,
  duplicateSopInstance: 0x0111,
  noSuchSopInstance: 0x0112,
  noSuchEventType: 0x0113,
  noSuchArgument: 0x0114,
  invalidArgumentValue: 0x0115,
  invalidObjectInstance: 0x0117,
  noSuchSopClass: 0x0118,
  classInstanceConflict: 0x0119,
  missingAttribute: 0x0120,
  missingAttributeValue: 0x0121,
  sopClassNotSupported: 0x0122,
  noSuchAction: 0x0123,
  notAuthorized: 0x0124,
  duplicateInvocation: 0x0210,
  unrecognizedOperation: 0x0211,
  mistypedArgument: 0x0212,
  resourceLimitation: 0x0213,
  outOfResources: 0xa700,
  outOfResourcesNumberOfMatches: 0xa701,
  outOfResourcesSubOperations: 0xa702,
  moveDestinationUnknown: 0xa801,
  dataSetDoesNotMatchSopClass: 0xa900,
  cannotUnderstand: 0xc000,
  // PS3.7 C.2 / C.6
  cancel: 0xfe00,
  pending: 0xff00,
  pendingWarning: 0xff01,
} as const;

/**
 * PS3.7 Annex C: 0000 success; FF00/FF01 pending; FE00 cancel; 0001, Bxxx and the two general
 * warnings 0107/0116 are warnings; everything else (Axxx, Cxxx, 01xx, 02xx) is a failure. A code
 * the standard does not define is treated as a failure: assuming success would lose data.
 */
export function classifyStatus(status: number): StatusClass {
  if (status === 0x0000) return 'success';
  if (status === 0xff00 || status === 0xff01) return 'pending';
  if (status === 0xfe00) return 'cancel';
  if (status === 0x0001 || status === 0x0107 || status === 0x0116 || (status & 0xf000) === 0xb000) {
    return 'warning';
  }
  return 'failure';
}

// PS3.7 Annex C.4/C.5 and C.3: codes with the same meaning in every service.
const GENERAL_TEXT: Readonly<Record<number, string>> = {
  0: 'Success',
  1: 'Warning: requested optional attributes are not supported',
  261: 'Failure: no such attribute',
  262: 'Failure: invalid attribute value',
  263: 'Warning: attribute list error',
  272: 'Failure: processing failure',
  273: 'Failure: duplicate SOP instance',
  274: 'Failure: no such SOP instance',
  275: 'Failure: no such event type',
  276: 'Failure: no such argument',
  277: 'Failure: invalid argument value',
  278: 'Warning: attribute value out of range',
  279: 'Failure: invalid object instance',
  280: 'Failure: no such SOP class',
  281: 'Failure: class-instance conflict',
  288: 'Failure: missing attribute',
  289: 'Failure: missing attribute value',
  290: 'Refused: SOP class not supported',
  291: 'Failure: no such action',
  292: 'Refused: not authorized',
  528: 'Failure: duplicate invocation',
  529: 'Failure: unrecognized operation',
  530: 'Failure: mistyped argument',
  531: 'Failure: resource limitation',
  65024: 'Cancel',
  65280: 'Pending',
  65281: 'Pending: warning',
};

type Service = 'store' | 'find' | 'move' | 'get' | 'other';

function serviceOf(commandField: number | undefined): Service {
  switch ((commandField ?? -1) & 0x7fff) {
    case COMMAND_FIELD['C-STORE-RQ']:
      return 'store';
    case COMMAND_FIELD['C-FIND-RQ']:
      return 'find';
    case COMMAND_FIELD['C-MOVE-RQ']:
      return 'move';
    case COMMAND_FIELD['C-GET-RQ']:
      return 'get';
    default:
      return 'other';
  }
}

// PS3.4 B.2.3 (Storage), C.4.1.1.4 (Q/R FIND), K.4.1.1.4 (Worklist), C.4.2.1.5 (MOVE), C.4.3.1.4 (GET).
function serviceText(service: Service, status: number): string | undefined {
  const high = status & 0xff00;
  switch (service) {
    case 'store':
      if (high === 0xa700) return 'Refused: out of resources';
      if (high === 0xa900) return 'Error: data set does not match SOP class';
      if ((status & 0xf000) === 0xc000) return 'Error: cannot understand';
      if (status === 0xb000) return 'Warning: coercion of data elements';
      if (status === 0xb007) return 'Warning: data set does not match SOP class';
      if (status === 0xb006) return 'Warning: elements discarded';
      return undefined;
    case 'find':
      if (status === 0xa700) return 'Refused: out of resources';
      if (status === 0xa900) return 'Failed: identifier does not match SOP class';
      if ((status & 0xf000) === 0xc000) return 'Failed: unable to process';
      if (status === 0xfe00) return 'Cancel: matching terminated due to cancel request';
      if (status === 0xff00) return 'Pending: matches are continuing, current match supplied';
      if (status === 0xff01)
        return 'Pending: matches are continuing, one or more optional keys were not supported';
      return undefined;
    case 'move':
    case 'get':
      if (status === 0xa701) return 'Refused: out of resources, unable to calculate number of matches';
      if (status === 0xa702) return 'Refused: out of resources, unable to perform sub-operations';
      if (status === 0xa801 && service === 'move') return 'Refused: move destination unknown';
      if (status === 0xa900) return 'Failed: identifier does not match SOP class';
      if ((status & 0xf000) === 0xc000) return 'Failed: unable to process';
      if (status === 0xb000) return 'Warning: sub-operations complete, one or more failures or warnings';
      if (status === 0xfe00) return 'Cancel: sub-operations terminated due to cancel request';
      if (status === 0xff00) return 'Pending: sub-operations are continuing';
      return undefined;
    case 'other':
      return undefined;
    default: {
      const exhaustive: never = service;
      return exhaustive;
    }
  }
}

const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0').toUpperCase()}`;

/**
 * A short English description of a status, specific to the service when `commandField` (request
 * or response) is given: e.g. A700 is "Refused: out of resources" for C-STORE and C-FIND.
 * Always prefixed by the hex code, so it is safe to log (it never holds peer text).
 */
export function describeStatus(status: number, commandField?: number): string {
  const text = serviceText(serviceOf(commandField), status) ?? GENERAL_TEXT[status] ?? rangeText(status);
  return `${hex4(status)} ${text}`;
}

function rangeText(status: number): string {
  const cls = classifyStatus(status);
  const nibble = status & 0xf000;
  if (nibble === 0xa000) return 'Refused or failed (service-specific)';
  if (nibble === 0xb000) return 'Warning (service-specific)';
  if (nibble === 0xc000) return 'Failed (service-specific)';
  return cls === 'failure' ? 'Failure (unknown status code)' : cls;
}

/**
 * The typed error for a Failure response (PS3.7 C.4). Details carry the status, command field,
 * Error ID and Offending Element; the peer's Error Comment is left out of the message and details
 * because it is free text that may hold PHI (NFR-SEC-01) — read it from the response if needed.
 */
export function dimseFailureError(response: DimseCommand): DimseFailureError {
  const status = response.status ?? 0xffff_ffff;
  const label = commandFieldLabel(response.commandField);
  return new DimseFailureError(
    status,
    `${label} failed with status ${response.status === undefined ? '(missing)' : describeStatus(status, response.commandField)}`,
    {
      details: {
        commandField: response.commandField,
        ...(response.errorId === undefined ? {} : { errorId: response.errorId }),
        ...(response.offendingElement === undefined ? {} : { offendingElement: response.offendingElement }),
      },
    },
  );
}
