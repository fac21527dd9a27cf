/**
 * Binary codec: CONTRACT STUB. The wire helper replaces the bodies; the exported names and
 * signatures below are what the rest of the code base relies on.
 */
import type { Result } from '../lib/result.js';
import type { Channel, Msg } from './types.js';

export type WireErrorCode =
  | 'WIRE_ERR_TRUNCATED'
  | 'WIRE_ERR_BAD_MAGIC'
  | 'WIRE_ERR_UNSUPPORTED_VERSION'
  | 'WIRE_ERR_LABEL_MISMATCH'
  | 'WIRE_ERR_TOO_LARGE'
  | 'WIRE_ERR_UNKNOWN_TYPE'
  | 'WIRE_ERR_MALFORMED'
  | 'WIRE_ERR_LIMIT_EXCEEDED'
  | 'WIRE_ERR_TRAILING_BYTES';

/** Why bytes did not decode. Stable codes, listed in docs/errors.md. */
export interface WireError {
  readonly code: WireErrorCode;
  readonly detail: string;
}

/** A decoded packet or frame. */
export interface Envelope {
  readonly version: number;
  readonly flags: number;
  readonly label: string;
  readonly msgs: readonly Msg[];
}

export interface EncodeOptions {
  readonly channel: Channel;
  /** Cluster label (empty string for none). */
  readonly label: string;
  readonly flags?: number;
}

export interface DecodeOptions {
  readonly channel: Channel;
  /** If given, a packet with another label is rejected with WIRE_ERR_LABEL_MISMATCH. */
  readonly expectedLabel?: string;
}

/** Encodes messages as one packet (channel 'packet') or one frame body (channel 'stream'). Asserts the result fits the channel's limit. */
export function encodePacket(_msgs: readonly Msg[], _options: EncodeOptions): Uint8Array {
  throw new Error('codec not implemented yet');
}

/** Decodes one packet or frame body. Never throws; never allocates more than the input justifies. */
export function decodePacket(_bytes: Uint8Array, _options: DecodeOptions): Result<Envelope, WireError> {
  throw new Error('codec not implemented yet');
}

/** Bytes the envelope header takes for this label (before any message). */
export function envelopeBytes(_label: string): number {
  throw new Error('codec not implemented yet');
}

/** Exact bytes `msg` adds to a packet (its type, length prefix and body). */
export function messageBytes(_msg: Msg): number {
  throw new Error('codec not implemented yet');
}
