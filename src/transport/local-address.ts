/**
 * The bind / advertise rules shared by the UDP and TCP transports: what to bind, and which
 * address to tell peers (`Transport.localAddress`).
 */
import type { Address } from '../wire/types.js';
import { formatAddress, isUnspecifiedHost, parseAddress, parseDestination, type ParsedAddress } from './address.js';
import { TransportError } from './errors.js';

export interface BindPlan {
  readonly bind: ParsedAddress;
  /** The advertised address, if one was configured (validated as a destination). */
  readonly advertise: Address | undefined;
}

/**
 * Validates `bind` and `advertise` before any socket exists. Binding the unspecified address
 * (0.0.0.0 or ::) without `advertise` is refused: peers would be told "0.0.0.0:7946", which
 * reaches nobody (or, worse, their own host), and the cluster would silently never form.
 */
export function planBind(bind: Address, advertise: Address | undefined): BindPlan {
  const parsed = parseAddress(bind);
  if (!parsed.ok) throw new TransportError('TRANSPORT_ERR_BAD_ADDRESS', `bind: ${parsed.error.message}`);
  if (advertise !== undefined) {
    const adv = parseDestination(advertise);
    if (!adv.ok) throw new TransportError('TRANSPORT_ERR_BAD_ADDRESS', `advertise: ${adv.error.message}`);
  } else if (isUnspecifiedHost(parsed.value)) {
    throw new TransportError('TRANSPORT_ERR_BAD_ADDRESS', `bind ${JSON.stringify(bind)} listens on every interface: set an advertise address peers can reach`);
  }
  return { bind: parsed.value, advertise };
}

/** `advertise` if configured, else the bound host with the port the OS actually gave (port 0 binds an ephemeral one). */
export function localAddressOf(plan: BindPlan, boundPort: number): Address {
  return plan.advertise ?? formatAddress(plan.bind.host, boundPort, plan.bind.family);
}

/** Wraps an OS error from bind/listen with the address it concerned. */
export function bindError(bind: Address, cause: unknown): TransportError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new TransportError('TRANSPORT_ERR_BIND', `cannot bind ${bind}: ${why}`, { cause });
}
