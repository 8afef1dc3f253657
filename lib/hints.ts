// Why a call into Windows failed, in plain words, and what to do about it: one entry per error code, by cause.
//
// A code that has one cause gets that cause and, because the code alone settles it, a machine-readable
// reason. A code that has several causes names every one of them and gets no reason: which cause applies
// depends on the state of Windows (is the image attached? does another program hold the file?), and the
// library decides that by asking Windows, not from the code. Where the same code means something else from
// one function, BY_SYSCALL overrides the entry of BY_CODE for that function.
//
// Sources: the message texts of winerror.h (SDK 10.0.22000), the virtdisk function pages, and the reports of
// what these functions return in practice, gathered in the project's reference notes on virtual-disk errors.

/** What went wrong, for programs: set where the error code alone determines it. */
export type VirtualDiskErrorReason =
  /** The file is not a valid virtual disk of its type: damaged, truncated, or another format under this name. */
  | 'INVALID_IMAGE'
  /** A virtual disk format, version or file type this Windows does not support. */
  | 'UNSUPPORTED_FORMAT'
  /** The image file, or a folder on its path, does not exist. */
  | 'IMAGE_NOT_FOUND'
  /** A differencing disk whose parent is missing: moved, renamed or deleted. The child is fine. */
  | 'PARENT_MISSING'
  /** A differencing disk whose parent changed after the child was made (other identifier, timestamp or size). */
  | 'PARENT_CHANGED'
  /** A differencing disk whose parent this process may not open. */
  | 'PARENT_ACCESS_DENIED'
  /** A differencing disk whose parent, or an ancestor further up the chain, failed to open. */
  | 'PARENT_FAILED'
  /** A chain of differencing disks that loops back on itself. */
  | 'CHAIN_CYCLE'
  /** The image file is NTFS-compressed, EFS-encrypted or sparse, which virtual disk files must not be. */
  | 'HOST_FILE_UNSUPPORTED'
  /** The physical disk holding the image has a sector size the image's format does not support. */
  | 'HOST_DISK_UNSUPPORTED'
  /** The volume holding the image is full, or the user's disk quota on it is used up. */
  | 'HOST_VOLUME_FULL'
  /** The image is on a network share that cannot be reached, dropped the connection, or refused the logon. */
  | 'NETWORK'
  /** The process is not elevated: the operation needs a privilege (SE_MANAGE_VOLUME_PRIVILEGE) it does not hold. */
  | 'NOT_ELEVATED'
  /** The operation does not apply to this type of virtual disk (e.g. a merge on a disk that is not differencing). */
  | 'UNSUPPORTED_OPERATION'
  /** The securityDescriptor option is not valid SDDL. */
  | 'INVALID_SECURITY_DESCRIPTOR'
  /** The image is already attached. Decided from the state of Windows, never from an error code alone. */
  | 'ALREADY_ATTACHED'
  /** The image is not attached. Decided from the state of Windows, never from an error code alone. */
  | 'NOT_ATTACHED'
  /** Another program holds the image file. Decided from the state of Windows, never from an error code alone. */
  | 'FILE_IN_USE'
  /** No volume of the new partition arrived in time (automatic mounting off, a SAN policy, or a slow arrival). */
  | 'NO_VOLUME'
  // formatVolume (lib/format-volume.ts): what fmifs.dll's refusal packet, or a check before it, settles.
  /** The volume could not be locked for the format: files are open on it, or it is a system volume. */
  | 'VOLUME_IN_USE'
  /** The disk, its medium or its partition is write-protected. */
  | 'WRITE_PROTECTED'
  /** Windows denied the format (not elevated, or a policy). */
  | 'ACCESS_DENIED'
  /** This Windows cannot format that file system (or Dev Drive) here. */
  | 'FILE_SYSTEM_UNAVAILABLE'
  /** The label is too long or holds characters the file system does not allow. */
  | 'BAD_LABEL'
  /** The cluster size does not suit the file system or the volume. */
  | 'CLUSTER_SIZE'
  /** The volume is too big for the file system (FAT32 over 32 GiB). */
  | 'VOLUME_TOO_BIG'
  /** The volume is too small for the file system. */
  | 'VOLUME_TOO_SMALL'
  /** The volume cannot be quick-formatted: a full format is needed. */
  | 'CANNOT_QUICK_FORMAT'
  /** The device has no medium, or is not ready. */
  | 'NO_MEDIA'
  /** The device reported an I/O error while formatting. */
  | 'IO_ERROR'
  /** The partition's offset is not aligned to the cluster size. */
  | 'ALIGNMENT';

interface Cause {
  /** The cause or causes in plain words, and what to do. */
  readonly hint: string;
  /** Set only when the code (for this function) has this one cause. */
  readonly reason?: VirtualDiskErrorReason;
}

/** A hint for a code with several causes: every one of them, numbered. */
export function several(lead: string, ...causes: string[]): string {
  return `${lead} One of these causes: ${causes.map((cause, i) => `(${i + 1}) ${cause}`).join('; ')}.`;
}

// ——— Texts used by more than one entry ———

const ELEVATE = 'the process is not elevated: this operation needs SE_MANAGE_VOLUME_PRIVILEGE, which only an elevated process (run as Administrator) holds';
const HOST_FILE = 'the image file or its host volume is compressed or EFS-encrypted (virtual disk files must be neither, nor sparse: see `compact /u`, `cipher /d`)';
const FILE_ACL = "the image file's permissions or owner deny this account";
const READ_ONLY_FILE = 'the image file is read-only (its read-only attribute, read-only media or a read-only share) and write access was asked: attach or open it read-only, or clear the attribute (`attrib -r <file>`)';
const PROTECTED_FOLDER = "the image is in a folder Windows Security's Controlled folder access protects, and this program is not allowed there";
const OTHER_PROGRAM = 'another program holds the image file open: a backup or antivirus scanner (often only for a moment, so a retry after a short wait works), another virtualization tool or virtual machine (Hyper-V, VirtualBox, VMware, WSL), or Explorer, which mounts an .iso or .vhdx on double-click';
const ALREADY_ATTACHED = 'the image is already attached, by this or another process: detach it first (detachVirtualDisk(path))';
const NOT_ATTACHED = 'The image is not attached.';
const OPERATION_RUNNING = 'another operation (merge, mirror, resize, compact) is still running on this virtual disk: wait for it to finish';
const SD_CARD = 'it is on SD media in a native-mode SD slot (sdbus.sys): images there cannot be attached and Windows reports this error (SD media in a USB reader work)';
const BAD_SDDL = "The securityDescriptor option is not valid SDDL, e.g. 'O:BAG:BAD:(A;;GA;;;WD)'.";
const RESTORE_IT = 'restore the image from a backup or another good copy';
const RESTORE = 'Restore the image from a backup or another good copy.';
const DAMAGED = (part: string) => `The image is damaged: ${part}. ${RESTORE}`;
const CHILD_FINE = 'This image is a differencing disk (a child, such as an .avhdx checkpoint) and the file itself is fine; the fault is in its parent chain:';
const SET_PARENT = 'disk.setParentPath(newParentPath) (an API coming in a later version of this library)';
const EFS = 'Virtual disk files must not be compressed or EFS-encrypted (nor sparse): this image file, or the folder a new image is created in, uses EFS encryption. Decrypt the file with `cipher /d <file>`, and the folder with `cipher /d <folder>` so that new files in it are not encrypted.';
const OFFLINE_CHANGE_TRACKING = 'take a full backup, then use the change tracking identifier the disk reports from then on';
const RESOURCES = 'Windows ran short of memory or system resources: close other programs, or retry when the system is less loaded.';
const IO_ERROR = 'The drive or share holding the image reported an I/O error: a failing disk, a USB or SD drive that was removed or is failing, or a dropped connection. Check the drive and its connection, and retry.';
const UNKNOWN_VIRTUAL_DISK_CODE = 'A virtual disk error this library has no entry for (a newer Windows may define it); the system message says what Windows means.';

// Network: an image on \\server\share\… (or on a mapped drive letter).
const ELEVATED_LOGON = 'Note that an elevated process has its own network logon: drive letters and saved credentials of the non-elevated user may not apply to it.';
const NET_UNREACHABLE = (what: string) => `The network share holding the image cannot be reached: ${what}. Check the server name, that the server is on, the network or VPN connection, and that a firewall lets SMB (TCP port 445) through.`;
const NET_DROPPED = (what: string) => `The connection to the network share holding the image failed: ${what}. Retry; if it recurs, check the network and the server. An image attached from a share depends on that connection staying up.`;
const NET_LOGON = (what: string) => `The server of the network share holding the image refused the logon: ${what}. ${ELEVATED_LOGON}`;

// ——— The table: by error code, for any function ———

const BY_CODE: Readonly<Record<string, Cause>> = {
  // Files and paths
  ERROR_FILE_NOT_FOUND: { hint: 'A file the call names does not exist: the image, or the parent or source image given with it.' },
  ERROR_PATH_NOT_FOUND: { hint: `A folder on the path does not exist, or its drive is not there (a removable drive that is out, or a network drive not mapped in this session). ${ELEVATED_LOGON}` },
  ERROR_INVALID_DRIVE: { hint: `The drive letter in the path does not exist in this session: a removable drive that is out, or a network drive mapped by another user or session. ${ELEVATED_LOGON}` },
  ERROR_INVALID_NAME: { hint: 'The path is not a valid file name: check for characters Windows does not allow in names (< > : " | ? *) and for a misplaced \\\\?\\ prefix.' },
  ERROR_BAD_PATHNAME: { hint: 'The path is not valid: use a full path (C:\\images\\disk.vhdx or \\\\server\\share\\disk.vhdx).' },
  ERROR_FILENAME_EXCED_RANGE: { hint: 'The path is too long: shorten it, or move the image to a folder with a shorter path.' },
  ERROR_FILE_EXISTS: { hint: 'The file to create already exists: choose another path, or delete the old file first.' },
  ERROR_ALREADY_EXISTS: { hint: several('Something of this name already exists.', 'when creating an image: the file exists, so choose another path or delete the old one', ALREADY_ATTACHED) },
  ERROR_DELETE_PENDING: { hint: 'The image file is being deleted: Windows removes it once the last program holding it closes it. Restore it from a copy if the delete was a mistake.' },
  ERROR_FILE_OFFLINE: { hint: 'The image file is offline: a cloud placeholder (e.g. OneDrive Files On-Demand) or a file moved to remote storage, whose content is not on this machine. Make it available offline first (OneDrive: "Always keep on this device").' },
  ERROR_INVALID_HANDLE: { hint: 'The handle is not valid: the disk was closed (disk.close()) or the handle does not come from openVirtualDisk.' },

  // Access
  ERROR_ACCESS_DENIED: { hint: several('Windows denied access.', FILE_ACL, READ_ONLY_FILE, PROTECTED_FOLDER, ELEVATE, HOST_FILE) },
  ERROR_PRIVILEGE_NOT_HELD: { hint: 'This operation needs SE_MANAGE_VOLUME_PRIVILEGE, which only an elevated process holds: run the process elevated (as Administrator).', reason: 'NOT_ELEVATED' },
  ERROR_ELEVATION_REQUIRED: { hint: 'This operation needs an elevated process: run it as Administrator.', reason: 'NOT_ELEVATED' },
  ERROR_WRITE_PROTECT: { hint: 'The media holding the image is write-protected (an SD card\'s lock switch, a read-only USB drive, a read-only share): attach or open the image read-only, or move it to writable storage.' },
  ERROR_FILE_READ_ONLY: { hint: 'The image file is read-only: open or attach it read-only, or clear the attribute (`attrib -r <file>`).' },

  // In use
  ERROR_SHARING_VIOLATION: { hint: several('The image file is in use.', OTHER_PROGRAM, ALREADY_ATTACHED) },
  ERROR_LOCK_VIOLATION: { hint: 'Another program has locked part of the image file: a backup or antivirus scanner (often briefly: retry after a short wait) or a virtualization tool using the image.' },

  // The image file's own attributes, and its host volume
  ERROR_COMPRESSED_FILE_NOT_SUPPORTED: { hint: 'The image file is NTFS-compressed, and virtual disk files must not be: uncompress it with `compact /u <file>` (and the folder with `compact /u <folder>` so that new files stay uncompressed).', reason: 'HOST_FILE_UNSUPPORTED' },
  ERROR_ENCRYPTED_FILE_NOT_SUPPORTED: { hint: 'The image file is EFS-encrypted, and virtual disk files must not be: decrypt it with `cipher /d <file>` (and the folder with `cipher /d <folder>`).', reason: 'HOST_FILE_UNSUPPORTED' },
  ERROR_SPARSE_FILE_NOT_SUPPORTED: { hint: 'The image file is marked sparse, and virtual disk files must not be: clear the flag with `fsutil sparse setflag <file> 0` (elevated).', reason: 'HOST_FILE_UNSUPPORTED' },
  ERROR_FILE_SYSTEM_LIMITATION: { hint: several('The host file system cannot go on with this file.', 'the image would grow past the largest file the host volume allows (4 GB on FAT32): move it to an NTFS or ReFS volume', 'the image file is NTFS-compressed or sparse and too fragmented: uncompress it (`compact /u <file>`) or clear the sparse flag (`fsutil sparse setflag <file> 0`)') },
  ERROR_DISK_FULL: { hint: 'The volume holding the image is full: free space on it, or move the image to a volume with room.', reason: 'HOST_VOLUME_FULL' },
  ERROR_HANDLE_DISK_FULL: { hint: 'The volume holding the image is full: free space on it, or move the image to a volume with room.', reason: 'HOST_VOLUME_FULL' },
  ERROR_DISK_QUOTA_EXCEEDED: { hint: "This user's disk quota on the volume holding the image is used up: free space, raise the quota, or move the image.", reason: 'HOST_VOLUME_FULL' },

  // EFS (encrypted files): a virtual disk file must not be encrypted.
  ERROR_ENCRYPTION_FAILED: { hint: EFS, reason: 'HOST_FILE_UNSUPPORTED' },
  ERROR_DECRYPTION_FAILED: { hint: EFS, reason: 'HOST_FILE_UNSUPPORTED' },
  ERROR_FILE_ENCRYPTED: { hint: EFS, reason: 'HOST_FILE_UNSUPPORTED' },
  ERROR_NO_RECOVERY_POLICY: { hint: EFS, reason: 'HOST_FILE_UNSUPPORTED' },
  ERROR_NO_EFS: { hint: EFS, reason: 'HOST_FILE_UNSUPPORTED' },
  ERROR_WRONG_EFS: { hint: EFS, reason: 'HOST_FILE_UNSUPPORTED' },
  ERROR_NO_USER_KEYS: { hint: EFS, reason: 'HOST_FILE_UNSUPPORTED' },
  ERROR_DIR_EFS_DISALLOWED: { hint: EFS, reason: 'HOST_FILE_UNSUPPORTED' },
  ERROR_EFS_SERVER_NOT_TRUSTED: { hint: EFS, reason: 'HOST_FILE_UNSUPPORTED' },
  ERROR_BAD_RECOVERY_POLICY: { hint: EFS, reason: 'HOST_FILE_UNSUPPORTED' },
  ERROR_EFS_ALG_BLOB_TOO_BIG: { hint: EFS, reason: 'HOST_FILE_UNSUPPORTED' },
  ERROR_VOLUME_NOT_SUPPORT_EFS: { hint: EFS, reason: 'HOST_FILE_UNSUPPORTED' },
  ERROR_EFS_DISABLED: { hint: EFS, reason: 'HOST_FILE_UNSUPPORTED' },
  ERROR_EFS_VERSION_NOT_SUPPORT: { hint: EFS, reason: 'HOST_FILE_UNSUPPORTED' },

  // Damaged data, failing drives
  ERROR_FILE_CORRUPT: { hint: several('The image file cannot be read.', `the image file is damaged: ${RESTORE_IT}`, 'the file system of the volume holding it is damaged: check that volume (`chkdsk <drive>: /f`)') },
  ERROR_DISK_CORRUPT: { hint: several('A disk structure is damaged and unreadable.', 'the volume or disk holding the image is damaged: check it (`chkdsk <drive>: /f`)', `the image's own disk structure is damaged: ${RESTORE_IT}`) },
  ERROR_CRC: { hint: several('Data could not be read back intact (CRC error).', 'the drive holding the image has unreadable sectors (a failing disk, SD card or USB drive): copy the image off it and replace the drive', `the image's data is damaged: ${RESTORE_IT}`) },
  ERROR_INVALID_DATA: { hint: several('Windows found data it cannot use.', 'the image is damaged, or is not of the format its extension or storageType says', 'a structure passed to the call is not valid for this Windows version') },
  ERROR_BAD_FORMAT: { hint: 'The file is not in the format Windows expects here: check that the extension or storageType matches the content.' },
  ERROR_SECTOR_NOT_FOUND: { hint: IO_ERROR },
  ERROR_READ_FAULT: { hint: IO_ERROR },
  ERROR_WRITE_FAULT: { hint: IO_ERROR },
  ERROR_IO_DEVICE: { hint: IO_ERROR },
  ERROR_DEVICE_HARDWARE_ERROR: { hint: IO_ERROR },
  ERROR_NO_MEDIA_IN_DRIVE: { hint: 'There is no media in the drive holding the image: insert it, or move the image to a fixed drive.' },
  ERROR_DEVICE_NOT_CONNECTED: { hint: 'The drive holding the image is no longer connected: reconnect it.' },
  ERROR_DEVICE_REMOVED: { hint: 'The drive holding the image was removed: reconnect it.' },
  ERROR_NOT_READY: { hint: several('The device is not ready.', 'the removable drive holding the image was removed or has no media', 'at detach or when asking for the physical path: the image is not attached') },
  ERROR_DEV_NOT_EXIST: { hint: several('The device is no longer there.', 'the network share or removable drive holding the image went away: reconnect it', 'when asking for the physical path: the image is not attached') },

  // Parameters and support
  ERROR_INVALID_PARAMETER: { hint: several('Windows refused a parameter.', 'a rule of this function that this library does not check, or a flag or structure version this Windows build does not know (it is newer than the build)', 'when attaching or detaching: the image file or its host volume is compressed or EFS-encrypted') },
  ERROR_NOT_SUPPORTED: { hint: several('Windows does not support this here.', 'this Windows version or edition lacks the operation, or one of the flags asked for', HOST_FILE) },
  ERROR_CALL_NOT_IMPLEMENTED: { hint: 'This Windows (or Wine) does not implement this function.' },

  // Resources and cancellation
  ERROR_NOT_ENOUGH_MEMORY: { hint: RESOURCES },
  ERROR_OUTOFMEMORY: { hint: RESOURCES },
  ERROR_NO_SYSTEM_RESOURCES: { hint: RESOURCES },
  ERROR_NONPAGED_SYSTEM_RESOURCES: { hint: RESOURCES },
  ERROR_PAGED_SYSTEM_RESOURCES: { hint: RESOURCES },
  ERROR_COMMITMENT_LIMIT: { hint: RESOURCES },
  ERROR_OPERATION_ABORTED: { hint: 'The operation was cancelled: by an abort signal or CancelIoEx, or because the thread that started it ended.' },
  ERROR_CANCELLED: { hint: 'The operation was cancelled.' },

  // Network: the image is on a share
  ERROR_BAD_NETPATH: { hint: NET_UNREACHABLE('the server in the path was not found or does not answer'), reason: 'NETWORK' },
  ERROR_REM_NOT_LIST: { hint: NET_UNREACHABLE('the server in the path is not on the network'), reason: 'NETWORK' },
  ERROR_BAD_NET_NAME: { hint: NET_UNREACHABLE('the share name in the path does not exist on that server (check the spelling of \\\\server\\share), or the share was removed'), reason: 'NETWORK' },
  ERROR_NETWORK_BUSY: { hint: NET_UNREACHABLE('the network or the server is too busy; retry later'), reason: 'NETWORK' },
  ERROR_NO_NET_OR_BAD_PATH: { hint: NET_UNREACHABLE('the network path is wrong or the network is not available'), reason: 'NETWORK' },
  ERROR_NO_NETWORK: { hint: NET_UNREACHABLE('this machine has no network connection'), reason: 'NETWORK' },
  ERROR_NETWORK_UNREACHABLE: { hint: NET_UNREACHABLE("the server's network cannot be reached from here"), reason: 'NETWORK' },
  ERROR_HOST_UNREACHABLE: { hint: NET_UNREACHABLE('the server cannot be reached from here'), reason: 'NETWORK' },
  ERROR_NETNAME_DELETED: { hint: NET_DROPPED('the server closed the connection or went away (restarted, network dropped)'), reason: 'NETWORK' },
  ERROR_UNEXP_NET_ERR: { hint: NET_DROPPED('an unexpected network error'), reason: 'NETWORK' },
  ERROR_BAD_NET_RESP: { hint: NET_DROPPED('the server gave an answer this machine cannot use'), reason: 'NETWORK' },
  ERROR_VC_DISCONNECTED: { hint: NET_DROPPED('the session with the server was cancelled'), reason: 'NETWORK' },
  ERROR_CONNECTION_ABORTED: { hint: NET_DROPPED('this machine ended the connection'), reason: 'NETWORK' },
  ERROR_SEM_TIMEOUT: { hint: several('A wait for a device timed out.', 'the network share holding the image stopped answering in time (a slow or dropped connection, an overloaded server): retry, and check the network', 'a slow or failing local drive (often a USB drive) stopped answering in time: check the drive and its cable') },
  ERROR_NETWORK_ACCESS_DENIED: { hint: `The share's permissions deny this account access to the image (share permissions and file permissions both apply). ${ELEVATED_LOGON}`, reason: 'NETWORK' },
  ERROR_LOGON_FAILURE: { hint: NET_LOGON('the user name or password for it is wrong (e.g. a saved credential that is out of date)'), reason: 'NETWORK' },
  ERROR_ACCOUNT_RESTRICTION: { hint: NET_LOGON('an account restriction applies, such as a blank password not allowed over the network'), reason: 'NETWORK' },
  ERROR_PASSWORD_EXPIRED: { hint: NET_LOGON("the account's password has expired"), reason: 'NETWORK' },
  ERROR_PASSWORD_MUST_CHANGE: { hint: NET_LOGON("the account's password must be changed first"), reason: 'NETWORK' },
  ERROR_ACCOUNT_DISABLED: { hint: NET_LOGON('the account is disabled'), reason: 'NETWORK' },
  ERROR_ACCOUNT_LOCKED_OUT: { hint: NET_LOGON('the account is locked out'), reason: 'NETWORK' },
  ERROR_NO_LOGON_SERVERS: { hint: NET_LOGON('no domain controller is available to check the account'), reason: 'NETWORK' },
  ERROR_SESSION_CREDENTIAL_CONFLICT: { hint: NET_LOGON('this session is already connected to that server under another user name; disconnect the other connection (`net use`)'), reason: 'NETWORK' },
  ERROR_SMB_GUEST_LOGON_BLOCKED: { hint: NET_LOGON('the share allows only guest (anonymous) access, which this Windows blocks; give the share an account'), reason: 'NETWORK' },

  // ——— The virtual hard disk facility (FACILITY_USERMODE_VHD, 0xC03A….) ———
  ERROR_VHD_DRIVE_FOOTER_MISSING: { hint: several('The file has no VHD footer, so it is not a usable VHD.', 'it is another format under a .vhd name or storageType (a .vhdx, a raw, VMDK or VDI image): give it the extension or storageType that matches its content, or convert it', 'it is truncated (an incomplete copy or download): restore a complete copy'), reason: 'INVALID_IMAGE' },
  ERROR_VHD_DRIVE_FOOTER_CHECKSUM_MISMATCH: { hint: DAMAGED("its VHD footer's checksum does not match the footer"), reason: 'INVALID_IMAGE' },
  ERROR_VHD_DRIVE_FOOTER_CORRUPT: { hint: DAMAGED('its VHD footer is corrupt'), reason: 'INVALID_IMAGE' },
  ERROR_VHD_FORMAT_UNKNOWN: { hint: several('Windows does not recognise the format of this file.', 'the content does not match the extension or storageType (a raw, VMDK, VDI or qcow2 image under a .vhd or .vhdx name, or a .vhdx named .vhd): give the matching extension or storageType, or convert the image to VHD or VHDX (e.g. `qemu-img convert -O vhdx`)', `the start of the file is damaged: ${RESTORE_IT}`), reason: 'INVALID_IMAGE' },
  ERROR_VHD_FORMAT_UNSUPPORTED_VERSION: { hint: 'The image uses a version of its file format this Windows does not support: it was made by a newer Windows or another tool. Open it on a newer Windows, or convert it with the tool that made it.', reason: 'UNSUPPORTED_FORMAT' },
  ERROR_VHD_SPARSE_HEADER_CHECKSUM_MISMATCH: { hint: DAMAGED("the checksum of its dynamic-disk header (the sparse header of a dynamically expanding or differencing VHD) does not match"), reason: 'INVALID_IMAGE' },
  ERROR_VHD_SPARSE_HEADER_UNSUPPORTED_VERSION: { hint: 'The dynamic-disk header (sparse header) of this VHD has a version this Windows does not support: the image was made by another tool. Convert it to a standard VHD or VHDX with that tool or `qemu-img convert`.', reason: 'UNSUPPORTED_FORMAT' },
  ERROR_VHD_SPARSE_HEADER_CORRUPT: { hint: DAMAGED('its dynamic-disk header (sparse header) is corrupt'), reason: 'INVALID_IMAGE' },
  ERROR_VHD_BLOCK_ALLOCATION_FAILURE: { hint: several('A write needed a new block in this dynamically expanding or differencing image, and the image file could not grow.', 'the volume holding the image is full, or the user\'s disk quota is used up: free space or move the image', 'the file would pass the largest file size the host file system allows (4 GB on FAT32): move the image to NTFS or ReFS') },
  ERROR_VHD_BLOCK_ALLOCATION_TABLE_CORRUPT: { hint: DAMAGED('its block allocation table is corrupt'), reason: 'INVALID_IMAGE' },
  ERROR_VHD_INVALID_BLOCK_SIZE: { hint: 'The image has a block size this Windows does not support: it was made by another tool. Convert it to a VHD or VHDX with standard block sizes (e.g. `qemu-img convert`, or Convert-VHD on Hyper-V).', reason: 'UNSUPPORTED_FORMAT' },
  ERROR_VHD_BITMAP_MISMATCH: { hint: DAMAGED("a block's bitmap does not match the block's data"), reason: 'INVALID_IMAGE' },
  ERROR_VHD_PARENT_VHD_NOT_FOUND: { hint: `${CHILD_FINE} its parent disk cannot be found, because the parent was moved, renamed or deleted, or its drive or network share is not available now. Put the parent back at the path the child records, or re-link the child to where the parent is now with ${SET_PARENT}.`, reason: 'PARENT_MISSING' },
  ERROR_VHD_CHILD_PARENT_ID_MISMATCH: { hint: `${CHILD_FINE} the parent found at the recorded path is not the disk the child was made from (its identifier differs), because the parent was replaced, re-created or restored from another copy. Put the original parent back at that path. Re-link with ${SET_PARENT} only if that file really holds the content the child was made from; on any other base the child's data reads as garbage.`, reason: 'PARENT_CHANGED' },
  ERROR_VHD_CHILD_PARENT_TIMESTAMP_MISMATCH: { hint: `${CHILD_FINE} the parent was modified after the child was made (its timestamp differs), typically because the parent was attached or mounted read/write, booted, or compacted on its own. Restore the parent from a copy made before that change. Re-link the child to the changed parent with ${SET_PARENT} only if you accept that the child's data may no longer match it. Attach parents read-only.`, reason: 'PARENT_CHANGED' },
  ERROR_VHD_METADATA_READ_FAILURE: { hint: several("The image's metadata could not be read.", 'a read error on the drive or network share holding the image: check the drive or connection and retry', `the image is damaged or truncated: ${RESTORE_IT}`) },
  ERROR_VHD_METADATA_WRITE_FAILURE: { hint: several("The image's metadata could not be written.", 'the image file, its volume or its share is read-only or write-protected: attach read-only if reading is enough', 'the volume holding the image is full', 'a write error on the drive or network share holding the image') },
  ERROR_VHD_INVALID_SIZE: { hint: several('The virtual size is not valid.', 'when creating or resizing: the size must be a multiple of the sector size (512 or 4096 bytes) and within the format\'s limit (VHD: 2040 GB, VHDX: 64 TB)', `for an existing image: its header records an impossible size, so the image is damaged: ${RESTORE_IT}`) },
  ERROR_VHD_INVALID_FILE_SIZE: { hint: `The length of the image file does not fit its format: the file was truncated (an incomplete copy or download, a volume that ran full during a write) or padded. ${RESTORE}`, reason: 'INVALID_IMAGE' },
  ERROR_VIRTDISK_PROVIDER_NOT_FOUND: { hint: 'No virtual disk provider handles this file type: check the extension or storageType (.iso, .vhd, .vhdx, .vhds). ISO images and VHDX need Windows 8 or later, VHD Sets (.vhds) Windows 10 or Windows Server 2016 or later.', reason: 'UNSUPPORTED_FORMAT' },
  ERROR_VIRTDISK_NOT_VIRTUAL_DISK: { hint: 'The file or disk named is not a valid virtual disk: check that the path names a VHD, VHDX, ISO or VHD Set file whose extension or storageType matches its content, not a physical disk or another kind of file.', reason: 'INVALID_IMAGE' },
  ERROR_VHD_PARENT_VHD_ACCESS_DENIED: { hint: `${CHILD_FINE} this process may not open the parent disk. Check the permissions and owner of the parent file, not the child's: the account running this process needs read access to it, and for a parent on a network share, access to the share as well.`, reason: 'PARENT_ACCESS_DENIED' },
  ERROR_VHD_CHILD_PARENT_SIZE_MISMATCH: { hint: `${CHILD_FINE} the parent's virtual size differs from the child's, because the parent was resized after the child was made. Restore the parent from a copy made before the resize; never resize a disk that has children.`, reason: 'PARENT_CHANGED' },
  ERROR_VHD_DIFFERENCING_CHAIN_CYCLE_DETECTED: { hint: `The chain of differencing disks loops: a parent link points back to a disk already in the chain, so a disk is its own ancestor (usually after files were renamed, copied over each other or re-linked by hand). The files' data is intact; re-link the disk whose parent link is wrong to its true parent with ${SET_PARENT}.`, reason: 'CHAIN_CYCLE' },
  ERROR_VHD_DIFFERENCING_CHAIN_ERROR_IN_PARENT: { hint: `${CHILD_FINE} a disk further up the chain (the parent, or the parent's parent, and so on) failed to open. The fault is in that ancestor, not in this file: open the parent on its own (openVirtualDisk(parentPath)) to see its own error, such as missing, damaged, compressed or access denied.`, reason: 'PARENT_FAILED' },
  ERROR_VIRTUAL_DISK_LIMITATION: { hint: 'The image file is NTFS-compressed, EFS-encrypted or sparse, and virtual disk files must be none of these. Undo each that applies: compression with `compact /u <file>`, encryption with `cipher /d <file>`, the sparse flag with `fsutil sparse setflag <file> 0` (elevated). A compressed or encrypted folder passes its attribute on to new files: clear it on the folder too.', reason: 'HOST_FILE_UNSUPPORTED' },
  ERROR_VHD_INVALID_TYPE: { hint: 'This operation does not apply to this type of virtual disk: for example a merge or a parent change on a disk that is not a differencing disk, a resize or change tracking on an ISO, or information the format does not keep.', reason: 'UNSUPPORTED_OPERATION' },
  ERROR_VHD_INVALID_STATE: { hint: several('The operation is not possible in the virtual disk\'s current state.', 'it needs the disk detached, and the disk is attached', 'it needs the disk attached, and the disk is not attached', OPERATION_RUNNING) },
  ERROR_VIRTDISK_UNSUPPORTED_DISK_SECTOR_SIZE: { hint: 'The physical disk holding the image has a sector size this image format does not support, typically a disk with 4 KB native sectors holding a .vhd (the VHD format needs 512-byte or 512e sectors; VHDX handles 4 KB). Move the image to another disk, or convert it to VHDX.', reason: 'HOST_DISK_UNSUPPORTED' },
  ERROR_VIRTDISK_DISK_ALREADY_OWNED: { hint: several('The virtual disk already has another owner.', 'another process attached it: detach it there, or with detachVirtualDisk(path)', 'a virtual machine uses it (Hyper-V, or WSL for its own disks): shut that down first', 'this process attached it through another handle') },
  ERROR_VIRTDISK_DISK_ONLINE_AND_WRITABLE: { hint: 'The operation needs the disk offline or read-only, and it is online and writable: take the attached disk offline (Disk Management, or `Set-Disk -Number <n> -IsOffline $true`), attach it read-only, or detach it first.' },
  ERROR_CTLOG_TRACKING_NOT_INITIALIZED: { hint: 'Change tracking (resilient change tracking, RCT) has not been started for this virtual disk: enable it first (SetVirtualDiskInformation with CHANGE_TRACKING_STATE), then ask for changes.' },
  ERROR_CTLOG_LOGFILE_SIZE_EXCEEDED_MAXSIZE: { hint: `The change tracking log reached its size limit, so the changes since the identifier asked about cannot be given: ${OFFLINE_CHANGE_TRACKING}.` },
  ERROR_CTLOG_VHD_CHANGED_OFFLINE: { hint: `The image was changed while change tracking could not see it (compacted, expanded or edited offline), so the tracked changes no longer hold: ${OFFLINE_CHANGE_TRACKING}.` },
  ERROR_CTLOG_INVALID_TRACKING_STATE: { hint: several('Change tracking is not in a state for this request.', 'it is already on, or already off, as asked', 'it was discontinued (e.g. after an offline change): turn it off and on again, then take a full backup') },
  ERROR_CTLOG_INCONSISTENT_TRACKING_FILE: { hint: 'The change tracking files beside the image (.rct, .mrt) are not valid: damaged, partly deleted or copied from another disk. Turn change tracking off and on again, then take a full backup.' },
  ERROR_VHD_RESIZE_WOULD_TRUNCATE_DATA: { hint: 'Shrinking to this size would cut off data: partitions on the disk reach past the new end. Shrink the partitions inside the disk first, or resize to the smallest safe size (RESIZE_VIRTUAL_DISK_FLAG_RESIZE_TO_SMALLEST_SAFE_VIRTUAL_SIZE).' },
  ERROR_VHD_COULD_NOT_COMPUTE_MINIMUM_VIRTUAL_SIZE: { hint: 'The smallest safe size of the disk cannot be found: its partition table is missing or damaged (e.g. a blank, unpartitioned disk). Give an explicit size, with RESIZE_VIRTUAL_DISK_FLAG_ALLOW_UNSAFE_VIRTUAL_SIZE only if no data lies past it.' },
  ERROR_VHD_ALREADY_AT_OR_BELOW_MINIMUM_VIRTUAL_SIZE: { hint: 'The disk cannot be shrunk safely any further: it is already at or below the smallest size that keeps all its partitions. Shrink the partitions inside it first.' },
  ERROR_VHD_METADATA_FULL: { hint: "The image file has no room left for this metadata item: the format's metadata area is full. Remove other metadata items, or store a smaller one." },
  ERROR_VHD_INVALID_CHANGE_TRACKING_ID: { hint: 'The change tracking identifier is not valid for this disk: it is malformed, or comes from another disk. Use an identifier this disk reported.' },
  ERROR_VHD_CHANGE_TRACKING_DISABLED: { hint: `Change tracking is off for this disk, so it has no changes to report: turn it on, then ${OFFLINE_CHANGE_TRACKING}.` },
  ERROR_VHD_MISSING_CHANGE_TRACKING_INFORMATION: { hint: `There is no change data for this change tracking identifier: it is too old (tracking was reset or restarted since) or unknown to this disk. Instead, ${OFFLINE_CHANGE_TRACKING}.` },
  ERROR_QUERY_STORAGE_ERROR: { hint: "Windows' virtualization storage subsystem reported an error without details (a warning-level code): the event logs Microsoft-Windows-VHDMP and Microsoft-Windows-VirtDisk may say more." },

  // ——— Shared VHDX and VHD Sets (FACILITY_SHARED_VHDX, 0xC05C….) ———
  ERROR_SVHDX_ERROR_STORED: { hint: 'A SCSI command on a shared VHDX (a disk shared by the virtual machines of a guest cluster) failed, and the server kept the details (sense data) for the initiator to read: not a fault of the image file. The host\'s and the guest cluster\'s event logs say more.' },
  ERROR_SVHDX_ERROR_NOT_AVAILABLE: { hint: 'A shared VHDX initiator asked the server for error details (sense data) it no longer has: retry the failed command.' },
  ERROR_SVHDX_UNIT_ATTENTION_AVAILABLE: { hint: 'A shared VHDX has a SCSI Unit Attention waiting for this initiator: its state changed, and the initiator (usually the guest cluster\'s disk driver) reads it and retries.' },
  ERROR_SVHDX_UNIT_ATTENTION_CAPACITY_DATA_CHANGED: { hint: 'A shared VHDX was resized, and its initiators must re-read its capacity (SCSI Unit Attention): retry.' },
  ERROR_SVHDX_UNIT_ATTENTION_RESERVATIONS_PREEMPTED: { hint: "Another initiator of a shared VHDX pre-empted this initiator's SCSI reservations (usually the guest cluster moving the disk to another node): retry, or let the cluster settle ownership." },
  ERROR_SVHDX_UNIT_ATTENTION_RESERVATIONS_RELEASED: { hint: "This initiator's SCSI reservations on a shared VHDX were released (usually by the guest cluster): retry after the cluster has settled ownership." },
  ERROR_SVHDX_UNIT_ATTENTION_REGISTRATIONS_PREEMPTED: { hint: "Another initiator of a shared VHDX pre-empted this initiator's SCSI registrations (usually the guest cluster moving the disk to another node): retry, or let the cluster settle ownership." },
  ERROR_SVHDX_UNIT_ATTENTION_OPERATING_DEFINITION_CHANGED: { hint: 'The data storage format of a shared VHDX changed, and its initiators must re-read it (SCSI Unit Attention): retry.' },
  ERROR_SVHDX_RESERVATION_CONFLICT: { hint: 'Another initiator (another node of the guest cluster) holds a SCSI reservation on this shared VHDX, so this one may not run the command: let the cluster move the disk to this node, or release the reservation there.' },
  ERROR_SVHDX_WRONG_FILE_TYPE: { hint: 'Only a fixed or dynamically expanding VHDX can be shared between virtual machines: this image is a VHD or a differencing disk. Convert it to a fixed or dynamic VHDX, or use a VHD Set (.vhds).', reason: 'UNSUPPORTED_FORMAT' },
  ERROR_SVHDX_VERSION_MISMATCH: { hint: 'The shared VHDX server speaks another protocol version than the client asked for: bring the Hyper-V hosts and the file server holding the disk to matching Windows versions.' },
  ERROR_VHD_SHARED: { hint: 'The virtual disk is in use in shared mode (a shared VHDX or VHD Set attached to several virtual machines), and this operation cannot run while it is shared: shut down or detach the virtual machines sharing it, then retry.' },
  ERROR_SVHDX_NO_INITIATOR: { hint: 'A shared VHDX was opened without an initiator ID, not through the shared VHDX filter as a guest cluster member would: look for related Continuous Availability (SMB, cluster) failures in the event logs.' },
  ERROR_VHDSET_BACKING_STORAGE_NOT_FOUND: { hint: 'The VHD Set (.vhds) names a backing file that is missing: an .avhdx checkpoint file that belongs to it was moved, renamed or deleted. The .vhds file itself is fine: put the missing file back where the VHD Set records it.' },
};

// ——— Where the same code means something else from one function ———

const DISK_ELEVATE = 'Changing a disk needs an elevated process (run as Administrator): opening \\\\.\\PhysicalDriveN for writing is denied otherwise.';
const DISK_WRITE_PROTECT = several('The disk is write-protected.', 'the image was attached read-only: attach it without readOnly', 'the disk has the read-only attribute (a SAN policy sets it on some servers): diskpart `attributes disk clear readonly`, or Set-Disk -IsReadOnly $false', 'the image file is on read-only media');
const DISK_NOT_READY = several('The disk is not ready.', 'it is offline (a SAN policy leaves new disks offline): bring it online (diskpart `online disk`, or Set-Disk -IsOffline $false)', 'it was detached meanwhile');
const DISK_NOT_A_DISK = 'This device does not answer the disk requests: it is not a disk (an ISO attaches as a CD-ROM), or its driver is too old.';
/** The disk IOCTLs (lib/disk-layout.ts), which report their code with the IOCTL's name as syscall. */
const DISK_CAUSES: Readonly<Record<string, Cause>> = {
  ERROR_ACCESS_DENIED: { hint: DISK_ELEVATE, reason: 'NOT_ELEVATED' },
  ERROR_WRITE_PROTECT: { hint: DISK_WRITE_PROTECT },
  ERROR_NOT_READY: { hint: DISK_NOT_READY },
  ERROR_DEV_NOT_EXIST: { hint: 'The disk went away: the image was detached meanwhile.' },
  ERROR_INVALID_PARAMETER: { hint: several('The disk refused the request.', "a partition lies outside the disk's usable area or overlaps another", 'an MBR disk was given more than four primary partitions', 'the disk is larger than an MBR table can address (2 TiB with 512-byte sectors): use GPT') },
  ERROR_NOT_SUPPORTED: { hint: DISK_NOT_A_DISK },
  ERROR_INVALID_FUNCTION: { hint: DISK_NOT_A_DISK },
};
const DISK_IOCTLS = [
  'IOCTL_DISK_CREATE_DISK', 'IOCTL_DISK_DELETE_DRIVE_LAYOUT', 'IOCTL_DISK_SET_DRIVE_LAYOUT_EX', 'IOCTL_DISK_GET_DRIVE_LAYOUT_EX', 'IOCTL_DISK_SET_DISK_ATTRIBUTES',
  'IOCTL_DISK_GET_DISK_ATTRIBUTES', 'IOCTL_DISK_UPDATE_PROPERTIES', 'IOCTL_DISK_GET_DRIVE_GEOMETRY_EX',
];

const BY_SYSCALL: Readonly<Record<string, Readonly<Record<string, Cause>>>> = {
  ...Object.fromEntries(DISK_IOCTLS.map((ioctl) => [ioctl, DISK_CAUSES])),
  OpenVirtualDisk: {
    ERROR_FILE_NOT_FOUND: { hint: 'The image file does not exist.', reason: 'IMAGE_NOT_FOUND' },
    ERROR_PATH_NOT_FOUND: { hint: `A folder on the image path does not exist, or its drive is not there (a removable drive that is out, or a network drive not mapped in this session). ${ELEVATED_LOGON}`, reason: 'IMAGE_NOT_FOUND' },
    ERROR_ACCESS_DENIED: { hint: several('The image file cannot be opened with the access asked for.', FILE_ACL, READ_ONLY_FILE, PROTECTED_FOLDER, 'the process is not elevated, and opening an image for attaching needs SE_MANAGE_VOLUME_PRIVILEGE: run it elevated (as Administrator)') },
    ERROR_SHARING_VIOLATION: { hint: several('The image file is in use.', OTHER_PROGRAM, 'the image is attached, by this or another process, and this open asks for access that conflicts with the attachment: open it read-only, or detach it first') },
  },
  AttachVirtualDisk: {
    ERROR_FILE_NOT_FOUND: { hint: several('The image file was not found.', 'it was moved or deleted', SD_CARD) },
    ERROR_ACCESS_DENIED: { hint: several('Windows denied the attach.', ELEVATE, HOST_FILE, FILE_ACL, READ_ONLY_FILE) },
    ERROR_PRIVILEGE_NOT_HELD: { hint: 'Attaching needs SE_MANAGE_VOLUME_PRIVILEGE: run the process elevated (as Administrator).', reason: 'NOT_ELEVATED' },
    ERROR_INVALID_PARAMETER: { hint: several('Windows refused a parameter this library had checked.', 'a rule this library does not check: a flag or parameter version this Windows build does not know, or a handle not opened for this kind of attach (a read/write attach needs a handle opened with VIRTUAL_DISK_ACCESS_ATTACH_RW)', HOST_FILE) },
    ERROR_NOT_SUPPORTED: { hint: several('Windows does not support this attach here.', 'this Windows version or edition lacks one of the flags or options asked for', HOST_FILE) },
    ERROR_SHARING_VIOLATION: { hint: several('The image file is in use.', OTHER_PROGRAM, ALREADY_ATTACHED) },
    ERROR_ALREADY_EXISTS: { hint: 'The image is already attached, by this or another process: detach it first (detachVirtualDisk(path)).' },
    ERROR_VHD_INVALID_STATE: { hint: several('The virtual disk cannot be attached in its current state.', ALREADY_ATTACHED, OPERATION_RUNNING) },
    ERROR_INVALID_SECURITY_DESCR: { hint: BAD_SDDL, reason: 'INVALID_SECURITY_DESCRIPTOR' },
  },
  DetachVirtualDisk: {
    ERROR_ACCESS_DENIED: { hint: 'On Windows Server, detaching needs SE_MANAGE_VOLUME_PRIVILEGE: run the process elevated.' },
    ERROR_PRIVILEGE_NOT_HELD: { hint: 'On Windows Server, detaching needs SE_MANAGE_VOLUME_PRIVILEGE: run the process elevated.', reason: 'NOT_ELEVATED' },
    ERROR_SHARING_VIOLATION: { hint: 'All other open handles to the virtual disk, in any process, must be closed before it can be detached.' },
    ERROR_NOT_READY: { hint: NOT_ATTACHED },
    ERROR_NOT_FOUND: { hint: NOT_ATTACHED },
    ERROR_DEV_NOT_EXIST: { hint: NOT_ATTACHED },
    ERROR_VHD_INVALID_STATE: { hint: several('The virtual disk cannot be detached in its current state.', 'it is not attached', OPERATION_RUNNING) },
    ERROR_INVALID_PARAMETER: { hint: several('Windows refused a parameter this library had checked.', 'a rule this library does not check, or a flag this Windows build does not know', HOST_FILE) },
  },
  GetVirtualDiskPhysicalPath: {
    ERROR_DEV_NOT_EXIST: { hint: NOT_ATTACHED },
    ERROR_NOT_READY: { hint: NOT_ATTACHED },
    ERROR_NOT_FOUND: { hint: NOT_ATTACHED },
    ERROR_VHD_INVALID_STATE: { hint: NOT_ATTACHED },
  },
  SetVolumeMountPointW: {
    ERROR_DIR_NOT_EMPTY: { hint: 'The folder is not empty (hidden and system files count too), or it is a mounted folder already: give the volume an empty folder that nothing is mounted at.' },
    ERROR_ACCESS_DENIED: { hint: 'Setting a mount point needs an elevated process (run as Administrator), and write access to the folder.' },
    ERROR_INVALID_PARAMETER: { hint: several('Windows refused the mount point.', 'the folder is not on a local NTFS volume (ReFS, FAT, exFAT and network shares cannot hold mounted folders)', 'the drive letter is taken meanwhile') },
    ERROR_INVALID_FUNCTION: { hint: 'The volume holding the folder does not support mounted folders: use a folder on a local NTFS volume, or a drive letter.' },
    ERROR_CALL_NOT_IMPLEMENTED: { hint: 'This Windows (or Wine, whose SetVolumeMountPointW is a stub) cannot set mount points.' },
  },
  CreateVirtualDisk: {
    ERROR_ALREADY_EXISTS: { hint: 'The file to create already exists: choose another path, or delete the old file first.' },
  },
  ConvertStringSecurityDescriptorToSecurityDescriptorW: {
    ERROR_INVALID_PARAMETER: { hint: BAD_SDDL, reason: 'INVALID_SECURITY_DESCRIPTOR' },
    ERROR_INVALID_ACL: { hint: BAD_SDDL, reason: 'INVALID_SECURITY_DESCRIPTOR' },
    ERROR_INVALID_SID: { hint: BAD_SDDL, reason: 'INVALID_SECURITY_DESCRIPTOR' },
    ERROR_NONE_MAPPED: { hint: `${BAD_SDDL} An account name in it is unknown to this machine.`, reason: 'INVALID_SECURITY_DESCRIPTOR' },
    ERROR_UNKNOWN_REVISION: { hint: BAD_SDDL, reason: 'INVALID_SECURITY_DESCRIPTOR' },
    ERROR_INVALID_SECURITY_DESCR: { hint: BAD_SDDL, reason: 'INVALID_SECURITY_DESCRIPTOR' },
  },
};

/** A code of the virtual disk facilities that the table does not know, as win32ErrorName spells it. */
function isUnknownVirtualDiskCode(code: string): boolean {
  const upper = code.toUpperCase();
  return ['WIN32_ERROR_0XC03A', 'WIN32_ERROR_0X803A', 'WIN32_ERROR_0XC05C'].some((prefix) => upper.startsWith(prefix));
}

function causeOf(syscall: string, code: string): Cause | undefined {
  const forSyscall = Object.hasOwn(BY_SYSCALL, syscall) ? BY_SYSCALL[syscall] : undefined;
  if (forSyscall && Object.hasOwn(forSyscall, code)) return forSyscall[code];
  if (Object.hasOwn(BY_CODE, code)) return BY_CODE[code];
  if (isUnknownVirtualDiskCode(code)) return { hint: UNKNOWN_VIRTUAL_DISK_CODE };
  return undefined;
}

/**
 * The causes of `code` (a winerror.h name, as win32ErrorName gives it) from `syscall`, in plain words, with
 * what to do; undefined when nothing is known about this code.
 */
export function hintFor(syscall: string, code: string): string | undefined {
  return causeOf(syscall, code)?.hint;
}

/**
 * What went wrong, for programs, when `code` from `syscall` has one cause; undefined when it has several
 * (the hint names them) or none is known. Never 'ALREADY_ATTACHED', 'NOT_ATTACHED' or 'FILE_IN_USE': those
 * the library decides from the state of Windows.
 */
export function reasonFor(syscall: string, code: string): VirtualDiskErrorReason | undefined {
  return causeOf(syscall, code)?.reason;
}
