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

/** ResizeVirtualDisk (Windows 8+): NewSize in bytes (0 with RESIZE_TO_SMALLEST_SAFE_VIRTUAL_SIZE). */
export async function resize({ handle, path, options }: OnHandle, NewSize: bigint, Flags: number): Promise<void> {
  const { virtdisk } = await windows();
  const raw = await rawLayer();
  await runLongOperation({
    syscall: 'ResizeVirtualDisk', path, options, handle: () => handle,
    start: (arena, overlapped) => {
      const parameters = arena.struct(raw.RESIZE_VIRTUAL_DISK_PARAMETERS, { Version: RESIZE_VIRTUAL_DISK_VERSION_1, u: { Version1: { NewSize } } });
      return callAsync(undefined, virtdisk.ResizeVirtualDisk, handle, Flags, parameters, overlapped);
    },
  });
}

/** CompactVirtualDisk, with version 1 parameters (Reserved 0). */
export async function compact({ handle, path, options }: OnHandle, Flags: number): Promise<void> {
  const { virtdisk } = await windows();
  const raw = await rawLayer();
  await runLongOperation({
    syscall: 'CompactVirtualDisk', path, options, handle: () => handle,
    start: (arena, overlapped) => {
      const parameters = arena.struct(raw.COMPACT_VIRTUAL_DISK_PARAMETERS, { Version: COMPACT_VIRTUAL_DISK_VERSION_1, u: { Version1: { Reserved: 0 } } });
      return callAsync(undefined, virtdisk.CompactVirtualDisk, handle, Flags, parameters, overlapped);
    },
  });
}

/** MergeVirtualDisk with version 2 parameters: depths from the leaf (1) down the chain (virtdisk-api.md §3.8). */
export async function merge({ handle, path, options }: OnHandle, MergeSourceDepth: number, MergeTargetDepth: number): Promise<void> {
  const { virtdisk } = await windows();
  const raw = await rawLayer();
  await runLongOperation({
    syscall: 'MergeVirtualDisk', path, options, handle: () => handle,
    start: (arena, overlapped) => {
      const parameters = arena.struct(raw.MERGE_VIRTUAL_DISK_PARAMETERS, { Version: MERGE_VIRTUAL_DISK_VERSION_2, u: { Version2: { MergeSourceDepth, MergeTargetDepth } } });
      return callAsync(undefined, virtdisk.MergeVirtualDisk, handle, 0, parameters, overlapped);
    },
  });
}
