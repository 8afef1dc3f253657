// The command line, as commander parses it: the global options, one subcommand per VdiskCommand, and
// `explain <command …>` (the command with --dry-run).
import { Command, Option } from 'commander';
import type { VdiskCommand } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import type { OutputStream } from './io.ts';
import { packageVersion } from './version.ts';

export type CommandAction = (command: VdiskCommand<unknown>, operands: string[], flags: Record<string, unknown>, parsed: Command) => Promise<void>;

export interface ProgramOutput {
  stdout: OutputStream;
  /** commander's own error text (the CLI prints it, or puts it in the --json document). */
  error(text: string): void;
}

const EPILOG = `
Sizes: 64MB and 1.5TB are decimal (10^6, 10^12 bytes), 64MiB and 10GiB binary (2^20, 2^30); a bare number is bytes.
Exit codes: 0 success; 1 Windows refused (the error's code, message and hint on stderr); 2 the command line or a
rule refused it before Windows was called, or Windows is not there; 130 cancelled with Ctrl-C.
Off Windows, every command needs --dry-run (or vdisk explain <command …>).`;

export function buildProgram(output: ProgramOutput, run: CommandAction, explain: (words: string[], parsed: Command) => Promise<void>): Command {
  const program = new Command('vdisk')
    .description('Attach, detach, create, compact, resize and merge Windows virtual disks (VHD, VHDX, VHD Set, ISO) through virtdisk.dll; make a new formatted, mounted drive in one step (new); format a volume (format).')
    .version(packageVersion(), '-V, --version', 'print vdisk\'s version')
    .helpOption('-h, --help', 'print help')
    .option('--json', 'print one JSON document on stdout: the result, or { "error": … }')
    .option('--dry-run', 'validate and print the native calls vdisk would make, without calling (works on any OS)')
    .option('-q, --quiet', 'no progress and no notes on stderr')
    .addOption(new Option('--windows-build <n>', 'check the rules against this Windows build (default: the running one)'))
    .addHelpText('after', EPILOG)
    .showHelpAfterError('(vdisk --help lists the commands; vdisk <command> --help their options)')
    .exitOverride()
    .configureOutput({ writeOut: (text) => output.stdout.write(text), writeErr: (text) => output.error(text), outputError: (text) => output.error(text) });

  for (const command of COMMANDS) {
    command.define(program).action(async (...args: unknown[]) => {
      const parsed = args.at(-1) as Command;
      const flags = args.at(-2) as Record<string, unknown>;
      const operands = (args.slice(0, -2) as Array<string | string[]>).flat();
      await run(command as VdiskCommand<unknown>, operands, flags, parsed);
    });
  }
  program.command('explain')
    .summary('the same as <command …> --dry-run')
    .description('Validates a command and prints the native calls it would make, without calling them: the same as --dry-run.')
    .argument('<command...>', 'a vdisk command with its arguments and options')
    .allowUnknownOption()
    .helpOption(false)
    .action((words: string[], _flags: unknown, parsed: Command) => explain(words, parsed));
  return program;
}
