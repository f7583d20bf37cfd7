/**
 * The limits of a DICOM listener (docs/reliability.md), with their defaults and validation.
 * Every figure here is a bound on memory or on the time one peer can hold a resource; the
 * reasoning and the measured figures are in docs/reliability.md.
 */
import {
  DEFAULT_NEGOTIATION_LIMITS,
  MAX_PRESENTATION_CONTEXTS,
  type NegotiationLimits,
} from '../acse/bounds.js';
import { InvalidArgumentError } from '../errors.js';

export interface ServerLimits extends NegotiationLimits {
  /**
   * TCP connections that have not (yet) completed an association: awaiting or sending their
   * A-ASSOCIATE-RQ, or waiting for the transport to close after an A-ASSOCIATE-RJ / A-ABORT.
   * When a new connection would exceed this, the oldest idle one is closed. Default 128.
   */
  readonly maxPendingConnections: number;
  /** The same, per source address (an IPv4-mapped IPv6 address counts as IPv4). Default 64. */
  readonly maxPendingPerAddress: number;
  /**
   * ARTIM-style deadline from TCP accept (TLS handshake included) to a complete
   * A-ASSOCIATE-RQ; a connection still short of one is closed at this time, however steadily it
   * trickles bytes (slowloris). Default 5000 ms.
   */
  readonly associationRequestTimeoutMs: number;
  /**
   * Established associations (and requests being decided) at once; beyond, A-ASSOCIATE-RJ
   * rejected-transient, service-provider (presentation), local-limit-exceeded (2/3/2). Default 32.
   */
  readonly maxAssociations: number;
  /** The same per calling AE title (compared as the listener compares AE titles). Default 16. */
  readonly maxAssociationsPerCallingAe: number;
  /** Largest A-ASSOCIATE-RQ PDU read at all (bytes); longer ones get A-ABORT reason 6. Default 1 MiB. */
  readonly maxAssociateRqLength: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  ...DEFAULT_NEGOTIATION_LIMITS,
  maxPendingConnections: 128,
  maxPendingPerAddress: 64,
  associationRequestTimeoutMs: 5000,
  maxAssociations: 32,
  maxAssociationsPerCallingAe: 16,
  maxAssociateRqLength: 1024 * 1024,
};

const RANGES: { readonly [K in keyof ServerLimits]: readonly [min: number, max: number] } = {
  maxPendingConnections: [1, 65_536],
  maxPendingPerAddress: [1, 65_536],
  associationRequestTimeoutMs: [1, 3_600_000],
  maxAssociations: [1, 65_536],
  maxAssociationsPerCallingAe: [1, 65_536],
  maxAssociateRqLength: [1024, 64 * 1024 * 1024],
  maxPresentationContexts: [1, MAX_PRESENTATION_CONTEXTS],
  maxTransferSyntaxesPerContext: [1, 4096],
  maxSubItems: [0, 65_536],
  maxUsernameLength: [0, 65_535],
  maxPasscodeLength: [0, 65_535],
  maxIdentityTokenLength: [0, 65_535],
  maxOperationsGranted: [1, 65_535],
};

/**
 * The limits in force: the defaults, overridden by `limits`, then by the older top-level
 * `maxAssociations` option. Throws InvalidArgumentError naming the first bad value.
 */
export function resolveServerLimits(
  limits: Partial<ServerLimits> | undefined,
  maxAssociations: number | undefined,
): ServerLimits {
  const resolved: ServerLimits = {
    ...DEFAULT_SERVER_LIMITS,
    ...limits,
    ...(maxAssociations === undefined ? {} : { maxAssociations }),
  };
  for (const key of Object.keys(RANGES) as (keyof ServerLimits)[]) {
    const value = resolved[key];
    const [min, max] = RANGES[key];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`server limit ${key} must be an integer ${min}-${max}`, {
        details: { limit: key, value },
      });
    }
  }
  return resolved;
}
