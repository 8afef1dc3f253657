// Hints and reasons by cause: every entry of the table says the right cause, every code of the virtual disk
// facilities has a name and a hint of its own, and a code with several causes names each of them.
import { expect } from 'chai';
import { hintFor, reasonFor, type VirtualDiskErrorReason } from '../../lib/hints.ts';
import { WIN32_ERROR_NAMES, win32ErrorName } from '../../lib/win32-errors.ts';

/**
 * Every code winerror.h defines in the virtual hard disk facility (FACILITY_USERMODE_VHD, 0x3A), transcribed
 * from the Windows SDK 10.0.22000 header (marlersoft/microsoft_windows_sdk_cpp, shared/winerror.h), by value:
 * the errors 0xC03A0001–0xC03A002A and 0xC03A0030, then the one warning.
 */
const HEADER_VHD_FACILITY: ReadonlyArray<readonly [number, string]> = [
  [0xc03a0001, 'ERROR_VHD_DRIVE_FOOTER_MISSING'],
  [0xc03a0002, 'ERROR_VHD_DRIVE_FOOTER_CHECKSUM_MISMATCH'],
  [0xc03a0003, 'ERROR_VHD_DRIVE_FOOTER_CORRUPT'],
  [0xc03a0004, 'ERROR_VHD_FORMAT_UNKNOWN'],
  [0xc03a0005, 'ERROR_VHD_FORMAT_UNSUPPORTED_VERSION'],
  [0xc03a0006, 'ERROR_VHD_SPARSE_HEADER_CHECKSUM_MISMATCH'],
  [0xc03a0007, 'ERROR_VHD_SPARSE_HEADER_UNSUPPORTED_VERSION'],
  [0xc03a0008, 'ERROR_VHD_SPARSE_HEADER_CORRUPT'],
  [0xc03a0009, 'ERROR_VHD_BLOCK_ALLOCATION_FAILURE'],
  [0xc03a000a, 'ERROR_VHD_BLOCK_ALLOCATION_TABLE_CORRUPT'],
  [0xc03a000b, 'ERROR_VHD_INVALID_BLOCK_SIZE'],
  [0xc03a000c, 'ERROR_VHD_BITMAP_MISMATCH'],
  [0xc03a000d, 'ERROR_VHD_PARENT_VHD_NOT_FOUND'],
  [0xc03a000e, 'ERROR_VHD_CHILD_PARENT_ID_MISMATCH'],
  [0xc03a000f, 'ERROR_VHD_CHILD_PARENT_TIMESTAMP_MISMATCH'],
  [0xc03a0010, 'ERROR_VHD_METADATA_READ_FAILURE'],
  [0xc03a0011, 'ERROR_VHD_METADATA_WRITE_FAILURE'],
  [0xc03a0012, 'ERROR_VHD_INVALID_SIZE'],
  [0xc03a0013, 'ERROR_VHD_INVALID_FILE_SIZE'],
  [0xc03a0014, 'ERROR_VIRTDISK_PROVIDER_NOT_FOUND'],
  [0xc03a0015, 'ERROR_VIRTDISK_NOT_VIRTUAL_DISK'],
  [0xc03a0016, 'ERROR_VHD_PARENT_VHD_ACCESS_DENIED'],
  [0xc03a0017, 'ERROR_VHD_CHILD_PARENT_SIZE_MISMATCH'],
  [0xc03a0018, 'ERROR_VHD_DIFFERENCING_CHAIN_CYCLE_DETECTED'],
  [0xc03a0019, 'ERROR_VHD_DIFFERENCING_CHAIN_ERROR_IN_PARENT'],
  [0xc03a001a, 'ERROR_VIRTUAL_DISK_LIMITATION'],
  [0xc03a001b, 'ERROR_VHD_INVALID_TYPE'],
  [0xc03a001c, 'ERROR_VHD_INVALID_STATE'],
  [0xc03a001d, 'ERROR_VIRTDISK_UNSUPPORTED_DISK_SECTOR_SIZE'],
  [0xc03a001e, 'ERROR_VIRTDISK_DISK_ALREADY_OWNED'],
  [0xc03a001f, 'ERROR_VIRTDISK_DISK_ONLINE_AND_WRITABLE'],
  [0xc03a0020, 'ERROR_CTLOG_TRACKING_NOT_INITIALIZED'],
  [0xc03a0021, 'ERROR_CTLOG_LOGFILE_SIZE_EXCEEDED_MAXSIZE'],
  [0xc03a0022, 'ERROR_CTLOG_VHD_CHANGED_OFFLINE'],
  [0xc03a0023, 'ERROR_CTLOG_INVALID_TRACKING_STATE'],
  [0xc03a0024, 'ERROR_CTLOG_INCONSISTENT_TRACKING_FILE'],
  [0xc03a0025, 'ERROR_VHD_RESIZE_WOULD_TRUNCATE_DATA'],
  [0xc03a0026, 'ERROR_VHD_COULD_NOT_COMPUTE_MINIMUM_VIRTUAL_SIZE'],
  [0xc03a0027, 'ERROR_VHD_ALREADY_AT_OR_BELOW_MINIMUM_VIRTUAL_SIZE'],
  [0xc03a0028, 'ERROR_VHD_METADATA_FULL'],
  [0xc03a0029, 'ERROR_VHD_INVALID_CHANGE_TRACKING_ID'],
  [0xc03a002a, 'ERROR_VHD_CHANGE_TRACKING_DISABLED'],
  [0xc03a0030, 'ERROR_VHD_MISSING_CHANGE_TRACKING_INFORMATION'],
  [0x803a0001, 'ERROR_QUERY_STORAGE_ERROR'],
];

/** Every code of the shared VHDX / VHD Set facility (FACILITY_SHARED_VHDX, 0x5C), from the same header. */
const HEADER_SHARED_VHDX_FACILITY: ReadonlyArray<readonly [number, string]> = [
  [0xc05c0000, 'ERROR_SVHDX_ERROR_STORED'],
  [0xc05cff00, 'ERROR_SVHDX_ERROR_NOT_AVAILABLE'],
  [0xc05cff01, 'ERROR_SVHDX_UNIT_ATTENTION_AVAILABLE'],
  [0xc05cff02, 'ERROR_SVHDX_UNIT_ATTENTION_CAPACITY_DATA_CHANGED'],
  [0xc05cff03, 'ERROR_SVHDX_UNIT_ATTENTION_RESERVATIONS_PREEMPTED'],
  [0xc05cff04, 'ERROR_SVHDX_UNIT_ATTENTION_RESERVATIONS_RELEASED'],
  [0xc05cff05, 'ERROR_SVHDX_UNIT_ATTENTION_REGISTRATIONS_PREEMPTED'],
  [0xc05cff06, 'ERROR_SVHDX_UNIT_ATTENTION_OPERATING_DEFINITION_CHANGED'],
  [0xc05cff07, 'ERROR_SVHDX_RESERVATION_CONFLICT'],
  [0xc05cff08, 'ERROR_SVHDX_WRONG_FILE_TYPE'],
  [0xc05cff09, 'ERROR_SVHDX_VERSION_MISMATCH'],
  [0xc05cff0a, 'ERROR_VHD_SHARED'],
  [0xc05cff0b, 'ERROR_SVHDX_NO_INITIATOR'],
  [0xc05cff0c, 'ERROR_VHDSET_BACKING_STORAGE_NOT_FOUND'],
];

/** A function with no overrides of its own: what any function gets. */
const ANY = 'AnyOtherFunction';
/** The functions the library calls today, and the ones that have overrides. */
const SYSCALLS = [
  'OpenVirtualDisk', 'AttachVirtualDisk', 'DetachVirtualDisk', 'GetVirtualDiskPhysicalPath', 'CreateVirtualDisk',
  'ConvertStringSecurityDescriptorToSecurityDescriptorW',
];

/**
 * The catch-all: what a facility code gets that the table does not know. A hint equal to it is generic.
 * 0xC03A00FF is no code of the header.
 */
const GENERIC = hintFor(ANY, win32ErrorName(0xc03a00ff));

interface Expected {
  /** Each must match: one per cause the hint must name. */
  says: RegExp[];
  /** None may match. */
  not?: RegExp[];
  reason?: VirtualDiskErrorReason;
}

/** One row per entry of the table: '*' for the entry every function gets, or the function of an override. */
const EXPECTED: Record<string, Record<string, Expected>> = {
  '*': {
    // Files and paths
    ERROR_FILE_NOT_FOUND: { says: [/does not exist/, /image/, /parent or source/] },
    ERROR_PATH_NOT_FOUND: { says: [/folder on the path does not exist/, /drive is not there/, /elevated process has its own network logon/] },
    ERROR_INVALID_DRIVE: { says: [/drive letter/, /removable drive/, /network drive/] },
    ERROR_INVALID_NAME: { says: [/not a valid file name/] },
    ERROR_BAD_PATHNAME: { says: [/path is not valid/, /full path/] },
    ERROR_FILENAME_EXCED_RANGE: { says: [/too long/] },
    ERROR_FILE_EXISTS: { says: [/already exists/, /another path/] },
    ERROR_ALREADY_EXISTS: { says: [/\(1\).*file exists/, /\(2\).*already attached/] },
    ERROR_DELETE_PENDING: { says: [/being deleted/] },
    ERROR_FILE_OFFLINE: { says: [/offline/, /OneDrive/, /keep on this device/] },
    ERROR_INVALID_HANDLE: { says: [/closed/, /openVirtualDisk/] },
    // Access
    ERROR_ACCESS_DENIED: { says: [/permissions or owner/, /read-only/, /Controlled folder access/, /SE_MANAGE_VOLUME_PRIVILEGE/, /compressed or EFS-encrypted/] },
    ERROR_PRIVILEGE_NOT_HELD: { says: [/SE_MANAGE_VOLUME_PRIVILEGE/, /elevated/], reason: 'NOT_ELEVATED' },
    ERROR_ELEVATION_REQUIRED: { says: [/elevated/, /Administrator/], reason: 'NOT_ELEVATED' },
    ERROR_WRITE_PROTECT: { says: [/write-protected/, /read-only/] },
    ERROR_FILE_READ_ONLY: { says: [/read-only/, /attrib -r/] },
    // In use
    ERROR_SHARING_VIOLATION: { says: [/another program holds the image file/, /backup or antivirus/, /retry/, /already attached/] },
    ERROR_LOCK_VIOLATION: { says: [/locked part of the image file/, /retry/] },
    // Host file and volume
    ERROR_COMPRESSED_FILE_NOT_SUPPORTED: { says: [/NTFS-compressed/, /compact \/u/], reason: 'HOST_FILE_UNSUPPORTED' },
    ERROR_ENCRYPTED_FILE_NOT_SUPPORTED: { says: [/EFS-encrypted/, /cipher \/d/], reason: 'HOST_FILE_UNSUPPORTED' },
    ERROR_SPARSE_FILE_NOT_SUPPORTED: { says: [/sparse/, /fsutil sparse setflag <file> 0/], reason: 'HOST_FILE_UNSUPPORTED' },
    ERROR_FILE_SYSTEM_LIMITATION: { says: [/\(1\).*FAT32/, /\(2\).*compressed or sparse.*fragmented/] },
    ERROR_DISK_FULL: { says: [/volume holding the image is full/], reason: 'HOST_VOLUME_FULL' },
    ERROR_HANDLE_DISK_FULL: { says: [/volume holding the image is full/], reason: 'HOST_VOLUME_FULL' },
    ERROR_DISK_QUOTA_EXCEEDED: { says: [/quota/], reason: 'HOST_VOLUME_FULL' },
    // EFS
    ...Object.fromEntries([
      'ERROR_ENCRYPTION_FAILED', 'ERROR_DECRYPTION_FAILED', 'ERROR_FILE_ENCRYPTED', 'ERROR_NO_RECOVERY_POLICY', 'ERROR_NO_EFS',
      'ERROR_WRONG_EFS', 'ERROR_NO_USER_KEYS', 'ERROR_DIR_EFS_DISALLOWED', 'ERROR_EFS_SERVER_NOT_TRUSTED',
      'ERROR_BAD_RECOVERY_POLICY', 'ERROR_EFS_ALG_BLOB_TOO_BIG', 'ERROR_VOLUME_NOT_SUPPORT_EFS', 'ERROR_EFS_DISABLED',
      'ERROR_EFS_VERSION_NOT_SUPPORT',
    ].map((code): [string, Expected] => [code, { says: [/EFS encryption/, /cipher \/d <file>/, /folder/], reason: 'HOST_FILE_UNSUPPORTED' }])),
    // Damage, failing drives
    ERROR_FILE_CORRUPT: { says: [/\(1\).*image file is damaged/, /\(2\).*file system.*chkdsk/] },
    ERROR_DISK_CORRUPT: { says: [/\(1\).*chkdsk/, /\(2\).*image's own disk structure/] },
    ERROR_CRC: { says: [/\(1\).*unreadable sectors/, /\(2\).*image's data is damaged/] },
    ERROR_INVALID_DATA: { says: [/\(1\).*damaged.*extension or storageType/, /\(2\).*structure passed/] },
    ERROR_BAD_FORMAT: { says: [/extension or storageType/] },
    ...Object.fromEntries(['ERROR_SECTOR_NOT_FOUND', 'ERROR_READ_FAULT', 'ERROR_WRITE_FAULT', 'ERROR_IO_DEVICE', 'ERROR_DEVICE_HARDWARE_ERROR']
      .map((code): [string, Expected] => [code, { says: [/I\/O error/, /failing disk/, /dropped connection/] }])),
    ERROR_NO_MEDIA_IN_DRIVE: { says: [/no media/] },
    ERROR_DEVICE_NOT_CONNECTED: { says: [/no longer connected/] },
    ERROR_DEVICE_REMOVED: { says: [/removed/] },
    ERROR_NOT_READY: { says: [/\(1\).*removable drive/, /\(2\).*not attached/] },
    ERROR_DEV_NOT_EXIST: { says: [/\(1\).*network share or removable drive/, /\(2\).*not attached/] },
    // Parameters and support
    ERROR_INVALID_PARAMETER: { says: [/\(1\).*does not check/, /\(2\).*compressed or EFS-encrypted/] },
    ERROR_NOT_SUPPORTED: { says: [/\(1\).*Windows version or edition/, /\(2\).*compressed or EFS-encrypted/] },
    ERROR_CALL_NOT_IMPLEMENTED: { says: [/does not implement/] },
    // Resources and cancellation
    ...Object.fromEntries(['ERROR_NOT_ENOUGH_MEMORY', 'ERROR_OUTOFMEMORY', 'ERROR_NO_SYSTEM_RESOURCES', 'ERROR_NONPAGED_SYSTEM_RESOURCES',
      'ERROR_PAGED_SYSTEM_RESOURCES', 'ERROR_COMMITMENT_LIMIT'].map((code): [string, Expected] => [code, { says: [/memory or system resources/] }])),
    ERROR_OPERATION_ABORTED: { says: [/cancelled/, /abort signal/] },
    ERROR_CANCELLED: { says: [/cancelled/] },
    // Network
    ERROR_BAD_NETPATH: { says: [/network share/, /cannot be reached/, /server.*not found/], reason: 'NETWORK' },
    ERROR_REM_NOT_LIST: { says: [/network share/, /cannot be reached/], reason: 'NETWORK' },
    ERROR_BAD_NET_NAME: { says: [/network share/, /share name.*does not exist/], reason: 'NETWORK' },
    ERROR_NETWORK_BUSY: { says: [/network share/, /busy/], reason: 'NETWORK' },
    ERROR_NO_NET_OR_BAD_PATH: { says: [/network share/, /cannot be reached/], reason: 'NETWORK' },
    ERROR_NO_NETWORK: { says: [/network share/, /no network connection/], reason: 'NETWORK' },
    ERROR_NETWORK_UNREACHABLE: { says: [/network share/, /cannot be reached/], reason: 'NETWORK' },
    ERROR_HOST_UNREACHABLE: { says: [/network share/, /cannot be reached/], reason: 'NETWORK' },
    ERROR_NETNAME_DELETED: { says: [/connection to the network share/, /Retry/], reason: 'NETWORK' },
    ERROR_UNEXP_NET_ERR: { says: [/connection to the network share/, /unexpected network error/], reason: 'NETWORK' },
    ERROR_BAD_NET_RESP: { says: [/connection to the network share/], reason: 'NETWORK' },
    ERROR_VC_DISCONNECTED: { says: [/connection to the network share/], reason: 'NETWORK' },
    ERROR_CONNECTION_ABORTED: { says: [/connection to the network share/], reason: 'NETWORK' },
    // A timeout from a share or from a slow local drive: both named, no reason.
    ERROR_SEM_TIMEOUT: { says: [/\(1\).*network share/, /\(2\).*local drive/] },
    ERROR_NETWORK_ACCESS_DENIED: { says: [/share's permissions/], reason: 'NETWORK' },
    ERROR_LOGON_FAILURE: { says: [/network share/, /refused the logon/, /user name or password/], reason: 'NETWORK' },
    ERROR_ACCOUNT_RESTRICTION: { says: [/refused the logon/, /restriction/], reason: 'NETWORK' },
    ERROR_PASSWORD_EXPIRED: { says: [/refused the logon/, /expired/], reason: 'NETWORK' },
    ERROR_PASSWORD_MUST_CHANGE: { says: [/refused the logon/, /must be changed/], reason: 'NETWORK' },
    ERROR_ACCOUNT_DISABLED: { says: [/refused the logon/, /disabled/], reason: 'NETWORK' },
    ERROR_ACCOUNT_LOCKED_OUT: { says: [/refused the logon/, /locked out/], reason: 'NETWORK' },
    ERROR_NO_LOGON_SERVERS: { says: [/refused the logon/, /domain controller/], reason: 'NETWORK' },
    ERROR_SESSION_CREDENTIAL_CONFLICT: { says: [/refused the logon/, /another user name/], reason: 'NETWORK' },
    ERROR_SMB_GUEST_LOGON_BLOCKED: { says: [/refused the logon/, /guest/], reason: 'NETWORK' },

    // The virtual hard disk facility
    ERROR_VHD_DRIVE_FOOTER_MISSING: { says: [/no VHD footer/, /\(1\).*extension or storageType/, /\(2\).*truncated/], reason: 'INVALID_IMAGE' },
    ERROR_VHD_DRIVE_FOOTER_CHECKSUM_MISMATCH: { says: [/damaged/, /footer's checksum/, /Restore/], reason: 'INVALID_IMAGE' },
    ERROR_VHD_DRIVE_FOOTER_CORRUPT: { says: [/damaged/, /footer is corrupt/], reason: 'INVALID_IMAGE' },
    ERROR_VHD_FORMAT_UNKNOWN: { says: [/does not recognise the format/, /\(1\).*extension or storageType/, /\(2\).*damaged/], reason: 'INVALID_IMAGE' },
    ERROR_VHD_FORMAT_UNSUPPORTED_VERSION: { says: [/version of its file format/, /newer Windows/], reason: 'UNSUPPORTED_FORMAT' },
    ERROR_VHD_SPARSE_HEADER_CHECKSUM_MISMATCH: { says: [/damaged/, /dynamic-disk header/, /checksum/], reason: 'INVALID_IMAGE' },
    ERROR_VHD_SPARSE_HEADER_UNSUPPORTED_VERSION: { says: [/dynamic-disk header/, /version/, /Convert/], reason: 'UNSUPPORTED_FORMAT' },
    ERROR_VHD_SPARSE_HEADER_CORRUPT: { says: [/damaged/, /dynamic-disk header.*corrupt/], reason: 'INVALID_IMAGE' },
    ERROR_VHD_BLOCK_ALLOCATION_FAILURE: { says: [/could not grow/, /\(1\).*full.*quota/, /\(2\).*FAT32/], not: [/not a valid virtual disk/] },
    ERROR_VHD_BLOCK_ALLOCATION_TABLE_CORRUPT: { says: [/damaged/, /block allocation table/], reason: 'INVALID_IMAGE' },
    ERROR_VHD_INVALID_BLOCK_SIZE: { says: [/block size/, /another tool/, /Convert/], reason: 'UNSUPPORTED_FORMAT' },
    ERROR_VHD_BITMAP_MISMATCH: { says: [/damaged/, /bitmap/], reason: 'INVALID_IMAGE' },
    ERROR_VHD_PARENT_VHD_NOT_FOUND: {
      says: [/file itself is fine/, /parent disk cannot be found/, /moved, renamed or deleted/, /Put the parent back/, /setParentPath\(newParentPath\)/],
      not: [/extension/, /storageType/, /not a valid/, /damaged/], reason: 'PARENT_MISSING',
    },
    ERROR_VHD_CHILD_PARENT_ID_MISMATCH: {
      says: [/file itself is fine/, /identifier differs/, /replaced/, /original parent back/, /setParentPath/],
      not: [/extension/, /storageType/, /not a valid/], reason: 'PARENT_CHANGED',
    },
    ERROR_VHD_CHILD_PARENT_TIMESTAMP_MISMATCH: {
      says: [/file itself is fine/, /parent was modified/, /mounted read\/write/, /Restore the parent/, /setParentPath/],
      not: [/extension/, /storageType/, /not a valid/], reason: 'PARENT_CHANGED',
    },
    ERROR_VHD_METADATA_READ_FAILURE: { says: [/could not be read/, /\(1\).*read error/, /\(2\).*damaged/] },
    ERROR_VHD_METADATA_WRITE_FAILURE: { says: [/could not be written/, /\(1\).*read-only/, /\(2\).*full/, /\(3\).*write error/] },
    ERROR_VHD_INVALID_SIZE: { says: [/\(1\).*creating or resizing.*multiple of the sector size/, /\(2\).*existing image.*damaged/] },
    ERROR_VHD_INVALID_FILE_SIZE: { says: [/length of the image file/, /truncated/], reason: 'INVALID_IMAGE' },
    ERROR_VIRTDISK_PROVIDER_NOT_FOUND: { says: [/No virtual disk provider/, /extension or storageType/, /Windows 8/, /Windows 10/], reason: 'UNSUPPORTED_FORMAT' },
    ERROR_VIRTDISK_NOT_VIRTUAL_DISK: { says: [/not a valid virtual disk/, /extension or storageType/], reason: 'INVALID_IMAGE' },
    ERROR_VHD_PARENT_VHD_ACCESS_DENIED: {
      says: [/file itself is fine/, /may not open the parent/, /permissions and owner of the parent file, not the child's/],
      not: [/extension/, /not a valid/], reason: 'PARENT_ACCESS_DENIED',
    },
    ERROR_VHD_CHILD_PARENT_SIZE_MISMATCH: { says: [/file itself is fine/, /virtual size differs/, /resized/], not: [/extension/], reason: 'PARENT_CHANGED' },
    ERROR_VHD_DIFFERENCING_CHAIN_CYCLE_DETECTED: { says: [/loops/, /own ancestor/, /data is intact/, /setParentPath/], not: [/extension/], reason: 'CHAIN_CYCLE' },
    ERROR_VHD_DIFFERENCING_CHAIN_ERROR_IN_PARENT: {
      says: [/file itself is fine/, /further up the chain/, /not in this file/, /openVirtualDisk\(parentPath\)/],
      not: [/extension/, /not a valid/], reason: 'PARENT_FAILED',
    },
    ERROR_VIRTUAL_DISK_LIMITATION: {
      says: [/NTFS-compressed/, /EFS-encrypted/, /sparse/, /compact \/u/, /cipher \/d/, /fsutil sparse setflag <file> 0/],
      reason: 'HOST_FILE_UNSUPPORTED',
    },
    ERROR_VHD_INVALID_TYPE: { says: [/does not apply to this type/, /not a differencing disk/], reason: 'UNSUPPORTED_OPERATION' },
    ERROR_VHD_INVALID_STATE: { says: [/\(1\).*attached/, /\(2\).*not attached/, /\(3\).*another operation/] },
    ERROR_VIRTDISK_UNSUPPORTED_DISK_SECTOR_SIZE: { says: [/sector size/, /4 KB/, /VHDX/], reason: 'HOST_DISK_UNSUPPORTED' },
    ERROR_VIRTDISK_DISK_ALREADY_OWNED: { says: [/\(1\).*another process attached it/, /\(2\).*virtual machine/, /\(3\).*another handle/] },
    ERROR_VIRTDISK_DISK_ONLINE_AND_WRITABLE: { says: [/offline or read-only/, /Set-Disk/] },
    ERROR_CTLOG_TRACKING_NOT_INITIALIZED: { says: [/Change tracking/, /not been started/] },
    ERROR_CTLOG_LOGFILE_SIZE_EXCEEDED_MAXSIZE: { says: [/size limit/, /full backup/] },
    ERROR_CTLOG_VHD_CHANGED_OFFLINE: { says: [/compacted, expanded or edited offline/, /full backup/] },
    ERROR_CTLOG_INVALID_TRACKING_STATE: { says: [/\(1\).*already on/, /\(2\).*discontinued/] },
    ERROR_CTLOG_INCONSISTENT_TRACKING_FILE: { says: [/\.rct/, /not valid/, /full backup/] },
    ERROR_VHD_RESIZE_WOULD_TRUNCATE_DATA: { says: [/cut off data/, /Shrink the partitions/, /SMALLEST_SAFE/] },
    ERROR_VHD_COULD_NOT_COMPUTE_MINIMUM_VIRTUAL_SIZE: { says: [/smallest safe size/, /partition table/, /ALLOW_UNSAFE/] },
    ERROR_VHD_ALREADY_AT_OR_BELOW_MINIMUM_VIRTUAL_SIZE: { says: [/cannot be shrunk safely/] },
    ERROR_VHD_METADATA_FULL: { says: [/no room left for this metadata item/] },
    ERROR_VHD_INVALID_CHANGE_TRACKING_ID: { says: [/change tracking identifier is not valid/] },
    ERROR_VHD_CHANGE_TRACKING_DISABLED: { says: [/Change tracking is off/] },
    ERROR_VHD_MISSING_CHANGE_TRACKING_INFORMATION: { says: [/no change data/, /too old/, /full backup/] },
    ERROR_QUERY_STORAGE_ERROR: { says: [/virtualization storage subsystem/, /event logs/] },

    // Shared VHDX and VHD Sets
    ERROR_SVHDX_ERROR_STORED: { says: [/shared VHDX/, /sense data/] },
    ERROR_SVHDX_ERROR_NOT_AVAILABLE: { says: [/shared VHDX/, /no longer has/] },
    ERROR_SVHDX_UNIT_ATTENTION_AVAILABLE: { says: [/shared VHDX/, /Unit Attention/] },
    ERROR_SVHDX_UNIT_ATTENTION_CAPACITY_DATA_CHANGED: { says: [/shared VHDX was resized/] },
    ERROR_SVHDX_UNIT_ATTENTION_RESERVATIONS_PREEMPTED: { says: [/pre-empted this initiator's SCSI reservations/] },
    ERROR_SVHDX_UNIT_ATTENTION_RESERVATIONS_RELEASED: { says: [/reservations on a shared VHDX were released/] },
    ERROR_SVHDX_UNIT_ATTENTION_REGISTRATIONS_PREEMPTED: { says: [/pre-empted this initiator's SCSI registrations/] },
    ERROR_SVHDX_UNIT_ATTENTION_OPERATING_DEFINITION_CHANGED: { says: [/data storage format of a shared VHDX changed/] },
    ERROR_SVHDX_RESERVATION_CONFLICT: { says: [/Another initiator/, /holds a SCSI reservation/] },
    ERROR_SVHDX_WRONG_FILE_TYPE: { says: [/fixed or dynamically expanding VHDX/], reason: 'UNSUPPORTED_FORMAT' },
    ERROR_SVHDX_VERSION_MISMATCH: { says: [/protocol version/] },
    ERROR_VHD_SHARED: { says: [/shared mode/, /shut down or detach the virtual machines/] },
    ERROR_SVHDX_NO_INITIATOR: { says: [/without an initiator ID/] },
    ERROR_VHDSET_BACKING_STORAGE_NOT_FOUND: { says: [/VHD Set/, /backing file that is missing/, /\.vhds file itself is fine/], not: [/not a valid/] },
  },
  OpenVirtualDisk: {
    ERROR_FILE_NOT_FOUND: { says: [/^The image file does not exist\.$/], reason: 'IMAGE_NOT_FOUND' },
    ERROR_PATH_NOT_FOUND: { says: [/folder on the image path does not exist/, /drive is not there/], reason: 'IMAGE_NOT_FOUND' },
    ERROR_ACCESS_DENIED: { says: [/\(1\).*permissions or owner/, /\(2\).*read-only/, /\(3\).*Controlled folder access/, /\(4\).*not elevated/] },
    ERROR_SHARING_VIOLATION: { says: [/\(1\).*another program holds the image file/, /backup or antivirus/, /retry/, /\(2\).*attached/] },
  },
  AttachVirtualDisk: {
    ERROR_FILE_NOT_FOUND: { says: [/image file was not found/, /SD media in a native-mode SD slot/] },
    ERROR_ACCESS_DENIED: { says: [/\(1\).*SE_MANAGE_VOLUME_PRIVILEGE.*elevated/, /\(2\).*compressed or EFS-encrypted/, /\(3\).*permissions/, /\(4\).*read-only/] },
    ERROR_PRIVILEGE_NOT_HELD: { says: [/SE_MANAGE_VOLUME_PRIVILEGE/, /elevated/], reason: 'NOT_ELEVATED' },
    ERROR_INVALID_PARAMETER: { says: [/\(1\).*does not check/, /VIRTUAL_DISK_ACCESS_ATTACH_RW/, /\(2\).*compressed or EFS-encrypted/] },
    ERROR_NOT_SUPPORTED: { says: [/\(1\).*Windows version or edition/, /\(2\).*compressed or EFS-encrypted/] },
    ERROR_SHARING_VIOLATION: {
      says: [/\(1\) another program holds the image file open/, /backup or antivirus/, /retry/, /virtual machine/, /\(2\) the image is already attached/, /detachVirtualDisk/],
    },
    ERROR_ALREADY_EXISTS: { says: [/already attached/, /detach it first/] },
    ERROR_VHD_INVALID_STATE: { says: [/\(1\).*already attached/, /\(2\).*another operation/] },
    ERROR_INVALID_SECURITY_DESCR: { says: [/not valid SDDL/], reason: 'INVALID_SECURITY_DESCRIPTOR' },
  },
  DetachVirtualDisk: {
    ERROR_ACCESS_DENIED: { says: [/Windows Server/, /SE_MANAGE_VOLUME_PRIVILEGE/] },
    ERROR_PRIVILEGE_NOT_HELD: { says: [/Windows Server/, /SE_MANAGE_VOLUME_PRIVILEGE/], reason: 'NOT_ELEVATED' },
    ERROR_SHARING_VIOLATION: { says: [/other open handles/, /closed/] },
    ERROR_NOT_READY: { says: [/^The image is not attached\.$/] },
    ERROR_NOT_FOUND: { says: [/^The image is not attached\.$/] },
    ERROR_DEV_NOT_EXIST: { says: [/^The image is not attached\.$/] },
    ERROR_VHD_INVALID_STATE: { says: [/\(1\).*not attached/, /\(2\).*another operation/] },
    ERROR_INVALID_PARAMETER: { says: [/\(1\).*does not check/, /\(2\).*compressed or EFS-encrypted/] },
  },
  GetVirtualDiskPhysicalPath: {
    ERROR_DEV_NOT_EXIST: { says: [/^The image is not attached\.$/] },
    ERROR_NOT_READY: { says: [/^The image is not attached\.$/] },
    ERROR_NOT_FOUND: { says: [/^The image is not attached\.$/] },
    ERROR_VHD_INVALID_STATE: { says: [/^The image is not attached\.$/] },
  },
  CreateVirtualDisk: {
    ERROR_ALREADY_EXISTS: { says: [/file to create already exists/], not: [/attached/] },
  },
  ConvertStringSecurityDescriptorToSecurityDescriptorW: {
    ...Object.fromEntries(['ERROR_INVALID_PARAMETER', 'ERROR_INVALID_ACL', 'ERROR_INVALID_SID', 'ERROR_UNKNOWN_REVISION', 'ERROR_INVALID_SECURITY_DESCR']
      .map((code): [string, Expected] => [code, { says: [/not valid SDDL/], reason: 'INVALID_SECURITY_DESCRIPTOR' }])),
    ERROR_NONE_MAPPED: { says: [/not valid SDDL/, /account name/], reason: 'INVALID_SECURITY_DESCRIPTOR' },
  },
};

describe('hints and reasons, entry by entry', () => {
  for (const [where, entries] of Object.entries(EXPECTED)) {
    const syscall = where === '*' ? ANY : where;
    for (const [code, expected] of Object.entries(entries)) {
      it(`${where === '*' ? 'any function' : where}: ${code}`, () => {
        expect([...WIN32_ERROR_NAMES.values()], 'a name winerror.h defines').to.include(code);
        const hint = hintFor(syscall, code);
        expect(hint, 'a hint').to.be.a('string');
        for (const cause of expected.says) expect(hint).to.match(cause);
        for (const wrong of expected.not ?? []) expect(hint).not.to.match(wrong);
        expect(reasonFor(syscall, code), 'reason').to.equal(expected.reason);
      });
    }
  }

  it('every hint of the table has its row above', () => {
    const missing: string[] = [];
    for (const code of WIN32_ERROR_NAMES.values()) {
      if (hintFor(ANY, code) !== undefined && !EXPECTED['*']![code]) missing.push(`* ${code}`);
      for (const syscall of SYSCALLS) {
        const overridden = hintFor(syscall, code) !== hintFor(ANY, code) || reasonFor(syscall, code) !== reasonFor(ANY, code);
        if (overridden && !EXPECTED[syscall]?.[code]) missing.push(`${syscall} ${code}`);
      }
    }
    expect(missing).to.deep.equal([]);
  });
});

describe('the causes the issue is about', () => {
  const parentCodes = [
    'ERROR_VHD_PARENT_VHD_NOT_FOUND', 'ERROR_VHD_CHILD_PARENT_ID_MISMATCH', 'ERROR_VHD_CHILD_PARENT_TIMESTAMP_MISMATCH',
    'ERROR_VHD_PARENT_VHD_ACCESS_DENIED', 'ERROR_VHD_DIFFERENCING_CHAIN_ERROR_IN_PARENT',
  ];
  for (const syscall of ['OpenVirtualDisk', 'AttachVirtualDisk']) {
    for (const code of parentCodes) {
      it(`${syscall}: ${code} blames the parent chain, not the image`, () => {
        const hint = hintFor(syscall, code)!;
        expect(hint).to.match(/parent/);
        expect(hint).to.match(/the file itself is fine/);
        expect(hint).not.to.match(/extension|storageType|not a valid virtual disk/);
      });
    }
  }

  it('0xC03A000D at OpenVirtualDisk: the parent is missing, re-link with setParentPath', () => {
    const code = win32ErrorName(0xc03a000d);
    expect(code).to.equal('ERROR_VHD_PARENT_VHD_NOT_FOUND');
    expect(hintFor('OpenVirtualDisk', code)).to.match(/parent/).and.match(/setParentPath/).and.not.match(/extension/);
    expect(reasonFor('OpenVirtualDisk', code)).to.equal('PARENT_MISSING');
  });

  it('ID and timestamp mismatches are PARENT_CHANGED', () => {
    expect(reasonFor('OpenVirtualDisk', win32ErrorName(0xc03a000e))).to.equal('PARENT_CHANGED');
    expect(reasonFor('OpenVirtualDisk', win32ErrorName(0xc03a000f))).to.equal('PARENT_CHANGED');
  });

  it('ERROR_VIRTUAL_DISK_LIMITATION names compressed, encrypted and sparse, and how to undo each', () => {
    const code = win32ErrorName(0xc03a001a);
    expect(code).to.equal('ERROR_VIRTUAL_DISK_LIMITATION');
    for (const syscall of ['OpenVirtualDisk', 'AttachVirtualDisk', ANY]) {
      const hint = hintFor(syscall, code)!;
      for (const words of [/compressed/, /encrypted/, /sparse/, /compact \/u/, /cipher \/d/, /fsutil sparse setflag <file> 0/]) {
        expect(hint).to.match(words);
      }
      expect(reasonFor(syscall, code)).to.equal('HOST_FILE_UNSUPPORTED');
    }
  });

  it('ERROR_SHARING_VIOLATION at attach names another program and an existing attach, and asserts neither', () => {
    const hint = hintFor('AttachVirtualDisk', 'ERROR_SHARING_VIOLATION')!;
    expect(hint).to.match(/another program/).and.match(/already attached/).and.match(/retry/);
    expect(reasonFor('AttachVirtualDisk', 'ERROR_SHARING_VIOLATION')).to.equal(undefined);
  });

  it('access denied and invalid parameter at attach list each cause, with no single reason', () => {
    expect(hintFor('AttachVirtualDisk', 'ERROR_ACCESS_DENIED')).to.match(/\(1\).*\(2\).*\(3\)/);
    expect(hintFor('AttachVirtualDisk', 'ERROR_INVALID_PARAMETER')).to.match(/\(1\).*\(2\)/);
    expect(reasonFor('AttachVirtualDisk', 'ERROR_ACCESS_DENIED')).to.equal(undefined);
    expect(reasonFor('AttachVirtualDisk', 'ERROR_INVALID_PARAMETER')).to.equal(undefined);
  });

  const network: Array<[number, string]> = [
    [53, 'ERROR_BAD_NETPATH'], [67, 'ERROR_BAD_NET_NAME'], [64, 'ERROR_NETNAME_DELETED'], [59, 'ERROR_UNEXP_NET_ERR'],
    [1231, 'ERROR_NETWORK_UNREACHABLE'], [1326, 'ERROR_LOGON_FAILURE'], [51, 'ERROR_REM_NOT_LIST'],
    [1232, 'ERROR_HOST_UNREACHABLE'], [1203, 'ERROR_NO_NET_OR_BAD_PATH'], [1222, 'ERROR_NO_NETWORK'],
  ];
  for (const [errno, name] of network) {
    it(`${errno} ${name}: a network hint and reason NETWORK at open and attach`, () => {
      expect(win32ErrorName(errno)).to.equal(name);
      for (const syscall of ['OpenVirtualDisk', 'AttachVirtualDisk']) {
        expect(hintFor(syscall, name)).to.match(/network share/);
        expect(reasonFor(syscall, name)).to.equal('NETWORK');
      }
    });
  }

  it('121 ERROR_SEM_TIMEOUT: names the network share and a slow local drive, so no single reason', () => {
    expect(win32ErrorName(121)).to.equal('ERROR_SEM_TIMEOUT');
    expect(hintFor('OpenVirtualDisk', 'ERROR_SEM_TIMEOUT')).to.match(/network share/).and.match(/local drive/);
    expect(reasonFor('OpenVirtualDisk', 'ERROR_SEM_TIMEOUT')).to.equal(undefined);
  });

  it('per-function meaning: ERROR_FILE_NOT_FOUND at attach can be SD media, at open it is the missing image', () => {
    expect(hintFor('AttachVirtualDisk', 'ERROR_FILE_NOT_FOUND')).to.match(/SD media/);
    expect(hintFor('OpenVirtualDisk', 'ERROR_FILE_NOT_FOUND')).not.to.match(/SD media/);
    expect(reasonFor('AttachVirtualDisk', 'ERROR_FILE_NOT_FOUND')).to.equal(undefined);
    expect(reasonFor('OpenVirtualDisk', 'ERROR_FILE_NOT_FOUND')).to.equal('IMAGE_NOT_FOUND');
  });

  it('no code alone gives a reason the library decides from Windows state', () => {
    const stateReasons = new Set<VirtualDiskErrorReason>(['ALREADY_ATTACHED', 'NOT_ATTACHED', 'FILE_IN_USE']);
    for (const code of WIN32_ERROR_NAMES.values()) {
      for (const syscall of [...SYSCALLS, ANY]) {
        const reason = reasonFor(syscall, code);
        if (reason !== undefined) expect(stateReasons.has(reason), `${syscall} ${code} → ${reason}`).to.equal(false);
      }
    }
  });

  it('a code with no known cause has no hint and no reason; names from Object.prototype are not codes', () => {
    expect(hintFor('AttachVirtualDisk', 'WIN32_ERROR_0xC0FFEE00')).to.equal(undefined);
    expect(reasonFor('AttachVirtualDisk', 'WIN32_ERROR_0xC0FFEE00')).to.equal(undefined);
    expect(hintFor('AttachVirtualDisk', 'constructor')).to.equal(undefined);
    expect(hintFor('toString', 'ERROR_FILE_NOT_FOUND')).to.equal(hintFor(ANY, 'ERROR_FILE_NOT_FOUND'));
  });
});

describe('every code of the virtual disk facilities in winerror.h', () => {
  it('the catch-all for an unknown facility code exists, so a hint equal to it is generic', () => {
    expect(win32ErrorName(0xc03a00ff)).to.equal('WIN32_ERROR_0xC03A00FF');
    expect(GENERIC).to.be.a('string');
    expect(reasonFor(ANY, win32ErrorName(0xc03a00ff))).to.equal(undefined);
  });

  const all = [...HEADER_VHD_FACILITY, ...HEADER_SHARED_VHDX_FACILITY];
  it('the transcription holds 44 + 14 codes', () => {
    expect(HEADER_VHD_FACILITY).to.have.length(44);
    expect(HEADER_SHARED_VHDX_FACILITY).to.have.length(14);
  });

  for (const [value, name] of all) {
    it(`0x${value.toString(16).toUpperCase()} ${name}: named as the SDK names it, with a hint of its own`, () => {
      expect(win32ErrorName(value), 'name').to.equal(name);
      expect(win32ErrorName(value | 0), 'name of the signed reading').to.equal(name);
      for (const syscall of [...SYSCALLS, ANY]) {
        const hint = hintFor(syscall, name);
        expect(hint, `${syscall}: a hint`).to.be.a('string').and.not.equal('');
        expect(hint, `${syscall}: not the catch-all`).not.to.equal(GENERIC);
      }
    });
  }
});
