// The long operations on an open handle, as LongOperations: parameters encoded into the operation's stable
// memory, the call made through the library's queue with the operation's OVERLAPPED.
import { COMPACT_VIRTUAL_DISK_VERSION_1, MERGE_VIRTUAL_DISK_VERSION_2, RESIZE_VIRTUAL_DISK_VERSION_1 } from '../types/constants.ts';
import type { LongOperationOptions } from '../types/index.ts';
import { runLongOperation } from './long-operation.ts';
import { callAsync, rawLayer, windows } from './native.ts';

export interface OnHandle {
  handle: bigint;
  path: string;
  options: LongOperationOptions;
}

type Raw = Awaited<ReturnType<typeof rawLayer>>;
type Parameterized = 'ResizeVirtualDisk' | 'CompactVirtualDisk' | 'MergeVirtualDisk';

/** `syscall(handle, Flags, &parameters, overlapped)`, the parameters a `type` of the raw layer holding `value`. */
async function run(
  { handle, path, options }: OnHandle, syscall: Parameterized, type: (raw: Raw) => Parameters<Raw['nativeMemory']['sizeof']>[0], value: unknown, Flags: number,
): Promise<void> {
  const { virtdisk } = await windows();
  const raw = await rawLayer();
  await runLongOperation({
    syscall, path, options, handle: () => handle,
    start: (arena, overlapped) => {
      // The three share one shape: (HANDLE, Flags, PPARAMETERS, LPOVERLAPPED) → DWORD.
      const fn = virtdisk[syscall] as typeof virtdisk.ResizeVirtualDisk;
      return callAsync(undefined, fn, handle, Flags, arena.struct(type(raw), value), overlapped);
    },
  });
}

/** ResizeVirtualDisk (Windows 8+): NewSize in bytes (0 with RESIZE_TO_SMALLEST_SAFE_VIRTUAL_SIZE). */
export function resize(on: OnHandle, NewSize: bigint, Flags: number): Promise<void> {
  return run(on, 'ResizeVirtualDisk', (raw) => raw.RESIZE_VIRTUAL_DISK_PARAMETERS, { Version: RESIZE_VIRTUAL_DISK_VERSION_1, u: { Version1: { NewSize } } }, Flags);
}

/** CompactVirtualDisk, with version 1 parameters (Reserved 0). */
export function compact(on: OnHandle, Flags: number): Promise<void> {
  return run(on, 'CompactVirtualDisk', (raw) => raw.COMPACT_VIRTUAL_DISK_PARAMETERS, { Version: COMPACT_VIRTUAL_DISK_VERSION_1, u: { Version1: { Reserved: 0 } } }, Flags);
}

/** MergeVirtualDisk with version 2 parameters: depths from the leaf (1) down the chain (virtdisk-api.md §3.8). */
export function merge(on: OnHandle, MergeSourceDepth: number, MergeTargetDepth: number): Promise<void> {
  return run(on, 'MergeVirtualDisk', (raw) => raw.MERGE_VIRTUAL_DISK_PARAMETERS, { Version: MERGE_VIRTUAL_DISK_VERSION_2, u: { Version2: { MergeSourceDepth, MergeTargetDepth } } }, 0);
}
