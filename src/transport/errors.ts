/**
 * Errors of the transport layer. Sends never fail (they drop and count); only setting a transport
 * up can fail: a bad address or key in the configuration, or a port the OS will not bind.
 */

export type TransportErrorCode =
  /** An address is not an IP literal with a port, or cannot be used where it was given. */
  | 'TRANSPORT_ERR_BAD_ADDRESS'
  /** A key is not base64 of exactly 32 bytes, or the keyring is empty. */
  | 'TRANSPORT_ERR_BAD_KEY'
  /** A numeric option (size limit, timeout) is out of range; the message names it. */
  | 'TRANSPORT_ERR_BAD_OPTION'
  /** The OS refused to bind or listen (address in use, not a local address, permission). */
  | 'TRANSPORT_ERR_BIND';

/**
 * What `bindUdpTransport` / `listenTcpTransport` reject with. Carries a stable `code` so the
 * runtime can report configuration mistakes without parsing messages.
 */
export class TransportError extends Error {
  override readonly name = 'TransportError';

  constructor(
    readonly code: TransportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
