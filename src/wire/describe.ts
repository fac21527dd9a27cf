import { unreachable } from '../lib/assert.js';
import type { KvRange, KvVersion, Msg, NodeRef } from './types.js';

/**
 * One canonical line per message (in the style of etcd's DescribeMessage), for logs, traces and
 * golden scenario files. Stable: tests compare these lines, so change the format deliberately.
 * Meta is shown as its length only; push-pull and heartbeat tables as their entry counts.
 */
export function describeMsg(msg: Msg): string {
  switch (msg.type) {
    case 'ping':
      return `ping seq=${msg.seq} target=${tok(msg.target)} from=${ref(msg.source)}`;
    case 'indirect-ping':
      return `indirect-ping seq=${msg.seq} target=${ref(msg.target)} from=${ref(msg.source)} nack=${msg.wantNack}`;
    case 'ack':
      return `ack seq=${msg.seq}`;
    case 'nack':
      return `nack seq=${msg.seq}`;
    case 'alive':
      return `alive ${ref(msg.node)} inc=${msg.incarnation} meta=${msg.meta.length}B`;
    case 'suspect':
      return `suspect ${tok(msg.node)} inc=${msg.incarnation} from=${tok(msg.from)}`;
    case 'dead':
      return `dead ${tok(msg.node)} inc=${msg.incarnation} from=${tok(msg.from)}`;
    case 'push-pull':
      return `push-pull join=${msg.join} reply=${msg.reply} from=${tok(msg.source.name)} members=${msg.members.length}`;
    case 'join-req':
      return `join-req ${ref(msg.node)} hb=${msg.heartbeat}`;
    case 'join-rep':
      return `join-rep from=${ref(msg.source)} entries=${msg.entries.length}`;
    case 'heartbeat':
      return `heartbeat from=${ref(msg.source)} entries=${msg.entries.length}`;
    case 'kv-req':
      return `kv-req #${msg.reqId} ${msg.op} ${tok(msg.key)}${msg.value === null ? '' : ` value=${msg.value.length}B`}${msg.version === null ? '' : ` v=${ver(msg.version)}`}`;
    case 'kv-rep':
      return `kv-rep #${msg.reqId} ${msg.status}${msg.value === null ? '' : ` value=${msg.value.length}B`}${msg.version === null ? '' : ` v=${ver(msg.version)}`}`;
    case 'kv-range-batch':
      return `kv-range-batch stream=${msg.streamId} seq=${msg.seq} ${msg.kind} range=${range(msg.range)} entries=${msg.entries.length}${msg.last ? ' last' : ''}`;
    case 'kv-range-ack':
      return `kv-range-ack stream=${msg.streamId} seq=${msg.seq} ${msg.status} applied=${msg.applied}`;
    case 'kv-merkle-req':
      return `kv-merkle-req #${msg.reqId} range=${range(msg.range)} depth=${msg.depth} level=${msg.level} nodes=${msg.nodes.length}`;
    case 'kv-merkle-rep':
      return `kv-merkle-rep #${msg.reqId} ${msg.status} level=${msg.level} hashes=${msg.hashes.length}`;
    case 'kv-keys-req':
      return `kv-keys-req #${msg.reqId} range=${range(msg.range)} limit=${msg.limit}${msg.after === null ? '' : ' after'}`;
    case 'kv-keys-rep':
      return `kv-keys-rep #${msg.reqId} ${msg.status} entries=${msg.entries.length}${msg.more ? ' more' : ''}`;
    case 'kv-fetch-req':
      return `kv-fetch-req #${msg.reqId} keys=${msg.keys.length}`;
    case 'kv-fetch-rep':
      return `kv-fetch-rep #${msg.reqId} ${msg.status} entries=${msg.entries.length}`;
    default:
      return unreachable(msg, 'describeMsg: unknown message type');
  }
}

/** Describes several messages (e.g. one packet) joined with "; ". */
export function describeMsgs(msgs: readonly Msg[]): string {
  return msgs.map(describeMsg).join('; ');
}

function ver(v: KvVersion): string {
  return `${v.physicalMs}.${v.logical}@${v.nodeId}`;
}

function range(r: KvRange): string {
  return `(${r.start},${r.end}]`;
}

function ref(node: NodeRef): string {
  return `${tok(node.name)}@${tok(node.addr)}`;
}

/** Plain names print as-is; empty ones or ones with spaces or separators are JSON-quoted so a line stays unambiguous. */
function tok(s: string): string {
  return plain.test(s) ? s : JSON.stringify(s);
}

const plain = /^[^\s=@;"]+$/u;
