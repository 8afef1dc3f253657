// AttachVirtualDisk: options → SDK-level arguments, and the documented rules on those arguments.
// Pure: no DLL, works on every OS.
import type { AttachOptions, StorageType } from '../../types/index.ts';
import {
  ATTACH_VIRTUAL_DISK_FLAG_AT_BOOT, ATTACH_VIRTUAL_DISK_FLAG_BYPASS_DEFAULT_ENCRYPTION_POLICY,
  ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER, ATTACH_VIRTUAL_DISK_FLAG_NO_LOCAL_HOST,
  ATTACH_VIRTUAL_DISK_FLAG_NO_SECURITY_DESCRIPTOR, ATTACH_VIRTUAL_DISK_FLAG_NON_PNP,
  ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME, ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY,
  ATTACH_VIRTUAL_DISK_FLAG_REGISTER_VOLUME, ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE,
  ATTACH_VIRTUAL_DISK_FLAG_SINGLE_PARTITION, ATTACH_VIRTUAL_DISK_VERSION_1, ATTACH_VIRTUAL_DISK_VERSION_2,
  OPEN_VIRTUAL_DISK_VERSION_1, VIRTUAL_DISK_ACCESS_ATTACH_RO, VIRTUAL_DISK_ACCESS_ATTACH_RW,
} from '../../types/constants.ts';
import type { AttachVirtualDiskParametersValue } from '../../ffi/types.ts';
import { InvalidParameterError, PreconditionError, type CheckError } from '../errors.ts';
import {
  ATTACH_OPTION_KINDS, isPlainObject, isUint32, ownEntries, snapshotOptions, type OptionsSnapshot, type Snapshot,
} from '../options.ts';
import { isStorageType } from '../storage-type.ts';
import { mountPointRules } from './mount-point.ts';
import {
  ATTACH_FLAG_INTRODUCTIONS, ATTACH_VERSION_2, ATTACH_VERSION_2_FIRST_BUILD, describeThreshold, DOCUMENTED_ATTACH_FLAGS,
} from '../windows-build.ts';
import {
  buildOf, fail, shapeError, snapshotContext, snapshotHandle, usableHandleRule, type CheckContext, type HandleDescription,
  type Verdict,
} from './common.ts';

export interface AttachCall {
  /** SDDL; converted to a SECURITY_DESCRIPTOR for the call. */
  SecurityDescriptor: string | undefined;
  Flags: number;
  ProviderSpecificFlags: number;
  Parameters: AttachVirtualDiskParametersValue;
}

export type AttachOptionsSnapshot = OptionsSnapshot<typeof ATTACH_OPTION_KINDS>;

const SYSCALL = 'AttachVirtualDisk';

const FLAG_OPTIONS: ReadonlyArray<[keyof AttachOptionsSnapshot, number]> = [
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

/** AttachVirtualDisk's arguments for these options (read once, their shapes checked; the rules not yet). */
export function attachCallFromOptions(storageType: StorageType, options?: AttachOptions): Verdict<AttachCall> {
  if (!isStorageType(storageType)) return shapeError(SYSCALL, 'storageType', storageType, "'iso', 'vhd', 'vhdx' or 'vhdset'");
  const read = snapshotOptions(SYSCALL, options, ATTACH_OPTION_KINDS);
  return read.ok ? { ok: true, call: callFromSnapshot(storageType, read.value) } : read;
}

export function callFromSnapshot(storageType: StorageType, options: AttachOptionsSnapshot): AttachCall {
  let Flags = 0;
  for (const [option, flag] of FLAG_OPTIONS) if (options[option] === true) Flags |= flag;
  // A mountPoint attach: the volume goes where mountPoint says, and nowhere else.
  if (options.mountPoint !== undefined) Flags |= ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER;
  // An ISO attaches read-only unless the caller says otherwise (and then the rules say no).
  if (storageType === 'iso' && options.readOnly === undefined) Flags |= ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY;
  const range = options.restrictedRange;
  if (range) Flags |= ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE;
  return {
    SecurityDescriptor: options.securityDescriptor,
    Flags: Flags >>> 0,
    ProviderSpecificFlags: options.providerSpecificFlags ?? 0,
    Parameters: range
      ? { Version: ATTACH_VIRTUAL_DISK_VERSION_2, u: { Version2: { RestrictedOffset: range.offset, RestrictedLength: range.length } } }
      : { Version: ATTACH_VIRTUAL_DISK_VERSION_1, u: { Version1: { Reserved: 0 } } },
  };
}

/** An AttachCall read once into a fresh object of the SDK's shape; anything koffi could not encode is refused. */
export function snapshotAttachCall(call: unknown): Snapshot<AttachCall> {
  if (!isPlainObject(call)) return shapeError(SYSCALL, 'call', call, 'an AttachCall { SecurityDescriptor, Flags, ProviderSpecificFlags, Parameters }');
  const fields = new Map(ownEntries(call));
  const { SecurityDescriptor, Flags, ProviderSpecificFlags, Parameters } = Object.fromEntries(fields);
  if (SecurityDescriptor !== undefined && (typeof SecurityDescriptor !== 'string' || SecurityDescriptor.length === 0 || SecurityDescriptor.includes('\0'))) {
    return shapeError(SYSCALL, 'SecurityDescriptor', SecurityDescriptor, 'undefined or a non-empty SDDL string without NUL characters');
  }
  if (!isUint32(Flags)) return shapeError(SYSCALL, 'Flags', Flags, 'a DWORD: an integer from 0 to 0xFFFFFFFF');
  if (!isUint32(ProviderSpecificFlags)) return shapeError(SYSCALL, 'ProviderSpecificFlags', ProviderSpecificFlags, 'a ULONG: an integer from 0 to 0xFFFFFFFF');
  const parameters = snapshotAttachParameters(Parameters);
  if (!parameters.ok) return parameters;
  return { ok: true, value: { SecurityDescriptor, Flags, ProviderSpecificFlags, Parameters: parameters.value } };
}

function snapshotAttachParameters(parameters: unknown): Snapshot<AttachVirtualDiskParametersValue> {
  const expected = '{ Version: 1, u: { Version1: { Reserved: 0 } } } or { Version: 2, u: { Version2: { RestrictedOffset, RestrictedLength } } } with uint64 bigints';
  if (!isPlainObject(parameters)) return shapeError(SYSCALL, 'Parameters', parameters, expected);
  const { Version, u } = Object.fromEntries(ownEntries(parameters));
  if (!isUint32(Version)) return shapeError(SYSCALL, 'Parameters.Version', Version, 'an integer from 0 to 0xFFFFFFFF');
  const union = isPlainObject(u) ? Object.fromEntries(ownEntries(u)) : undefined;
  const member = isPlainObject(union?.[`Version${Version}`]) ? Object.fromEntries(ownEntries(union[`Version${Version}`] as object)) : undefined;
  if (Version === ATTACH_VIRTUAL_DISK_VERSION_2) {
    const { RestrictedOffset, RestrictedLength } = member ?? {};
    if (!isUint64(RestrictedOffset) || !isUint64(RestrictedLength)) return shapeError(SYSCALL, 'Parameters.u.Version2', member, expected);
    return { ok: true, value: { Version, u: { Version2: { RestrictedOffset, RestrictedLength } } } };
  }
  // Version 1, or a version the rules refuse: the rules see the number; Reserved is always sent as 0.
  return { ok: true, value: { Version, u: { Version1: { Reserved: 0 } } } as AttachVirtualDiskParametersValue };
}

const isUint64 = (value: unknown): value is bigint => typeof value === 'bigint' && value >= 0n && value < 1n << 64n;

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

/**
 * The AttachVirtualDisk rules, on the SDK-level arguments (each read once). Source: the AttachVirtualDisk page.
 * ERROR_INVALID_PARAMETER causes (InvalidParameterError, errno 87): the handle; Flags beyond what the build
 * knows; Parameters.Version. Other preconditions (PreconditionError, no errno): ERR_ISO_UNSUPPORTED,
 * ERR_ISO_READ_ONLY, ERR_HANDLE_READ_ONLY, ERR_HANDLE_ACCESS, ERR_CONFLICTING_OPTIONS.
 */
export function checkAttachCall(handle: HandleDescription, call: AttachCall, context?: CheckContext): CheckError | undefined {
  const handleRead = snapshotHandle(SYSCALL, handle);
  if (!handleRead.ok) return handleRead.error;
  const callRead = snapshotAttachCall(call);
  if (!callRead.ok) return callRead.error;
  const contextRead = snapshotContext(SYSCALL, context);
  if (!contextRead.ok) return contextRead.error;
  return attachRules(handleRead.value, callRead.value, buildOf(contextRead.value.windowsBuild));
}

export function attachRules(handle: HandleDescription, call: AttachCall, build: number | undefined): CheckError | undefined {
  const syscall = SYSCALL;
  const imagePath = handle.path;
  const usable = usableHandleRule(syscall, handle, build);
  if (usable) return usable;

  const { Flags, Parameters } = call;
  const undocumented = (Flags & ~DOCUMENTED_ATTACH_FLAGS) >>> 0;
  if (undocumented !== 0) {
    return new InvalidParameterError({
      syscall, parameter: 'Flags', path: imagePath,
      problem: `Flags 0x${Flags.toString(16)} holds bits no ATTACH_VIRTUAL_DISK_FLAG documents (0x${undocumented.toString(16)}).`,
      rule: 'Flags: a valid combination of values of the ATTACH_VIRTUAL_DISK_FLAG enumeration.',
      fix: 'Use only the named attach options.',
    });
  }
  if (build !== undefined) {
    const unknown = ATTACH_FLAG_INTRODUCTIONS.filter((entry) => (Flags & entry.flag) !== 0 && entry.firstBuild > build);
    if (unknown.length > 0) {
      const names = unknown.map((entry) => `${entry.name} (0x${entry.flag.toString(16)}; ${describeThreshold(entry)})`);
      const known = ATTACH_FLAG_INTRODUCTIONS.filter((entry) => entry.firstBuild <= build).map((entry) => entry.flag);
      const bound = known.length > 0 ? `larger than 0x${Math.max(...known).toString(16).padStart(3, '0')}` : 'not 0 (this build predates virtual disk attach)';
      return new InvalidParameterError({
        syscall, parameter: 'Flags', path: imagePath,
        problem: `Windows build ${build} does not know ${names.join('; ')}.`,
        rule: `The Flags parameter is set to a value ${bound}.`,
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
      problem: `Windows build ${build} predates ATTACH_VIRTUAL_DISK_VERSION_2 (${describeThreshold(ATTACH_VERSION_2)}).`,
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
    return new PreconditionError('ERR_ISO_READ_ONLY', {
      syscall, parameter: 'Flags', path: imagePath,
      problem: 'an ISO image cannot be attached read/write.',
      rule: 'ATTACH_VIRTUAL_DISK_FLAG_NONE is not supported for ISO virtual disks. ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY must be specified.',
      fix: 'Leave readOnly out or pass readOnly: true.',
    });
  }
  if (!readOnly && !canAttachReadWrite(handle)) {
    return new PreconditionError('ERR_HANDLE_READ_ONLY', {
      syscall, parameter: 'VirtualDiskHandle', path: imagePath,
      problem: 'a read/write attach needs a handle that may attach read/write, and this one was opened read-only.',
      rule: 'If the virtual disk is being attached for read/write access, the VirtualDiskHandle parameter must have been opened using the VIRTUAL_DISK_ACCESS_ATTACH_RW access flag.',
      fix: 'Attach with readOnly: true, or open the image without readOnly.',
    });
  }
  if (readOnly && !canAttachReadOnly(handle)) {
    return new PreconditionError('ERR_HANDLE_ACCESS', {
      syscall, parameter: 'VirtualDiskHandle', path: imagePath,
      problem: 'this handle was not opened with an attach access right.',
      rule: 'The intended access mode of the virtual disk must be considered when opening the virtual disk handle.',
      fix: 'Open the image with openVirtualDisk() to attach it.',
    });
  }
  if ((Flags & ATTACH_VIRTUAL_DISK_FLAG_NO_SECURITY_DESCRIPTOR) !== 0 && call.SecurityDescriptor !== undefined) {
    return new PreconditionError('ERR_CONFLICTING_OPTIONS', {
      syscall, parameter: 'securityDescriptor', path: imagePath,
      problem: 'noSecurityDescriptor asks for no descriptor, and securityDescriptor gives one.',
      rule: 'This library\'s policy: ATTACH_VIRTUAL_DISK_FLAG_NO_SECURITY_DESCRIPTOR ("use the system default") and a SecurityDescriptor exclude each other.',
      fix: 'Pass one of noSecurityDescriptor and securityDescriptor, not both.',
    });
  }
  return undefined;
}

/** An attach request read once: the call it makes and the options snapshot it was made from. */
export interface AttachRequest {
  call: AttachCall;
  options: AttachOptionsSnapshot;
}

/** Reads options once, builds the call from the snapshot and checks the rules; the request or why not. */
export function readAttachRequest(handle: HandleDescription, options: unknown, build: number | undefined): Snapshot<AttachRequest> {
  const read = snapshotAttachOptions(options, handle.path);
  return read.ok ? attachRequestFromSnapshot(handle, read.value, build) : read;
}

export function snapshotAttachOptions(options: unknown, path?: string): Snapshot<AttachOptionsSnapshot> {
  return snapshotOptions(SYSCALL, options, ATTACH_OPTION_KINDS, path);
}

/** The call an options snapshot makes, checked against the rules (the snapshot's windowsBuild first, then `build`). */
export function attachRequestFromSnapshot(handle: HandleDescription, options: AttachOptionsSnapshot, build: number | undefined): Snapshot<AttachRequest> {
  const call = callFromSnapshot(handle.storageType, options);
  const error = attachRules(handle, call, buildOf(options.windowsBuild, build)) ?? mountPointRules(options, handle.path);
  return error ? fail(error) : { ok: true, value: { call, options } };
}

/** Would attaching this handle with these options be accepted? The arguments it would be made with, or why not. */
export function checkAttach(handle: HandleDescription, options?: AttachOptions, context?: CheckContext): Verdict<AttachCall> {
  const handleRead = snapshotHandle(SYSCALL, handle);
  if (!handleRead.ok) return handleRead;
  const contextRead = snapshotContext(SYSCALL, context);
  if (!contextRead.ok) return contextRead;
  const request = readAttachRequest(handleRead.value, options, contextRead.value.windowsBuild);
  return request.ok ? { ok: true, call: request.value.call } : request;
}
