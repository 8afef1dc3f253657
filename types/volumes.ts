// Public types of the volume, mount point and listing API (lib/volumes.ts, lib/attached.ts).
import type { CallOptions, StorageType } from './index.ts';

/** A volume of an attached disk. */
export interface Volume {
  /** The volume GUID path, with its trailing backslash: '\\?\Volume{…}\'. */
  name: string;
  /** Drive letters and mounted folders, each with a trailing backslash: 'E:\', 'C:\mnt\data\'. Empty when it has none. */
  mountPoints: string[];
  /** N of '\\.\PhysicalDriveN' (or n of '\\.\CDROMn' for an ISO's volume). */
  diskNumber: number;
  /** The partition the volume is on; absent for a CD-ROM volume and for a volume that spans disks. */
  partitionNumber?: number;
}

export interface GetVolumesOptions extends CallOptions {
  /**
   * ms to wait for the volumes to arrive (default 0: answer at once, possibly []). Polls until at least one
   * volume is there and, unless the disk was attached with noDriveLetter, one has a mount point; rejects with
   * ERR_NO_VOLUME when the time runs out first.
   */
  wait?: number | undefined;
}

/** A disk Windows has attached from an image file, by any process. */
export interface AttachedVirtualDisk {
  /** The image file, as Windows names it. */
  path: string;
  storageType: StorageType;
  /** '\\.\PhysicalDriveN', or '\\.\CDROMn' for an ISO. */
  physicalPath: string;
  /** N of the physical path. */
  diskNumber: number;
  /** Attached read-only (DEPENDENT_DISK_FLAG_READ_ONLY); absent when Windows did not say. */
  readOnly?: boolean;
  /** Attached with a permanent lifetime (DEPENDENT_DISK_FLAG_PERMANENT_LIFETIME); absent when Windows did not say. */
  permanent?: boolean;
  volumes: Volume[];
}

/** An attached disk with the files it reads: the image first, then its parents, to the root of its chain. */
export interface FoundVirtualDisk extends AttachedVirtualDisk {
  backingFiles: string[];
}

export interface ListOptions extends CallOptions {}
