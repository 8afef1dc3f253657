/*
 * virtdisk.h subset for the simulator, written from the CURRENT Windows SDK layouts
 * (SDK 10.0.22000 um/virtdisk.h, see /work/shared/reference/virtdisk-layouts-x64.md and
 * virtdisk-layouts-x64-full.txt, whose offsets the _Static_asserts at the end pin).
 * mingw-w64's own <virtdisk.h> is a Windows 7 subset with outdated layouts and must not be included.
 */
#ifndef SIM_VIRTDISK_SDK_H
#define SIM_VIRTDISK_SDK_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
/* mingw-w64's <windows.h> includes its outdated <virtdisk.h> unconditionally: claim its include guard
   so that only the definitions below exist. */
#ifndef _INC_VIRTDISK
#define _INC_VIRTDISK
#endif
#include <windows.h>
#include <stddef.h>

/* VIRTUAL_STORAGE_TYPE.DeviceId */
#define VIRTUAL_STORAGE_TYPE_DEVICE_UNKNOWN 0
#define VIRTUAL_STORAGE_TYPE_DEVICE_ISO     1
#define VIRTUAL_STORAGE_TYPE_DEVICE_VHD     2
#define VIRTUAL_STORAGE_TYPE_DEVICE_VHDX    3
#define VIRTUAL_STORAGE_TYPE_DEVICE_VHDSET  4

/* VIRTUAL_DISK_ACCESS_MASK */
#define VIRTUAL_DISK_ACCESS_NONE      0x00000000u
#define VIRTUAL_DISK_ACCESS_ATTACH_RO 0x00010000u
#define VIRTUAL_DISK_ACCESS_ATTACH_RW 0x00020000u
#define VIRTUAL_DISK_ACCESS_DETACH    0x00040000u
#define VIRTUAL_DISK_ACCESS_GET_INFO  0x00080000u
#define VIRTUAL_DISK_ACCESS_CREATE    0x00100000u
#define VIRTUAL_DISK_ACCESS_METAOPS   0x00200000u
#define VIRTUAL_DISK_ACCESS_READ      0x000d0000u
#define VIRTUAL_DISK_ACCESS_ALL       0x003f0000u

/* OPEN_VIRTUAL_DISK_VERSION */
#define OPEN_VIRTUAL_DISK_VERSION_1 1
#define OPEN_VIRTUAL_DISK_VERSION_2 2
#define OPEN_VIRTUAL_DISK_VERSION_3 3

/* ATTACH_VIRTUAL_DISK_VERSION */
#define ATTACH_VIRTUAL_DISK_VERSION_1 1
#define ATTACH_VIRTUAL_DISK_VERSION_2 2

/* ATTACH_VIRTUAL_DISK_FLAG (AT_BOOT = 0x400 is newer than SDK 10.0.22000) */
#define ATTACH_VIRTUAL_DISK_FLAG_NONE                             0x000u
#define ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY                        0x001u
#define ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER                  0x002u
#define ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME               0x004u
#define ATTACH_VIRTUAL_DISK_FLAG_NO_LOCAL_HOST                    0x008u
#define ATTACH_VIRTUAL_DISK_FLAG_NO_SECURITY_DESCRIPTOR           0x010u
#define ATTACH_VIRTUAL_DISK_FLAG_BYPASS_DEFAULT_ENCRYPTION_POLICY 0x020u
#define ATTACH_VIRTUAL_DISK_FLAG_NON_PNP                          0x040u
#define ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE                 0x080u
#define ATTACH_VIRTUAL_DISK_FLAG_SINGLE_PARTITION                 0x100u
#define ATTACH_VIRTUAL_DISK_FLAG_REGISTER_VOLUME                  0x200u
#define ATTACH_VIRTUAL_DISK_FLAG_AT_BOOT                          0x400u
#define ATTACH_VIRTUAL_DISK_FLAG_ALL_KNOWN                        0x7FFu

#define DETACH_VIRTUAL_DISK_FLAG_NONE 0u

/* Error codes (winerror.h); the virtdisk one is defined here to avoid depending on mingw's spelling. */
#define SIM_ERROR_VIRTDISK_PROVIDER_NOT_FOUND ((DWORD)0xC03A0014u)

typedef struct _VIRTUAL_STORAGE_TYPE {
    ULONG DeviceId;
    GUID VendorId;
} VIRTUAL_STORAGE_TYPE, *PVIRTUAL_STORAGE_TYPE;

typedef struct _OPEN_VIRTUAL_DISK_PARAMETERS {
    DWORD Version; /* OPEN_VIRTUAL_DISK_VERSION */
    union {
        struct {
            ULONG RWDepth;
        } Version1;
        struct {
            BOOL GetInfoOnly;
            BOOL ReadOnly;
            GUID ResiliencyGuid;
        } Version2;
        struct {
            BOOL GetInfoOnly;
            BOOL ReadOnly;
            GUID ResiliencyGuid;
            GUID SnapshotId;
        } Version3;
    };
} OPEN_VIRTUAL_DISK_PARAMETERS, *POPEN_VIRTUAL_DISK_PARAMETERS;

typedef struct _ATTACH_VIRTUAL_DISK_PARAMETERS {
    DWORD Version; /* ATTACH_VIRTUAL_DISK_VERSION */
    union {
        struct {
            ULONG Reserved;
        } Version1;
        struct {
            ULONGLONG RestrictedOffset;
            ULONGLONG RestrictedLength;
        } Version2;
    };
} ATTACH_VIRTUAL_DISK_PARAMETERS, *PATTACH_VIRTUAL_DISK_PARAMETERS;

/* CREATE_VIRTUAL_DISK_VERSION, CREATE_VIRTUAL_DISK_FLAG */
#define CREATE_VIRTUAL_DISK_VERSION_1 1
#define CREATE_VIRTUAL_DISK_VERSION_2 2
#define CREATE_VIRTUAL_DISK_VERSION_3 3
#define CREATE_VIRTUAL_DISK_VERSION_4 4
#define CREATE_VIRTUAL_DISK_FLAG_NONE                     0x000u
#define CREATE_VIRTUAL_DISK_FLAG_FULL_PHYSICAL_ALLOCATION 0x001u
#define CREATE_VIRTUAL_DISK_FLAG_ALL_KNOWN                0x7FFu /* 0x001 ... 0x400 */

/* GET_VIRTUAL_DISK_INFO_VERSION */
#define GET_VIRTUAL_DISK_INFO_SIZE                       1
#define GET_VIRTUAL_DISK_INFO_IDENTIFIER                 2
#define GET_VIRTUAL_DISK_INFO_PARENT_LOCATION            3
#define GET_VIRTUAL_DISK_INFO_PARENT_IDENTIFIER          4
#define GET_VIRTUAL_DISK_INFO_PARENT_TIMESTAMP           5
#define GET_VIRTUAL_DISK_INFO_VIRTUAL_STORAGE_TYPE       6
#define GET_VIRTUAL_DISK_INFO_PROVIDER_SUBTYPE           7
#define GET_VIRTUAL_DISK_INFO_IS_4K_ALIGNED              8
#define GET_VIRTUAL_DISK_INFO_PHYSICAL_DISK              9
#define GET_VIRTUAL_DISK_INFO_VHD_PHYSICAL_SECTOR_SIZE   10
#define GET_VIRTUAL_DISK_INFO_SMALLEST_SAFE_VIRTUAL_SIZE 11
#define GET_VIRTUAL_DISK_INFO_FRAGMENTATION              12
#define GET_VIRTUAL_DISK_INFO_IS_LOADED                  13
#define GET_VIRTUAL_DISK_INFO_VIRTUAL_DISK_ID            14
#define GET_VIRTUAL_DISK_INFO_CHANGE_TRACKING_STATE      15

/* SET_VIRTUAL_DISK_INFO_VERSION */
#define SET_VIRTUAL_DISK_INFO_PARENT_PATH            1
#define SET_VIRTUAL_DISK_INFO_IDENTIFIER             2
#define SET_VIRTUAL_DISK_INFO_PARENT_PATH_WITH_DEPTH 3
#define SET_VIRTUAL_DISK_INFO_PHYSICAL_SECTOR_SIZE   4
#define SET_VIRTUAL_DISK_INFO_VIRTUAL_DISK_ID        5
#define SET_VIRTUAL_DISK_INFO_CHANGE_TRACKING_STATE  6
#define SET_VIRTUAL_DISK_INFO_PARENT_LOCATOR         7

#define EXPAND_VIRTUAL_DISK_VERSION_1                                 1
#define EXPAND_VIRTUAL_DISK_FLAG_NOTIFY_CHANGE                        0x1u
#define RESIZE_VIRTUAL_DISK_VERSION_1                                 1
#define RESIZE_VIRTUAL_DISK_FLAG_ALLOW_UNSAFE_VIRTUAL_SIZE            0x1u
#define RESIZE_VIRTUAL_DISK_FLAG_RESIZE_TO_SMALLEST_SAFE_VIRTUAL_SIZE 0x2u
#define COMPACT_VIRTUAL_DISK_VERSION_1                                1
#define COMPACT_VIRTUAL_DISK_FLAG_NO_ZERO_SCAN                        0x1u
#define COMPACT_VIRTUAL_DISK_FLAG_NO_BLOCK_MOVES                      0x2u
#define MERGE_VIRTUAL_DISK_VERSION_1                                  1
#define MERGE_VIRTUAL_DISK_VERSION_2                                  2
#define MERGE_VIRTUAL_DISK_FLAG_NONE                                  0x0u

/* GET_VIRTUAL_DISK_INFO.ProviderSubtype */
#define SIM_SUBTYPE_FIXED        2
#define SIM_SUBTYPE_DYNAMIC      3
#define SIM_SUBTYPE_DIFFERENCING 4

/* winerror.h values of the VHD facility the simulator returns (spelled here, not taken from mingw). */
#define SIM_ERROR_VHD_PARENT_VHD_NOT_FOUND                     ((DWORD)0xC03A000Du)
#define SIM_ERROR_VHD_DIFFERENCING_CHAIN_CYCLE_DETECTED        ((DWORD)0xC03A0018u)
#define SIM_ERROR_VHD_INVALID_TYPE                             ((DWORD)0xC03A001Bu)
#define SIM_ERROR_VHD_INVALID_STATE                            ((DWORD)0xC03A001Cu)
#define SIM_ERROR_VHD_RESIZE_WOULD_TRUNCATE_DATA               ((DWORD)0xC03A0025u)
#define SIM_ERROR_VHD_ALREADY_AT_OR_BELOW_MINIMUM_VIRTUAL_SIZE ((DWORD)0xC03A0027u)

/* The Version 2 body is repeated in 3 and 4 (the header spells each out in full). */
#define SIM_CREATE_V2_MEMBERS                                                                                  \
    GUID UniqueId;                                                                                             \
    ULONGLONG MaximumSize;                                                                                     \
    ULONG BlockSizeInBytes;                                                                                    \
    ULONG SectorSizeInBytes;                                                                                   \
    ULONG PhysicalSectorSizeInBytes;                                                                           \
    PCWSTR ParentPath;                                                                                         \
    PCWSTR SourcePath;                                                                                         \
    DWORD OpenFlags; /* OPEN_VIRTUAL_DISK_FLAG */                                                              \
    VIRTUAL_STORAGE_TYPE ParentVirtualStorageType;                                                             \
    VIRTUAL_STORAGE_TYPE SourceVirtualStorageType;                                                             \
    GUID ResiliencyGuid;

typedef struct _CREATE_VIRTUAL_DISK_PARAMETERS {
    DWORD Version; /* CREATE_VIRTUAL_DISK_VERSION */
    union {
        struct {
            GUID UniqueId;
            ULONGLONG MaximumSize;
            ULONG BlockSizeInBytes;
            ULONG SectorSizeInBytes;
            PCWSTR ParentPath;
            PCWSTR SourcePath;
        } Version1;
        struct {
            SIM_CREATE_V2_MEMBERS
        } Version2;
        struct {
            SIM_CREATE_V2_MEMBERS
            PCWSTR SourceLimitPath;
            VIRTUAL_STORAGE_TYPE BackingStorageType;
        } Version3;
        struct {
            SIM_CREATE_V2_MEMBERS
            PCWSTR SourceLimitPath;
            VIRTUAL_STORAGE_TYPE BackingStorageType;
            GUID PmemAddressAbstractionType;
            ULONGLONG DataAlignment;
        } Version4;
    };
} CREATE_VIRTUAL_DISK_PARAMETERS, *PCREATE_VIRTUAL_DISK_PARAMETERS;

/* Bytes of CREATE_VIRTUAL_DISK_PARAMETERS that each version's members span (end of its last member). */
#define SIM_CREATE_V1_BYTES 56
#define SIM_CREATE_V2_BYTES 124
#define SIM_CREATE_V3_BYTES 156
#define SIM_CREATE_V4_BYTES 184

typedef struct _GET_VIRTUAL_DISK_INFO {
    DWORD Version; /* GET_VIRTUAL_DISK_INFO_VERSION */
    union {
        struct {
            ULONGLONG VirtualSize;
            ULONGLONG PhysicalSize;
            ULONG BlockSize;
            ULONG SectorSize;
        } Size;
        GUID Identifier;
        struct {
            BOOL ParentResolved;
            WCHAR ParentLocationBuffer[1]; /* variable length: see the size protocol */
        } ParentLocation;
        GUID ParentIdentifier;
        ULONG ParentTimestamp;
        VIRTUAL_STORAGE_TYPE VirtualStorageType;
        ULONG ProviderSubtype;
        BOOL Is4kAligned;
        BOOL IsLoaded;
        struct {
            ULONG LogicalSectorSize;
            ULONG PhysicalSectorSize;
            BOOL IsRemote;
        } PhysicalDisk;
        ULONG VhdPhysicalSectorSize;
        ULONGLONG SmallestSafeVirtualSize;
        ULONG FragmentationPercentage;
        GUID VirtualDiskId;
        struct {
            BOOL Enabled;
            BOOL NewerChanges;
            WCHAR MostRecentId[1]; /* variable length */
        } ChangeTrackingState;
    };
} GET_VIRTUAL_DISK_INFO, *PGET_VIRTUAL_DISK_INFO;

typedef struct _SET_VIRTUAL_DISK_INFO {
    DWORD Version; /* SET_VIRTUAL_DISK_INFO_VERSION */
    union {
        PCWSTR ParentFilePath;
        GUID UniqueIdentifier;
        struct {
            ULONG ChildDepth;
            PCWSTR ParentFilePath;
        } ParentPathWithDepthInfo;
        ULONG VhdPhysicalSectorSize;
        GUID VirtualDiskId;
        BOOL ChangeTrackingEnabled;
        struct {
            GUID LinkageId;
            PCWSTR ParentFilePath;
        } ParentLocator;
    };
} SET_VIRTUAL_DISK_INFO, *PSET_VIRTUAL_DISK_INFO;

typedef struct _VIRTUAL_DISK_PROGRESS {
    DWORD OperationStatus;
    ULONGLONG CurrentValue;
    ULONGLONG CompletionValue;
} VIRTUAL_DISK_PROGRESS, *PVIRTUAL_DISK_PROGRESS;

typedef struct _EXPAND_VIRTUAL_DISK_PARAMETERS {
    DWORD Version; /* EXPAND_VIRTUAL_DISK_VERSION */
    union {
        struct {
            ULONGLONG NewSize;
        } Version1;
    };
} EXPAND_VIRTUAL_DISK_PARAMETERS, *PEXPAND_VIRTUAL_DISK_PARAMETERS;

typedef struct _RESIZE_VIRTUAL_DISK_PARAMETERS {
    DWORD Version; /* RESIZE_VIRTUAL_DISK_VERSION */
    union {
        struct {
            ULONGLONG NewSize;
        } Version1;
    };
} RESIZE_VIRTUAL_DISK_PARAMETERS, *PRESIZE_VIRTUAL_DISK_PARAMETERS;

typedef struct _COMPACT_VIRTUAL_DISK_PARAMETERS {
    DWORD Version; /* COMPACT_VIRTUAL_DISK_VERSION */
    union {
        struct {
            ULONG Reserved;
        } Version1;
    };
} COMPACT_VIRTUAL_DISK_PARAMETERS, *PCOMPACT_VIRTUAL_DISK_PARAMETERS;

typedef struct _MERGE_VIRTUAL_DISK_PARAMETERS {
    DWORD Version; /* MERGE_VIRTUAL_DISK_VERSION */
    union {
        struct {
            ULONG MergeDepth;
        } Version1;
        struct {
            ULONG MergeSourceDepth;
            ULONG MergeTargetDepth;
        } Version2;
    };
} MERGE_VIRTUAL_DISK_PARAMETERS, *PMERGE_VIRTUAL_DISK_PARAMETERS;

/* Layout checks against the SDK (x64). */
_Static_assert(sizeof(VIRTUAL_STORAGE_TYPE) == 20, "VIRTUAL_STORAGE_TYPE size");
_Static_assert(offsetof(VIRTUAL_STORAGE_TYPE, VendorId) == 4, "VIRTUAL_STORAGE_TYPE.VendorId");

_Static_assert(sizeof(OPEN_VIRTUAL_DISK_PARAMETERS) == 44, "OPEN_VIRTUAL_DISK_PARAMETERS size");
_Static_assert(offsetof(OPEN_VIRTUAL_DISK_PARAMETERS, Version1) == 4, "OPEN union at 4");
_Static_assert(offsetof(OPEN_VIRTUAL_DISK_PARAMETERS, Version1.RWDepth) == 4, "OPEN v1 RWDepth");
_Static_assert(offsetof(OPEN_VIRTUAL_DISK_PARAMETERS, Version2.GetInfoOnly) == 4, "OPEN v2 GetInfoOnly");
_Static_assert(offsetof(OPEN_VIRTUAL_DISK_PARAMETERS, Version2.ReadOnly) == 8, "OPEN v2 ReadOnly");
_Static_assert(offsetof(OPEN_VIRTUAL_DISK_PARAMETERS, Version2.ResiliencyGuid) == 12, "OPEN v2 ResiliencyGuid");
_Static_assert(offsetof(OPEN_VIRTUAL_DISK_PARAMETERS, Version3.SnapshotId) == 28, "OPEN v3 SnapshotId");

_Static_assert(sizeof(ATTACH_VIRTUAL_DISK_PARAMETERS) == 24, "ATTACH_VIRTUAL_DISK_PARAMETERS size");
_Static_assert(_Alignof(ATTACH_VIRTUAL_DISK_PARAMETERS) == 8, "ATTACH align");
_Static_assert(offsetof(ATTACH_VIRTUAL_DISK_PARAMETERS, Version1) == 8, "ATTACH union at 8");
_Static_assert(offsetof(ATTACH_VIRTUAL_DISK_PARAMETERS, Version1.Reserved) == 8, "ATTACH v1 Reserved");
_Static_assert(offsetof(ATTACH_VIRTUAL_DISK_PARAMETERS, Version2.RestrictedOffset) == 8, "ATTACH v2 RestrictedOffset");
_Static_assert(offsetof(ATTACH_VIRTUAL_DISK_PARAMETERS, Version2.RestrictedLength) == 16, "ATTACH v2 RestrictedLength");

/* virtdisk-layouts-x64-full.txt: CREATE / GET / SET / PROGRESS / EXPAND / RESIZE / COMPACT / MERGE / OVERLAPPED */
#define SIM_AT(type, member, off) _Static_assert(offsetof(type, member) == (off), #type "." #member " @" #off)
_Static_assert(sizeof(CREATE_VIRTUAL_DISK_PARAMETERS) == 184, "CREATE_VIRTUAL_DISK_PARAMETERS size");
_Static_assert(_Alignof(CREATE_VIRTUAL_DISK_PARAMETERS) == 8, "CREATE_VIRTUAL_DISK_PARAMETERS align");
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version1.UniqueId, 8);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version1.MaximumSize, 24);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version1.BlockSizeInBytes, 32);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version1.SectorSizeInBytes, 36);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version1.ParentPath, 40);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version1.SourcePath, 48);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version2.UniqueId, 8);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version2.MaximumSize, 24);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version2.BlockSizeInBytes, 32);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version2.SectorSizeInBytes, 36);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version2.PhysicalSectorSizeInBytes, 40);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version2.ParentPath, 48);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version2.SourcePath, 56);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version2.OpenFlags, 64);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version2.ParentVirtualStorageType, 68);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version2.SourceVirtualStorageType, 88);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version2.ResiliencyGuid, 108);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version3.UniqueId, 8);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version3.ParentPath, 48);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version3.ResiliencyGuid, 108);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version3.SourceLimitPath, 128);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version3.BackingStorageType, 136);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version4.UniqueId, 8);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version4.ResiliencyGuid, 108);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version4.SourceLimitPath, 128);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version4.BackingStorageType, 136);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version4.PmemAddressAbstractionType, 156);
SIM_AT(CREATE_VIRTUAL_DISK_PARAMETERS, Version4.DataAlignment, 176);
_Static_assert(offsetof(CREATE_VIRTUAL_DISK_PARAMETERS, Version1.SourcePath) + 8 == SIM_CREATE_V1_BYTES, "CREATE v1 end");
_Static_assert(offsetof(CREATE_VIRTUAL_DISK_PARAMETERS, Version2.ResiliencyGuid) + 16 == SIM_CREATE_V2_BYTES, "CREATE v2 end");
_Static_assert(offsetof(CREATE_VIRTUAL_DISK_PARAMETERS, Version3.BackingStorageType) + 20 == SIM_CREATE_V3_BYTES, "CREATE v3 end");
_Static_assert(offsetof(CREATE_VIRTUAL_DISK_PARAMETERS, Version4.DataAlignment) + 8 == SIM_CREATE_V4_BYTES, "CREATE v4 end");

_Static_assert(sizeof(GET_VIRTUAL_DISK_INFO) == 32, "GET_VIRTUAL_DISK_INFO size");
_Static_assert(_Alignof(GET_VIRTUAL_DISK_INFO) == 8, "GET_VIRTUAL_DISK_INFO align");
SIM_AT(GET_VIRTUAL_DISK_INFO, Size.VirtualSize, 8);
SIM_AT(GET_VIRTUAL_DISK_INFO, Size.PhysicalSize, 16);
SIM_AT(GET_VIRTUAL_DISK_INFO, Size.BlockSize, 24);
SIM_AT(GET_VIRTUAL_DISK_INFO, Size.SectorSize, 28);
SIM_AT(GET_VIRTUAL_DISK_INFO, Identifier, 8);
SIM_AT(GET_VIRTUAL_DISK_INFO, ParentLocation.ParentResolved, 8);
SIM_AT(GET_VIRTUAL_DISK_INFO, ParentLocation.ParentLocationBuffer, 12);
SIM_AT(GET_VIRTUAL_DISK_INFO, ParentIdentifier, 8);
SIM_AT(GET_VIRTUAL_DISK_INFO, ParentTimestamp, 8);
SIM_AT(GET_VIRTUAL_DISK_INFO, VirtualStorageType.DeviceId, 8);
SIM_AT(GET_VIRTUAL_DISK_INFO, VirtualStorageType.VendorId, 12);
SIM_AT(GET_VIRTUAL_DISK_INFO, ProviderSubtype, 8);
SIM_AT(GET_VIRTUAL_DISK_INFO, Is4kAligned, 8);
SIM_AT(GET_VIRTUAL_DISK_INFO, IsLoaded, 8);
SIM_AT(GET_VIRTUAL_DISK_INFO, PhysicalDisk.LogicalSectorSize, 8);
SIM_AT(GET_VIRTUAL_DISK_INFO, PhysicalDisk.PhysicalSectorSize, 12);
SIM_AT(GET_VIRTUAL_DISK_INFO, PhysicalDisk.IsRemote, 16);
SIM_AT(GET_VIRTUAL_DISK_INFO, VhdPhysicalSectorSize, 8);
SIM_AT(GET_VIRTUAL_DISK_INFO, SmallestSafeVirtualSize, 8);
SIM_AT(GET_VIRTUAL_DISK_INFO, FragmentationPercentage, 8);
SIM_AT(GET_VIRTUAL_DISK_INFO, VirtualDiskId, 8);
SIM_AT(GET_VIRTUAL_DISK_INFO, ChangeTrackingState.Enabled, 8);
SIM_AT(GET_VIRTUAL_DISK_INFO, ChangeTrackingState.NewerChanges, 12);
SIM_AT(GET_VIRTUAL_DISK_INFO, ChangeTrackingState.MostRecentId, 16);

_Static_assert(sizeof(SET_VIRTUAL_DISK_INFO) == 32, "SET_VIRTUAL_DISK_INFO size");
_Static_assert(_Alignof(SET_VIRTUAL_DISK_INFO) == 8, "SET_VIRTUAL_DISK_INFO align");
SIM_AT(SET_VIRTUAL_DISK_INFO, ParentFilePath, 8);
SIM_AT(SET_VIRTUAL_DISK_INFO, UniqueIdentifier, 8);
SIM_AT(SET_VIRTUAL_DISK_INFO, ParentPathWithDepthInfo.ChildDepth, 8);
SIM_AT(SET_VIRTUAL_DISK_INFO, ParentPathWithDepthInfo.ParentFilePath, 16);
SIM_AT(SET_VIRTUAL_DISK_INFO, VhdPhysicalSectorSize, 8);
SIM_AT(SET_VIRTUAL_DISK_INFO, VirtualDiskId, 8);
SIM_AT(SET_VIRTUAL_DISK_INFO, ChangeTrackingEnabled, 8);
SIM_AT(SET_VIRTUAL_DISK_INFO, ParentLocator.LinkageId, 8);
SIM_AT(SET_VIRTUAL_DISK_INFO, ParentLocator.ParentFilePath, 24);

_Static_assert(sizeof(VIRTUAL_DISK_PROGRESS) == 24, "VIRTUAL_DISK_PROGRESS size");
SIM_AT(VIRTUAL_DISK_PROGRESS, OperationStatus, 0);
SIM_AT(VIRTUAL_DISK_PROGRESS, CurrentValue, 8);
SIM_AT(VIRTUAL_DISK_PROGRESS, CompletionValue, 16);

_Static_assert(sizeof(EXPAND_VIRTUAL_DISK_PARAMETERS) == 16, "EXPAND_VIRTUAL_DISK_PARAMETERS size");
SIM_AT(EXPAND_VIRTUAL_DISK_PARAMETERS, Version1.NewSize, 8);
_Static_assert(sizeof(RESIZE_VIRTUAL_DISK_PARAMETERS) == 16, "RESIZE_VIRTUAL_DISK_PARAMETERS size");
SIM_AT(RESIZE_VIRTUAL_DISK_PARAMETERS, Version1.NewSize, 8);
_Static_assert(sizeof(COMPACT_VIRTUAL_DISK_PARAMETERS) == 8, "COMPACT_VIRTUAL_DISK_PARAMETERS size");
_Static_assert(_Alignof(COMPACT_VIRTUAL_DISK_PARAMETERS) == 4, "COMPACT_VIRTUAL_DISK_PARAMETERS align");
SIM_AT(COMPACT_VIRTUAL_DISK_PARAMETERS, Version1.Reserved, 4);
_Static_assert(sizeof(MERGE_VIRTUAL_DISK_PARAMETERS) == 12, "MERGE_VIRTUAL_DISK_PARAMETERS size");
_Static_assert(_Alignof(MERGE_VIRTUAL_DISK_PARAMETERS) == 4, "MERGE_VIRTUAL_DISK_PARAMETERS align");
SIM_AT(MERGE_VIRTUAL_DISK_PARAMETERS, Version1.MergeDepth, 4);
SIM_AT(MERGE_VIRTUAL_DISK_PARAMETERS, Version2.MergeSourceDepth, 4);
SIM_AT(MERGE_VIRTUAL_DISK_PARAMETERS, Version2.MergeTargetDepth, 8);

_Static_assert(sizeof(OVERLAPPED) == 32, "OVERLAPPED size");
SIM_AT(OVERLAPPED, Internal, 0);
SIM_AT(OVERLAPPED, InternalHigh, 8);
SIM_AT(OVERLAPPED, Offset, 16);
SIM_AT(OVERLAPPED, hEvent, 24);
#undef SIM_AT

#endif
