// The mountPoint attach option: the disk's one volume at a drive letter or an empty NTFS folder.
//
// Before attaching: a drive letter in use (GetLogicalDrives: volumes, network drives, subst) is refused with
// ERR_MOUNT_POINT_IN_USE; a folder must exist (ERR_MOUNT_POINT_NOT_FOUND), be a folder
// (ERR_MOUNT_POINT_NOT_DIRECTORY) and be empty (ERR_MOUNT_POINT_NOT_EMPTY: "It is an error to associate a
// volume with a directory that has any files or subdirectories in it", SetVolumeMountPointW page).
// After attaching with noDriveLetter: wait for the volume, which must be the disk's only one
// (ERR_AMBIGUOUS_VOLUME otherwise), then SetVolumeMountPointW. The caller detaches again if this fails.
// GetLogicalDrives, SetVolumeMountPointW and DeleteVolumeMountPointW ask the mount manager on koffi's worker
// threads; a SetVolumeMountPointW that fails is made once more on this thread for its last error (lastErrorOf).
import { stat, readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Volume } from '../types/volumes.ts';
import { AbortError, PreconditionError, VirtualDiskError } from './errors.ts';
import { deviceOfPhysicalPath } from './device-io.ts';
import { isDriveLetter } from './mount-point-name.ts';
import { callAsync, win32Error, windows } from './native.ts';
import { physicalPathOfHandle } from './physical-path.ts';
import { lastErrorOf, volumesOfDevice, waitForVolumes } from './volumes.ts';

/** How long a mountPoint attach waits for the disk's volume when `wait` is not given, ms. */
export const DEFAULT_MOUNT_WAIT_MS = 10_000;
/** After the first volume arrives, a second look this much later: the partitions of one disk arrive one by one. */
export const SETTLE_MS = 200;

const SYSCALL = 'AttachVirtualDisk';

/** Whether a normalised mount point can take a volume; the PreconditionError when it cannot. */
export async function checkMountPoint(mountPoint: string, imagePath: string): Promise<PreconditionError | undefined> {
  const refuse = (code: string, problem: string, rule: string, fix: string) =>
    new PreconditionError(code, { syscall: SYSCALL, parameter: 'mountPoint', path: imagePath, problem, rule, fix });
  if (isDriveLetter(mountPoint)) {
    const { kernel32 } = await windows();
    const inUse = await callAsync(undefined, kernel32.GetLogicalDrives);
    if ((inUse >>> (mountPoint.charCodeAt(0) - 65)) & 1) {
      return refuse('ERR_MOUNT_POINT_IN_USE', `the drive letter ${mountPoint.slice(0, 2)} is in use (GetLogicalDrives: a volume, a network drive or a subst drive has it).`,
        "This library's check: a drive letter that is in use cannot be given to another volume; it is refused before attaching, so that nothing is attached for nothing.",
        'Choose a free drive letter, or an empty folder on an NTFS volume.');
    }
    return undefined;
  }
  const folder = mountPoint.slice(0, -1);
  let isFolder: boolean;
  try {
    isFolder = (await stat(mountPoint)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      return refuse('ERR_MOUNT_POINT_NOT_FOUND', `the folder '${folder}' does not exist.`,
        'A mounted folder is an existing, empty folder on an NTFS volume (SetVolumeMountPointW: "a directory on another volume (for example, "Y:\\MountX\\")").',
        'Create the folder first (fs.mkdir), or pass a drive letter.');
    }
    return undefined; // SetVolumeMountPointW will say what is wrong with it
  }
  if (!isFolder) {
    return refuse('ERR_MOUNT_POINT_NOT_DIRECTORY', `'${folder}' is a file, not a folder.`,
      'A mounted folder is an existing, empty folder on an NTFS volume (SetVolumeMountPointW).', 'Pass an empty folder, or a drive letter.');
  }
  const entries = await readdir(mountPoint).catch(() => [] as string[]);
  if (entries.length > 0) {
    const shown = entries.slice(0, 3).map((name) => `'${name}'`).join(', ');
    return refuse('ERR_MOUNT_POINT_NOT_EMPTY', `the folder '${folder}' is not empty (${shown}${entries.length > 3 ? ', …' : ''}).`,
      'It is an error to associate a volume with a directory that has any files or subdirectories in it. This error occurs for system and hidden directories as well as other directories, and it occurs for system and hidden files. (SetVolumeMountPointW)',
      'Pass an empty folder, or a drive letter.');
  }
  return undefined;
}

export interface MountRequest {
  handle: bigint;
  imagePath: string;
  /** Normalised: 'Z:\' or 'C:\mnt\data\'. */
  mountPoint: string;
  /** ms to wait for the volume; DEFAULT_MOUNT_WAIT_MS when undefined. */
  wait: number | undefined;
  signal: AbortSignal | undefined;
}

/**
 * Mounts the just-attached disk's one volume at `mountPoint`: the volume (waiting up to `wait` ms), then
 * SetVolumeMountPointW. Rejects with ERR_NO_VOLUME, ERR_AMBIGUOUS_VOLUME (listing the volumes), an
 * AbortError, or SetVolumeMountPointW's own code; the caller then detaches again.
 */
export async function mountAttachedDisk(request: MountRequest): Promise<Volume> {
  const { handle, imagePath, mountPoint, signal } = request;
  const wait = request.wait ?? DEFAULT_MOUNT_WAIT_MS;
  const physicalPath = await physicalPathOfHandle(handle, imagePath, signal);
  const device = await deviceOfPhysicalPath(physicalPath, signal);
  if (!device) {
    throw new VirtualDiskError(`GetVirtualDiskPhysicalPath gave '${physicalPath}' for '${imagePath}', which names no disk or CD-ROM device.`, {
      code: 'ERR_UNKNOWN_DEVICE', syscall: 'GetVirtualDiskPhysicalPath', path: imagePath,
    });
  }
  let volumes = await waitForVolumes({ imagePath, physicalPath, device, wait, needMountPoint: false, signal });
  try {
    await sleep(SETTLE_MS, undefined, { signal });
  } catch (error) {
    throw new AbortError(undefined, { cause: signal?.reason ?? error });
  }
  const settled = await volumesOfDevice(device, signal);
  if (settled.length > 0) volumes = settled;
  if (volumes.length !== 1) {
    const listed = volumes.map((volume) => `${volume.name}${volume.partitionNumber === undefined ? '' : ` (partition ${volume.partitionNumber})`}`).join(', ');
    throw new VirtualDiskError(`'${imagePath}' (${physicalPath}) has ${volumes.length} volumes, and mountPoint mounts a disk's only volume: ${listed}.`, {
      code: 'ERR_AMBIGUOUS_VOLUME', path: imagePath, physicalPath,
      hint: 'Attach without mountPoint, then choose the volume from disk.getVolumes() and mount it yourself (`mountvol <folder> <volume>`, or Add-PartitionAccessPath).',
    });
  }
  const volume = volumes[0]!;
  await setMountPoint(mountPoint, volume.name, signal);
  return { ...volume, mountPoints: [...volume.mountPoints, mountPoint] };
}

export async function setMountPoint(mountPoint: string, volumeName: string, signal: AbortSignal | undefined): Promise<void> {
  const { kernel32 } = await windows();
  if (await callAsync(signal, kernel32.SetVolumeMountPointW, mountPoint, volumeName)) return;
  const again = lastErrorOf(kernel32, () => kernel32.SetVolumeMountPointW(mountPoint, volumeName), Boolean);
  if (again.error !== 0) throw win32Error(again.error, 'SetVolumeMountPointW', mountPoint);
}

/**
 * Removes a mount point this library set (DeleteVolumeMountPointW), before the disk is detached, so that a
 * folder is left empty and a drive letter free. Best effort: never throws (and Wine's stub leaves a stale last
 * error, so none is read).
 */
export async function removeMountPoint(mountPoint: string): Promise<void> {
  try {
    const { kernel32 } = await windows();
    await callAsync(undefined, kernel32.DeleteVolumeMountPointW, mountPoint);
  } catch {
    // nothing to report to: the detach goes on
  }
}
