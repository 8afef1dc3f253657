// Public types of the promise API (lib/) and the SDK constants.
export * from './constants.ts';

/** The kinds of image virtdisk.dll attaches; from the file extension unless given. */
export type StorageType = 'iso' | 'vhd' | 'vhdx' | 'vhdset';

export interface CallOptions {
  /**
   * Aborts the call while it waits (in this VirtualDisk's order or the library's call queue): it then
   * rejects with an AbortError (`name: 'AbortError'`, `code: 'ABORT_ERR'`, the signal's reason as `cause`)
   * and nothing native runs. A call already in Windows runs to its end.
   */
  signal?: AbortSignal | undefined;
}

/** The Windows build the rules are checked against; defaults to the running one (os.release()). */
export interface BuildOption {
  windowsBuild?: number | undefined;
}

export interface OpenOptions extends CallOptions, BuildOption {
  /** Open read-only: the disk can then only be attached read-only. ISO images are always read-only. */
  readOnly?: boolean | undefined;
  /** Overrides the type taken from the extension (.iso, .vhd, .vhdx, .vhds). */
  storageType?: StorageType | undefined;
}

export interface RestrictedRange {
  /** Byte offset of the first byte the attached disk shows (bigint, or a safe integer number). */
  offset: bigint | number;
  /** Number of bytes the attached disk shows, at least 1; offset + length <= 2^64 - 1. */
  length: bigint | number;
}

/** One named boolean per documented ATTACH_VIRTUAL_DISK_FLAG. */
export interface AttachOptions extends CallOptions, BuildOption {
  /** ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY. ISO images attach read-only when this is not given. */
  readOnly?: boolean | undefined;
  /** ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER: mount the volumes without drive letters. */
  noDriveLetter?: boolean | undefined;
  /** ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME: stay attached after close() and process exit. */
  permanent?: boolean | undefined;
  /** ATTACH_VIRTUAL_DISK_FLAG_NO_LOCAL_HOST: reserved by Windows; not for ISO images. */
  noLocalHost?: boolean | undefined;
  /** ATTACH_VIRTUAL_DISK_FLAG_NO_SECURITY_DESCRIPTOR: use the system default descriptor. */
  noSecurityDescriptor?: boolean | undefined;
  /** ATTACH_VIRTUAL_DISK_FLAG_BYPASS_DEFAULT_ENCRYPTION_POLICY. */
  bypassDefaultEncryptionPolicy?: boolean | undefined;
  /** ATTACH_VIRTUAL_DISK_FLAG_NON_PNP: attach as a non-PnP device. */
  nonPnp?: boolean | undefined;
  /** ATTACH_VIRTUAL_DISK_FLAG_SINGLE_PARTITION: show only the unique data partition. */
  singlePartition?: boolean | undefined;
  /** ATTACH_VIRTUAL_DISK_FLAG_REGISTER_VOLUME: register the non-PnP disk's volume with the mount manager. */
  registerVolume?: boolean | undefined;
  /** ATTACH_VIRTUAL_DISK_FLAG_AT_BOOT: attach again at every boot. */
  atBoot?: boolean | undefined;
  /** ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE with version 2 parameters. */
  restrictedRange?: RestrictedRange | undefined;
  /** An SDDL string, e.g. 'O:BAG:BAD:(A;;GA;;;WD)', applied to the attached disk. */
  securityDescriptor?: string | undefined;
  /** Passed through as ProviderSpecificFlags (a 32-bit unsigned integer). */
  providerSpecificFlags?: number | undefined;
  /**
   * Where the disk's one volume goes: a drive letter ('Z:' or 'Z:\\') or an empty folder on a local NTFS volume
   * ('C:\\mnt\\data'). Attaches with noDriveLetter, waits for the volume, then SetVolumeMountPointW; if that
   * fails, the disk is detached again and the attach rejects. A drive letter in use is refused before attaching.
   */
  mountPoint?: string | undefined;
  /** With mountPoint: ms to wait for the disk's volume to arrive (default 10000). */
  wait?: number | undefined;
}

export interface AttachVirtualDiskOptions extends OpenOptions, AttachOptions {
  /**
   * 'reuse': when Windows' list of attached virtual disks shows the image attached already, resolve to an
   * open VirtualDisk on it (getPhysicalPath() and getVolumes() work; `attached` is false: this handle did
   * not attach it) instead of rejecting. 'fail' (the default): reject with reason 'ALREADY_ATTACHED'.
   */
  ifAttached?: 'reuse' | 'fail' | undefined;
}

export interface DetachOptions extends CallOptions, BuildOption {
  storageType?: StorageType | undefined;
  /**
   * true: resolve when the image is not attached (ERROR_NOT_READY and the like, confirmed by Windows' list of
   * attached virtual disks, or a missing image file), as cleanup after a crash needs.
   */
  ifAttached?: boolean | undefined;
}

/** What onProgress receives: Windows' own counters (only their ratio has meaning) and the percentage. */
export interface Progress {
  completed: number;
  total: number;
  /** 0 to 100. */
  percent: number;
}

/**
 * Options of the long operations (create, resize, compact, merge). They run with an OVERLAPPED: no thread
 * waits while Windows works.
 */
export interface LongOperationOptions extends BuildOption {
  /** Called with the progress (GetVirtualDiskOperationProgress) at most every `progressInterval` ms, and once at 100 %. */
  onProgress?: ((progress: Progress) => void) | undefined;
  /** ms between onProgress calls; default 100. */
  progressInterval?: number | undefined;
  /**
   * Cancels the Windows operation itself (CancelIoEx on the handle and the operation's OVERLAPPED), waits for
   * Windows to confirm, then rejects with an AbortError. If Windows finishes first, the call resolves.
   */
  signal?: AbortSignal | undefined;
}

/** A size in bytes: a safe integer number or a bigint. */
export type ByteCount = number | bigint;

export interface CreateVirtualDiskOptions extends LongOperationOptions {
  /** The virtual size in bytes; required unless `parent` or `source`. At least 3 MiB, a multiple of the logical sector size. */
  size?: ByteCount | undefined;
  /** 'dynamic' (default: the file grows as data is written) or 'fixed' (the whole size allocated now). */
  type?: 'dynamic' | 'fixed' | undefined;
  /** Makes a differencing disk on this parent image (its size is the parent's). */
  parent?: string | undefined;
  /** An image, or a disk ('\\.\PhysicalDriveN'), whose content the new image starts with. */
  source?: string | undefined;
  /** Bytes; VHD: 512 KiB or 2 MiB; VHDX: a multiple of 1 MiB from 1 to 256 MiB; fixed disks: the default only. */
  blockSize?: ByteCount | undefined;
  /** 512 (default) or 4096 (VHDX only). */
  logicalSectorSize?: 512 | 4096 | undefined;
  /** 512 or 4096 (VHDX only; VHDX defaults to 4096). */
  physicalSectorSize?: 512 | 4096 | undefined;
  /** The disk's identifier, a GUID string (any case, braces or not); Windows makes one when omitted. */
  uniqueId?: string | undefined;
  /** SDDL for the new file (default: inherited from the folder). */
  securityDescriptor?: string | undefined;
  /** 'vhd' or 'vhdx'; from the extension when omitted. */
  storageType?: StorageType | undefined;
}

export interface InfoOptions extends CallOptions, BuildOption {}

export interface GetVirtualDiskInfoOptions extends InfoOptions {
  storageType?: StorageType | undefined;
}

export interface CompactOptions extends LongOperationOptions {
  /** COMPACT_VIRTUAL_DISK_FLAG_NO_ZERO_SCAN: do not look for blocks of zeros. */
  noZeroScan?: boolean | undefined;
  /** COMPACT_VIRTUAL_DISK_FLAG_NO_BLOCK_MOVES: do not move blocks to fill holes. */
  noBlockMoves?: boolean | undefined;
}

export interface CompactVirtualDiskOptions extends CompactOptions {
  storageType?: StorageType | undefined;
}

export interface ResizeOptions extends LongOperationOptions {
  /** RESIZE_VIRTUAL_DISK_FLAG_RESIZE_TO_SMALLEST_SAFE_VIRTUAL_SIZE: shrink to the smallest size that keeps every partition (size must be 0). */
  toSmallestSafeSize?: boolean | undefined;
  /**
   * RESIZE_VIRTUAL_DISK_FLAG_ALLOW_UNSAFE_VIRTUAL_SIZE: shrink below the partitions' end. The documentation:
   * "If this flag is set, the virtual disk may be shrunk to a size smaller than the last partition, which
   * can cause unrecoverable data loss."
   */
  allowUnsafeVirtualSize?: boolean | undefined;
}

export interface MergeOptions extends LongOperationOptions {
  /** How many parent levels to merge the data into (default 1: into the direct parent). */
  depth?: number | undefined;
  /** MERGE_VIRTUAL_DISK_VERSION_2: the depth to merge from (the leaf is 1)… */
  sourceDepth?: number | undefined;
  /** …and the depth to merge into. */
  targetDepth?: number | undefined;
}

/** What Windows tells of an image: plain data, JSON-serializable. A field Windows refuses for this disk or build is left out. */
export interface VirtualDiskInfo {
  path: string;
  storageType: StorageType;
  /** ProviderSubtype 2, 3 or 4. */
  subtype?: 'fixed' | 'dynamic' | 'differencing';
  /** Bytes. */
  virtualSize?: number;
  /** Bytes the image file takes. */
  physicalSize?: number;
  /** Bytes (0 for a fixed disk). */
  blockSize?: number;
  logicalSectorSize?: number;
  physicalSectorSize?: number;
  /** Lower-case GUID without braces. */
  identifier?: string;
  virtualDiskId?: string;
  /** For a differencing disk: where it looks for its parent, and what it expects to find. */
  parent?: {
    /** The parent's path when resolved; otherwise every path Windows tried. */
    paths: string[];
    resolved: boolean;
    identifier?: string;
    timestamp?: number;
  };
  /** Bytes: the smallest size resize() may shrink to safely. */
  smallestSafeVirtualSize?: number;
  fragmentationPercentage?: number;
  is4kAligned?: boolean;
  isLoaded?: boolean;
  changeTracking?: { enabled: boolean; newerChanges: boolean; mostRecentId: string };
}

export type * from './volumes.ts';
export type * from './partitions.ts';
export type * from './provision.ts';
export type * from './format.ts';
