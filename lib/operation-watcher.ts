// Waiting for an operation's OVERLAPPED event without a thread of ours and without polling: Windows' own
// thread pool waits (RegisterWaitForSingleObject, WT_EXECUTEONLYONCE) and calls back, and koffi runs the
// callback on the main thread. While operations are pending, one idle timer keeps the event loop alive (a
// pending promise alone would let the process exit); it never fires, so waiting costs no wake-ups.
import type { Kernel32, NativeMemory } from '../ffi/index.ts';
import { INFINITE, WT_EXECUTEONLYONCE } from '../types/constants.ts';
import { callAsync } from './native.ts';

type TypeSpec = Parameters<NativeMemory['sizeof']>[0];

let pending = 0;
let keepAlive: NodeJS.Timeout | undefined;

/**
 * Calls `signalled` once, on the main thread, when `event` is signalled. Returns the function that stops
 * waiting (idempotent; it resolves once the wait is unregistered). The wait is registered and unregistered on
 * a worker thread: each is a round trip to the kernel (to the wineserver under Wine), and a burst of operations
 * would otherwise hold the event loop. If Windows refuses the wait, `signalled` is never called and the
 * caller's fallback decides.
 */
export function whenSignalled(kernel32: Kernel32, memory: NativeMemory, proto: TypeSpec, event: bigint, signalled: () => void): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const wait: [bigint | null] = [null];
  const stop = () => {
    stopping ??= (async () => {
      if (--pending === 0 && keepAlive) {
        clearInterval(keepAlive);
        keepAlive = undefined;
      }
      await registering;
      // Non-blocking (CompletionEvent NULL): a blocking unregister could deadlock with a callback queued for
      // the main thread. The callback pointer goes only once the wait is gone.
      if (wait[0] !== null) await callAsync(undefined, kernel32.UnregisterWaitEx, wait[0], null).catch(() => {});
      memory.unregisterCallback(callback);
    })();
    return stopping;
  };
  // Runs on the main thread while the pool thread waits for it: settle after it returns.
  const callback = memory.registerCallback(() => setImmediate(() => {
    if (stopping) return;
    signalled();
  }), proto);
  pending++;
  keepAlive ??= setInterval(() => {}, 2 ** 31 - 1);
  const registering = callAsync(undefined, kernel32.RegisterWaitForSingleObject, wait, event, callback, null, INFINITE, WT_EXECUTEONLYONCE)
    .then((registered) => { if (!registered) wait[0] = null; }, () => { wait[0] = null; });
  return stop;
}
