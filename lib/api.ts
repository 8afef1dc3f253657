// The entry points: open, open + attach, open for detach + detach + close.
import type { AttachVirtualDiskOptions, DetachOptions, OpenOptions } from '../types/index.ts';
import { ERROR_FILE_NOT_FOUND, ERROR_NOT_READY, ERROR_PATH_NOT_FOUND, ERROR_SUCCESS } from './win32-errors.ts';
import { PreconditionError, throwIfAborted, VirtualDiskError } from './errors.ts';
import { diagnose } from './diagnose.ts';
import { infoOpenArguments } from './physical-path.ts';
import { otherHandlesOn, withImageLock } from './handles.ts';
import { imageIdentity } from './image-identity.ts';
import { callAsync, win32Error, windows } from './native.ts';
import { ATTACH_VIRTUAL_DISK_OPTION_KINDS, DETACH_OPTION_KINDS, snapshotOptions, type OptionsSnapshot } from './options.ts';
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
 * `ifAttached: 'reuse'`: when Windows' list of attached virtual disks shows the image attached already (the
 * error's reason 'ALREADY_ATTACHED'), resolves to an open VirtualDisk on it instead (`attached` false: this
 * handle did not attach it; getPhysicalPath() and getVolumes() work). With mountPoint it is refused
 * (ERR_CONFLICTING_OPTIONS): the existing attach's volumes are where they are.
 */
export async function attachVirtualDisk(path: string, options?: AttachVirtualDiskOptions): Promise<VirtualDisk> {
  const syscall = 'AttachVirtualDisk';
  const fullPath = resolveImagePath('OpenVirtualDisk', path);
  if (!fullPath.ok) throw fullPath.error;
  const read = snapshotOptions(syscall, options, ATTACH_VIRTUAL_DISK_OPTION_KINDS, fullPath.value);
  if (!read.ok) throw read.error;
  const { storageType, ifAttached, ...attachOptions } = read.value;
  const { signal, windowsBuild, readOnly } = read.value;
  if (ifAttached === 'reuse' && attachOptions.mountPoint !== undefined) throw reuseWithMountPoint(fullPath.value);
  const opening = readOpenRequest(fullPath.value, { signal, windowsBuild, readOnly, storageType }, 'attach');
  if (!opening.ok) throw opening.error;
  // The attach rules too, before anything native: a refused attach should not cost an open.
  const attaching = attachRequestFromSnapshot(describeOpenedHandle(opening.value.call), attachOptions, undefined);
  if (!attaching.ok) throw attaching.error;

  let disk: VirtualDisk;
  try {
    disk = await openRequest(opening.value);
  } catch (error) {
    // Attached with access that excludes this open: a handle that only reads information still gets its disk.
    if (ifAttached !== 'reuse' || !isAlreadyAttached(error)) throw error;
    return openRequest({ ...opening.value, call: { ...opening.value.call, ...infoOpenCall(opening.value.call.storageType) } });
  }
  try {
    await disk.attach(attachOptions);
    return disk;
  } catch (error) {
    if (ifAttached === 'reuse' && isAlreadyAttached(error)) return disk;
    await disk.close().catch(() => {});
    throw error;
  }
}

function isAlreadyAttached(error: unknown): boolean {
  return error instanceof VirtualDiskError && error.reason === 'ALREADY_ATTACHED';
}

function infoOpenCall(storageType: OpenRequest['call']['storageType']): Pick<OpenRequest['call'], 'VirtualDiskAccessMask' | 'Parameters'> {
  const { access, parameters } = infoOpenArguments(storageType);
  return { VirtualDiskAccessMask: access, Parameters: parameters };
}

function reuseWithMountPoint(imagePath: string): PreconditionError {
  return new PreconditionError('ERR_CONFLICTING_OPTIONS', {
    syscall: 'AttachVirtualDisk', parameter: 'ifAttached', path: imagePath,
    problem: "ifAttached: 'reuse' takes an existing attach as it is, and mountPoint asks for a new one mounted at one place.",
    rule: "This library's policy: a reused attach is not changed (its volumes stay where they are).",
    fix: "Leave mountPoint out with ifAttached: 'reuse', or ifAttached out with mountPoint.",
  });
}

/**
 * Detaches an image, whoever attached it (a permanent attach included): opens it for detaching, detaches,
 * closes. Handles this process holds open on the image, under any spelling of its path, must be closed
 * first (PreconditionError ERR_OTHER_HANDLES_OPEN). Concurrent detaches of one image run one after the other.
 * `ifAttached: true` resolves when the image is not attached: a detach answered with reason 'NOT_ATTACHED'
 * (Windows' list of attached virtual disks does not have it) or ERROR_NOT_READY, or an image file that does
 * not exist (ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND at the open): what cleanup after a crash needs.
 */
export async function detachVirtualDisk(path: string, options?: DetachOptions): Promise<void> {
  const request = readOpenRequest(path, options, 'detach');
  if (!request.ok) throw request.error;
  const { call, options: snapshot } = request.value;
  // Read with DETACH_OPTION_KINDS (purpose 'detach'), which has ifAttached.
  const { ifAttached } = snapshot as OptionsSnapshot<typeof DETACH_OPTION_KINDS>;
  const identity = await imageIdentity(call.Path);
  await withImageLock(identity, async () => {
    const refusal = detachRules(describeOpenedHandle(call), { Flags: 0, ProviderSpecificFlags: 0 }, {
      windowsBuild: snapshot.windowsBuild, otherOpenHandles: otherHandlesOn(identity),
    });
    if (refusal) throw refusal;
    let disk: VirtualDisk;
    try {
      disk = await openRequest(request.value, { identity, internal: true });
    } catch (error) {
      if (ifAttached === true && imageMissing(error)) return;
      throw error;
    }
    try {
      await disk.detach(snapshot.signal ? { signal: snapshot.signal } : undefined);
    } catch (error) {
      if (ifAttached === true && notAttached(error)) return;
      throw error;
    } finally {
      await disk.close();
    }
  });
}

/** With ifAttached: a detach that failed because there was nothing to detach. */
function notAttached(error: unknown): boolean {
  return error instanceof VirtualDiskError && (error.reason === 'NOT_ATTACHED' || error.errno === ERROR_NOT_READY);
}

function imageMissing(error: unknown): boolean {
  return error instanceof VirtualDiskError && (error.errno === ERROR_FILE_NOT_FOUND || error.errno === ERROR_PATH_NOT_FOUND);
}

/** OpenVirtualDisk with a checked request; the VirtualDisk on its handle. */
export async function openRequest({ call, options }: OpenRequest, track: { identity?: string; internal?: boolean } = {}): Promise<VirtualDisk> {
  throwIfAborted(options.signal);
  const { virtdisk } = await windows();
  const handle: [bigint | null] = [null];
  const result = await callAsync(
    options.signal, virtdisk.OpenVirtualDisk, call.VirtualStorageType, call.Path, call.VirtualDiskAccessMask, call.Flags, call.Parameters, handle,
  );
  if (result !== ERROR_SUCCESS) throw await diagnose(win32Error(result, 'OpenVirtualDisk', call.Path), 'open', call.Path);
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
