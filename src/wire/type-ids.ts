import { kvTypeIds } from './kv-type-ids.js';
import type { MsgType } from './types.js';

/**
 * Stable one-byte wire ids of message types. Never renumber or reuse an id: old and new nodes must
 * agree on them. Membership uses 1..31; KV messages will take 32 and up. 0 is never valid, so a
 * zeroed buffer cannot decode as a message.
 *
 * Reserved: 32..41 are the KV messages (`kvTypeIds` in kv-type-ids.ts: kv-req 32, kv-rep 33,
 * kv-range-batch 34, kv-range-ack 35, kv-merkle-req 36, kv-merkle-rep 37, kv-keys-req 38,
 * kv-keys-rep 39, kv-fetch-req 40, kv-fetch-rep 41). They join this table when `KvMsg` joins `Msg`.
 */
export const typeIds = {
  ping: 1,
  'indirect-ping': 2,
  ack: 3,
  nack: 4,
  alive: 5,
  suspect: 6,
  dead: 7,
  'push-pull': 8,
  'join-req': 9,
  'join-rep': 10,
  heartbeat: 11,
  ...kvTypeIds,
} as const satisfies { readonly [T in MsgType]: number };
