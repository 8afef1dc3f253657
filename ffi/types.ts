// Struct layouts of the current Windows SDK (um/virtdisk.h, 10.0.22000). The SDK's unions are anonymous;
// here they are the member `u`, so `{ Version: 2, u: { Version2: { ... } } }` fills one.
// Types are declared anonymous on purpose: koffi's type names are global to the process, and two copies of
// this package (or a user's own GUID) must not collide.
import koffi from 'koffi';

export const HANDLE = koffi.pointer('void');
export const PSECURITY_DESCRIPTOR = koffi.pointer('void');

export const GUID = koffi.struct({
  Data1: 'uint32',
  Data2: 'uint16',
  Data3: 'uint16',
  Data4: koffi.array('uint8', 8),
});

export const VIRTUAL_STORAGE_TYPE = koffi.struct({
  DeviceId: 'uint32',
  VendorId: GUID,
});

export const OPEN_VIRTUAL_DISK_PARAMETERS_VERSION1 = koffi.struct({
  RWDepth: 'uint32',
});
export const OPEN_VIRTUAL_DISK_PARAMETERS_VERSION2 = koffi.struct({
  GetInfoOnly: 'int32', // BOOL
  ReadOnly: 'int32', // BOOL
  ResiliencyGuid: GUID,
});
export const OPEN_VIRTUAL_DISK_PARAMETERS_VERSION3 = koffi.struct({
  GetInfoOnly: 'int32',
  ReadOnly: 'int32',
  ResiliencyGuid: GUID,
  SnapshotId: GUID,
});
export const OPEN_VIRTUAL_DISK_PARAMETERS = koffi.struct({
  Version: 'uint32',
  u: koffi.union({
    Version1: OPEN_VIRTUAL_DISK_PARAMETERS_VERSION1,
    Version2: OPEN_VIRTUAL_DISK_PARAMETERS_VERSION2,
    Version3: OPEN_VIRTUAL_DISK_PARAMETERS_VERSION3,
  }),
});

export const ATTACH_VIRTUAL_DISK_PARAMETERS_VERSION1 = koffi.struct({
  Reserved: 'uint32',
});
export const ATTACH_VIRTUAL_DISK_PARAMETERS_VERSION2 = koffi.struct({
  RestrictedOffset: 'uint64',
  RestrictedLength: 'uint64',
});
export const ATTACH_VIRTUAL_DISK_PARAMETERS = koffi.struct({
  Version: 'uint32',
  u: koffi.union({
    Version1: ATTACH_VIRTUAL_DISK_PARAMETERS_VERSION1,
    Version2: ATTACH_VIRTUAL_DISK_PARAMETERS_VERSION2,
  }),
});

const CREATE_VIRTUAL_DISK_PARAMETERS_VERSION1 = koffi.struct({
  UniqueId: GUID,
  MaximumSize: 'uint64',
  BlockSizeInBytes: 'uint32',
  SectorSizeInBytes: 'uint32',
  ParentPath: 'const char16_t *',
  SourcePath: 'const char16_t *',
});
const CREATE_VIRTUAL_DISK_PARAMETERS_VERSION2 = koffi.struct({
  UniqueId: GUID,
  MaximumSize: 'uint64',
  BlockSizeInBytes: 'uint32',
  SectorSizeInBytes: 'uint32',
  PhysicalSectorSizeInBytes: 'uint32',
  ParentPath: 'const char16_t *',
  SourcePath: 'const char16_t *',
  OpenFlags: 'uint32',
  ParentVirtualStorageType: VIRTUAL_STORAGE_TYPE,
  SourceVirtualStorageType: VIRTUAL_STORAGE_TYPE,
  ResiliencyGuid: GUID,
});
const CREATE_VIRTUAL_DISK_PARAMETERS_VERSION3 = koffi.struct({
  UniqueId: GUID,
  MaximumSize: 'uint64',
  BlockSizeInBytes: 'uint32',
  SectorSizeInBytes: 'uint32',
  PhysicalSectorSizeInBytes: 'uint32',
  ParentPath: 'const char16_t *',
  SourcePath: 'const char16_t *',
  OpenFlags: 'uint32',
  ParentVirtualStorageType: VIRTUAL_STORAGE_TYPE,
  SourceVirtualStorageType: VIRTUAL_STORAGE_TYPE,
  ResiliencyGuid: GUID,
  SourceLimitPath: 'const char16_t *',
  BackingStorageType: VIRTUAL_STORAGE_TYPE,
});
const CREATE_VIRTUAL_DISK_PARAMETERS_VERSION4 = koffi.struct({
  UniqueId: GUID,
  MaximumSize: 'uint64',
  BlockSizeInBytes: 'uint32',
  SectorSizeInBytes: 'uint32',
  PhysicalSectorSizeInBytes: 'uint32',
  ParentPath: 'const char16_t *',
  SourcePath: 'const char16_t *',
  OpenFlags: 'uint32',
  ParentVirtualStorageType: VIRTUAL_STORAGE_TYPE,
  SourceVirtualStorageType: VIRTUAL_STORAGE_TYPE,
  ResiliencyGuid: GUID,
  SourceLimitPath: 'const char16_t *',
  BackingStorageType: VIRTUAL_STORAGE_TYPE,
  PmemAddressAbstractionType: GUID,
  DataAlignment: 'uint64',
});
export const CREATE_VIRTUAL_DISK_PARAMETERS = koffi.struct({
  Version: 'uint32',
  u: koffi.union({
    Version1: CREATE_VIRTUAL_DISK_PARAMETERS_VERSION1,
    Version2: CREATE_VIRTUAL_DISK_PARAMETERS_VERSION2,
    Version3: CREATE_VIRTUAL_DISK_PARAMETERS_VERSION3,
    Version4: CREATE_VIRTUAL_DISK_PARAMETERS_VERSION4,
  }),
});

export const GET_VIRTUAL_DISK_INFO = koffi.struct({
  Version: 'uint32',
  u: koffi.union({
    Size: koffi.struct({ VirtualSize: 'uint64', PhysicalSize: 'uint64', BlockSize: 'uint32', SectorSize: 'uint32' }),
    Identifier: GUID,
    ParentLocation: koffi.struct({ ParentResolved: 'int32', ParentLocationBuffer: koffi.array('char16_t', 1) }),
    ParentIdentifier: GUID,
    ParentTimestamp: 'uint32',
    VirtualStorageType: VIRTUAL_STORAGE_TYPE,
    ProviderSubtype: 'uint32',
    Is4kAligned: 'int32',
    IsLoaded: 'int32',
    PhysicalDisk: koffi.struct({ LogicalSectorSize: 'uint32', PhysicalSectorSize: 'uint32', IsRemote: 'int32' }),
    VhdPhysicalSectorSize: 'uint32',
    SmallestSafeVirtualSize: 'uint64',
    FragmentationPercentage: 'uint32',
    VirtualDiskId: GUID,
    ChangeTrackingState: koffi.struct({ Enabled: 'int32', NewerChanges: 'int32', MostRecentId: koffi.array('char16_t', 1) }),
  }),
});

export const SET_VIRTUAL_DISK_INFO = koffi.struct({
  Version: 'uint32',
  u: koffi.union({
    ParentFilePath: 'const char16_t *',
    UniqueIdentifier: GUID,
    ParentPathWithDepthInfo: koffi.struct({ ChildDepth: 'uint32', ParentFilePath: 'const char16_t *' }),
    VhdPhysicalSectorSize: 'uint32',
    VirtualDiskId: GUID,
    ChangeTrackingEnabled: 'int32',
    ParentLocator: koffi.struct({ LinkageId: GUID, ParentFilePath: 'const char16_t *' }),
  }),
});

export const VIRTUAL_DISK_PROGRESS = koffi.struct({
  OperationStatus: 'uint32',
  CurrentValue: 'uint64',
  CompletionValue: 'uint64',
});

export const EXPAND_VIRTUAL_DISK_PARAMETERS = koffi.struct({
  Version: 'uint32',
  u: koffi.union({ Version1: koffi.struct({ NewSize: 'uint64' }) }),
});

export const RESIZE_VIRTUAL_DISK_PARAMETERS = koffi.struct({
  Version: 'uint32',
  u: koffi.union({ Version1: koffi.struct({ NewSize: 'uint64' }) }),
});

export const COMPACT_VIRTUAL_DISK_PARAMETERS = koffi.struct({
  Version: 'uint32',
  u: koffi.union({ Version1: koffi.struct({ Reserved: 'uint32' }) }),
});

export const MERGE_VIRTUAL_DISK_PARAMETERS = koffi.struct({
  Version: 'uint32',
  u: koffi.union({
    Version1: koffi.struct({ MergeDepth: 'uint32' }),
    Version2: koffi.struct({ MergeSourceDepth: 'uint32', MergeTargetDepth: 'uint32' }),
  }),
});

// winnt.h: VOID (NTAPI *WAITORTIMERCALLBACK)(PVOID lpParameter, BOOLEAN TimerOrWaitFired)
// koffi names every prototype, process-wide: a second copy of this module (tsx loads one for import and one
// for require) or of the package takes the one already declared, which has the same signature.
const WAITORTIMERCALLBACK_NAME = 'virtdisk_WAITORTIMERCALLBACK';
export const WAITORTIMERCALLBACK = declaredType(WAITORTIMERCALLBACK_NAME) ?? koffi.proto('__stdcall', WAITORTIMERCALLBACK_NAME, 'void', ['void *', 'uint8']);

function declaredType(name: string): ReturnType<typeof koffi.type> | undefined {
  try {
    return koffi.type(name);
  } catch {
    return undefined;
  }
}

// minwinbase.h
export const OVERLAPPED = koffi.struct({
  Internal: 'uintptr_t',
  InternalHigh: 'uintptr_t',
  u: koffi.union({
    s: koffi.struct({ Offset: 'uint32', OffsetHigh: 'uint32' }),
    Pointer: 'void *',
  }),
  hEvent: HANDLE,
});

// JS shapes of the structs above, as koffi encodes them.
export interface GuidValue {
  Data1: number;
  Data2: number;
  Data3: number;
  Data4: readonly number[];
}
export interface VirtualStorageTypeValue {
  DeviceId: number;
  VendorId: GuidValue;
}
export type OpenVirtualDiskParametersValue =
  | { Version: 1; u: { Version1: { RWDepth: number } } }
  | { Version: 2; u: { Version2: { GetInfoOnly: number; ReadOnly: number; ResiliencyGuid: GuidValue } } }
  | { Version: 3; u: { Version3: { GetInfoOnly: number; ReadOnly: number; ResiliencyGuid: GuidValue; SnapshotId: GuidValue } } };
export type AttachVirtualDiskParametersValue =
  | { Version: 1; u: { Version1: { Reserved: number } } }
  | { Version: 2; u: { Version2: { RestrictedOffset: bigint; RestrictedLength: bigint } } };
export interface CreateVirtualDiskParametersVersion2Value {
  UniqueId: GuidValue;
  MaximumSize: bigint;
  BlockSizeInBytes: number;
  SectorSizeInBytes: number;
  PhysicalSectorSizeInBytes: number;
  /** A pointer to a NUL-terminated UTF-16 string in stable native memory, or null. */
  ParentPath: bigint | null;
  SourcePath: bigint | null;
  OpenFlags: number;
  ParentVirtualStorageType: VirtualStorageTypeValue;
  SourceVirtualStorageType: VirtualStorageTypeValue;
  ResiliencyGuid: GuidValue;
}
export type CreateVirtualDiskParametersValue = { Version: 2; u: { Version2: CreateVirtualDiskParametersVersion2Value } };
export type ResizeVirtualDiskParametersValue = { Version: 1; u: { Version1: { NewSize: bigint } } };
export type CompactVirtualDiskParametersValue = { Version: 1; u: { Version1: { Reserved: number } } };
export type MergeVirtualDiskParametersValue =
  | { Version: 1; u: { Version1: { MergeDepth: number } } }
  | { Version: 2; u: { Version2: { MergeSourceDepth: number; MergeTargetDepth: number } } };
export type SetVirtualDiskInfoValue =
  | { Version: 1; u: { ParentFilePath: string } }
  | { Version: 2; u: { UniqueIdentifier: GuidValue } }
  | { Version: 3; u: { ParentPathWithDepthInfo: { ChildDepth: number; ParentFilePath: string } } }
  | { Version: 4; u: { VhdPhysicalSectorSize: number } }
  | { Version: 5; u: { VirtualDiskId: GuidValue } };

// ——— GetStorageDependencyInformation ———
// STORAGE_DEPENDENCY_INFO ends in a union of two flexible arrays (Version1Entries[], Version2Entries[]): its
// sizeof is 8 and the entries start at offset 8 (the SDK's struct has alignment 8, from TYPE_2's pointers).
// The four PWSTR members of a TYPE_2 entry point into the same buffer (after the entries): they are kept
// here as raw addresses, and read by their offset from the start of that buffer.
export const STORAGE_DEPENDENCY_INFO_TYPE_1 = koffi.struct({
  DependencyTypeFlags: 'uint32', // DEPENDENT_DISK_FLAG
  ProviderSpecificFlags: 'uint32',
  VirtualStorageType: VIRTUAL_STORAGE_TYPE,
});
export const STORAGE_DEPENDENCY_INFO_TYPE_2 = koffi.struct({
  DependencyTypeFlags: 'uint32', // DEPENDENT_DISK_FLAG
  ProviderSpecificFlags: 'uint32',
  VirtualStorageType: VIRTUAL_STORAGE_TYPE,
  AncestorLevel: 'uint32',
  DependencyDeviceName: 'void *', // PWSTR
  HostVolumeName: 'void *', // PWSTR
  DependentVolumeName: 'void *', // PWSTR
  DependentVolumeRelativePath: 'void *', // PWSTR
});
/** The fixed part (Version, NumberEntries); the entries follow at STORAGE_DEPENDENCY_INFO_ENTRIES_OFFSET. */
export const STORAGE_DEPENDENCY_INFO = koffi.struct({
  Version: 'uint32', // STORAGE_DEPENDENCY_INFO_VERSION
  NumberEntries: 'uint32',
});
export const STORAGE_DEPENDENCY_INFO_ENTRIES_OFFSET = 8;

export interface StorageDependencyInfoType2Value {
  DependencyTypeFlags: number;
  ProviderSpecificFlags: number;
  VirtualStorageType: VirtualStorageTypeValue;
  AncestorLevel: number;
  DependencyDeviceName: bigint | null;
  HostVolumeName: bigint | null;
  DependentVolumeName: bigint | null;
  DependentVolumeRelativePath: bigint | null;
}
