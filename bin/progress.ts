// Progress of the long operations (create, compact, resize, merge) on stderr, drawn by cli-progress: a bar with
// bytes, percent, rate and ETA when stderr is a terminal; plain lines (one every few seconds, and the last)
// when it is not; nothing with --quiet or --json. Windows reports progress as two counters whose ratio alone
// means something; the bytes shown are that ratio of the operation's size in bytes, where vdisk knows it.
import cliProgress from 'cli-progress';
import { formatByteSize, type Progress } from '../lib/index.ts';
import type { OutputStream } from './io.ts';

export interface ProgressReporter {
  /** For the library's onProgress. */
  update(progress: Progress): void;
  /** Draws the last state and lets go of the terminal; idempotent. */
  stop(): void;
}

/** How often plain lines are written when stderr is not a terminal, in ms. */
export const PLAIN_LINE_INTERVAL_MS = 5000;

/**
 * A reporter drawing on `stream`. `label`: the operation ('compact'); `totalBytes`: the bytes the operation
 * covers (the new size, the image file's size), or undefined when vdisk does not know them (percent only).
 */
export function startProgress(stream: OutputStream, label: string, totalBytes: number | bigint | undefined): ProgressReporter {
  const tty = stream.isTTY === true;
  const bytes = totalBytes === undefined || Number(totalBytes) <= 0 ? undefined : Number(totalBytes);
  const measures = bytes === undefined ? '' : ' | {done} of {size} | {rate}';
  const bar = new cliProgress.SingleBar({
    stream: stream as NodeJS.WritableStream,
    format: tty ? `${label} [{bar}] {percentage}%${measures} | ETA {eta_formatted}` : `${label}: {percentage}%${measures} | ETA {eta_formatted}`,
    hideCursor: tty,
    clearOnComplete: !tty, // plain lines: the last one is already written
    noTTYOutput: !tty,
    notTTYSchedule: PLAIN_LINE_INTERVAL_MS,
    gracefulExit: false, // Ctrl-C is vdisk's (it cancels the operation)
    etaBuffer: 20,
    barsize: 30,
  }, cliProgress.Presets.shades_classic);
  let since = Date.now();
  const total = bytes ?? 100;
  const payload = (value: number) => {
    const seconds = (Date.now() - since) / 1000;
    return bytes === undefined ? {} : {
      done: formatByteSize(value), size: formatByteSize(bytes), rate: seconds > 0 ? `${formatByteSize(value / seconds)}/s` : '-',
    };
  };
  // Drawn from the first report on: a call the rules refuse draws nothing.
  let started = false;
  let stopped = false;
  return {
    update(progress) {
      if (stopped) return;
      if (!started) {
        started = true;
        since = Date.now();
        bar.start(total, 0, payload(0));
      }
      const value = Math.round((Math.min(100, Math.max(0, progress.percent)) / 100) * total);
      bar.update(value, payload(value));
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (started) bar.stop();
    },
  };
}

/** A reporter of a run of named steps (vdisk new: create, attach, …, format, mount), each from 0 to 100 %. */
export interface StepProgressReporter {
  update(progress: { step: string; percent: number }): void;
  stop(): void;
}

/**
 * The step's name and percent on `stream`: a bar (cli-progress) when it is a terminal, restarting at each step;
 * plain lines otherwise: one when a step starts, one every few seconds within it, one when it ends.
 */
export function startStepProgress(stream: OutputStream, label: string): StepProgressReporter {
  const tty = stream.isTTY === true;
  let stopped = false;
  let current: string | undefined;
  if (!tty) {
    let lastLine = 0;
    let lastPercent = -1;
    const line = (step: string, percent: number) => {
      lastLine = Date.now();
      lastPercent = percent;
      stream.write(`${label}: ${step} ${Math.round(percent)}%\n`);
    };
    return {
      update({ step, percent }) {
        if (stopped) return;
        if (step !== current) {
          current = step;
          line(step, percent);
        } else if ((percent >= 100 && lastPercent < 100) || Date.now() - lastLine >= PLAIN_LINE_INTERVAL_MS) {
          line(step, percent);
        }
      },
      stop() { stopped = true; },
    };
  }
  const bar = new cliProgress.SingleBar({
    stream: stream as NodeJS.WritableStream,
    format: `${label} {step} [{bar}] {percentage}%`,
    hideCursor: true,
    gracefulExit: false,
    barsize: 30,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update({ step, percent }) {
      if (stopped) return;
      const value = Math.round(Math.min(100, Math.max(0, percent)));
      if (!started) {
        started = true;
        bar.start(100, value, { step: step.padEnd(10) });
      }
      current = step;
      bar.update(value, { step: step.padEnd(10) });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (started) bar.stop();
    },
  };
}
