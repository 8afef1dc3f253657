// What the CLI touches of its process, in one object: the two output streams, interrupts (Ctrl-C), keeping
// the process alive while it waits, exiting at once. The bin passes the real process (processIo); the specs
// pass a recording stand-in, so every command runs in-process against the library's test seam.

export interface OutputStream {
  write(text: string): unknown;
  /** true when the stream is a terminal (a progress bar then, plain lines otherwise). */
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

export type InterruptListener = (signal: string) => void;

export interface Io {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Calls `listener` on Ctrl-C (SIGINT; Windows delivers it as CTRL_C_EVENT), Ctrl-Break and SIGTERM; returns how to stop. */
  onInterrupt(listener: InterruptListener): () => void;
  /** Keeps the process running (while waiting for Ctrl-C) until the returned function is called. */
  keepAlive(): () => void;
  /** Ends the process now with this code (a second Ctrl-C). */
  exit(code: number): void;
  platform: NodeJS.Platform;
}

const INTERRUPTS = ['SIGINT', 'SIGTERM', 'SIGBREAK'] as const;

/** The running process. */
export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    onInterrupt(listener) {
      const signals = INTERRUPTS.filter((signal) => signal !== 'SIGBREAK' || process.platform === 'win32');
      for (const signal of signals) process.on(signal, listener);
      return () => {
        for (const signal of signals) process.off(signal, listener);
      };
    },
    keepAlive() {
      const timer = setInterval(() => {}, 1 << 30);
      return () => clearInterval(timer);
    },
    exit(code) {
      process.exit(code);
    },
    platform: process.platform,
  };
}
