/**
 * Fitting heartbeat entries into one packet. Sizes come from the codec itself (`messageBytes`,
 * `envelopeBytes`, `varintBytes`), so the bound is exact rather than estimated, whatever the names
 * and addresses, and a packet is filled to within one entry (plus 2 bytes) of the limit.
 */
import { AssertionError, assert } from '../../lib/assert.js';
import { envelopeBytes, messageBytes } from '../../wire/codec.js';
import { heartbeatEntriesMax, udpPacketBytesMax } from '../../wire/limits.js';
import { varintBytes } from '../../wire/varint.js';
import type { HeartbeatEntry, HeartbeatMsg, JoinReplyMsg, NodeRef } from '../../wire/types.js';

/** Bytes one packet leaves for its single message, given the cluster label. */
export function messageBudgetBytes(label: string): number {
  return udpPacketBytesMax - envelopeBytes(label);
}

/**
 * Builds a `type` message from `source` with as many of `candidates` as fit in `budgetBytes`,
 * taking them in order and skipping any that do not fit (a long name may not fit where a short one
 * still does). Returns the message and `consumed`, the candidate position just after the last entry
 * taken, so a caller rotating through its table knows where to continue.
 */
export function packEntries<T extends 'heartbeat' | 'join-rep'>(
  type: T,
  source: NodeRef,
  candidates: readonly HeartbeatEntry[],
  budgetBytes: number,
): { msg: T extends 'heartbeat' ? HeartbeatMsg : JoinReplyMsg; consumed: number } {
  const entries: HeartbeatEntry[] = [];
  const make = (): HeartbeatMsg | JoinReplyMsg => ({ type, source, entries }) as HeartbeatMsg | JoinReplyMsg;
  const baseBody = bodyBytes(messageBytes(make()));
  assert(1 + varintBytes(baseBody) + baseBody <= budgetBytes, `an empty ${type} (${baseBody} body bytes) exceeds the budget ${budgetBytes}`);
  // Body bytes are tracked exactly except for the entry-count varint, which grows by a byte at 128
  // entries; this slack covers it, and the exact size is verified at the end.
  const slackBytes = 2;
  let body = baseBody;
  // Candidate position of each taken entry, so that `consumed` can end right after the last one
  // kept: candidates skipped after it are retried first by the next rotation.
  const takenAt: number[] = [];
  let misses = 0;
  for (let k = 0; k < candidates.length; k++) {
    if (entries.length >= heartbeatEntriesMax) break;
    const e = candidates[k]!;
    const next = body + entryBodyBytes(type, source, e, baseBody);
    if (1 + varintBytes(next) + next + slackBytes <= budgetBytes) {
      entries.push(e);
      takenAt.push(k);
      body = next;
      misses = 0;
    } else if (++misses >= 4) {
      break; // The packet is practically full.
    }
  }
  while (entries.length > 0 && messageBytes(make()) > budgetBytes) {
    entries.pop();
    takenAt.pop();
  }
  const lastTaken = takenAt[takenAt.length - 1];
  const consumed = lastTaken === undefined ? 0 : lastTaken + 1;
  const msg = make();
  assert(messageBytes(msg) <= budgetBytes, `${type} does not fit ${budgetBytes} bytes`);
  return { msg: msg as T extends 'heartbeat' ? HeartbeatMsg : JoinReplyMsg, consumed };
}

/** Body bytes one entry adds to a heartbeat-table message (its node ref and heartbeat). */
function entryBodyBytes(type: 'heartbeat' | 'join-rep', source: NodeRef, e: HeartbeatEntry, baseBody: number): number {
  return bodyBytes(messageBytes({ type, source, entries: [e] } as HeartbeatMsg | JoinReplyMsg)) - baseBody;
}

/** The body size of a message that `messageBytes` says takes `total` bytes (type 1 + length varint + body). */
function bodyBytes(total: number): number {
  for (let lengthBytes = 1; lengthBytes <= 5; lengthBytes++) {
    const body = total - 1 - lengthBytes;
    if (varintBytes(body) === lengthBytes) return body;
  }
  throw new AssertionError(`no body size matches a message of ${total} bytes`);
}
