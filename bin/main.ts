// vdisk's entry: parses the command line, runs the command (or its dry run), prints the result, and answers
// the exit code. Every failure is reported here: in words on stderr, or as { "error" } on stdout with --json.
import { CommanderError, type Command } from 'commander';
import { currentWindowsBuild, DryRun } from '../lib/index.ts';
import type { VdiskCommand } from './command.ts';
import { CommandContext, type GlobalOptions } from './context.ts';
import { errorDocument, plainMessage, writeErrorText } from './error-report.ts';
import { EXIT_SUCCESS, EXIT_USAGE, exitCodeFor } from './exit-codes.ts';
import { Interrupts } from './interrupts.ts';
import type { Io } from './io.ts';
import { buildProgram } from './program.ts';
import { dryRunDocument, dryRunText } from './render-plan.ts';
import { integerOption, UsageError } from './usage-error.ts';

/** Runs vdisk with these arguments (without node and the script); the exit code. */
export async function runVdisk(argv: readonly string[], io: Io): Promise<number> {
  // Known before commander has parsed anything, so that even a parse error honours them.
  const early = { json: hasFlag(argv, '--json'), quiet: hasFlag(argv, '--quiet') || hasFlag(argv, '-q') };
  const interrupts = new Interrupts(io, (text) => {
    if (!early.json && !early.quiet) io.stderr.write(`vdisk: ${text}\n`);
  });
  const state: { command: string | undefined; commanderText: string[] } = { command: undefined, commanderText: [] };

  const run = async (command: VdiskCommand<unknown>, operands: string[], flags: Record<string, unknown>, parsed: Command) => {
    state.command = command.name;
    const globals = readGlobals(parsed.optsWithGlobals());
    const ctx = new CommandContext(io, globals, interrupts);
    if (!globals.dryRun) {
      ctx.writeOutcome(await command.run(operands, flags, ctx));
      return;
    }
    const plan = new DryRun();
    const extras = command.dryRun(plan, operands, flags, ctx);
    const document = dryRunDocument(command.name, globals.windowsBuild ?? currentWindowsBuild(), plan.calls, extras);
    ctx.writeOutcome({ document, text: dryRunText(document) });
  };

  const parse = (args: readonly string[]) => {
    const program = buildProgram({ stdout: io.stdout, error: (text) => state.commanderText.push(text) }, run, async (words, parsed) => {
      state.command = 'explain';
      if (words[0] === 'explain') throw new UsageError('explain takes a command other than explain.', 'explain');
      const globals = readGlobals(parsed.optsWithGlobals());
      const again = [...words, '--dry-run', ...(globals.json ? ['--json'] : []), ...(globals.quiet ? ['--quiet'] : [])];
      if (globals.windowsBuild !== undefined) again.push('--windows-build', String(globals.windowsBuild));
      await parse(again);
    });
    return program.parseAsync(args, { from: 'user' });
  };

  try {
    await parse(argv);
    return EXIT_SUCCESS;
  } catch (caught) {
    if (caught instanceof CommanderError && ['commander.helpDisplayed', 'commander.version'].includes(caught.code)) return EXIT_SUCCESS;
    if (caught instanceof CommanderError && caught.code === 'commander.help') {
      // no command given: the help, on stderr, as a usage error
      io.stderr.write(state.commanderText.join(''));
      return EXIT_USAGE;
    }
    const error = caught instanceof CommanderError ? usageFromCommander(caught, state.commanderText) : forCli(caught, state.command);
    if (early.json) io.stdout.write(`${JSON.stringify(errorDocument(error), null, 2)}\n`);
    else if (caught instanceof CommanderError) io.stderr.write(state.commanderText.join(''));
    else writeErrorText(io.stderr, state.command, error);
    return caught instanceof CommanderError ? EXIT_USAGE : exitCodeFor(error);
  } finally {
    interrupts.dispose();
  }
}

function readGlobals(options: Record<string, unknown>): GlobalOptions {
  const build = options.windowsBuild;
  return {
    json: options.json === true,
    dryRun: options.dryRun === true,
    quiet: options.quiet === true,
    windowsBuild: typeof build === 'string' ? integerOption(build, '--windows-build', 1) : undefined,
  };
}

/** Whether `flag` is among the options (before a `--` that ends them). */
function hasFlag(argv: readonly string[], flag: string): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes(flag);
}

/** commander's refusal as vdisk's usage error: its first line, without "error: ". */
function usageFromCommander(error: CommanderError, text: readonly string[]): UsageError {
  const first = (text.join('').split('\n')[0] ?? error.message).replace(/^error: /, '').trim();
  return Object.assign(new UsageError(first || error.message), { reason: error.code });
}

/** The library's ERR_UNSUPPORTED_PLATFORM, with the CLI's way out: --dry-run. */
function forCli(error: unknown, command: string | undefined): unknown {
  if ((error as { code?: unknown } | null)?.code !== 'ERR_UNSUPPORTED_PLATFORM') return error;
  const { error: fields } = errorDocument(error);
  const message = plainMessage(error);
  return {
    ...fields,
    message,
    hint: `vdisk ${command ?? '<command>'} needs Windows' virtdisk.dll. Add --dry-run (or use vdisk explain ${command ?? '<command>'} …) to validate it here and see the calls it would make there.`,
  };
}
