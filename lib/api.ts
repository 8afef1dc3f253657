// The entry points: open, open + attach, open for detach + detach + close.
import type { AttachOptions, AttachVirtualDiskOptions, DetachOptions, OpenOptions } from '../types/index.ts';
import { ERROR_SUCCESS } from './win32-errors.ts';
import { VirtualDiskError } from './errors.ts';
import { otherHandlesOn } from './handles.ts';
import { callAsync, win32Error, windows } from './native.ts';
import { checkAttach, checkDetach, checkOpen, describeOpenedHandle, type OpenCall } from './validate.ts';
import { createVirtualDisk, type VirtualDisk } from './virtual-disk.ts';

/** Opens an image (VHD, VHDX, ISO, VHD Set) for attaching. The type comes from the extension unless given. */
export async function openVirtualDisk(path: string, options?: OpenOptions): Promise<VirtualDisk> {
  const verdict = checkOpen(path, options);
  if (!verdict.ok) throw verdict.error;
  return open(verdict.call, options);
}

/** Opens and attaches an image, and returns its VirtualDisk (closed again if the attach fails). */
export async function attachVirtualDisk(path: string, options: AttachVirtualDiskOptions = {}): Promise<VirtualDisk> {
  const { storageType, ...attachOptions } = options;
  const { signal, windowsBuild, readOnly } = options;
  const openOptions: OpenOptions = { signal, windowsBuild, readOnly, storageType };
  const opening = checkOpen(path, openOptions);
  if (!opening.ok) throw opening.error;
  // The attach rules too, before anything native: a refused attach should not cost an open.
  const attaching = checkAttach(describeOpenedHandle(opening.call), attachOptions as AttachOptions);
  if (!attaching.ok) throw attaching.error;

  const disk = await open(opening.call, openOptions);
  try {
    await disk.attach(attachOptions as AttachOptions);
    return disk;
  } catch (error) {
    await disk.close().catch(() => {});
    throw error;
  }
}

/**
 * Detaches an image, whoever attached it (a permanent attach included): opens it for detaching, detaches,
 * closes. Handles this process holds open on the image must be closed first.
 */
export async function detachVirtualDisk(path: string, options?: DetachOptions): Promise<void> {
  const opening = checkOpen(path, options, 'detach');
  if (!opening.ok) throw opening.error;
  const detaching = checkDetach(describeOpenedHandle(opening.call), {
    ...(options?.windowsBuild !== undefined && { windowsBuild: options.windowsBuild }),
    otherOpenHandles: otherHandlesOn(opening.call.Path),
  });
  if (!detaching.ok) throw detaching.error;

  const disk = await open(opening.call, options);
  try {
    await disk.detach(options?.signal ? { signal: options.signal } : undefined);
  } finally {
    await disk.close();
  }
}

async function open(call: OpenCall, options: { signal?: AbortSignal; windowsBuild?: number } | undefined): Promise<VirtualDisk> {
  options?.signal?.throwIfAborted();
  const { virtdisk } = await windows();
  const handle: [bigint | null] = [null];
  const result = await callAsync(
    virtdisk.OpenVirtualDisk, call.VirtualStorageType, call.Path, call.VirtualDiskAccessMask, call.Flags, call.Parameters, handle,
  );
  if (result !== ERROR_SUCCESS) throw win32Error(result, 'OpenVirtualDisk', call.Path);
  if (handle[0] === null || handle[0] === 0n) {
    throw new VirtualDiskError(`OpenVirtualDisk '${call.Path}' succeeded without a handle.`, { code: 'ERR_NO_HANDLE', syscall: 'OpenVirtualDisk', path: call.Path });
  }
  return createVirtualDisk({ description: describeOpenedHandle(call), handle: handle[0], windowsBuild: options?.windowsBuild });
}
