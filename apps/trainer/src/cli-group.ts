import type { Command } from 'commander';

/**
 * Returns the command group `name` (e.g. `train`, `eval`), creating it on first use, so that several
 * files in ./commands can each add one subcommand (`sig train classifier`, `sig train cgan`, ...).
 */
export function commandGroup(program: Command, name: string, description: string): Command {
  const existing = program.commands.find((c) => c.name() === name);
  if (existing) return existing;
  return program.command(name).description(description);
}
