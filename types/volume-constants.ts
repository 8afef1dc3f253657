// Constants of the Windows SDK (10.0.22000) for devices, volumes and mount points, with the SDK's own names,
// each under the header that defines it.

// ——— winioctl.h ———
export const FILE_DEVICE_CD_ROM = 0x00000002;
export const FILE_DEVICE_DISK = 0x00000007;
/** CTL_CODE(IOCTL_STORAGE_BASE, 0x0420, METHOD_BUFFERED, FILE_ANY_ACCESS): out STORAGE_DEVICE_NUMBER (12 bytes). */
export const IOCTL_STORAGE_GET_DEVICE_NUMBER = 0x002d1080;
/** CTL_CODE(IOCTL_VOLUME_BASE, 0, METHOD_BUFFERED, FILE_ANY_ACCESS): out VOLUME_DISK_EXTENTS (8 + 24·N bytes). */
export const IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS = 0x00560000;

// ——— winnt.h ———
export const GENERIC_READ = 0x80000000;
export const FILE_READ_ATTRIBUTES = 0x00000080;
export const FILE_SHARE_READ = 0x00000001;
export const FILE_SHARE_WRITE = 0x00000002;
export const FILE_SHARE_DELETE = 0x00000004;
export const PROCESS_QUERY_LIMITED_INFORMATION = 0x00001000;

// ——— fileapi.h ———
export const OPEN_EXISTING = 3;

// ——— WinBase.h ———
export const FILE_FLAG_BACKUP_SEMANTICS = 0x02000000;

// ——— handleapi.h ———
/** (HANDLE)(LONG_PTR)-1, as koffi returns a 64-bit pointer: an unsigned bigint. */
export const INVALID_HANDLE_VALUE = 0xffff_ffff_ffff_ffffn;

// ——— minwindef.h ———
export const MAX_PATH = 260;
