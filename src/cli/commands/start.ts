/**
 * `ringkv start`: runs one node until SIGTERM/SIGINT, then leaves the cluster gracefully (a second
 * signal exits at once). Logs are JSON lines on stdout (pino); the line with `"msg":"ready"`
 * carries the node's gossip, HTTP and RESP endpoints (the local cluster and the integration
 * tests wait for it). A bad configuration exits with status 2 before anything binds; a node that
 * cannot start (port in use, data directory of another node) exits with status 1.
 */
import type { Command } from 'commander';
import { pino } from 'pino';
import { startDaemon } from '../../api/daemon.js';
import type { Daemon } from '../../api/daemon.js';
import { buildStartConfig, startEnvVars } from './start-config.js';
import type { StartFlags } from './start-config.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('Run one ringkv node (membership over UDP/TCP, LMDB store, HTTP and RESP APIs)')
    .option('--config <file>', 'JSON config file (fields as in docs/configuration.md)')
    .option('--name <name>', 'unique node name (default: <hostname>-<gossip port>)')
    .option('--bind <addr>', 'gossip bind address ip:port, UDP and TCP (default 127.0.0.1:7946; port 0 = any)')
    .option('--advertise <addr>', 'gossip address peers should use, when it differs from --bind')
    .option('--join <addr>', 'gossip address of a node to join through (repeatable, or comma-separated)', collect)
    .option('--data-dir <dir>', 'data directory (default data/<name>)')
    .option('--api-host <ip>', 'address the HTTP and RESP servers bind (default 127.0.0.1)')
    .option('--http-port <port>', 'HTTP API port, 0 = any, off = disabled (default 8080)')
    .option('--resp-port <port>', 'RESP (Redis protocol) port, 0 = any, off = disabled (default 6380)')
    .option('--encrypt-key <base64>', 'AES-256-GCM key, base64 of 32 bytes; repeat for rotation: the first seals, all open', collect)
    .option('--auth-token <token>', 'require this token from API clients (HTTP Bearer, RESP AUTH)')
    .option('--cluster-label <label>', 'cluster label carried in every packet; other labels are dropped')
    .option('--log-level <level>', 'debug, info, warn or error (default info)')
    .option('--set <field=value>', 'override any field, e.g. membership.probeIntervalMs=500 or kv.writeQuorum=3 (repeatable)', collect)
    .addHelpText('after', `\nEnvironment variables (below flags, above the config file): ${Object.keys(startEnvVars).join(', ')}.`)
    .action(async (flags: StartFlags) => {
      const config = buildStartConfig(flags, process.env);
      const log = pino({ level: config.logLevel, base: { node: config.name }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd: 1, sync: true }));
      let daemon: Daemon;
      try {
        daemon = await startDaemon(config, log);
      } catch (error) {
        const e = error as Error & { code?: string };
        log.error({ code: e.code ?? 'RUNTIME_ERR_START', err: e.message }, 'cannot start');
        process.stderr.write(`ringkv start: ${e.message}\n`);
        process.exitCode = 1;
        return;
      }
      log.info({ gossip: daemon.gossip, http: daemon.endpoints.http ?? null, resp: daemon.endpoints.resp ?? null, dataDir: config.dataDir, pid: process.pid }, 'ready');
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals): void => {
        signals++;
        if (signals > 1) {
          log.warn({ signal }, 'second signal: exiting without finishing the leave');
          process.exit(130);
        }
        log.info({ signal }, 'leaving the cluster');
        daemon.stop().then(
          () => {
            log.info({}, 'stopped');
            process.exit(0);
          },
          (error: unknown) => {
            log.error({ err: String(error) }, 'error while stopping');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });

  program
    .command('keygen')
    .description('Print a new random AES-256-GCM key (base64) for --encrypt-key')
    .action(async () => {
      const { generateKey } = await import('../../transport/keyring.js');
      process.stdout.write(`${generateKey()}\n`);
    });
}
