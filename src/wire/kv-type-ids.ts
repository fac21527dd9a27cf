import type { KvMsgType } from './kv-types.js';

/**
 * Stable one-byte wire ids of the KV messages. Membership owns 1..31 (type-ids.ts); KV takes 32
 * and up. Never renumber or reuse an id. When `KvMsg` joins `Msg`, these entries move into
 * `typeIds` unchanged.
 */
export const kvTypeIds = {
  'kv-req': 32,
  'kv-rep': 33,
  'kv-range-batch': 34,
  'kv-range-ack': 35,
  'kv-merkle-req': 36,
  'kv-merkle-rep': 37,
  'kv-keys-req': 38,
  'kv-keys-rep': 39,
  'kv-fetch-req': 40,
  'kv-fetch-rep': 41,
} as const satisfies { readonly [T in KvMsgType]: number };
