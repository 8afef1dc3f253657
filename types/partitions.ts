// Public types of the disk layer: the partition table of an attached disk (lib/disk-layout.ts).
import type { CallOptions } from './index.ts';

/** 'gpt' or 'mbr': the two partition table styles (PARTITION_STYLE_GPT, PARTITION_STYLE_MBR); 'raw': none yet. */
export type PartitionStyle = 'gpt' | 'mbr';

/** A partition of an attached disk, from IOCTL_DISK_GET_DRIVE_LAYOUT_EX. */
export interface Partition {
  /** 1, 2, …: the N of '\Device\HarddiskX\PartitionN', as Windows numbers it. */
  number: number;
  /** Bytes from the start of the disk. */
  offset: number;
  /** Bytes. */
  length: number;
  style: PartitionStyle;
  /**
   * GPT: the partition type GUID, lower case ('ebd0a0a2-b9e5-4433-87c0-68b6b72699c7' for basic data).
   * MBR: the partition type byte in hex ('0x07' for NTFS, ReFS and exFAT; '0x0c' for FAT32).
   */
  type: string;
  /** What `type` is, when it is one of the usual ones: 'basic-data', 'efi-system', 'msft-reserved', 'recovery', 'fat32', 'ifs', … */
  typeName?: string;
  /** GPT: the partition's name (UTF-16, up to 36 characters); '' when unnamed. */
  name?: string;
  /** GPT: the partition's own GUID; MBR: Windows' partition ID when it gives one. */
  id?: string;
  /** GPT: the attribute bits (GPT_BASIC_DATA_ATTRIBUTE_*). */
  attributes?: bigint;
  /** MBR: the active (boot) flag. */
  active?: boolean;
}

/** The partition table of an attached disk. */
export interface DiskLayout {
  /** 'raw': the disk has no partition table (it was never initialized). */
  style: PartitionStyle | 'raw';
  /** GPT: the disk GUID; MBR: the 32-bit disk signature in hex ('0x1a2b3c4d'). */
  id?: string;
  /** GPT: the first byte a partition may use; MBR: the second sector. Bytes. */
  usableOffset?: number;
  /** GPT: how many bytes partitions may use from usableOffset on. */
  usableLength?: number;
  /** The disk's logical sector size, bytes. */
  sectorSize: number;
  /** The disk's size, bytes. */
  size: number;
  partitions: Partition[];
}

export interface InitializeOptions extends CallOptions {
  /** 'gpt' (default) or 'mbr'. */
  partitionStyle?: PartitionStyle | undefined;
  /**
   * Initialize a disk that already has a partition table (default false: rejected with ERR_DISK_NOT_RAW,
   * which lists the partitions that would be lost). With true, every partition is gone: their data with them.
   */
  force?: boolean | undefined;
}

export interface CreatePartitionOptions extends CallOptions {
  /**
   * Bytes (a safe integer or a bigint), rounded up to whole MiB. Default: all the space after the last
   * partition, up to the end of the usable area, in whole MiB.
   */
  size?: number | bigint | undefined;
  /**
   * GPT: 'basic-data' (default), 'msft-reserved', 'efi-system', 'recovery', or a partition type GUID.
   * MBR: 'basic-data' (default: 0x07, IFS), 'fat32' (0x0c), or a type byte (1..255).
   */
  type?: string | number | undefined;
  /** GPT: the partition's name, up to 36 UTF-16 characters (default ''). */
  name?: string | undefined;
}
