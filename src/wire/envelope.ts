/**
 * Envelope constants: the fixed header every packet and frame starts with.
 *
 *   magic (2) | version (1) | flags (1) | label length (1) | label (UTF-8) | message count (1)
 */

/** First magic byte: 'R'. */
export const magic0 = 0x52;
/** Second magic byte: 'K'. */
export const magic1 = 0x4b;

/** The protocol version this codec speaks. */
export const protocolVersion = 1;

/** Flag bit 0: the messages are encrypted (reserved for the transport's sealing layer). */
export const flagEncrypted = 0x01;
/** Flag bit 1: the messages are compressed (reserved). */
export const flagCompressed = 0x02;
/** Flag bits this version defines; the others must be zero. */
export const flagsKnownMask = flagEncrypted | flagCompressed;

/** Header bytes besides the label itself: magic 2, version 1, flags 1, label length 1, count 1. */
export const envelopeFixedBytes = 6;
