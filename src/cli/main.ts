/**
 * The `ringkv` command. This folder is the only code that reads argv and the environment and
 * decides the exit status; every command lives in its own file under commands/.
 */
import { Command, CommanderError } from 'commander';
import { registerGradeCommand } from './commands/grade.js';
import { registerSimCommand } from './commands/sim.js';
import { registerStartCommand } from './commands/start.js';
import { registerClusterCommand } from './commands/cluster.js';
import { registerClientCommands } from './commands/client-verbs.js';
import { UsageError } from './commands/options.js';

// `ringkv grade --runs 200 | head` closes our stdout early: stop quietly instead of crashing.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const program = new Command();
program
  .name('ringkv')
  .description('SWIM membership + Dynamo-style replicated key-value store, with a deterministic simulator')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerGradeCommand(program);
registerSimCommand(program);
registerStartCommand(program);
registerClusterCommand(program);
registerClientCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`ringkv: ${error.message}\n`);
    process.exitCode = 2;
  } else if (error instanceof CommanderError) {
    // Help and version exit 0; usage errors exit 2 (the conventional "bad invocation" status).
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    throw error;
  }
}
