/**
 * `scgw`: the operator's command line. Admin commands call the gateway's admin API (cli/api.ts);
 * `scgw sim` is the simulated phone network that ships with scgw (src/sim/).
 */
import { Command } from 'commander';
import { registerSimCommands } from '../sim/command.js';
import { CliError } from './api.js';
import { registerLinkCommands } from './commands/links.js';

const program = new Command();
program.name('scgw').description('SMS/USSD short-code gateway').showHelpAfterError()
  .option('--url <url>', 'gateway HTTP address (SCGW_URL)')
  .option('--token <token>', 'admin token (SCGW_TOKEN)')
  .option('--json', 'machine-readable output');
const globals = () => program.opts<{ url?: string; token?: string; json?: boolean }>();
registerLinkCommands(program, globals);
registerSimCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CliError) {
    console.error(`scgw: ${e.message}`);
    process.exit(e.exitCode);
  }
  console.error(`scgw: ${(e as Error).message}`);
  process.exit(1);
}
