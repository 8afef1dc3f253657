// Runs vdisk in this process, as the bin would, with a recording stand-in for the process: what it wrote to
// stdout and stderr, its exit code, and a way to press Ctrl-C while it runs.
import { runVdisk } from '../../bin/main.ts';
import type { InterruptListener, Io } from '../../bin/io.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Codes passed to io.exit() (a second Ctrl-C). */
  exits: number[];
}

export interface CliOptions {
  /** stderr is a terminal. */
  tty?: boolean;
  /** Called while vdisk runs, with a function that delivers Ctrl-C (SIGINT) to it. */
  during?: (interrupt: () => void, output: { stdout: () => string; stderr: () => string }) => Promise<void> | void;
  platform?: NodeJS.Platform;
}

export async function vdisk(argv: string[], options: CliOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const exits: number[] = [];
  const listeners = new Set<InterruptListener>();
  const io: Io = {
    stdout: { write: (text: string) => { stdout += text; return true; }, isTTY: false },
    stderr: { write: (text: string) => { stderr += text; return true; }, isTTY: options.tty === true, columns: 100 },
    onInterrupt(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    keepAlive: () => () => {},
    exit: (code) => { exits.push(code); },
    platform: options.platform ?? process.platform,
  };
  const running = runVdisk(argv, io);
  if (options.during) {
    await options.during(() => { for (const listener of [...listeners]) listener('SIGINT'); }, { stdout: () => stdout, stderr: () => stderr });
  }
  const code = await running;
  return { code, stdout, stderr, exits };
}

/** Resolves once `condition` holds (polled every 5 ms, at most `ms`). */
export async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
