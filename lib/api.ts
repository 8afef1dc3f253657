// The entry points: open, open + attach, open for detach + detach + close.
import type { AttachVirtualDiskOptions, DetachOptions, OpenOptions } from '../types/index.ts';
import { ERROR_SUCCESS } from './win32-errors.ts';
import { throwIfAborted, VirtualDiskError } from './errors.ts';
import { otherHandlesOn, withImageLock } from './handles.ts';
import { imageIdentity } from './image-identity.ts';
import { callAsync, win32Error, windows } from './native.ts';
import { ATTACH_VIRTUAL_DISK_OPTION_KINDS, snapshotOptions } from './options.ts';
import { attachRequestFromSnapshot } from './rules/attach.ts';
import { detachRules } from './rules/detach.ts';
import { describeOpenedHandle, readOpenRequest, resolveImagePath, type OpenRequest } from './rules/open.ts';
import { createVirtualDisk, type VirtualDisk } from './virtual-disk.ts';

/**
 * Opens an image (VHD, VHDX, ISO, VHD Set) for attaching. The type comes from the extension (.iso, .vhd,
 * .avhd, .vhdx, .avhdx, .vhds) unless `storageType` says otherwise. Rejects before anything native runs with
 * the errors of checkOpen(); then with Windows' own (VirtualDiskError: code, errno, syscall, path, hint).
 */
export async function openVirtualDisk(path: string, options?: OpenOptions): Promise<VirtualDisk> {
  const request = readOpenRequest(path, options, 'attach');
  if (!request.ok) throw request.error;
  return openRequest(request.value);
}

/**
 * Opens and attaches an image, and returns its VirtualDisk (closed again if the attach fails). The open and
 * attach options together (`readOnly` applies to both); both sets of rules are checked before anything native.
 */
export async function attachVirtualDisk(path: string, options?: AttachVirtualDiskOptions): Promise<VirtualDisk> {
  const syscall = 'AttachVirtualDisk';
  const fullPath = resolveImagePath('OpenVirtualDisk', path);
  if (!fullPath.ok) throw fullPath.error;
  const read = snapshotOptions(syscall, options, ATTACH_VIRTUAL_DISK_OPTION_KINDS, fullPath.value);
  if (!read.ok) throw read.error;
  const { storageType, ...attachOptions } = read.value;
  const { signal, windowsBuild, readOnly } = read.value;
  const opening = readOpenRequest(fullPath.value, { signal, windowsBuild, readOnly, storageType }, 'attach');
  if (!opening.ok) throw opening.error;
  // The attach rules too, before anything native: a refused attach should not cost an open.
  const attaching = attachRequestFromSnapshot(describeOpenedHandle(opening.value.call), attachOptions, undefined);
  if (!attaching.ok) throw attaching.error;

  const disk = await openRequest(opening.value);
  try {
    await disk.attach(attachOptions);
    return disk;
  } catch (error) {
    await disk.close().catch(() => {});
    throw error;
  }
}

/**
 * Detaches an image, whoever attached it (a permanent attach included): opens it for detaching, detaches,
 * closes. Handles this process holds open on the image, under any spelling of its path, must be closed
 * first (PreconditionError ERR_OTHER_HANDLES_OPEN). Concurrent detaches of one image run one after the other.
 */
export async function detachVirtualDisk(path: string, options?: DetachOptions): Promise<void> {
  const request = readOpenRequest(path, options, 'detach');
  if (!request.ok) throw request.error;
  const { call, options: snapshot } = request.value;
  const identity = await imageIdentity(call.Path);
  await withImageLock(identity, async () => {
    const refusal = detachRules(describeOpenedHandle(call), { Flags: 0, ProviderSpecificFlags: 0 }, {
      windowsBuild: snapshot.windowsBuild, otherOpenHandles: otherHandlesOn(identity),
    });
    if (refusal) throw refusal;
    const disk = await openRequest(request.value, { identity, internal: true });
    try {
      await disk.detach(snapshot.signal ? { signal: snapshot.signal } : undefined);
    } finally {
      await disk.close();
    }
  });
}

/** OpenVirtualDisk with a checked request; the VirtualDisk on its handle. */
export async function openRequest({ call, options }: OpenRequest, track: { identity?: string; internal?: boolean } = {}): Promise<VirtualDisk> {
  throwIfAborted(options.signal);
  const { virtdisk } = await windows();
  const handle: [bigint | null] = [null];
  const result = await callAsync(
    options.signal, virtdisk.OpenVirtualDisk, call.VirtualStorageType, call.Path, call.VirtualDiskAccessMask, call.Flags, call.Parameters, handle,
  );
  if (result !== ERROR_SUCCESS) throw win32Error(result, 'OpenVirtualDisk', call.Path);
  if (handle[0] === null || handle[0] === 0n) {
    throw new VirtualDiskError(`OpenVirtualDisk '${call.Path}' succeeded without a handle.`, { code: 'ERR_NO_HANDLE', syscall: 'OpenVirtualDisk', path: call.Path });
  }
  return createVirtualDisk({
    description: describeOpenedHandle(call),
    handle: handle[0],
    windowsBuild: options.windowsBuild,
    identity: track.identity ?? await imageIdentity(call.Path),
    internal: track.internal ?? false,
  });
}
