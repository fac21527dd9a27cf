/**
 * The simulator's trace: one line per message delivered or dropped, and one per fault, in a stable
 * text form (golden files and determinism tests hash it). Built only when a trace sink is set, so
 * a run without a trace pays nothing and, since tracing draws no randomness, a trace never changes
 * the run it describes.
 *
 * Line shape: `<timeMs> <from>-><to> <verb> <message>` for traffic, `<timeMs> <node> <fault>` for
 * faults. Verbs: `recv`, `drop:<reason>`, and `stream:` in front for the stream channel.
 */
import { decodePacket } from '../wire/codec.js';
import { describeMsg } from '../wire/describe.js';
import type { Channel, Msg } from '../wire/types.js';

/** Receives trace lines. */
export type TraceSink = (line: string) => void;

/** Writes one line per message of a packet. */
export function traceMsgs(sink: TraceSink, nowMs: number, from: string, to: string, channel: Channel, verb: string, msgs: readonly Msg[]): void {
  const prefix = `${nowMs} ${from}->${to} ${channel === 'stream' ? 'stream:' : ''}${verb} `;
  for (const msg of msgs) sink(prefix + describeMsg(msg));
}

/** Like traceMsgs, for a packet known only as bytes (a drop at delivery time). */
export function traceBytes(sink: TraceSink, nowMs: number, from: string, to: string, channel: Channel, verb: string, bytes: Uint8Array, label: string): void {
  const decoded = decodePacket(bytes, { channel, expectedLabel: label });
  if (decoded.ok) {
    traceMsgs(sink, nowMs, from, to, channel, verb, decoded.value.msgs);
  } else {
    sink(`${nowMs} ${from}->${to} ${channel === 'stream' ? 'stream:' : ''}${verb} <${bytes.length} bytes: ${decoded.error.code}>`);
  }
}

/** Writes one fault line. */
export function traceFault(sink: TraceSink, nowMs: number, node: string, fault: string): void {
  sink(`${nowMs} ${node} ${fault}`);
}

/**
 * FNV-1a (32-bit) over trace lines, to compare two runs' traces without keeping them. Pure
 * arithmetic, so tests and the CLI can use it alike.
 */
export class TraceHash {
  private h = 0x811c9dc5;
  private lines = 0;

  /** Adds one line (and a newline) to the hash. */
  add(line: string): void {
    let h = this.h;
    for (let i = 0; i < line.length; i++) {
      h ^= line.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    h ^= 10;
    this.h = Math.imul(h, 0x01000193) >>> 0;
    this.lines++;
  }

  /** The hash so far, as 8 hex digits. */
  get hex(): string {
    return this.h.toString(16).padStart(8, '0');
  }

  /** Lines added so far. */
  get count(): number {
    return this.lines;
  }
}
