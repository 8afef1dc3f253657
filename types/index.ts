// Public types of the promise API (lib/) and the SDK constants.
export * from './constants.ts';

/** The kinds of image virtdisk.dll attaches; from the file extension unless given. */
export type StorageType = 'iso' | 'vhd' | 'vhdx' | 'vhdset';

export interface CallOptions {
  /** Checked before each native call starts; a call already in Windows runs to its end. */
  signal?: AbortSignal;
}

/** The Windows build the rules are checked against; defaults to the running one (os.release()). */
export interface BuildOption {
  windowsBuild?: number;
}

export interface OpenOptions extends CallOptions, BuildOption {
  /** Open read-only: the disk can then only be attached read-only. ISO images are always read-only. */
  readOnly?: boolean;
  /** Overrides the type taken from the extension (.iso, .vhd, .vhdx, .vhds). */
  storageType?: StorageType;
}

export interface RestrictedRange {
  /** Byte offset of the first byte the attached disk shows. */
  offset: bigint;
  /** Number of bytes the attached disk shows. */
  length: bigint;
}

/** One named boolean per documented ATTACH_VIRTUAL_DISK_FLAG. */
export interface AttachOptions extends CallOptions, BuildOption {
  /** ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY. ISO images attach read-only when this is not given. */
  readOnly?: boolean;
  /** ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER: mount the volumes without drive letters. */
  noDriveLetter?: boolean;
  /** ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME: stay attached after close() and process exit. */
  permanent?: boolean;
  /** ATTACH_VIRTUAL_DISK_FLAG_NO_LOCAL_HOST: reserved by Windows; not for ISO images. */
  noLocalHost?: boolean;
  /** ATTACH_VIRTUAL_DISK_FLAG_NO_SECURITY_DESCRIPTOR: use the system default descriptor. */
  noSecurityDescriptor?: boolean;
  /** ATTACH_VIRTUAL_DISK_FLAG_BYPASS_DEFAULT_ENCRYPTION_POLICY. */
  bypassDefaultEncryptionPolicy?: boolean;
  /** ATTACH_VIRTUAL_DISK_FLAG_NON_PNP: attach as a non-PnP device. */
  nonPnp?: boolean;
  /** ATTACH_VIRTUAL_DISK_FLAG_SINGLE_PARTITION: show only the unique data partition. */
  singlePartition?: boolean;
  /** ATTACH_VIRTUAL_DISK_FLAG_REGISTER_VOLUME: register the non-PnP disk's volume with the mount manager. */
  registerVolume?: boolean;
  /** ATTACH_VIRTUAL_DISK_FLAG_AT_BOOT: attach again at every boot. */
  atBoot?: boolean;
  /** ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE with version 2 parameters. */
  restrictedRange?: RestrictedRange;
  /** An SDDL string, e.g. 'O:BAG:BAD:(A;;GA;;;WD)', applied to the attached disk. */
  securityDescriptor?: string;
  /** Passed through as ProviderSpecificFlags (a 32-bit unsigned integer). */
  providerSpecificFlags?: number;
}

export type AttachVirtualDiskOptions = OpenOptions & AttachOptions;

export interface DetachOptions extends CallOptions, BuildOption {
  storageType?: StorageType;
}
