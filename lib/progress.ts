// Progress reports of the long operations (virtdisk's, FormatEx's, a provision's steps): at most one per
// progressInterval while running, 100 % once on success, and a throwing callback never strands the operation.
import type { Progress } from '../types/index.ts';

/**
 * Calls `listener(value)`. A throw goes where Node reports an event listener's exception (the next tick), not
 * to the operation, which goes on: its memory and handles must not be stranded by a caller's callback.
 */
export function callListener<T>(listener: (value: T) => void, value: T): void {
  try {
    listener(value);
  } catch (error) {
    process.nextTick(() => { throw error; });
  }
}

export interface ProgressReporter {
  /** Where the operation is: reported when `interval` ms have passed since the last report. */
  update(completed: number, total: number): void;
  /** The operation succeeded: 100 %, unless that was the last report already. */
  done(): void;
}

/** onProgress at most every `interval` ms (default 100) while running, and once at 100 % on success. */
export function progressReporter(onProgress: ((progress: Progress) => void) | undefined, interval = 100): ProgressReporter {
  let last = { completed: 0, total: 0 };
  let lastReport = -Infinity;
  let lastPercent: number | undefined;
  const report = (progress: Progress) => {
    lastPercent = progress.percent;
    if (onProgress) callListener(onProgress, progress);
  };
  return {
    update(completed, total) {
      last = { completed, total };
      const now = performance.now();
      if (!onProgress || now - lastReport < interval) return;
      lastReport = now;
      report({ completed, total, percent: total > 0 ? Math.min(100, (completed / total) * 100) : 0 });
    },
    done() {
      if (!onProgress || lastPercent === 100) return;
      const total = last.total > 0 ? last.total : 1;
      report({ completed: total, total, percent: 100 });
    },
  };
}
