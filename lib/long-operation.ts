// A long virtdisk operation (create, resize, compact, merge) run with an OVERLAPPED, so that no thread of ours
// waits while Windows works: the call returns ERROR_IO_PENDING, then Windows' thread pool waits on the
// OVERLAPPED's event and calls back (lib/operation-watcher.ts), and, for operations that report progress, a
// timer reads GetVirtualDiskOperationProgress at their interval. The OVERLAPPED, its event, the
// parameters and their strings live in a NativeArena until Windows reports completion, and are freed exactly
// once then. Cancelling calls CancelIoEx on the handle and that OVERLAPPED, and waits for Windows to confirm.
// Protocol: shared/reference/virtdisk-api.md §3.4 and §5.
import { ERROR_IO_PENDING } from '../types/constants.ts';
import type { LongOperationOptions } from '../types/index.ts';
import { AbortError } from './errors.ts';
import { NativeArena } from './native-arena.ts';
import { callAsync, rawLayer, win32Error, windows } from './native.ts';
import { whenSignalled } from './operation-watcher.ts';
import { progressReporter } from './progress.ts';

/**
 * If Windows' progress says an operation ended but its event stays unsignalled this long (ms), the operation
 * is settled anyway and its OVERLAPPED is deliberately never freed (Windows might still write it). Whether
 * virtdisk signals the event is an open question on real Windows (virtdisk-api.md §8.3); this is the fallback.
 */
const UNSIGNALLED_GRACE_MS = 2000;
/** How often the fallback reads an operation's progress when nobody asked for it, in ms. */
const FALLBACK_PROGRESS_MS = 1000;
const ERROR_OPERATION_ABORTED = 995;
const ERROR_CANCELLED = 1223;

export interface LongOperation {
  syscall: string;
  path: string;
  options: LongOperationOptions;
  /** Fills the arena with the call's parameters and makes the call with this OVERLAPPED; the Win32 code. */
  start(arena: NativeArena, overlapped: bigint): Promise<number>;
  /** The handle the operation runs on (for create: the one the call returned). */
  handle(): bigint;
}

/** Runs the operation to its end; rejects with Windows' error, or an AbortError once Windows confirms the cancel. */
export async function runLongOperation(operation: LongOperation): Promise<void> {
  const { signal } = operation.options;
  if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
  const { kernel32, virtdisk } = await windows();
  const raw = await rawLayer();
  const arena = new NativeArena(raw.nativeMemory);
  // Manual-reset, as virtdisk-api.md §5 explains. Made and closed on a worker thread: under Wine each such
  // call is a round trip to the wineserver, and a burst of operations would hold the event loop.
  const created = await callAsync(undefined, kernel32.CreateEventW, null, 1, 0, null);
  if (created === null || created === 0n) {
    const retried = kernel32.CreateEventW(null, 1, 0, null); // on this thread, for GetLastError
    const error = win32Error(kernel32.GetLastError(), 'CreateEventW', operation.path);
    if (retried !== null && retried !== 0n) kernel32.CloseHandle(retried);
    arena.free();
    throw error;
  }
  const event: bigint = created;
  const closeEvent = () => callAsync(undefined, kernel32.CloseHandle, event).then(() => {}, () => {});
  const release = async () => {
    await closeEvent();
    arena.free();
  };
  let overlapped: bigint;
  let code: number;
  try {
    overlapped = arena.struct(raw.OVERLAPPED, { Internal: 0, InternalHigh: 0, u: { Pointer: null }, hEvent: event });
    code = await operation.start(arena, overlapped);
  } catch (error) {
    await release();
    throw error;
  }
  const reporter = progressReporter(operation.options.onProgress, operation.options.progressInterval);
  if (code !== ERROR_IO_PENDING) {
    await release(); // completed (or failed) synchronously: nothing is outstanding
    if (code !== 0) throw win32Error(code, operation.syscall, operation.path);
    reporter.done();
    return;
  }

  const handle = operation.handle();
  await new Promise<void>((resolve, reject) => {
    let cancelRequested = false;
    const onAbort = () => {
      cancelRequested = true;
      kernel32.CancelIoEx(handle, overlapped); // FALSE + ERROR_NOT_FOUND: it completed first; the event tells
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    // An abort while the call was being made (between the check at the start and this listener) cancels too.
    if (signal?.aborted) onAbort();
    const interval = operation.options.onProgress ? Math.max(operation.options.progressInterval ?? 100, 1) : FALLBACK_PROGRESS_MS;
    let endedAt: number | undefined;

    const readProgress = (): { status: number; completed: number; total: number } | undefined => {
      const progress: [Record<string, unknown>] = [{}];
      if (virtdisk.GetVirtualDiskOperationProgress(handle, overlapped, progress as never) !== 0) return undefined;
      return { status: Number(progress[0].OperationStatus), completed: Number(progress[0].CurrentValue), total: Number(progress[0].CompletionValue) };
    };
    let settled = false;
    const settle = async (status: number, freeMemory: boolean) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      signal?.removeEventListener('abort', onAbort);
      await stopWaiting();
      if (freeMemory) await release();
      else await closeEvent(); // the OVERLAPPED stays allocated: see UNSIGNALLED_GRACE_MS
      if (status === 0) {
        reporter.done();
        resolve();
      } else if (cancelRequested && (status === ERROR_OPERATION_ABORTED || status === ERROR_CANCELLED)) {
        reject(new AbortError(undefined, { cause: signal?.reason }));
      } else {
        reject(win32Error(status, operation.syscall, operation.path));
      }
    };

    // The event is signalled: Windows has written the OVERLAPPED for the last time. The operation's status:
    // If Windows refuses the wait, the progress timer below still ends the operation (see UNSIGNALLED_GRACE_MS).
    const stopWaiting = whenSignalled(kernel32, raw.nativeMemory, raw.WAITORTIMERCALLBACK, event, () => {
      const status = readProgress()?.status ?? overlappedResult();
      void settle(status === ERROR_IO_PENDING ? overlappedResult() : status, true);
    });
    const timer = setInterval(() => {
      const progress = readProgress();
      if (progress?.status === ERROR_IO_PENDING) {
        reporter.update(progress.completed, progress.total);
      } else if (progress !== undefined) {
        const now = performance.now();
        endedAt ??= now;
        if (now - endedAt >= UNSIGNALLED_GRACE_MS) void settle(progress.status, false);
      }
    }, interval);

    function overlappedResult(): number {
      const transferred: [number] = [0];
      return kernel32.GetOverlappedResult(handle, overlapped, transferred, 0) ? 0 : kernel32.GetLastError();
    }
  });
}
