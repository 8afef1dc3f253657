// DetachVirtualDisk: the documented rules on its SDK-level arguments. Pure: no DLL, works on every OS.
import { DETACH_VIRTUAL_DISK_FLAG_NONE, OPEN_VIRTUAL_DISK_VERSION_1, VIRTUAL_DISK_ACCESS_DETACH } from '../../types/constants.ts';
import { InvalidParameterError, PreconditionError, type CheckError } from '../errors.ts';
import { isPlainObject, isUint32, ownEntries } from '../options.ts';
import {
  buildOf, fail, shapeError, snapshotContext, snapshotHandle, usableHandleRule, type CheckContext, type HandleDescription,
  type Verdict,
} from './common.ts';

export interface DetachCall {
  Flags: number;
  ProviderSpecificFlags: number;
}

const SYSCALL = 'DetachVirtualDisk';

/**
 * The DetachVirtualDisk rules (source: the DetachVirtualDisk page), on the SDK-level arguments, each read once.
 * ERROR_INVALID_PARAMETER causes (InvalidParameterError, errno 87): the handle; Flags other than NONE.
 * Other preconditions (PreconditionError, no errno): ERR_ISO_UNSUPPORTED, ERR_HANDLE_ACCESS (not opened for
 * detaching), ERR_OTHER_HANDLES_OPEN (other handles of this process on the image, named in the message).
 */
export function checkDetachCall(handle: HandleDescription, call: DetachCall, context?: CheckContext): CheckError | undefined {
  const handleRead = snapshotHandle(SYSCALL, handle);
  if (!handleRead.ok) return handleRead.error;
  if (!isPlainObject(call)) return shapeError(SYSCALL, 'call', call, 'a DetachCall { Flags, ProviderSpecificFlags }').error;
  const { Flags, ProviderSpecificFlags } = Object.fromEntries(ownEntries(call));
  if (!isUint32(Flags)) return shapeError(SYSCALL, 'Flags', Flags, 'a DWORD: an integer from 0 to 0xFFFFFFFF').error;
  if (!isUint32(ProviderSpecificFlags)) return shapeError(SYSCALL, 'ProviderSpecificFlags', ProviderSpecificFlags, 'a ULONG: an integer from 0 to 0xFFFFFFFF').error;
  const contextRead = snapshotContext(SYSCALL, context);
  if (!contextRead.ok) return contextRead.error;
  return detachRules(handleRead.value, { Flags, ProviderSpecificFlags }, contextRead.value);
}

export function detachRules(handle: HandleDescription, call: DetachCall, context: CheckContext): CheckError | undefined {
  const syscall = SYSCALL;
  const imagePath = handle.path;
  const usable = usableHandleRule(syscall, handle, buildOf(context.windowsBuild));
  if (usable) return usable;
  if (call.Flags !== DETACH_VIRTUAL_DISK_FLAG_NONE) {
    return new InvalidParameterError({
      syscall, parameter: 'Flags', path: imagePath,
      problem: `Flags is 0x${call.Flags.toString(16)}.`,
      rule: 'The Flags parameter is set to a value other than DETACH_VIRTUAL_DISK_FLAG_NONE (0).',
      fix: 'Pass DETACH_VIRTUAL_DISK_FLAG_NONE.',
    });
  }
  const openedForDetach = handle.openVersion === OPEN_VIRTUAL_DISK_VERSION_1
    ? (handle.access & VIRTUAL_DISK_ACCESS_DETACH) !== 0
    : !handle.getInfoOnly;
  if (!openedForDetach) {
    return new PreconditionError('ERR_HANDLE_ACCESS', {
      syscall, parameter: 'VirtualDiskHandle', path: imagePath,
      problem: 'the handle was not opened for detaching.',
      rule: 'A handle to an open virtual disk, which must have been opened using the VIRTUAL_DISK_ACCESS_DETACH flag set in the VirtualDiskAccessMask parameter to the OpenVirtualDisk function.',
      fix: 'Use detachVirtualDisk(path), which opens the image for detaching.',
    });
  }
  const others = context.otherOpenHandles ?? [];
  if (others.length > 0) {
    return new PreconditionError('ERR_OTHER_HANDLES_OPEN', {
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
