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

export type * from './volumes.ts';
