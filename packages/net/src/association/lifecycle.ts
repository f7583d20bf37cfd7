/**
 * The states of an association after the transport is up, and how it ends (PS3.8 7.2 A-RELEASE,
 * 7.3 A-ABORT, 7.4 A-P-ABORT): the upper-layer indications of the state machine (fsm/) arrive
 * here, and `release()` / `abort()` start the local side. Outstanding requests never outlive the
 * association: release waits for them, abort and transport loss fail them.
 */
import type { Logger } from '@hnvue/core';
import type { Negotiated } from '../acse/negotiate.js';
import type { DimseProvider } from '../dimse/provider.js';
import type { UpperLayer, UpperLayerUser } from '../dul/upper-layer.js';
import { AssociationAbortedError, AssociationClosedError, NetTimeoutError } from '../errors.js';
import type { AssociateAc, AssociateRj, AssociateRq } from '../pdu/types.js';
import type { Association } from './association.js';
import { errorCode, publishClose, publishOpen } from './diagnostics.js';
import { IdleTimer, startAcseTimer } from './timers.js';
import type { AssociationRole, AssociationTimeouts } from './types.js';

export type AssociationState = 'negotiating' | 'established' | 'releasing' | 'closed';

export interface LifecycleHost {
  readonly association: Association;
  readonly role: AssociationRole;
  readonly peer: string;
  readonly dul: UpperLayer;
  readonly log: Logger;
  readonly timeouts: Required<AssociationTimeouts>;
  readonly dimse: () => DimseProvider;
}

export class Lifecycle {
  state: AssociationState = 'negotiating';
  /** What ended (or is ending) the association; thrown to later callers. */
  closeError: Error | undefined;
  negotiated: Negotiated | undefined;
  /** Resolves when the transport is closed, whatever the cause. */
  readonly closed: Promise<void>;
  readonly #host: LifecycleHost;
  readonly #idle = new IdleTimer();
  #releaseWaiter:
    | { resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout | undefined }
    | undefined;
  #resolveClosed!: () => void;

  constructor(host: LifecycleHost) {
    this.#host = host;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  /** The upper-layer user: the state machine's indications (PS3.8 Table 9-10 actions). */
  user(): UpperLayerUser {
    const association = this.#host.association;
    return {
      associateRequested: (rq: AssociateRq) => association.negotiationListener?.associateRequested(rq),
      associateAccepted: (ac: AssociateAc) => association.negotiationListener?.associateAccepted(ac),
      associateRejected: (rj: AssociateRj) => association.negotiationListener?.associateRejected(rj),
      pdata: (pdvs) => this.#host.dimse().onPData(pdvs),
      releaseRequested: (collision) => this.#onReleaseRequested(collision),
      releaseConfirmed: () => this.#onReleaseConfirmed(),
      aborted: (error) => {
        this.closeError ??= error;
        // Fail waiters now: in Sta13 the transport may linger until the peer closes or ARTIM fires.
        this.#host.dimse().aborted(error);
        if (this.state !== 'negotiating') {
          this.#host.log.info({ code: errorCode(error), err: error.message }, 'association aborted');
          association.emit('aborted', error);
        }
        association.negotiationListener?.aborted(error);
      },
      closed: () => this.#onClosed(),
    };
  }

  established(negotiated: Negotiated): void {
    const { association, log } = this.#host;
    this.negotiated = negotiated;
    this.state = 'established';
    const info = {
      role: this.#host.role,
      peer: this.#host.peer,
      callingAeTitle: negotiated.callingAeTitle,
      calledAeTitle: negotiated.calledAeTitle,
      contextsAccepted: association.acceptedContexts.length,
      contextsProposed: negotiated.contexts.size,
      peerMaxPduLength: negotiated.peerMaxPduLength,
      window: association.capacity === Number.POSITIVE_INFINITY ? 0 : association.capacity,
      peerImplementationClassUid: negotiated.peerImplementationClassUid,
    };
    log.info(info, 'association established');
    publishOpen(info);
    const dul = this.#host.dul;
    const idleMs = this.#host.timeouts.idleMs;
    this.#idle.start(
      idleMs,
      () => dul.idleMs,
      () => association.abort(new NetTimeoutError('idle', idleMs, { details: { peer: this.#host.peer } })),
    );
  }

  /** A-RELEASE (PS3.8 7.2); see Association.release(). */
  async release(): Promise<void> {
    const { association, dul } = this.#host;
    if (this.state === 'closed') {
      if (this.closeError) throw this.closeError;
      return;
    }
    if (this.state === 'releasing' && this.#releaseWaiter) {
      return await new Promise<void>((resolve, reject) => {
        association.once('close', () => (this.closeError ? reject(this.closeError) : resolve()));
      });
    }
    await this.#host.dimse().settled();
    if (this.state !== 'established') {
      if (this.closeError) throw this.closeError;
      return;
    }
    this.state = 'releasing';
    const acseMs = this.#host.timeouts.acseMs;
    await new Promise<void>((resolve, reject) => {
      const timer = startAcseTimer(acseMs, () => {
        const error = new NetTimeoutError('release', acseMs, { details: { peer: this.#host.peer } });
        dul.abort(error);
        reject(error);
      });
      this.#releaseWaiter = { resolve, reject, timer };
      try {
        dul.releaseRequest();
      } catch (err) {
        if (timer) clearTimeout(timer);
        reject(err as Error);
      }
    });
  }

  /** A-ABORT, source: service user (PS3.8 7.3). */
  abort(error?: Error): void {
    if (this.state === 'closed') return;
    const reason =
      error ??
      new AssociationAbortedError(0, 0, 'association aborted by the local user', {
        details: { peer: this.#host.peer },
      });
    this.closeError ??= reason;
    this.#host.dul.abort(reason);
  }

  #onReleaseRequested(collision: boolean): void {
    const dul = this.#host.dul;
    if (collision) {
      // PS3.8 9.2.1 release collision: the requestor answers first (Sta9 → AR-9), the acceptor
      // answers after receiving the requestor's A-RELEASE-RP (Sta12, see #onReleaseConfirmed).
      if (this.#host.role === 'requestor') dul.releaseResponse();
      return;
    }
    this.#host.log.info({}, 'association release requested by peer');
    this.state = 'releasing';
    this.#host.dimse().failOutstanding(new AssociationClosedError('association released by the peer'));
    dul.releaseResponse();
    this.#host.association.emit('released');
  }

  #onReleaseConfirmed(): void {
    if (this.#host.dul.state === 'Sta12') this.#host.dul.releaseResponse();
    const waiter = this.#releaseWaiter;
    this.#releaseWaiter = undefined;
    if (waiter?.timer) clearTimeout(waiter.timer);
    this.#host.log.info({}, 'association released');
    this.#host.association.emit('released');
    waiter?.resolve();
  }

  #onClosed(): void {
    const { association, dul } = this.#host;
    const wasState = this.state;
    this.state = 'closed';
    this.#idle.stop();
    const error = this.closeError ?? new AssociationClosedError('association closed');
    const dimse = this.#host.dimse();
    dimse.closed(error);
    const waiter = this.#releaseWaiter;
    this.#releaseWaiter = undefined;
    if (waiter) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    dimse.wakeWaiters();
    if (wasState !== 'negotiating') {
      const info = {
        peer: this.#host.peer,
        role: this.#host.role,
        bytesIn: dul.bytesIn,
        bytesOut: dul.bytesOut,
        error: errorCode(this.closeError),
      };
      this.#host.log.info(info, 'association closed');
      publishClose(info);
    }
    association.negotiationListener?.closed();
    association.negotiationListener = undefined;
    this.#resolveClosed();
    association.emit('close');
  }
}
