/**
 * `ringkv get|put|create|update|delete|members|ring`: the client library from the command line,
 * against a running node's HTTP API (--node, repeatable; default $RINGKV_NODE or 127.0.0.1:8081,
 * node-1 of `ringkv cluster`). Values print raw; errors print their stable code and exit 1.
 */
import type { Command } from 'commander';
import { Client } from '../../client/index.js';
import { RingkvClientError } from '../../client/errors.js';
import { UsageError, parseChoiceOption } from './options.js';

/** Node asked when neither --node nor RINGKV_NODE is given: node-1 of `ringkv cluster`. */
export const defaultClientNode = '127.0.0.1:8081';
/** Largest value read from stdin, in bytes (the store's value limit). */
const stdinBytesMax = 1024 * 1024;

interface VerbFlags {
  readonly node?: string[];
  readonly token?: string;
  readonly consistency?: string;
  readonly json?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const consistencies = ['one', 'quorum', 'all'] as const;

function withCommon(cmd: Command): Command {
  return cmd
    .option('--node <host:port>', 'HTTP address of a node (repeatable; default $RINGKV_NODE or 127.0.0.1:8081)', collect)
    .option('--token <token>', 'API token when the node requires one (default $RINGKV_AUTH_TOKEN)')
    .option('--consistency <level>', 'one, quorum or all (default: the node\'s quorum)');
}

function clientFor(flags: VerbFlags): Client {
  const nodes = flags.node ?? (process.env['RINGKV_NODE']?.split(',') ?? [defaultClientNode]);
  const token = flags.token ?? process.env['RINGKV_AUTH_TOKEN'];
  try {
    return new Client({ nodes, ...(token !== undefined && { token }) });
  } catch (error) {
    throw new UsageError(`--node: ${(error as Error).message}`);
  }
}

function level(flags: VerbFlags): { consistency?: (typeof consistencies)[number] } {
  return flags.consistency === undefined ? {} : { consistency: parseChoiceOption('--consistency', flags.consistency, consistencies) };
}

/** Runs `fn` with a client; prints a client error's code and message and sets exit status 1. */
async function run(flags: VerbFlags, fn: (client: Client) => Promise<void>): Promise<void> {
  const client = clientFor(flags);
  try {
    await fn(client);
  } catch (error) {
    if (!(error instanceof RingkvClientError)) throw error;
    process.stderr.write(`ringkv: ${error.code}: ${error.message}\n`);
    process.exitCode = 1;
  } finally {
    await client.close();
  }
}

async function valueArg(value: string | undefined): Promise<Uint8Array> {
  if (value !== undefined) return new TextEncoder().encode(value);
  if (process.stdin.isTTY) throw new UsageError('give a value argument, or pipe the value on stdin');
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > stdinBytesMax) throw new UsageError(`value on stdin is larger than ${stdinBytesMax} bytes`);
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

export function registerClientCommands(program: Command): void {
  withCommon(program.command('get <key>').description('Read a key (prints the value)'))
    .option('--json', 'print key, value and version as JSON')
    .action((key: string, flags: VerbFlags) =>
      run(flags, async (client) => {
        const entry = await client.get(key, level(flags));
        if (entry === null) {
          process.stderr.write(`ringkv: KV_ERR_NOT_FOUND: ${key}\n`);
          process.exitCode = 1;
          return;
        }
        if (flags.json === true) process.stdout.write(`${JSON.stringify({ key, value: Buffer.from(entry.value).toString('utf8'), version: entry.version })}\n`);
        else process.stdout.write(Buffer.concat([Buffer.from(entry.value), Buffer.from(process.stdout.isTTY ? '\n' : '')]));
      }),
    );
  for (const verb of ['put', 'create', 'update'] as const) {
    const what = { put: 'Write a key (create or overwrite)', create: 'Create a key (fails if it exists)', update: 'Update a key (fails if it does not exist)' }[verb];
    withCommon(program.command(`${verb} <key> [value]`).description(`${what}; the value comes from stdin when omitted`)).action((key: string, value: string | undefined, flags: VerbFlags) =>
      run(flags, async (client) => {
        const bytes = await valueArg(value);
        const result = await client[verb](key, bytes, level(flags));
        process.stdout.write(`OK ${JSON.stringify(result.version)}\n`);
      }),
    );
  }
  withCommon(program.command('delete <key>').description('Delete a key')).action((key: string, flags: VerbFlags) =>
    run(flags, async (client) => {
      if (await client.delete(key, level(flags))) process.stdout.write('deleted\n');
      else {
        process.stderr.write(`ringkv: KV_ERR_NOT_FOUND: ${key}\n`);
        process.exitCode = 1;
      }
    }),
  );
  withCommon(program.command('members').description('List the members as the node sees them'))
    .option('--json', 'print JSON')
    .action((flags: VerbFlags) =>
      run(flags, async (client) => {
        const members = await client.members();
        if (flags.json === true) {
          process.stdout.write(`${JSON.stringify(members, null, 2)}\n`);
          return;
        }
        const rows = [['name', 'gossip', 'state', 'incarnation', 'http', 'resp'], ...members.map((m) => [m.name + (m.self ? ' *' : ''), m.addr, m.state, String(m.incarnation), m.endpoints.http ?? '-', m.endpoints.resp ?? '-'])];
        process.stdout.write(`${table(rows)}\n`);
      }),
    );
  withCommon(program.command('ring').description('Show the ring: tokens and primary share per node'))
    .option('--json', 'print JSON (with every token range)')
    .action((flags: VerbFlags) =>
      run(flags, async (client) => {
        const ring = await client.ring();
        if (flags.json === true) {
          process.stdout.write(`${JSON.stringify(ring, null, 2)}\n`);
          return;
        }
        const rows = [['node', 'tokens', 'primary share'], ...ring.nodes.map((n) => [n.name, String(n.tokens), `${(n.primaryShare * 100).toFixed(1)} %`])];
        process.stdout.write(`${table(rows)}\nreplication factor ${ring.replicationFactor}, ${ring.tokensPerNode} tokens per node\n`);
      }),
    );
}

function table(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  return rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}
