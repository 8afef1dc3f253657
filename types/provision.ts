// Public types of provisionVirtualDisk (lib/provision.ts): from a path to a formatted, mounted drive.
import type { BuildOption, ByteCount, CallOptions, StorageType } from './index.ts';
import type { PartitionStyle } from './partitions.ts';

/** The steps of a provision, in order ('create' only for a new image). */
export type ProvisionStep = 'create' | 'attach' | 'initialize' | 'partition' | 'volume' | 'format' | 'mount';

export interface ProvisionProgress {
  step: ProvisionStep;
  /** Of this step, 0..100 (create and format report as Windows goes; the other steps 0, then 100). */
  percent: number;
}

export interface ProvisionOptions extends CallOptions, BuildOption {
  /** Provision an image that exists (a RAW disk: one never initialized) instead of creating one. Default false. */
  existing?: boolean | undefined;
  // ——— createVirtualDisk's (a new image only) ———
  /** The virtual size in bytes (number, bigint); required for a new image. At least 3 MiB, a multiple of the logical sector size. */
  size?: ByteCount | undefined;
  /** 'dynamic' (default) or 'fixed'. */
  type?: 'dynamic' | 'fixed' | undefined;
  /** Bytes; see createVirtualDisk. */
  blockSize?: ByteCount | undefined;
  logicalSectorSize?: 512 | 4096 | undefined;
  physicalSectorSize?: 512 | 4096 | undefined;
  /** 'vhd' or 'vhdx'; from the extension when omitted. */
  storageType?: StorageType | undefined;
  // ——— the partition table ———
  /** 'gpt' (default) or 'mbr'. */
  partitionStyle?: PartitionStyle | undefined;
  // ——— the file system (formatVolume's) ———
  /** 'ntfs' (default), 'refs', 'exfat' or 'fat32'. */
  fileSystem?: 'ntfs' | 'refs' | 'exfat' | 'fat32' | undefined;
  label?: string | undefined;
  /** Bytes per cluster; default: the file system's choice for the size. */
  clusterSize?: number | undefined;
  /** Quick format (default true). */
  quick?: boolean | undefined;
  /** A ReFS Dev Drive (Windows 11 22621+): refused before anything is made (ERR_DEV_DRIVE_UNSUPPORTED), see formatVolume. */
  devDrive?: boolean | undefined;
  // ——— where it goes ———
  /** 'Z:' or an empty folder on an NTFS volume; default: the drive letter Windows assigns. */
  mountPoint?: string | undefined;
  /** No drive letter (ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER): the volume is reached by its GUID path only. */
  noDriveLetter?: boolean | undefined;
  // ——— the attach ———
  /** Stays attached after this process ends (default true), until detachVirtualDisk(path). */
  permanent?: boolean | undefined;
  /** Attached again at every boot (ATTACH_VIRTUAL_DISK_FLAG_AT_BOOT, Windows 11 22621+). Needs permanent. */
  atBoot?: boolean | undefined;
  /** ms to wait for the new volume to arrive (default 30 000). */
  wait?: number | undefined;
  onProgress?: ((progress: ProvisionProgress) => void) | undefined;
  /** ms between two onProgress calls of one step (default 100). */
  progressInterval?: number | undefined;
}
