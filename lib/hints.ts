// The documented causes of a failure, in plain words, by the failing function and the error's name.

const HOST_VOLUME = 'The volume holding the image must not be compressed or EFS-encrypted.';
const ELEVATE = 'Attaching needs SE_MANAGE_VOLUME_PRIVILEGE: run the process elevated (as Administrator).';
const INVALID_IMAGE = 'The image file is not a valid virtual disk of its type (check that the extension or storageType matches the content).';
const NO_PROVIDER = 'No virtual disk provider handles this image: check the extension or storageType; ISO images need Windows 8 or later.';
const ALREADY_ATTACHED = 'The image is already attached, by this or another process: detach it first (detachVirtualDisk(path)).';
const NOT_ATTACHED = 'The image is not attached.';
const SD_CARD = 'Images on SD media in a native-mode SD slot (sdbus.sys) cannot be attached and report this error; SD media in a USB reader work.';
const BAD_SDDL = "The securityDescriptor option is not valid SDDL, e.g. 'O:BAG:BAD:(A;;GA;;;WD)'.";

const BY_SYSCALL: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  OpenVirtualDisk: {
    ERROR_FILE_NOT_FOUND: 'The image file does not exist.',
    ERROR_PATH_NOT_FOUND: 'A folder on the image path does not exist.',
    ERROR_ACCESS_DENIED: 'The image file cannot be opened with these rights: check its permissions, or that it is not read-only when opened read/write.',
    ERROR_SHARING_VIOLATION: 'Another program has the image file open.',
  },
  AttachVirtualDisk: {
    ERROR_FILE_NOT_FOUND: `The image file was not found. ${SD_CARD}`,
    ERROR_ACCESS_DENIED: `${ELEVATE} ${HOST_VOLUME}`,
    ERROR_PRIVILEGE_NOT_HELD: ELEVATE,
    ERROR_INVALID_PARAMETER: `Windows refused a parameter this library had checked; a cause it cannot see: ${HOST_VOLUME}`,
    ERROR_NOT_SUPPORTED: HOST_VOLUME,
    ERROR_SHARING_VIOLATION: ALREADY_ATTACHED,
    ERROR_VHD_INVALID_STATE: ALREADY_ATTACHED,
    ERROR_VIRTDISK_DISK_ALREADY_OWNED: ALREADY_ATTACHED,
    ERROR_INVALID_SECURITY_DESCR: BAD_SDDL,
  },
  DetachVirtualDisk: {
    ERROR_ACCESS_DENIED: 'On Windows Server, detaching needs SE_MANAGE_VOLUME_PRIVILEGE: run the process elevated.',
    ERROR_PRIVILEGE_NOT_HELD: 'On Windows Server, detaching needs SE_MANAGE_VOLUME_PRIVILEGE: run the process elevated.',
    ERROR_SHARING_VIOLATION: 'All other open handles to the virtual disk, in any process, must be closed before it can be detached.',
    ERROR_NOT_READY: NOT_ATTACHED,
    ERROR_VHD_INVALID_STATE: NOT_ATTACHED,
    ERROR_INVALID_PARAMETER: `Windows refused a parameter this library had checked; a cause it cannot see: ${HOST_VOLUME}`,
  },
  GetVirtualDiskPhysicalPath: {
    ERROR_DEV_NOT_EXIST: NOT_ATTACHED,
    ERROR_NOT_READY: NOT_ATTACHED,
    ERROR_VHD_INVALID_STATE: NOT_ATTACHED,
  },
  ConvertStringSecurityDescriptorToSecurityDescriptorW: {
    ERROR_INVALID_PARAMETER: BAD_SDDL,
    ERROR_INVALID_ACL: BAD_SDDL,
    ERROR_INVALID_SID: BAD_SDDL,
    ERROR_NONE_MAPPED: `${BAD_SDDL} An account name in it is unknown to this machine.`,
    ERROR_UNKNOWN_REVISION: BAD_SDDL,
    ERROR_INVALID_SECURITY_DESCR: BAD_SDDL,
  },
};

/** Documented causes of `code` from `syscall`; undefined when the documentation names none. */
export function hintFor(syscall: string, code: string): string | undefined {
  const specific = BY_SYSCALL[syscall]?.[code];
  if (specific) return specific;
  if (/ENCRYPT|EFS|COMPRESS/.test(code)) return HOST_VOLUME;
  if (code === 'ERROR_VIRTDISK_PROVIDER_NOT_FOUND') return NO_PROVIDER;
  if (/^ERROR_(VHD_|VIRTDISK_NOT_VIRTUAL_DISK|FILE_CORRUPT|DISK_CORRUPT|INVALID_DATA|CRC|BAD_FORMAT)/.test(code)) {
    return INVALID_IMAGE;
  }
  return undefined;
}
