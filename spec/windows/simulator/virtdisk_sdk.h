/*
 * virtdisk.h subset for the simulator, written from the CURRENT Windows SDK layouts
 * (SDK 10.0.22000 um/virtdisk.h, see /work/shared/reference/virtdisk-layouts-x64.md).
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

#endif
