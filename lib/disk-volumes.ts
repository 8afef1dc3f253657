// disk.getVolumes(): the volumes of the disk a physical path names, waiting for them when asked to.
import type { Volume } from '../types/volumes.ts';
import { DEPENDENT_DISK_FLAG_NO_DRIVE_LETTER } from '../types/constants.ts';
import { VirtualDiskError } from './errors.ts';
import { deviceOfPhysicalPath } from './device-io.ts';
import { storageDependencyOfDisk } from './storage-dependency.ts';
import { waitForVolumes } from './volumes.ts';

export interface AttachedDiskVolumes {
  imagePath: string;
  physicalPath: string;
  /** ms to wait; 0 answers at once. */
  wait: number;
  signal: AbortSignal | undefined;
  /** Whether the attach was made with noDriveLetter, when the caller knows (this handle attached it). */
  noDriveLetter: boolean | undefined;
}

/**
 * The volumes of an attached disk (lib/volumes.ts), waiting up to `wait` ms for at least one and, unless the
 * disk was attached with noDriveLetter, for a mount point. When the caller does not know how the disk was
 * attached, Windows' dependency information says (DEPENDENT_DISK_FLAG_NO_DRIVE_LETTER); when that cannot be
 * read either, a mount point is waited for and the timeout's hint names noDriveLetter among the causes.
 */
export async function volumesOfAttachedDisk(request: AttachedDiskVolumes): Promise<Volume[]> {
  const { imagePath, physicalPath, wait, signal } = request;
  const device = await deviceOfPhysicalPath(physicalPath, signal);
  if (!device) {
    throw new VirtualDiskError(`GetVirtualDiskPhysicalPath gave '${physicalPath}' for '${imagePath}', which names no disk or CD-ROM device.`, {
      code: 'ERR_UNKNOWN_DEVICE', syscall: 'GetVirtualDiskPhysicalPath', path: imagePath,
    });
  }
  let noDriveLetter = request.noDriveLetter;
  if (noDriveLetter === undefined && wait > 0) {
    const entries = await storageDependencyOfDisk(physicalPath, signal).catch(() => undefined);
    const top = entries?.slice().sort((a, b) => a.ancestorLevel - b.ancestorLevel)[0];
    if (top) noDriveLetter = (top.flags & DEPENDENT_DISK_FLAG_NO_DRIVE_LETTER) !== 0;
  }
  const needMountPoint = noDriveLetter === undefined ? 'unknown' : !noDriveLetter;
  return waitForVolumes({ imagePath, physicalPath, device, wait, needMountPoint, signal });
}
