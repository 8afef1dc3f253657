// Changing a disk: its handle opened for overlapped I/O, and DeviceIoControl with an OVERLAPPED, so that no
// thread waits on the disk. The call itself is made on this thread (with an OVERLAPPED it returns at once, and
// its last error is read right after it); when it pends (IOCTL_DISK_ARE_VOLUMES_READY waits for volumes to
// arrive), Windows' thread pool waits on the event (lib/operation-watcher.ts) and GetOverlappedResult, again on
// this thread, gives the result and its last error. The buffers and the OVERLAPPED live in a NativeArena until
// Windows is done with them. Sources: the DeviceIoControl and GetOverlappedResult pages ("If lpOverlapped is
// not NULL, lpBytesReturned can be NULL"), "Synchronous and Asynchronous I/O".
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ERROR_IO_PENDING, FILE_FLAG_OVERLAPPED, FILE_SHARE_READ, FILE_SHARE_WRITE, GENERIC_READ, GENERIC_WRITE, OPEN_EXISTING,
} from '../types/constants.ts';
import { AbortError, VirtualDiskError } from './errors.ts';
import { isHandle } from './device-io.ts';
import { NativeArena } from './native-arena.ts';
import { callAsync, rawLayer, win32Error, windows } from './native.ts';
import { whenSignalled } from './operation-watcher.ts';
import { lastErrorOf } from './volumes.ts';

const ERROR_OPERATION_ABORTED = 995;
const ERROR_TIMEOUT = 1460;
const STATUS_PENDING = 0x103;
/** If Windows refuses to wait on the event for us, the OVERLAPPED is looked at this often instead (ms). */
const FALLBACK_POLL_MS = 250;

export interface IoctlResult {
  /** 0, or the Win32 error code of the request. */
  error: number;
  /** A copy of the bytes the driver returned. */
  output: Buffer;
}

export interface IoctlRequest {
  handle: bigint;
  code: number;
  input?: Buffer | undefined;
  outputSize?: number | undefined;
  signal?: AbortSignal | undefined;
  /** ms after which the request is cancelled and answers ERROR_TIMEOUT (1460); default: none. */
  timeout?: number | undefined;
}

/**
 * Opens a disk ('\\.\PhysicalDrive3') for overlapped DeviceIoControl: GENERIC_READ, and GENERIC_WRITE when
 * `write`. Rejects with CreateFileW's code (ERROR_ACCESS_DENIED without elevation), with `path` the disk.
 */
export async function openDisk(physicalPath: string, write: boolean, signal: AbortSignal | undefined): Promise<bigint> {
  const { kernel32 } = await windows();
  const access = write ? GENERIC_READ | GENERIC_WRITE : GENERIC_READ;
  const open = () => kernel32.CreateFileW(physicalPath, access, FILE_SHARE_READ | FILE_SHARE_WRITE, null, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, null);
  const handle = await callAsync(signal, kernel32.CreateFileW, physicalPath, access, FILE_SHARE_READ | FILE_SHARE_WRITE, null, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, null);
  if (isHandle(handle)) return handle;
  const again = lastErrorOf(kernel32, open, isHandle);
  if (isHandle(again.result)) return again.result;
  throw win32Error(again.error, 'CreateFileW', physicalPath);
}

/** Closes a handle openDisk gave; never throws (a failed close has nothing to report to). */
export async function closeDisk(handle: bigint): Promise<void> {
  const { kernel32 } = await windows();
  await callAsync(undefined, kernel32.CloseHandle, handle).catch(() => 0);
}

/** Opens the disk, runs `use`, and closes the handle on every path. */
export async function withDisk<T>(physicalPath: string, write: boolean, signal: AbortSignal | undefined, use: (handle: bigint) => Promise<T>): Promise<T> {
  const handle = await openDisk(physicalPath, write, signal);
  try {
    return await use(handle);
  } finally {
    await closeDisk(handle);
  }
}

/**
 * One DeviceIoControl request with an OVERLAPPED. Resolves with the request's own error code (0 on success)
 * and the returned bytes; rejects only with an AbortError (after Windows confirmed the cancel, or before
 * the request was made) or when Windows cannot make the event.
 */
export async function deviceIoControl(request: IoctlRequest): Promise<IoctlResult> {
  const { handle, code, input, outputSize = 0, signal, timeout } = request;
  if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
  const { kernel32 } = await windows();
  const raw = await rawLayer();
  const event = await callAsync(undefined, kernel32.CreateEventW, null, 1, 0, null);
  if (!isHandle(event)) throw new VirtualDiskError('CreateEventW failed: Windows could not make an event for an overlapped request.', { code: 'ERR_CREATE_EVENT', syscall: 'CreateEventW' });
  const arena = new NativeArena(raw.nativeMemory);
  try {
    const inPointer = input ? arena.bytes(input) : null;
    const outPointer = outputSize > 0 ? arena.bytes(outputSize) : null;
    const overlapped = arena.struct(raw.OVERLAPPED, { Internal: 0, InternalHigh: 0, u: { Pointer: null }, hEvent: event });
    const started = lastErrorOf(kernel32, () => kernel32.DeviceIoControl(handle, code, inPointer, input?.length ?? 0, outPointer, outputSize, null, overlapped), Boolean);
    let cancelled: 'abort' | 'timeout' | undefined;
    if (!started.result && started.error === ERROR_IO_PENDING) {
      cancelled = await completion(kernel32, raw, event, overlapped, handle, signal, timeout, arena);
    } else if (!started.result) {
      return { error: started.error, output: Buffer.alloc(0) };
    }
    const transferred: [number] = [0];
    const finished = lastErrorOf(kernel32, () => kernel32.GetOverlappedResult(handle, overlapped, transferred, 0), Boolean);
    if (cancelled === 'abort' && finished.error === ERROR_OPERATION_ABORTED) throw new AbortError(undefined, { cause: signal?.reason });
    if (cancelled === 'timeout' && finished.error === ERROR_OPERATION_ABORTED) return { error: ERROR_TIMEOUT, output: Buffer.alloc(0) };
    const output = outPointer === null ? Buffer.alloc(0) : arena.copyOut(outPointer, Math.min(transferred[0], outputSize));
    return { error: finished.error, output };
  } finally {
    arena.free();
    await callAsync(undefined, kernel32.CloseHandle, event).catch(() => 0);
  }
}

/** Waits until Windows has completed the request (after a cancel, if one was asked for); says which cancel. */
async function completion(
  kernel32: Awaited<ReturnType<typeof windows>>['kernel32'], raw: Awaited<ReturnType<typeof rawLayer>>, event: bigint, overlapped: bigint,
  handle: bigint, signal: AbortSignal | undefined, timeout: number | undefined, arena: NativeArena,
): Promise<'abort' | 'timeout' | undefined> {
  let cancelled: 'abort' | 'timeout' | undefined;
  const cancel = (why: 'abort' | 'timeout') => {
    cancelled ??= why;
    kernel32.CancelIoEx(handle, overlapped); // FALSE + ERROR_NOT_FOUND: it completed first; the event tells
  };
  const onAbort = () => cancel('abort');
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  const timer = timeout === undefined ? undefined : setTimeout(() => cancel('timeout'), timeout);
  let done!: () => void;
  const signalled = new Promise<void>((resolve) => { done = resolve; });
  const stop = whenSignalled(kernel32, raw.nativeMemory, raw.WAITORTIMERCALLBACK, event, done);
  try {
    // The fallback, for a Windows that refuses the wait: the OVERLAPPED's Internal leaves STATUS_PENDING.
    const pending = () => Number(arena.read<{ Internal: bigint | number }>(overlapped, raw.OVERLAPPED).Internal) === STATUS_PENDING;
    let finished = false;
    void signalled.then(() => { finished = true; });
    while (!finished) {
      const pause = new AbortController();
      await Promise.race([signalled, sleep(FALLBACK_POLL_MS, undefined, { signal: pause.signal }).catch(() => {})]);
      pause.abort(); // the pause's timer goes with it: nothing keeps the event loop after completion
      if (!finished && !pending()) break;
    }
  } finally {
    if (timer) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    await stop();
  }
  return cancelled;
}
