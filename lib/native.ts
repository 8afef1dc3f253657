// Calls into Windows: the bindings (with the platform check), the asynchronous call queue, and the
// Win32 error → VirtualDiskError mapping.
import type { Bindings, NativeFunction } from '../ffi/index.ts';
import { FORMAT_MESSAGE_FROM_SYSTEM, FORMAT_MESSAGE_IGNORE_INSERTS } from '../types/constants.ts';
import { VirtualDiskError } from './errors.ts';
import { hintFor } from './hints.ts';
import { win32ErrorName } from './win32-errors.ts';

// The raw layer (and koffi's native addon with it) loads on the first call into Windows, not at import:
// importing the package stays cheap, and the pure parts (validation, errors) work where koffi cannot load.
let ffi: typeof import('../ffi/index.ts') | undefined;

export async function windows(): Promise<Bindings> {
  try {
    ffi ??= await import('../ffi/index.ts');
    return ffi.bindings();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new VirtualDiskError((error as Error).message, {
      code: typeof code === 'string' ? code : 'ERR_LOAD_LIBRARY',
      cause: error,
    });
  }
}

// koffi refuses an asynchronous call past its queue limit (max_async_calls, 256 by default): keep well
// below it however many calls callers start at once, and leave room for other koffi users in the process.
const MAX_CALLS_IN_FLIGHT = 64;
let inFlight = 0;
const waiting: Array<() => void> = [];

async function takeSlot(): Promise<void> {
  if (inFlight < MAX_CALLS_IN_FLIGHT) {
    inFlight++;
    return;
  }
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function giveSlot(): void {
  const next = waiting.shift();
  if (next) next(); // the slot passes straight to the next caller
  else inFlight--;
}

/** Runs `fn` on koffi's worker threads, so the event loop never waits for Windows. */
export async function callAsync<Args extends unknown[], Result>(
  fn: NativeFunction<Args, Result>,
  ...args: Args
): Promise<Result> {
  await takeSlot();
  try {
    return await new Promise<Result>((resolve, reject) => {
      fn.async(...args, (error: unknown, result: Result) => (error ? reject(error) : resolve(result)));
    });
  } finally {
    giveSlot();
  }
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

/** A VirtualDiskError for a Win32 error code a function returned or left as its last error. */
export function win32Error(errno: number, syscall: string, path?: string): VirtualDiskError {
  const code = win32ErrorName(errno);
  const message = systemMessage(errno) || 'Windows gave no message for this error.';
  const hint = hintFor(syscall, code);
  return new VirtualDiskError(`${syscall}${path ? ` '${path}'` : ''}: ${message} (${code}, ${errno >>> 0})`, {
    code, errno: errno >>> 0, syscall, ...(path !== undefined && { path }), ...(hint !== undefined && { hint }),
  });
}
