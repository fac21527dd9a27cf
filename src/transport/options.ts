/** Validation of the numeric options of the transports: a typo must fail at startup, not at load. */
import { TransportError } from './errors.js';

/** `value` if it is an integer in [min, max], else throws TRANSPORT_ERR_BAD_OPTION naming `name`. */
export function intOption(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TransportError('TRANSPORT_ERR_BAD_OPTION', `${name} must be an integer in ${min}..${max}, got ${value}`);
  }
  return value;
}
