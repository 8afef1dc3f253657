// What every rule family shares: verdicts, the description of a handle, the build a call is checked
// against, and the handle rule. Pure: no DLL, works on every OS.
import type { StorageType } from '../../types/index.ts';
import { InvalidParameterError, InvalidArgumentError, PreconditionError, type CheckError } from '../errors.ts';
import { describe, isPlainObject, isUint32, ownEntries, type Snapshot } from '../options.ts';
import { isStorageType } from '../storage-type.ts';
import { currentWindowsBuild, describeThreshold, ISO_FIRST_BUILD, ISO_SUPPORT } from '../windows-build.ts';

export type Verdict<Call> = { ok: true; call: Call } | { ok: false; error: CheckError };

export const fail = <E extends CheckError>(error: E) => ({ ok: false, error }) as const;

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
  windowsBuild?: number | undefined;
  /** Other handles this process holds open on the same image, described for the message. */
  otherOpenHandles?: readonly string[] | undefined;
}

/** A CheckContext read once: a plain object with a positive integer build and an array of strings. */
export function snapshotContext(syscall: string, context: unknown): Snapshot<CheckContext> {
  if (context === undefined) return { ok: true, value: {} };
  const expected = 'a plain object { windowsBuild?: number, otherOpenHandles?: string[] }, or undefined';
  if (!isPlainObject(context)) return shapeError(syscall, 'context', context, expected);
  const value: { windowsBuild?: number; otherOpenHandles?: string[] } = {};
  for (const [key, field] of safeEntries(context)) {
    if (field === undefined) continue;
    if (key === 'windowsBuild' && typeof field === 'number' && Number.isSafeInteger(field) && field > 0) {
      value.windowsBuild = field;
      continue;
    }
    const handles = key === 'otherOpenHandles' && Array.isArray(field) ? Array.from(field as unknown[]) : undefined;
    if (handles?.every((entry): entry is string => typeof entry === 'string')) {
      value.otherOpenHandles = handles;
      continue;
    }
    return shapeError(syscall, `context.${key}`, field, expected);
  }
  return { ok: true, value };
}

const HANDLE_FIELDS = {
  createdByOpenVirtualDisk: 'boolean', open: 'boolean', path: 'string', storageType: 'storageType',
  openVersion: 'uint32', access: 'uint32', readOnly: 'boolean', getInfoOnly: 'boolean',
} as const;

/** A HandleDescription read once: a plain object with every field of its type. */
export function snapshotHandle(syscall: string, handle: unknown): Snapshot<HandleDescription> {
  if (!isPlainObject(handle)) return shapeError(syscall, 'handle', handle, 'a HandleDescription, e.g. describeOpenedHandle(checkOpen(path).call)');
  const fields = new Map(safeEntries(handle));
  const value: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(HANDLE_FIELDS)) {
    const field = fields.get(name);
    const fits = kind === 'boolean' ? typeof field === 'boolean'
      : kind === 'string' ? typeof field === 'string' && field.length > 0 && !field.includes('\0')
        : kind === 'uint32' ? isUint32(field) : isStorageType(field);
    if (!fits) return shapeError(syscall, `handle.${name}`, field, kind === 'storageType' ? "'iso', 'vhd', 'vhdx' or 'vhdset'" : kind === 'uint32' ? 'an integer from 0 to 0xFFFFFFFF' : `a ${kind}`);
    value[name] = field;
  }
  return { ok: true, value: value as unknown as HandleDescription };
}

/** Own enumerable entries, or none when reading throws (a revoked Proxy): the shape checks then refuse it. */
function safeEntries(value: object): Array<[string, unknown]> {
  try {
    return ownEntries(value);
  } catch {
    return [];
  }
}

export function shapeError(syscall: string, parameter: string, value: unknown, expected: string): { ok: false; error: InvalidArgumentError } {
  return fail(new InvalidArgumentError('ERR_INVALID_ARG_TYPE', { syscall, parameter, problem: `'${parameter}' is ${describe(value)}.`, expected }));
}

export function buildOf(...candidates: Array<number | undefined>): number | undefined {
  return candidates.find((build) => build !== undefined) ?? currentWindowsBuild();
}

const ISO_RULE = 'CD and DVD image files (ISO) are not supported before Windows 8 and Windows Server 2012.';
const HANDLE_RULE = 'The VirtualDiskHandle parameter is not a valid handle created by the OpenVirtualDisk function.';

/** ISO images need Windows 8 (AttachVirtualDisk, Remarks): code ERR_ISO_UNSUPPORTED. */
export function isoUnsupported(syscall: string, imagePath: string, build: number | undefined): PreconditionError | undefined {
  if (build === undefined || build >= ISO_FIRST_BUILD) return undefined;
  return new PreconditionError('ERR_ISO_UNSUPPORTED', {
    syscall, parameter: 'VirtualStorageType', path: imagePath,
    problem: `'${imagePath}' is an ISO image and this is Windows build ${build}; ISO images need ${describeThreshold(ISO_SUPPORT)}.`,
    rule: ISO_RULE, fix: 'Use Windows 8 / Windows Server 2012 or later, or a VHD/VHDX image.',
  });
}

/** The rule every handle-taking function shares: a handle from OpenVirtualDisk, still open. */
export function checkHandle(syscall: string, handle: HandleDescription): CheckError | undefined {
  const read = snapshotHandle(syscall, handle);
  if (!read.ok) return read.error;
  return handleRule(syscall, read.value);
}

export function handleRule(syscall: string, handle: HandleDescription): InvalidParameterError | undefined {
  if (handle.createdByOpenVirtualDisk && handle.open) return undefined;
  return new InvalidParameterError({
    syscall, parameter: 'VirtualDiskHandle', path: handle.path,
    problem: handle.createdByOpenVirtualDisk ? 'the handle was closed.' : 'the handle did not come from OpenVirtualDisk.',
    rule: HANDLE_RULE, fix: 'Open the image again with openVirtualDisk().',
  });
}

/** The handle rule, plus the ISO rule for an ISO handle: what every handle-taking call checks first. */
export function usableHandleRule(syscall: string, handle: HandleDescription, build: number | undefined): CheckError | undefined {
  return handleRule(syscall, handle) ?? (handle.storageType === 'iso' ? isoUnsupported(syscall, handle.path, build) : undefined);
}
