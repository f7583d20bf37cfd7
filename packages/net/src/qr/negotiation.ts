/**
 * What a Q/R association proposes beyond its presentation contexts: the C-FIND extended
 * negotiation (PS3.4 C.5.1.1.1: byte 1 relational queries, byte 2 combined date-time matching)
 * and, for C-GET, the SCP role for each storage SOP class expected (PS3.7 D.3.3.4, PS3.4
 * C.5.3.1), whose refusal is a typed error naming the SOP class.
 */
import type { Association } from '../association.js';
import type { RoleSelection, SopClassExtendedNegotiation } from '../pdu/types.js';
import { RoleNotAcceptedError } from './errors.js';

/** PS3.4 Table C.5-1: the FIND extended negotiation item asking for relational queries. */
export function relationalNegotiation(
  sopClassUid: string,
  options: { readonly combinedDateTime?: boolean } = {},
): SopClassExtendedNegotiation {
  return {
    sopClassUid,
    serviceClassApplicationInformation: Uint8Array.of(1, options.combinedDateTime ? 1 : 0),
  };
}

/** PS3.4 Table C.5-2: relational queries were accepted when the reply's byte 1 is 1. */
export function relationalAccepted(association: Association, sopClassUid: string): boolean {
  const item = association.negotiated.peerExtendedNegotiation.find((i) => i.sopClassUid === sopClassUid);
  return item !== undefined && item.serviceClassApplicationInformation[0] === 1;
}

/** Role selection items asking the SCP role (only) for each storage SOP class (C-GET). */
export function getRoles(storageSopClasses: readonly string[]): RoleSelection[] {
  return storageSopClasses.map((sopClassUid) => ({ sopClassUid, scuRole: false, scpRole: true }));
}

/**
 * Throws RoleNotAcceptedError for the first SOP class the SCP did not let us act as SCP for
 * (its context refused, or the role not granted in its role selection reply).
 */
export function checkGetRoles(association: Association, storageSopClasses: readonly string[]): void {
  for (const sopClass of storageSopClasses) {
    const context = association.findContext(sopClass);
    if (context === undefined || !context.requestorScp) throw new RoleNotAcceptedError(sopClass);
  }
}
