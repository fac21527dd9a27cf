/**
 * Long codec fuzz run: `npm run fuzz` (or `node dist/scripts/fuzz-codec.js --cases N --seed S`).
 *
 * Every case derives its own generator from (seed, case index), so any failure replays alone with
 * `--seed S --case I`. A case is one of: random bytes; random bytes behind a valid header; a valid
 * packet (from a seeded pool) with 1-3 mutations. Each must decode to a typed result without
 * throwing, and an accepted input must re-encode to exactly the same bytes.
 */
import { Rng } from '../src/lib/rng.js';
import { decodePacket, encodePacket, wireErrorCodes } from '../src/wire/codec.js';
import type { DecodeOptions } from '../src/wire/codec.js';
import { udpPacketBytesMax } from '../src/wire/limits.js';
import fc from 'fast-check';
import { labelArb, msgArb } from '../test/wire/arbitraries.js';
import { fitPrefix } from '../test/wire/helpers.js';

interface Args {
  cases: number;
  seed: number;
  only: number | null;
  poolSize: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { cases: 2_000_000, seed: (Date.now() ^ (process.pid << 16)) >>> 0, only: null, poolSize: 4000 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = Number(argv[i + 1]);
    if (flag === '--cases') args.cases = value;
    else if (flag === '--seed') args.seed = value >>> 0;
    else if (flag === '--case') args.only = value;
    else if (flag === '--pool') args.poolSize = value;
    else {
      console.error(`unknown argument ${flag}\nusage: fuzz-codec [--cases N] [--seed S] [--case I] [--pool P]`);
      process.exit(2);
    }
    if (!Number.isFinite(value) || value < 0) {
      console.error(`${flag} needs a non-negative number`);
      process.exit(2);
    }
    i++;
  }
  return args;
}

/** Valid packets to mutate, generated from the seed so a run is reproducible. */
function buildPool(seed: number, size: number): Uint8Array[] {
  const arb = fc
    .tuple(fc.array(msgArb(4), { minLength: 1, maxLength: 6 }), labelArb)
    .map(([msgs, label]) => ({ msgs: fitPrefix(msgs, label, udpPacketBytesMax), label }))
    .filter((p) => p.msgs.length > 0);
  return fc.sample(arb, { seed, numRuns: size }).map((p) => encodePacket(p.msgs, { channel: 'packet', label: p.label }));
}

const interesting = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x52, 0x4b];

function randomBytes(rng: Rng, maxLen: number): Uint8Array {
  const out = new Uint8Array(rng.intBelow(maxLen + 1));
  for (let i = 0; i < out.length; i++) out[i] = rng.chance(0.3) ? rng.pick(interesting) : rng.intBelow(256);
  return out;
}

function mutate(rng: Rng, input: Uint8Array): Uint8Array {
  let bytes = input;
  const n = rng.intBetween(1, 3);
  for (let k = 0; k < n; k++) {
    const at = rng.intBelow(bytes.length + 1);
    switch (rng.intBelow(6)) {
      case 0: {
        bytes = bytes.slice();
        if (at < bytes.length) bytes[at] = bytes[at]! ^ (1 << rng.intBelow(8));
        break;
      }
      case 1:
        bytes = bytes.slice(0, at);
        break;
      case 2: {
        const ins = randomBytes(rng, 6);
        const out = new Uint8Array(bytes.length + ins.length);
        out.set(bytes.subarray(0, at), 0);
        out.set(ins, at);
        out.set(bytes.subarray(at), at + ins.length);
        bytes = out;
        break;
      }
      case 3: {
        const tail = bytes.subarray(Math.min(bytes.length, at + rng.intBetween(1, 8)));
        const out = new Uint8Array(at + tail.length);
        out.set(bytes.subarray(0, at), 0);
        out.set(tail, at);
        bytes = out;
        break;
      }
      case 4: {
        // Length-field corruption: overwrite with a large or overlong varint.
        bytes = bytes.slice();
        const patterns = [[0x80, 0x80, 0x80, 0x80, 0x08], [0xff, 0xff, 0xff, 0xff, 0x0f], [0x80, 0x00], [0xff], [0x00], [0x7f]];
        const p = rng.pick(patterns);
        for (let i = 0; i < p.length && at + i < bytes.length; i++) bytes[at + i] = p[i]!;
        break;
      }
      default: {
        bytes = bytes.slice();
        if (at < bytes.length) bytes[at] = rng.pick(interesting);
      }
    }
  }
  return bytes;
}

function makeCase(rng: Rng, pool: readonly Uint8Array[]): Uint8Array {
  const kind = rng.intBelow(10);
  if (kind === 0) return randomBytes(rng, 64);
  if (kind === 1) {
    const tail = randomBytes(rng, 120);
    const out = new Uint8Array(6 + 2 + tail.length);
    out.set([0x52, 0x4b, 1, rng.intBelow(4), 0, rng.intBetween(1, 4), rng.intBetween(0, 12), rng.intBelow(128)]);
    out.set(tail, 8);
    return out;
  }
  return mutate(rng, rng.pick(pool));
}

const codes = new Set<string>(wireErrorCodes);

/** Runs one case: the outcome ('ok' or the error code), or a description of a contract violation. */
function check(bytes: Uint8Array, options: DecodeOptions): { outcome: string } | { failure: string } {
  let res;
  try {
    res = decodePacket(bytes, options);
  } catch (e) {
    return { failure: `decodePacket threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` };
  }
  if (!res.ok) return codes.has(res.error.code) ? { outcome: res.error.code } : { failure: `unknown error code ${res.error.code}` };
  const again = encodePacket(res.value.msgs, { channel: options.channel, label: res.value.label, flags: res.value.flags });
  if (again.length !== bytes.length || again.some((b, i) => b !== bytes[i])) return { failure: 'accepted input does not re-encode identically' };
  return { outcome: 'ok' };
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  console.log(`fuzz-codec: seed ${args.seed}, ${args.only === null ? `${args.cases} cases` : `case ${args.only}`}, pool ${args.poolSize}`);
  const pool = buildPool(args.seed, args.poolSize);
  const first = args.only ?? 0;
  const last = args.only === null ? args.cases : args.only + 1;
  const tally = new Map<string, number>();
  const start = performance.now();
  let lastReport = start;
  for (let i = first; i < last; i++) {
    const rng = Rng.child(args.seed, i);
    const bytes = makeCase(rng, pool);
    const channel = rng.chance(0.5) ? 'packet' : 'stream';
    // Mostly accept any label so cases reach the message decoders; sometimes insist on none.
    const options: DecodeOptions = rng.chance(0.1) ? { channel, expectedLabel: '' } : { channel };
    const result = check(bytes, options);
    if ('failure' in result) {
      console.error(`\nFAIL at case ${i}: ${result.failure}\n  options: ${JSON.stringify(options)}\n  input (${bytes.length} bytes): ${hex(bytes)}`);
      console.error(`  reproduce: node dist/scripts/fuzz-codec.js --seed ${args.seed} --case ${i} --pool ${args.poolSize}`);
      process.exit(1);
    }
    tally.set(result.outcome, (tally.get(result.outcome) ?? 0) + 1);
    const now = performance.now();
    if (now - lastReport > 5000) {
      lastReport = now;
      const done = i - first + 1;
      console.log(`  ${done} cases, ${Math.round(done / ((now - start) / 1000))} cases/s`);
    }
  }
  const secs = (performance.now() - start) / 1000;
  const total = last - first;
  console.log(`ok: ${total} cases in ${secs.toFixed(1)} s (${Math.round(total / secs)} cases/s), seed ${args.seed}`);
  console.log(`outcomes: ${[...tally].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

main();
