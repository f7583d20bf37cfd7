import { DESTINATION_NAMES, type DestinationName } from '@hnvue/facade/config';
import { UsageError } from '../errors.js';

export function destinationName(value: string | undefined, fallback: DestinationName): DestinationName {
  if (value === undefined) return fallback;
  if (!(DESTINATION_NAMES as readonly string[]).includes(value)) {
    throw new UsageError(`--to: expected one of ${DESTINATION_NAMES.join(', ')}, got "${value}"`);
  }
  return value as DestinationName;
}
