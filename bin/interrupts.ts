// Ctrl-C: the first one cancels what runs (the library's AbortSignal: a long operation is cancelled in Windows
// with CancelIoEx) or, while vdisk waits for it (attach --temporary), ends the wait; a second one exits at once
// with 130.
import { EXIT_CANCELLED } from './exit-codes.ts';
import type { Io } from './io.ts';

export class Interrupts {
  readonly #controller = new AbortController();
  readonly #io: Io;
  readonly #notify: (text: string) => void;
  readonly #stop: () => void;
  #waiting: (() => void) | undefined;
  #count = 0;

  constructor(io: Io, notify: (text: string) => void) {
    this.#io = io;
    this.#notify = notify;
    this.#stop = io.onInterrupt((signal) => this.#interrupt(signal));
  }

  /** Aborted by the first Ctrl-C (unless vdisk is waiting for it). */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Resolves at the next Ctrl-C, which then cancels nothing; the process stays alive meanwhile. */
  next(): Promise<void> {
    const release = this.#io.keepAlive();
    this.#count = 0;
    return new Promise<void>((resolve) => {
      this.#waiting = () => {
        this.#waiting = undefined;
        release();
        resolve();
      };
    });
  }

  dispose(): void {
    this.#stop();
  }

  #interrupt(signal: string): void {
    this.#count++;
    if (this.#count > 1) {
      this.#notify(`${signal} again: exiting now.`);
      this.#io.exit(EXIT_CANCELLED);
      return;
    }
    if (this.#waiting) {
      this.#waiting();
      return;
    }
    this.#notify(`${signal}: cancelling (press Ctrl-C again to exit at once).`);
    this.#controller.abort(new Error(`cancelled by ${signal}`));
  }
}
