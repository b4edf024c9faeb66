import type { Command } from 'commander';

/** `scgw sim`: placeholder registration, filled in by src/sim/commands. */
export function registerSimCommands(program: Command) {
  program.command('sim').description('a simulated phone network (send, load)');
}
