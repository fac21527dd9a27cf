/** The transport layer's public API: real UDP/TCP transports, the in-memory network, keys and addresses. */
export type { ReceiveHandler, Transport, TransportStats } from './transport.js';
export { emptyTransportStats } from './transport.js';
export type { AddressError, AddressFamily, ParsedAddress } from './address.js';
export { addressFromSocket, formatAddress, parseAddress, parseDestination } from './address.js';
export type { TransportErrorCode } from './errors.js';
export { TransportError } from './errors.js';
export type { KeyringError } from './keyring.js';
export { generateKey, Keyring, keyBytes, sealOverheadBytes } from './keyring.js';
export type { UdpTransport, UdpTransportOptions } from './udp-transport.js';
export { bindUdpTransport } from './udp-transport.js';
export type { TcpTransport, TcpTransportOptions } from './tcp-transport.js';
export {
  listenTcpTransport,
  tcpConnectTimeoutMsDefault,
  tcpHelloTimeoutMsDefault,
  tcpIdleTimeoutMsDefault,
  tcpIncomingConnectionsMaxDefault,
  tcpOutgoingConnectionsMaxDefault,
  tcpQueueBytesMaxPerPeerDefault,
} from './tcp-transport.js';
export type { MemoryBindOptions } from './memory-transport.js';
export { MemoryNetwork, memoryInFlightMessagesMax } from './memory-transport.js';
