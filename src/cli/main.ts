/**
 * `scgw`: the operator's command line. Admin commands call the gateway's admin API (cli/api.ts), one file
 * per resource in commands/; `scgw sim` is the simulated phone network that ships with scgw (src/sim/).
 * Exit codes: see cli/api.ts (0 ok, 1 refused, 2 usage, 3 unreachable, 4 token refused, 5 config refused).
 */
import { Command, CommanderError } from 'commander';
import { registerSimCommands } from '../sim/command.js';
import { CliError, EXIT } from './api.js';
import { registerAppCommands } from './commands/apps.js';
import { registerBlockCommands } from './commands/blocklist.js';
import { registerConfigCommands } from './commands/config.js';
import { registerDryRunCommand } from './commands/dry-run.js';
import { registerFleetCommands } from './commands/fleet.js';
import { registerLinkCommands } from './commands/links.js';
import { registerMenuCommands } from './commands/menus.js';
import { registerMessageCommands } from './commands/messages.js';
import { registerRouteCommands } from './commands/routes.js';
import { registerStatusCommand } from './commands/status.js';
import { registerStorageCommand } from './commands/storage.js';
import { registerTemplateCommands } from './commands/templates.js';
import { registerTokenCommands } from './commands/tokens.js';

const program = new Command();
program.name('scgw').description('SMS/USSD short-code gateway').showHelpAfterError()
  .option('--url <url>', 'gateway HTTP address (SCGW_URL)')
  .option('--token <token>', 'admin token (SCGW_TOKEN)')
  .option('--json', 'machine-readable output');
// Commander's own usage errors (unknown option, missing argument) then exit 2 like ours, not 1.
program.exitOverride();
const globals = () => program.opts<{ url?: string; token?: string; json?: boolean }>();
registerRouteCommands(program, globals);
registerTemplateCommands(program, globals);
registerLinkCommands(program, globals);
registerMenuCommands(program, globals);
registerTokenCommands(program, globals);
registerConfigCommands(program, globals);
registerDryRunCommand(program, globals);
registerStorageCommand(program, globals);
registerStatusCommand(program, globals);
registerFleetCommands(program, globals);
registerBlockCommands(program, globals);
registerMessageCommands(program, globals);
registerAppCommands(program, globals);
registerSimCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? EXIT.ok : EXIT.usage);
  if (e instanceof CliError) {
    console.error(`scgw: ${e.message}`);
    process.exit(e.exitCode);
  }
  console.error(`scgw: ${(e as Error).message}`);
  process.exit(1);
}
