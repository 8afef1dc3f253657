// Calls into Windows: the bindings (after the platform check), the asynchronous call queue, and the
// Win32 error → VirtualDiskError mapping.
import type { Bindings, NativeFunction } from '../ffi/index.ts';
import { libraryLoaderOverridden } from '../ffi/seam.ts';
import { FORMAT_MESSAGE_FROM_SYSTEM, FORMAT_MESSAGE_IGNORE_INSERTS } from '../types/constants.ts';
import { AbortError, throwIfAborted, VirtualDiskError } from './errors.ts';
import { hintFor, reasonFor } from './hints.ts';
import { win32ErrorName } from './win32-errors.ts';

// The raw layer (and koffi's native addon with it) loads on the first call into Windows, not at import:
// importing the package stays cheap, and the pure parts (validation, errors) work where koffi cannot load.
let ffi: typeof import('../ffi/index.ts') | undefined;

/** The declared functions. Off Windows (and without a test seam) rejects with ERR_UNSUPPORTED_PLATFORM before loading anything. */
export async function windows(): Promise<Bindings> {
  if (process.platform !== 'win32' && !libraryLoaderOverridden()) {
    throw new VirtualDiskError(`virtdisk.dll exists only on Windows, not on ${process.platform}.`, {
      code: 'ERR_UNSUPPORTED_PLATFORM',
      hint: 'The check* functions and the errors work on every OS; calls into Windows need Windows 7 or later.',
    });
  }
  try {
    ffi ??= await import('../ffi/index.ts');
    const raw = ffi.bindings();
    bound ??= new WeakMap();
    let wrapped = bound.get(raw);
    if (!wrapped) bound.set(raw, (wrapped = wrap(raw)));
    return wrapped;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new VirtualDiskError((error as Error).message, {
      code: typeof code === 'string' ? code : 'ERR_LOAD_LIBRARY',
      cause: error,
    });
  }
}

/** The raw layer itself (its struct types and stable memory), loaded as windows() loads it. */
export async function rawLayer(): Promise<typeof import('../ffi/index.ts')> {
  await windows();
  return ffi!;
}

let bound: WeakMap<Bindings, Bindings> | undefined;

function wrap(raw: Bindings): Bindings {
  let rstrtmgr: Bindings['rstrtmgr'] | undefined;
  return {
    virtdisk: typed(raw.virtdisk), kernel32: typed(raw.kernel32), advapi32: typed(raw.advapi32),
    // rstrtmgr.dll loads on first use only (who holds a file is asked after some failures).
    get rstrtmgr() {
      return (rstrtmgr ??= typed(raw.rstrtmgr));
    },
  };
}

/** The DLL's functions, where a function this Windows lacks (declared on first use) fails as a VirtualDiskError. */
function typed<T extends object>(functions: T): T {
  return new Proxy(functions, {
    get(target, name, receiver) {
      try {
        return Reflect.get(target, name, receiver);
      } catch (error) {
        const { code, dll } = error as { code?: unknown; dll?: unknown };
        if (code !== 'ERR_PROC_NOT_FOUND') throw error;
        throw new VirtualDiskError(`${String(dll)}.dll on this Windows has no ${String(name)}.`, {
          code: 'ERR_PROC_NOT_FOUND', syscall: String(name), cause: error,
          hint: 'This Windows version predates the function (ResizeVirtualDisk, for one, needs Windows 8): pass windowsBuild if the build was misjudged, or run on a newer Windows.',
        });
      }
    },
  });
}

// koffi runs `.async` calls on libuv's thread pool, the pool fs, dns.lookup, zlib and crypto use too
// (UV_THREADPOOL_SIZE threads, 4 by default). A slow virtdisk call holds its thread for as long as Windows
// takes, so the library keeps at least one thread free for the rest of the process, and stays within
// koffi's resident_async_pools (past it koffi allocates and frees call memory on every call).
// Calls beyond the limit wait here, in order.
let limit: number | undefined;
let inFlight = 0;
const waiting = new Set<{ start: () => void }>();

/** libuv's pool size as libuv reads it (uv_threadpool.c: atoi, 0 → 1, at most 1024, 4 when unset). */
export function threadPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const setting = env.UV_THREADPOOL_SIZE;
  if (setting === undefined || setting === '') return 4;
  const size = Number.parseInt(setting, 10);
  return Math.min(1024, Math.max(1, Number.isNaN(size) ? 0 : size));
}

/** How many virtdisk calls may be in flight at once: min(resident_async_pools, pool size − 1), at least 1. */
export function callsInFlightLimit(residentAsyncPools: number, poolSize: number): number {
  return Math.max(1, Math.min(residentAsyncPools, poolSize - 1));
}

function takeSlot(signal: AbortSignal | undefined): Promise<void> | void {
  throwIfAborted(signal);
  limit ??= callsInFlightLimit(ffi?.residentAsyncPools() ?? 8, threadPoolSize());
  if (inFlight < limit) {
    inFlight++;
    return;
  }
  return new Promise<void>((resolve, reject) => {
    const waiter = {
      start: () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
    };
    const onAbort = () => {
      waiting.delete(waiter);
      reject(new AbortError(undefined, { cause: signal?.reason }));
    };
    waiting.add(waiter);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function giveSlot(): void {
  const next = waiting.values().next();
  if (next.done) {
    inFlight--;
    return;
  }
  waiting.delete(next.value);
  next.value.start(); // the slot passes straight to the next caller
}

/**
 * Runs `fn` on koffi's worker threads, so the event loop never waits for Windows. A signal aborted before
 * the call leaves the queue stops it (AbortError); once in Windows, the call runs to its end.
 */
export async function callAsync<Args extends unknown[], Result>(
  signal: AbortSignal | undefined,
  fn: NativeFunction<Args, Result>,
  ...args: Args
): Promise<Result> {
  await takeSlot(signal);
  try {
    throwIfAborted(signal);
    return await new Promise<Result>((resolve, reject) => {
      fn.async(...args, (error: unknown, result: Result) => (error ? reject(error) : resolve(result)));
    });
  } finally {
    giveSlot();
  }
}

/** For benchmarks: run with another limit (undefined: back to the computed one). */
export function overrideCallsInFlightLimit(next: number | undefined): void {
  limit = next;
}

/** The queue's state, for specs and benchmarks. */
export function callQueueState(): { limit: number | undefined; inFlight: number; waiting: number } {
  return { limit, inFlight, waiting: waiting.size };
}

/** The system's own message for a Win32 error, in the user's language; '' when it has none. */
export function systemMessage(code: number): string {
  try {
    const buffer = Buffer.alloc(2 * 1024);
    const kernel32 = ffi?.bindings().kernel32;
    if (!kernel32) return '';
    const length = kernel32.FormatMessageW(
      FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, null, code >>> 0, 0, buffer, 1024, null,
    );
    return buffer.toString('utf16le', 0, 2 * length).trim();
  } catch {
    return '';
  }
}

/**
 * A VirtualDiskError for a Win32 error code a function returned or left as its last error. `physicalPath`: the
 * attached disk the call was made on (a disk IOCTL's), named in the message and set on the error.
 */
export function win32Error(errno: number, syscall: string, path?: string, physicalPath?: string): VirtualDiskError {
  const code = win32ErrorName(errno);
  const message = systemMessage(errno) || 'Windows gave no message for this error.';
  const hint = hintFor(syscall, code);
  const where = physicalPath ? ` on ${physicalPath}${path ? ` ('${path}')` : ''}` : path ? ` '${path}'` : '';
  return new VirtualDiskError(`${syscall}${where}: ${message} (${code}, ${errno >>> 0})`, {
    code, errno: errno >>> 0, syscall, path, hint, reason: reasonFor(syscall, code), physicalPath,
  });
}
