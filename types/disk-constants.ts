// Constants of the Windows SDK (10.0.22000) for disks, partitions and their layout, with the SDK's own names:
// um/winioctl.h unless a line says otherwise (ntddisk.h, diskguid.h).

// ——— IOCTLs: CTL_CODE(IOCTL_DISK_BASE = FILE_DEVICE_DISK, function, METHOD_BUFFERED, access) ———
/** Function 0x0014, FILE_ANY_ACCESS: out DRIVE_LAYOUT_INFORMATION_EX (48 + 144·N bytes). */
export const IOCTL_DISK_GET_DRIVE_LAYOUT_EX = 0x00070050;
/** Function 0x0015, FILE_READ_ACCESS | FILE_WRITE_ACCESS: in DRIVE_LAYOUT_INFORMATION_EX. */
export const IOCTL_DISK_SET_DRIVE_LAYOUT_EX = 0x0007c054;
/** Function 0x0016, FILE_READ_ACCESS | FILE_WRITE_ACCESS: in CREATE_DISK (24 bytes). */
export const IOCTL_DISK_CREATE_DISK = 0x0007c058;
/** Function 0x0017, FILE_READ_ACCESS: out GET_LENGTH_INFORMATION (8 bytes). */
export const IOCTL_DISK_GET_LENGTH_INFO = 0x0007405c;
/** Function 0x0028, FILE_ANY_ACCESS: out DISK_GEOMETRY_EX (at least 32 bytes). */
export const IOCTL_DISK_GET_DRIVE_GEOMETRY_EX = 0x000700a0;
/** Function 0x003c, FILE_ANY_ACCESS: out GET_DISK_ATTRIBUTES (16 bytes). */
export const IOCTL_DISK_GET_DISK_ATTRIBUTES = 0x000700f0;
/** Function 0x003d, FILE_READ_ACCESS | FILE_WRITE_ACCESS: in SET_DISK_ATTRIBUTES (40 bytes). */
export const IOCTL_DISK_SET_DISK_ATTRIBUTES = 0x0007c0f4;
/** Function 0x0040, FILE_READ_ACCESS | FILE_WRITE_ACCESS: no buffers; the disk becomes RAW (no partition table). */
export const IOCTL_DISK_DELETE_DRIVE_LAYOUT = 0x0007c100;
/** Function 0x0050, FILE_ANY_ACCESS: no buffers; the partition manager reads the layout again. */
export const IOCTL_DISK_UPDATE_PROPERTIES = 0x00070140;
/** ntddisk.h, function 0x0087, FILE_READ_ACCESS: no buffers; completes once every volume of the disk is ready. */
export const IOCTL_DISK_ARE_VOLUMES_READY = 0x0007421c;

// ——— PARTITION_STYLE ———
export const PARTITION_STYLE_MBR = 0;
export const PARTITION_STYLE_GPT = 1;
export const PARTITION_STYLE_RAW = 2;

// ——— disk attributes (GET_DISK_ATTRIBUTES / SET_DISK_ATTRIBUTES) ———
export const DISK_ATTRIBUTE_OFFLINE = 0x1n;
export const DISK_ATTRIBUTE_READ_ONLY = 0x2n;

// ——— GPT partition attributes ———
export const GPT_ATTRIBUTE_PLATFORM_REQUIRED = 0x0000000000000001n;
export const GPT_BASIC_DATA_ATTRIBUTE_NO_DRIVE_LETTER = 0x8000000000000000n;
export const GPT_BASIC_DATA_ATTRIBUTE_HIDDEN = 0x4000000000000000n;
export const GPT_BASIC_DATA_ATTRIBUTE_SHADOW_COPY = 0x2000000000000000n;
export const GPT_BASIC_DATA_ATTRIBUTE_READ_ONLY = 0x1000000000000000n;

// ——— diskguid.h: GPT partition types (lower case, as lib/guid.ts formats GUIDs) ———
export const PARTITION_ENTRY_UNUSED_GUID = '00000000-0000-0000-0000-000000000000';
export const PARTITION_BASIC_DATA_GUID = 'ebd0a0a2-b9e5-4433-87c0-68b6b72699c7';
export const PARTITION_SYSTEM_GUID = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b';
export const PARTITION_MSFT_RESERVED_GUID = 'e3c9e316-0b5c-4db8-817d-f92df00215ae';
export const PARTITION_MSFT_RECOVERY_GUID = 'de94bba4-06d1-4d40-a16a-bfd50179d6ac';

// ——— MBR partition types ———
export const PARTITION_ENTRY_UNUSED = 0x00;
export const PARTITION_FAT_12 = 0x01;
export const PARTITION_FAT_16 = 0x04;
export const PARTITION_HUGE = 0x06;
/** NTFS, ReFS and exFAT volumes. */
export const PARTITION_IFS = 0x07;
export const PARTITION_FAT32 = 0x0b;
export const PARTITION_FAT32_XINT13 = 0x0c;
export const PARTITION_XINT13 = 0x0e;
export const PARTITION_EXTENDED = 0x05;

// ——— sizes the IOCTLs check ———
/** DRIVE_LAYOUT_INFORMATION_EX.PartitionEntry: the entries (144 bytes each) start here. */
export const DRIVE_LAYOUT_ENTRIES_OFFSET = 48;
/** SET_DISK_ATTRIBUTES.Version: sizeof(SET_DISK_ATTRIBUTES). */
export const SET_DISK_ATTRIBUTES_VERSION = 40;
/** GET_DISK_ATTRIBUTES.Version: sizeof(GET_DISK_ATTRIBUTES). */
export const GET_DISK_ATTRIBUTES_VERSION = 16;
/** What IOCTL_DISK_CREATE_DISK gives a GPT disk at most (the usual 128 entries). */
export const GPT_MAX_PARTITION_COUNT = 128;

// ——— WinBase.h / winnt.h, for opening a disk to change it ———
export const GENERIC_WRITE = 0x40000000;
export const FILE_FLAG_OVERLAPPED = 0x40000000;
