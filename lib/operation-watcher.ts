// Waiting for an operation's OVERLAPPED event without a thread of ours and without polling: Windows' own
// thread pool waits (RegisterWaitForSingleObject, WT_EXECUTEONLYONCE) and calls back, and koffi runs the
// callback on the main thread. While operations are pending, one idle timer keeps the event loop alive (a
// pending promise alone would let the process exit); it never fires, so waiting costs no wake-ups.
import type { Kernel32, NativeMemory } from '../ffi/index.ts';
import { INFINITE, WT_EXECUTEONLYONCE } from '../types/constants.ts';
import { win32Error } from './native.ts';

type TypeSpec = Parameters<NativeMemory['sizeof']>[0];

let pending = 0;
let keepAlive: NodeJS.Timeout | undefined;

/**
 * Calls `signalled` once, on the main thread, when `event` is signalled. Returns the function that stops
 * waiting early (idempotent). Throws a VirtualDiskError if Windows refuses the wait.
 */
export function whenSignalled(kernel32: Kernel32, memory: NativeMemory, proto: TypeSpec, event: bigint, path: string, signalled: () => void): () => void {
  let done = false;
  const wait: [bigint | null] = [null];
  const finish = () => {
    if (done) return;
    done = true;
    // Non-blocking (CompletionEvent NULL): a blocking unregister on the main thread could deadlock with a
    // callback queued for the main thread.
    if (wait[0] !== null) kernel32.UnregisterWaitEx(wait[0], null);
    memory.unregisterCallback(callback);
    if (--pending === 0 && keepAlive) {
      clearInterval(keepAlive);
      keepAlive = undefined;
    }
  };
  // Runs on the main thread while the pool thread waits for it: settle after it returns.
  const callback = memory.registerCallback(() => setImmediate(() => {
    if (done) return;
    finish();
    signalled();
  }), proto);
  pending++;
  keepAlive ??= setInterval(() => {}, 2 ** 31 - 1);
  if (!kernel32.RegisterWaitForSingleObject(wait, event, callback, null, INFINITE, WT_EXECUTEONLYONCE)) {
    const error = win32Error(kernel32.GetLastError(), 'RegisterWaitForSingleObject', path);
    wait[0] = null;
    finish();
    throw error;
  }
  return finish;
}
