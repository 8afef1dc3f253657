// What every command gets: the global options, the streams, Ctrl-C, notes and progress on stderr.
import type { Outcome } from './command.ts';
import type { Interrupts } from './interrupts.ts';
import type { Io } from './io.ts';
import { startProgress, type ProgressReporter } from './progress.ts';

export interface GlobalOptions {
  /** --json: one JSON document on stdout (the result or { error }). */
  json: boolean;
  /** --dry-run: validate and print the native calls; call nothing. */
  dryRun: boolean;
  /** --quiet: no progress and no notes on stderr. */
  quiet: boolean;
  /** --windows-build: the build the library's rules are checked against (default: the running one). */
  windowsBuild: number | undefined;
}

export class CommandContext {
  readonly io: Io;
  readonly globals: GlobalOptions;
  readonly #interrupts: Interrupts;
  #written = false;

  constructor(io: Io, globals: GlobalOptions, interrupts: Interrupts) {
    this.io = io;
    this.globals = globals;
    this.#interrupts = interrupts;
  }

  /** Aborted by Ctrl-C: passed to every library call. */
  get signal(): AbortSignal {
    return this.#interrupts.signal;
  }

  /** Resolves at the next Ctrl-C (which then cancels nothing). */
  nextInterrupt(): Promise<void> {
    return this.#interrupts.next();
  }

  /** Prints a command's result (once: a command that waits afterwards prints it before waiting). */
  writeOutcome(outcome: Outcome): void {
    if (this.#written) return;
    this.#written = true;
    this.io.stdout.write(this.globals.json ? `${JSON.stringify(outcome.document, null, 2)}\n` : outcome.text.map((line) => `${line}\n`).join(''));
  }

  /** A line on stderr for people: not with --quiet or --json. */
  note(text: string): void {
    if (!this.globals.quiet && !this.globals.json) this.io.stderr.write(`${text}\n`);
  }

  /** A progress reporter on stderr, or undefined with --quiet or --json. */
  progress(label: string, totalBytes: number | bigint | undefined): ProgressReporter | undefined {
    if (this.globals.quiet || this.globals.json) return undefined;
    return startProgress(this.io.stderr, label, totalBytes);
  }

  /** The options every library call takes from the command line: the Windows build and the Ctrl-C signal. */
  callOptions(): { windowsBuild: number | undefined; signal: AbortSignal } {
    return { windowsBuild: this.globals.windowsBuild, signal: this.signal };
  }
}
