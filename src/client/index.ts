/**
 * ringkv client library (docs/client.md): `import { Client } from 'ringkv/client'`.
 */
export { Client, clientDefaults } from './client.js';
export { RingkvClientError, isRingkvError } from './errors.js';
export type { LocalErrorCode, RingkvClientErrorDetails, RingkvErrorCode } from './errors.js';
export type { ClientOptions, Entry, NodeOptions, ReadOptions, RingOptions, ValueInput, WriteOptions, WriteResult } from './types.js';
export type {
  Consistency,
  HealthView,
  HttpErrorCode,
  MemberState,
  MemberView,
  NodeEndpoints,
  NodeInfo,
  RangeView,
  RingView,
  ServerErrorCode,
  Version,
} from './http-protocol.js';
export type { ClientErrorCode as KvClientErrorCode } from '../kv/client-types.js';
