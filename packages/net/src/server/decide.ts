/**
 * How the listener decides an A-ASSOCIATE-RQ (docs/reliability.md), in this order: the
 * source address, then the checks that need nothing (protocol version, application context,
 * called and calling AE titles), then an association slot, reserved synchronously, and only then
 * the asynchronous identity hook and the presentation contexts. A requestor refused by access
 * control never holds a slot, and no two requests decided together can take the same one.
 */
import type { Logger } from '@hnvue/core';
import {
  type AcceptorDecision,
  type AcceptorPolicy,
  checkAccess,
  decideAssociation,
  type IdentityDecision,
  readIdentity,
} from '../acse/negotiate.js';
import { AssociationRejectedError } from '../errors.js';
import type { AssociateRj, AssociateRq } from '../pdu/types.js';
import type { Admission, PendingConnection, Reservation } from './admission.js';
import type { RejectionInfo, ServerOptions } from './options.js';

/** PS3.8 Table 9-21: rejected-transient, service-provider (presentation), local-limit-exceeded. */
const LOCAL_LIMIT_TRANSIENT: AssociateRj = { type: 'A-ASSOCIATE-RJ', result: 2, source: 3, reason: 2 };
/** PS3.8 Table 9-21: rejected-permanent, service-user, calling-AE-title-not-recognized. */
const CALLING_NOT_RECOGNIZED: AssociateRj = { type: 'A-ASSOCIATE-RJ', result: 1, source: 1, reason: 3 };

export interface RequestContext<T extends PendingConnection> {
  readonly rq: AssociateRq;
  readonly peer: string;
  /** The source address is outside `allowedAddresses`. */
  readonly disallowed: boolean;
  readonly policy: AcceptorPolicy;
  readonly admission: Admission<T>;
  /** The calling AE title as association slots are counted under it. */
  readonly callingAeKey: string;
  readonly authenticate: ServerOptions['authenticate'];
  readonly log: Logger;
  /** Receives the slot as soon as it is taken; the caller releases it on refusal or close. */
  readonly reserved: (reservation: Reservation) => void;
}

export interface RequestOutcome {
  readonly decision: AcceptorDecision;
  /** PHI-free facts about a refusal for the log event (which limit, counts). */
  readonly detail: Record<string, unknown>;
}

export async function decideRequest<T extends PendingConnection>(
  ctx: RequestContext<T>,
): Promise<RequestOutcome> {
  const { rq, peer, policy } = ctx;
  if (ctx.disallowed) {
    return {
      decision: { type: 'reject', rj: CALLING_NOT_RECOGNIZED },
      detail: { limit: 'allowedAddresses' },
    };
  }
  const refused = checkAccess(rq, policy);
  if (refused !== undefined) return { decision: refused, detail: {} };
  const slot = ctx.admission.reserve(ctx.callingAeKey);
  if (!slot.ok) {
    return {
      decision: { type: 'reject', rj: LOCAL_LIMIT_TRANSIENT },
      detail: { limit: slot.limit, active: slot.active, max: slot.max },
    };
  }
  ctx.reserved(slot.reservation);
  let identity: IdentityDecision = true;
  const item = rq.userInformation.userIdentityRq;
  if (ctx.authenticate) {
    try {
      identity = await ctx.authenticate(item ? readIdentity(item) : undefined, {
        callingAeTitle: rq.callingAeTitle,
        calledAeTitle: rq.calledAeTitle,
        peer,
      });
    } catch (err) {
      ctx.log.error({ peer, err: (err as Error)?.message }, 'authenticate hook failed; rejecting');
      identity = false;
    }
  }
  return { decision: decideAssociation(rq, policy, identity), detail: {} };
}

/** The PHI-free log event of an A-ASSOCIATE-RJ we sent, and its 'rejected' notification. */
export function rejectionEvent(
  log: Logger,
  peer: string,
  titles: { readonly callingAeTitle: string; readonly calledAeTitle: string },
  rj: AssociateRj,
  detail: Record<string, unknown>,
): RejectionInfo {
  const { result, source, reason } = rj;
  const { callingAeTitle, calledAeTitle } = titles;
  const error = new AssociationRejectedError(result, source, reason, {
    details: { peer, calledAeTitle, callingAeTitle, ...detail },
  });
  log.info(
    { event: 'association.rejected', peer, callingAeTitle, calledAeTitle, result, source, reason, ...detail },
    'association rejected',
  );
  return { peer, callingAeTitle, calledAeTitle, error };
}
