// The documented ERROR_INVALID_PARAMETER rules of OpenVirtualDisk, AttachVirtualDisk and DetachVirtualDisk,
// checked before Windows sees a call. Pure: no DLL, works on every OS. Each check returns a verdict with
// either the SDK-level arguments the call would be made with, or the InvalidParameterError it would fail with.
import path from 'node:path';
import type {
  AttachOptions, DetachOptions, OpenOptions, StorageType,
} from '../types/index.ts';
import {
  ATTACH_VIRTUAL_DISK_FLAG_BYPASS_DEFAULT_ENCRYPTION_POLICY, ATTACH_VIRTUAL_DISK_FLAG_AT_BOOT,
  ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER, ATTACH_VIRTUAL_DISK_FLAG_NO_LOCAL_HOST,
  ATTACH_VIRTUAL_DISK_FLAG_NO_SECURITY_DESCRIPTOR, ATTACH_VIRTUAL_DISK_FLAG_NON_PNP,
  ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME, ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY,
  ATTACH_VIRTUAL_DISK_FLAG_REGISTER_VOLUME, ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE,
  ATTACH_VIRTUAL_DISK_FLAG_SINGLE_PARTITION, ATTACH_VIRTUAL_DISK_VERSION_1, ATTACH_VIRTUAL_DISK_VERSION_2,
  DETACH_VIRTUAL_DISK_FLAG_NONE, OPEN_VIRTUAL_DISK_FLAG_NONE, OPEN_VIRTUAL_DISK_RW_DEPTH_DEFAULT,
  OPEN_VIRTUAL_DISK_VERSION_1, OPEN_VIRTUAL_DISK_VERSION_2, VIRTUAL_DISK_ACCESS_ATTACH_RO,
  VIRTUAL_DISK_ACCESS_ATTACH_RW, VIRTUAL_DISK_ACCESS_DETACH, VIRTUAL_DISK_ACCESS_NONE, VIRTUAL_DISK_ACCESS_READ,
  VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT,
} from '../types/constants.ts';
import type {
  AttachVirtualDiskParametersValue, OpenVirtualDiskParametersValue, VirtualStorageTypeValue,
} from '../ffi/types.ts';
import { InvalidParameterError } from './errors.ts';
import { ATTACH_OPTION_KINDS, checkOptionShapes, DETACH_OPTION_KINDS, OPEN_OPTION_KINDS } from './options.ts';
import { DEVICE_IDS, storageTypeFromPath } from './storage-type.ts';
import {
  ATTACH_FLAG_INTRODUCTIONS, ATTACH_VERSION_2_FIRST_BUILD, currentWindowsBuild, DOCUMENTED_ATTACH_FLAGS,
  ISO_FIRST_BUILD,
} from './windows-build.ts';

export type Verdict<Call> = { ok: true; call: Call } | { ok: false; error: InvalidParameterError };

/** What the rules need to know of a virtual disk handle. */
export interface HandleDescription {
  /** true only for a handle OpenVirtualDisk returned. */
  createdByOpenVirtualDisk: boolean;
  /** false once the handle was closed. */
  open: boolean;
  path: string;
  storageType: StorageType;
  /** The OPEN_VIRTUAL_DISK_PARAMETERS Version it was opened with. */
  openVersion: number;
  /** The VirtualDiskAccessMask it was opened with. */
  access: number;
  /** Version 2 or 3 parameters' ReadOnly and GetInfoOnly. */
  readOnly: boolean;
  getInfoOnly: boolean;
}

export interface CheckContext {
  /** The Windows build to check against; the running one by default; when unknown, build rules pass. */
  windowsBuild?: number;
  /** Other handles this process holds open on the same image, described for the message. */
  otherOpenHandles?: readonly string[];
}

export interface OpenCall {
  storageType: StorageType;
  VirtualStorageType: VirtualStorageTypeValue;
  Path: string;
  VirtualDiskAccessMask: number;
  Flags: number;
  Parameters: OpenVirtualDiskParametersValue;
}

export interface AttachCall {
  /** SDDL; converted to a SECURITY_DESCRIPTOR for the call. */
  SecurityDescriptor: string | undefined;
  Flags: number;
  ProviderSpecificFlags: number;
  Parameters: AttachVirtualDiskParametersValue;
}

export interface DetachCall {
  Flags: number;
  ProviderSpecificFlags: number;
}

const ISO_RULE = 'CD and DVD image files (ISO) are not supported before Windows 8 and Windows Server 2012.';
const HANDLE_RULE = 'The VirtualDiskHandle parameter is not a valid handle created by the OpenVirtualDisk function.';

const fail = (error: InvalidParameterError) => ({ ok: false, error }) as const;

function buildOf(options: { windowsBuild?: number } | undefined, context?: CheckContext): number | undefined {
  return context?.windowsBuild ?? options?.windowsBuild ?? currentWindowsBuild();
}

function isoTooOld(syscall: string, imagePath: string, build: number | undefined): InvalidParameterError | undefined {
  if (build === undefined || build >= ISO_FIRST_BUILD) return undefined;
  return new InvalidParameterError({
    syscall, parameter: 'VirtualStorageType', path: imagePath,
    problem: `'${imagePath}' is an ISO image and this is Windows build ${build}.`,
    rule: ISO_RULE, fix: 'Use Windows 8 / Windows Server 2012 or later, or a VHD/VHDX image.',
  });
}

// ---------------------------------------------------------------- OpenVirtualDisk

/**
 * OpenVirtualDisk's arguments for an image, by the documented recipes: ISO with version 1 parameters and
 * VIRTUAL_DISK_ACCESS_READ (VIRTUAL_DISK_ACCESS_DETACH when opening only to detach); VHD, VHDX and VHD Set
 * with version 2 parameters and VIRTUAL_DISK_ACCESS_NONE, `readOnly` in the parameters.
 */
export function checkOpen(
  imagePath: unknown,
  options?: OpenOptions | DetachOptions,
  purpose: 'attach' | 'detach' = 'attach',
): Verdict<OpenCall> {
  const syscall = 'OpenVirtualDisk';
  if (typeof imagePath !== 'string' || imagePath.length === 0 || imagePath.includes('\0')) {
    return fail(new InvalidParameterError({
      syscall, parameter: 'Path',
      problem: typeof imagePath === 'string'
        ? `the path ${imagePath.length === 0 ? 'is empty' : 'contains a NUL character'}.`
        : `the path is ${imagePath === null ? 'null' : typeof imagePath}, not a string.`,
      rule: 'Path is a NUL-terminated string naming the virtual disk image file.',
      fix: "Pass the image's file path as a non-empty string, e.g. 'D:\\\\images\\\\data.vhdx'.",
    }));
  }
  const shapeError = checkOptionShapes(syscall, options, purpose === 'attach' ? OPEN_OPTION_KINDS : DETACH_OPTION_KINDS);
  if (shapeError) return fail(shapeError);

  const fullPath = path.win32.resolve(imagePath);
  const storageType = options?.storageType ?? storageTypeFromPath(fullPath);
  if (storageType === undefined) {
    return fail(new InvalidParameterError({
      syscall, parameter: 'VirtualStorageType', path: fullPath,
      problem: `the extension of '${fullPath}' names no virtual disk type.`,
      rule: 'VirtualStorageType names the image type: ISO, VHD, VHDX or VHD Set.',
      fix: "Use a .iso, .vhd, .vhdx or .vhds file, or pass storageType: 'iso' | 'vhd' | 'vhdx' | 'vhdset'.",
    }));
  }
  const VirtualStorageType = { DeviceId: DEVICE_IDS[storageType], VendorId: VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT };

  if (storageType === 'iso') {
    const tooOld = isoTooOld(syscall, fullPath, buildOf(options));
    if (tooOld) return fail(tooOld);
    if (options && 'readOnly' in options && options.readOnly === false) {
      return fail(new InvalidParameterError({
        syscall, parameter: 'readOnly', path: fullPath,
        problem: 'an ISO image cannot be opened read/write.',
        rule: 'ATTACH_VIRTUAL_DISK_FLAG_NONE is not supported for ISO virtual disks. ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY must be specified.',
        fix: 'Leave readOnly out (ISO images are read-only) or pass readOnly: true.',
      }));
    }
    return {
      ok: true,
      call: {
        storageType, VirtualStorageType, Path: fullPath,
        VirtualDiskAccessMask: purpose === 'detach' ? VIRTUAL_DISK_ACCESS_DETACH : VIRTUAL_DISK_ACCESS_READ,
        Flags: OPEN_VIRTUAL_DISK_FLAG_NONE,
        Parameters: { Version: OPEN_VIRTUAL_DISK_VERSION_1, u: { Version1: { RWDepth: OPEN_VIRTUAL_DISK_RW_DEPTH_DEFAULT } } },
      },
    };
  }

  const readOnly = options && 'readOnly' in options && options.readOnly === true ? 1 : 0;
  return {
    ok: true,
    call: {
      storageType, VirtualStorageType, Path: fullPath,
      VirtualDiskAccessMask: VIRTUAL_DISK_ACCESS_NONE,
      Flags: OPEN_VIRTUAL_DISK_FLAG_NONE,
      Parameters: {
        Version: OPEN_VIRTUAL_DISK_VERSION_2,
        u: { Version2: { GetInfoOnly: 0, ReadOnly: readOnly, ResiliencyGuid: { Data1: 0, Data2: 0, Data3: 0, Data4: [0, 0, 0, 0, 0, 0, 0, 0] } } },
      },
    },
  };
}

/** How a handle opened with this call can be used, for the attach and detach rules. */
export function describeOpenedHandle(call: OpenCall): HandleDescription {
  const parameters = call.Parameters;
  const version2 = parameters.Version === 2 ? parameters.u.Version2 : undefined;
  return {
    createdByOpenVirtualDisk: true,
    open: true,
    path: call.Path,
    storageType: call.storageType,
    openVersion: parameters.Version,
    access: call.VirtualDiskAccessMask,
    readOnly: version2 !== undefined && version2.ReadOnly !== 0,
    getInfoOnly: version2 !== undefined && version2.GetInfoOnly !== 0,
  };
}

// ---------------------------------------------------------------- AttachVirtualDisk

const FLAG_OPTIONS: ReadonlyArray<[keyof AttachOptions, number]> = [
  ['readOnly', ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY],
  ['noDriveLetter', ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER],
  ['permanent', ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME],
  ['noLocalHost', ATTACH_VIRTUAL_DISK_FLAG_NO_LOCAL_HOST],
  ['noSecurityDescriptor', ATTACH_VIRTUAL_DISK_FLAG_NO_SECURITY_DESCRIPTOR],
  ['bypassDefaultEncryptionPolicy', ATTACH_VIRTUAL_DISK_FLAG_BYPASS_DEFAULT_ENCRYPTION_POLICY],
  ['nonPnp', ATTACH_VIRTUAL_DISK_FLAG_NON_PNP],
  ['singlePartition', ATTACH_VIRTUAL_DISK_FLAG_SINGLE_PARTITION],
  ['registerVolume', ATTACH_VIRTUAL_DISK_FLAG_REGISTER_VOLUME],
  ['atBoot', ATTACH_VIRTUAL_DISK_FLAG_AT_BOOT],
];

/** AttachVirtualDisk's arguments for these options (their shapes checked, the rules not yet). */
export function attachCallFromOptions(storageType: StorageType, options?: AttachOptions): Verdict<AttachCall> {
  const shapeError = checkOptionShapes('AttachVirtualDisk', options, ATTACH_OPTION_KINDS);
  if (shapeError) return fail(shapeError);
  let Flags = 0;
  for (const [option, flag] of FLAG_OPTIONS) if (options?.[option] === true) Flags |= flag;
  // An ISO attaches read-only unless the caller says otherwise (and then the rules say no).
  if (storageType === 'iso' && options?.readOnly === undefined) Flags |= ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY;

  const range = options?.restrictedRange;
  if (range) Flags |= ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE;
  return {
    ok: true,
    call: {
      SecurityDescriptor: options?.securityDescriptor,
      Flags,
      ProviderSpecificFlags: options?.providerSpecificFlags ?? 0,
      Parameters: range
        ? { Version: ATTACH_VIRTUAL_DISK_VERSION_2, u: { Version2: { RestrictedOffset: range.offset, RestrictedLength: range.length } } }
        : { Version: ATTACH_VIRTUAL_DISK_VERSION_1, u: { Version1: { Reserved: 0 } } },
    },
  };
}

/** The rule every handle-taking function shares: a handle from OpenVirtualDisk, still open. */
export function checkHandle(syscall: string, handle: HandleDescription): InvalidParameterError | undefined {
  if (handle.createdByOpenVirtualDisk && handle.open) return undefined;
  return new InvalidParameterError({
    syscall, parameter: 'VirtualDiskHandle', path: handle.path,
    problem: handle.createdByOpenVirtualDisk ? 'the handle was closed.' : 'the handle did not come from OpenVirtualDisk.',
    rule: HANDLE_RULE, fix: 'Open the image again with openVirtualDisk().',
  });
}

/** The handle rule, plus the ISO rule for an ISO handle: what every handle-taking call checks first. */
function checkUsableHandle(syscall: string, handle: HandleDescription, context?: CheckContext): InvalidParameterError | undefined {
  return checkHandle(syscall, handle)
    ?? (handle.storageType === 'iso' ? isoTooOld(syscall, handle.path, buildOf(undefined, context)) : undefined);
}

function canAttachReadWrite(handle: HandleDescription): boolean {
  if (handle.openVersion === OPEN_VIRTUAL_DISK_VERSION_1) return (handle.access & VIRTUAL_DISK_ACCESS_ATTACH_RW) !== 0;
  return !handle.readOnly && !handle.getInfoOnly;
}

function canAttachReadOnly(handle: HandleDescription): boolean {
  if (handle.openVersion === OPEN_VIRTUAL_DISK_VERSION_1) {
    return (handle.access & (VIRTUAL_DISK_ACCESS_ATTACH_RO | VIRTUAL_DISK_ACCESS_ATTACH_RW)) !== 0;
  }
  return !handle.getInfoOnly;
}

/** The AttachVirtualDisk rules, on the SDK-level arguments. */
export function checkAttachCall(
  handle: HandleDescription,
  call: AttachCall,
  context?: CheckContext,
): InvalidParameterError | undefined {
  const syscall = 'AttachVirtualDisk';
  const imagePath = handle.path;
  const build = buildOf(undefined, context);

  const usable = checkUsableHandle(syscall, handle, context);
  if (usable) return usable;

  const { Flags, Parameters } = call;
  const undocumented = (Flags & ~DOCUMENTED_ATTACH_FLAGS) >>> 0;
  if (!Number.isInteger(Flags) || Flags < 0 || undocumented !== 0) {
    return new InvalidParameterError({
      syscall, parameter: 'Flags', path: imagePath,
      problem: `Flags 0x${(Flags >>> 0).toString(16)} holds bits no ATTACH_VIRTUAL_DISK_FLAG documents (0x${undocumented.toString(16)}).`,
      rule: 'Flags: a valid combination of values of the ATTACH_VIRTUAL_DISK_FLAG enumeration.',
      fix: 'Use only the named attach options.',
    });
  }
  if (build !== undefined) {
    const unknown = ATTACH_FLAG_INTRODUCTIONS.filter((entry) => (Flags & entry.flag) !== 0 && entry.firstBuild > build);
    if (unknown.length > 0) {
      const names = unknown.map((entry) => `${entry.name} (0x${entry.flag.toString(16)}, build ${entry.firstBuild})`);
      const newest = Math.max(...ATTACH_FLAG_INTRODUCTIONS.filter((entry) => entry.firstBuild <= build).map((entry) => entry.flag));
      return new InvalidParameterError({
        syscall, parameter: 'Flags', path: imagePath,
        problem: `Windows build ${build} does not know ${names.join(', ')}.`,
        rule: `The Flags parameter is set to a value larger than 0x${newest.toString(16).padStart(3, '0')}.`,
        fix: 'Leave those options out on this Windows, or pass windowsBuild if the build was misread.',
      });
    }
  }

  if (Parameters.Version !== ATTACH_VIRTUAL_DISK_VERSION_1 && Parameters.Version !== ATTACH_VIRTUAL_DISK_VERSION_2) {
    return new InvalidParameterError({
      syscall, parameter: 'Parameters.Version', path: imagePath,
      problem: `Parameters.Version is ${String((Parameters as { Version: unknown }).Version)}.`,
      rule: 'The Version member of the Parameters parameter is not set to ATTACH_VIRTUAL_DISK_VERSION_1.',
      fix: 'Use ATTACH_VIRTUAL_DISK_VERSION_1, or ATTACH_VIRTUAL_DISK_VERSION_2 with a restricted range.',
    });
  }
  if (Parameters.Version === ATTACH_VIRTUAL_DISK_VERSION_2 && build !== undefined && build < ATTACH_VERSION_2_FIRST_BUILD) {
    return new InvalidParameterError({
      syscall, parameter: 'Parameters.Version', path: imagePath,
      problem: `Windows build ${build} predates ATTACH_VIRTUAL_DISK_VERSION_2 (build ${ATTACH_VERSION_2_FIRST_BUILD}).`,
      rule: 'The Version member of the Parameters parameter is not set to ATTACH_VIRTUAL_DISK_VERSION_1.',
      fix: 'Leave restrictedRange out on this Windows.',
    });
  }
  if ((Flags & ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE) !== 0 && Parameters.Version !== ATTACH_VIRTUAL_DISK_VERSION_2) {
    return new InvalidParameterError({
      syscall, parameter: 'Parameters.Version', path: imagePath,
      problem: 'ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE is set but the parameters are version 1, which has no range.',
      rule: 'ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE: restrict the disk\'s view to the offset and length of version 2 parameters.',
      fix: 'Pass restrictedRange: { offset, length } (it sets both).',
    });
  }

  const readOnly = (Flags & ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY) !== 0;
  if (handle.storageType === 'iso' && !readOnly) {
    return new InvalidParameterError({
      syscall, parameter: 'Flags', path: imagePath,
      problem: 'an ISO image cannot be attached read/write.',
      rule: 'ATTACH_VIRTUAL_DISK_FLAG_NONE is not supported for ISO virtual disks. ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY must be specified.',
      fix: 'Leave readOnly out or pass readOnly: true.',
    });
  }
  if (!readOnly && !canAttachReadWrite(handle)) {
    return new InvalidParameterError({
      syscall, parameter: 'VirtualDiskHandle', path: imagePath,
      problem: 'a read/write attach needs a handle that may attach read/write, and this one was opened read-only.',
      rule: 'If the virtual disk is being attached for read/write access, the VirtualDiskHandle parameter must have been opened using the VIRTUAL_DISK_ACCESS_ATTACH_RW access flag.',
      fix: 'Attach with readOnly: true, or open the image without readOnly.',
    });
  }
  if (readOnly && !canAttachReadOnly(handle)) {
    return new InvalidParameterError({
      syscall, parameter: 'VirtualDiskHandle', path: imagePath,
      problem: 'this handle was not opened with an attach access right.',
      rule: 'The intended access mode of the virtual disk must be considered when opening the virtual disk handle.',
      fix: 'Open the image with openVirtualDisk() to attach it.',
    });
  }
  if ((Flags & ATTACH_VIRTUAL_DISK_FLAG_NO_SECURITY_DESCRIPTOR) !== 0 && call.SecurityDescriptor !== undefined) {
    return new InvalidParameterError({
      syscall, parameter: 'SecurityDescriptor', path: imagePath,
      problem: 'noSecurityDescriptor asks for no descriptor, and securityDescriptor gives one.',
      rule: 'ATTACH_VIRTUAL_DISK_FLAG_NO_SECURITY_DESCRIPTOR: do not assign a custom security descriptor to the disk; use the system default.',
      fix: 'Pass one of noSecurityDescriptor and securityDescriptor, not both.',
    });
  }
  return undefined;
}

/** Would attaching this handle with these options be accepted? The arguments it would be made with, or why not. */
export function checkAttach(handle: HandleDescription, options?: AttachOptions, context?: CheckContext): Verdict<AttachCall> {
  const verdict = attachCallFromOptions(handle.storageType, options);
  if (!verdict.ok) return verdict;
  const error = checkAttachCall(handle, verdict.call, { ...context, windowsBuild: buildOf(options, context) });
  return error ? fail(error) : verdict;
}

// ---------------------------------------------------------------- DetachVirtualDisk

/** The DetachVirtualDisk rules, on the SDK-level arguments. */
export function checkDetachCall(
  handle: HandleDescription,
  call: DetachCall,
  context?: CheckContext,
): InvalidParameterError | undefined {
  const syscall = 'DetachVirtualDisk';
  const imagePath = handle.path;
  const usable = checkUsableHandle(syscall, handle, context);
  if (usable) return usable;
  const openedForDetach = handle.openVersion === OPEN_VIRTUAL_DISK_VERSION_1
    ? (handle.access & VIRTUAL_DISK_ACCESS_DETACH) !== 0
    : !handle.getInfoOnly;
  if (!openedForDetach) {
    return new InvalidParameterError({
      syscall, parameter: 'VirtualDiskHandle', path: imagePath,
      problem: 'the handle was not opened for detaching.',
      rule: 'A handle to an open virtual disk, which must have been opened using the VIRTUAL_DISK_ACCESS_DETACH flag set in the VirtualDiskAccessMask parameter to the OpenVirtualDisk function.',
      fix: 'Use detachVirtualDisk(path), which opens the image for detaching.',
    });
  }
  if (call.Flags !== DETACH_VIRTUAL_DISK_FLAG_NONE) {
    return new InvalidParameterError({
      syscall, parameter: 'Flags', path: imagePath,
      problem: `Flags is 0x${(call.Flags >>> 0).toString(16)}.`,
      rule: 'The Flags parameter is set to a value other than DETACH_VIRTUAL_DISK_FLAG_NONE (0).',
      fix: 'Pass DETACH_VIRTUAL_DISK_FLAG_NONE.',
    });
  }
  const others = context?.otherOpenHandles ?? [];
  if (others.length > 0) {
    return new InvalidParameterError({
      syscall, parameter: 'VirtualDiskHandle', path: imagePath,
      problem: `this process still holds ${others.length} other handle${others.length > 1 ? 's' : ''} open on '${imagePath}': ${others.join('; ')}.`,
      rule: 'All other open handles to the virtual disk must be closed before the DetachVirtualDisk function can succeed.',
      fix: 'Close them first (await disk.close()), or detach through the VirtualDisk that attached the image.',
    });
  }
  return undefined;
}

/** Would detaching through this handle be accepted? */
export function checkDetach(handle: HandleDescription, context?: CheckContext): Verdict<DetachCall> {
  const call = { Flags: DETACH_VIRTUAL_DISK_FLAG_NONE, ProviderSpecificFlags: 0 };
  const error = checkDetachCall(handle, call, context);
  return error ? fail(error) : { ok: true, call };
}

