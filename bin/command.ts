// One vdisk command: its definition for commander, its dry run (the library's DryRun of the same calls) and
// its run (the library's promise API), both from the same library options. The result is one JSON document
// (--json) or lines of text.
import type { Command } from 'commander';
import type { DryRun } from '../lib/index.ts';
import type { CommandContext } from './context.ts';

export interface Outcome {
  /** What --json prints. */
  document: unknown;
  /** What is printed without --json, one entry a line. */
  text: string[];
}

/** What a command adds to its dry run. */
export interface DryRunExtras {
  /** From call index `from` (0-based) on, the calls are made only `when` ('after Ctrl-C'). */
  after?: { from: number; when: string };
  /** A remark on the whole run, e.g. why it has no calls. */
  note?: string;
}

export interface VdiskCommand<Flags> {
  name: string;
  /** Adds the subcommand (arguments, options, help) to `program`. */
  define(program: Command): Command;
  /** Records the calls run() would make; returns marks for calls that wait for something (Ctrl-C). */
  dryRun(plan: DryRun, operands: string[], flags: Flags, ctx: CommandContext): DryRunExtras | void;
  run(operands: string[], flags: Flags, ctx: CommandContext): Promise<Outcome>;
}

/** The operand at `index` (commander has checked that required ones are there). */
export function operand(operands: string[], index: number): string {
  return operands[index] ?? '';
}
