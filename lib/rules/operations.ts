// What a VirtualDisk's handle must be able to do for each lifecycle operation, checked before Windows is
// called (shared/reference/virtdisk-api.md §3.2–3.8 and §4). Pure: no DLL, works on every OS.
import {
  COMPACT_VIRTUAL_DISK_FLAG_NO_BLOCK_MOVES, COMPACT_VIRTUAL_DISK_FLAG_NO_ZERO_SCAN, OPEN_VIRTUAL_DISK_VERSION_2,
  RESIZE_VIRTUAL_DISK_FLAG_ALLOW_UNSAFE_VIRTUAL_SIZE, RESIZE_VIRTUAL_DISK_FLAG_RESIZE_TO_SMALLEST_SAFE_VIRTUAL_SIZE,
} from '../../types/constants.ts';
import { InvalidArgumentError, InvalidParameterError, PreconditionError, type CheckError } from '../errors.ts';
import {
  COMPACT_OPTION_KINDS, COMPACT_VIRTUAL_DISK_OPTION_KINDS, MERGE_OPTION_KINDS, RESIZE_OPTION_KINDS, snapshotOptions, type OptionsSnapshot,
  type Snapshot,
} from '../options.ts';
import { describeThreshold, MERGE_VERSION_2, RESIZE_SUPPORT, SET_PHYSICAL_SECTOR_SIZE, type BuildThreshold } from '../windows-build.ts';
import { fail, usableHandleRule, type HandleDescription } from './common.ts';
import { readOpenRequest, resolveImagePath, type OpenRequest } from './open.ts';

export type Operation = 'getInfo' | 'resize' | 'compact' | 'merge' | 'setParentPath' | 'setIdentifier' | 'setPhysicalSectorSize';

const SYSCALLS: Readonly<Record<Operation, string>> = {
  getInfo: 'GetVirtualDiskInformation',
  resize: 'ResizeVirtualDisk',
  compact: 'CompactVirtualDisk',
  merge: 'MergeVirtualDisk',
  setParentPath: 'SetVirtualDiskInformation',
  setIdentifier: 'SetVirtualDiskInformation',
  setPhysicalSectorSize: 'SetVirtualDiskInformation',
};

const THRESHOLDS: Partial<Record<Operation, BuildThreshold>> = {
  resize: RESIZE_SUPPORT,
  merge: MERGE_VERSION_2,
  setPhysicalSectorSize: SET_PHYSICAL_SECTOR_SIZE,
};

/** What the rules need to know besides the handle. */
export interface OperationState {
  /** This VirtualDisk attached the image (and so holds it in use). */
  attached: boolean;
  /** …read-only. */
  attachedReadOnly: boolean;
}

/**
 * Whether this handle may run `operation`. Refusals: the handle rule and a build too old
 * (InvalidParameterError, errno 87); ERR_HANDLE_ACCESS (an ISO, a read-only or info-only handle for a change;
 * a version 1 handle for resize), ERR_ATTACHED (the image must not be attached by this handle, except a
 * read-only attach during compact), ERR_UNSUPPORTED_STORAGE_TYPE (setPhysicalSectorSize on a VHD).
 */
export function operationRules(operation: Operation, handle: HandleDescription, state: OperationState, build: number | undefined): CheckError | undefined {
  const syscall = SYSCALLS[operation];
  const usable = usableHandleRule(syscall, handle, build);
  if (usable) return usable;
  const threshold = THRESHOLDS[operation];
  if (threshold && build !== undefined && build < threshold.firstBuild) {
    return new InvalidParameterError({
      syscall, parameter: 'Parameters.Version', path: handle.path,
      problem: `Windows build ${build} does not have ${threshold.name} (${describeThreshold(threshold)}).`,
      rule: threshold.source, fix: 'Run this on Windows 8 / Server 2012 or later.',
    });
  }
  if (operation === 'getInfo') return undefined;

  const refuse = (code: string, problem: string, rule: string, fix: string) =>
    new PreconditionError(code, { syscall, parameter: 'VirtualDiskHandle', path: handle.path, problem, rule, fix });
  if (handle.storageType === 'iso') {
    return refuse('ERR_HANDLE_ACCESS', `an ISO image cannot be changed (${operation}).`,
      'VIRTUAL_DISK_ACCESS_MASK: ATTACH_RW, CREATE, METAOPS and ALL are "not supported for ISO virtual disks".', 'Only attach, detach and getInfo apply to ISO images.');
  }
  if (handle.readOnly || handle.getInfoOnly) {
    return refuse('ERR_HANDLE_ACCESS', `this handle was opened ${handle.getInfoOnly ? 'for information only' : 'read-only'}, and ${operation} changes the image.`,
      'The handle "must have been opened using the VIRTUAL_DISK_ACCESS_METAOPS flag"; for version 2 handles, one opened without ReadOnly and GetInfoOnly (Microsoft\'s sample).',
      'Open the image with openVirtualDisk(path) without readOnly.');
  }
  if (operation === 'resize' && handle.openVersion !== OPEN_VIRTUAL_DISK_VERSION_2) {
    return refuse('ERR_HANDLE_ACCESS', 'resize needs a version 2 handle.', '"Only V2 handles can be used to resize a VHD/VHDX" (Microsoft\'s sample).', 'Open the image with openVirtualDisk(path).');
  }
  if (operation === 'setPhysicalSectorSize' && handle.storageType !== 'vhdx') {
    return new PreconditionError('ERR_UNSUPPORTED_STORAGE_TYPE', {
      syscall, parameter: 'VirtualDiskHandle', path: handle.path, problem: `the physical sector size of a ${handle.storageType.toUpperCase()} cannot change.`,
      rule: 'SET_VIRTUAL_DISK_INFO_PHYSICAL_SECTOR_SIZE "will only succeed on VHDX" (Microsoft\'s sample).', fix: 'Use a .vhdx image.',
    });
  }
  if (state.attached && !(operation === 'compact' && state.attachedReadOnly) && operation !== 'merge') {
    const rules: Partial<Record<Operation, string>> = {
      resize: '"The VHD/VHDX can not be in use while performing this operation" (Microsoft\'s sample).',
      compact: '"The VHD can only be mounted read-only during a compaction" (Microsoft\'s sample).',
    };
    return refuse('ERR_ATTACHED', `this VirtualDisk has the image attached${operation === 'compact' ? ' read/write' : ''}.`,
      rules[operation] ?? 'SetVirtualDiskInformation: "The virtual disk cannot be attached while this operation is in progress."',
      operation === 'compact' ? 'Detach it first, or attach it with readOnly: true (a file-system-aware compaction).' : 'Detach it first.');
  }
  return undefined;
}

// ---------------------------------------------------------------- the operations' arguments, read once

export type ResizeOptionsSnapshot = OptionsSnapshot<typeof RESIZE_OPTION_KINDS>;
export type CompactOptionsSnapshot = OptionsSnapshot<typeof COMPACT_OPTION_KINDS>;
export type MergeOptionsSnapshot = OptionsSnapshot<typeof MERGE_OPTION_KINDS>;

/** resize(size, options): NewSize (bytes, a multiple of 512; 0 only with toSmallestSafeSize) and the RESIZE flags. */
export function readResizeRequest(size: unknown, options: unknown, path?: string): Snapshot<{ NewSize: bigint; Flags: number; options: ResizeOptionsSnapshot }> {
  const syscall = 'ResizeVirtualDisk';
  const sizeRead = snapshotOptions(syscall, { size }, { size: 'size' } as const, path, 'size');
  if (!sizeRead.ok) return sizeRead;
  const NewSize = sizeRead.value.size;
  if (NewSize === undefined) return shape(syscall, 'size', 'a number of bytes (0 with toSmallestSafeSize)', path);
  const optionsRead = snapshotOptions(syscall, options, RESIZE_OPTION_KINDS, path);
  if (!optionsRead.ok) return optionsRead;
  const snapshot = optionsRead.value;
  if (snapshot.toSmallestSafeSize === true && NewSize !== 0n) {
    return shape(syscall, 'size', '0 with toSmallestSafeSize ("RESIZE_TO_SMALLEST_SAFE_VIRTUAL_SIZE … NewSize must be zero")', path);
  }
  if (snapshot.toSmallestSafeSize !== true && NewSize === 0n) return shape(syscall, 'size', 'more than 0 bytes, or 0 with toSmallestSafeSize: true', path);
  if (NewSize % 512n !== 0n) return shape(syscall, 'size', 'a multiple of 512 bytes (the sector size)', path);
  const Flags = (snapshot.toSmallestSafeSize ? RESIZE_VIRTUAL_DISK_FLAG_RESIZE_TO_SMALLEST_SAFE_VIRTUAL_SIZE : 0)
    | (snapshot.allowUnsafeVirtualSize ? RESIZE_VIRTUAL_DISK_FLAG_ALLOW_UNSAFE_VIRTUAL_SIZE : 0);
  return { ok: true, value: { NewSize, Flags, options: snapshot } };
}

/** compact(options): the COMPACT flags by name. */
export function readCompactRequest(options: unknown, path?: string): Snapshot<{ Flags: number; options: CompactOptionsSnapshot }> {
  const read = snapshotOptions('CompactVirtualDisk', options, COMPACT_OPTION_KINDS, path);
  if (!read.ok) return read;
  const Flags = (read.value.noZeroScan ? COMPACT_VIRTUAL_DISK_FLAG_NO_ZERO_SCAN : 0) | (read.value.noBlockMoves ? COMPACT_VIRTUAL_DISK_FLAG_NO_BLOCK_MOVES : 0);
  return { ok: true, value: { Flags, options: read.value } };
}

/** merge(options): `depth` levels into the parents (source 1, target 1 + depth), or sourceDepth/targetDepth as given. */
export function readMergeRequest(options: unknown, path?: string): Snapshot<{ MergeSourceDepth: number; MergeTargetDepth: number; options: MergeOptionsSnapshot }> {
  const syscall = 'MergeVirtualDisk';
  const read = snapshotOptions(syscall, options, MERGE_OPTION_KINDS, path);
  if (!read.ok) return read;
  const { depth, sourceDepth, targetDepth } = read.value;
  if (depth !== undefined && (sourceDepth !== undefined || targetDepth !== undefined)) {
    return fail(new PreconditionError('ERR_CONFLICTING_OPTIONS', {
      syscall, parameter: 'depth', path, problem: 'depth and sourceDepth/targetDepth both say where to merge.',
      rule: 'depth is the short form of { sourceDepth: 1, targetDepth: 1 + depth }.', fix: 'Pass depth, or sourceDepth with targetDepth.',
    }));
  }
  if (depth !== undefined || (sourceDepth === undefined && targetDepth === undefined)) {
    const levels = depth ?? 1;
    if (levels + 1 > 0xffffffff) return shape(syscall, 'depth', 'an integer from 1 to 0xFFFFFFFE', path);
    return { ok: true, value: { MergeSourceDepth: 1, MergeTargetDepth: 1 + levels, options: read.value } };
  }
  if (sourceDepth === undefined || targetDepth === undefined || targetDepth <= sourceDepth) {
    return shape(syscall, sourceDepth === undefined ? 'sourceDepth' : 'targetDepth',
      'given together, with targetDepth greater than sourceDepth (depths count from the leaf, which is 1)', path);
  }
  return { ok: true, value: { MergeSourceDepth: sourceDepth, MergeTargetDepth: targetDepth, options: read.value } };
}

function shape(syscall: string, parameter: string, expected: string, path: string | undefined) {
  return fail(new InvalidArgumentError('ERR_INVALID_ARG_VALUE', { syscall, parameter, path, problem: `'${parameter}' is not usable here.`, expected }));
}

/** compactVirtualDisk(path, options), read once: the open request, and the compact options for the disk. */
export function readCompactVirtualDiskRequest(path: unknown, options: unknown): Snapshot<{ opening: OpenRequest; compactOptions: CompactOptionsSnapshot }> {
  const fullPath = resolveImagePath('OpenVirtualDisk', path);
  if (!fullPath.ok) return fullPath;
  const read = snapshotOptions('CompactVirtualDisk', options, COMPACT_VIRTUAL_DISK_OPTION_KINDS, fullPath.value);
  if (!read.ok) return read;
  const { storageType, ...compactOptions } = read.value;
  const { signal, windowsBuild } = compactOptions;
  const opening = readOpenRequest(fullPath.value, { storageType, signal, windowsBuild }, 'attach');
  return opening.ok ? { ok: true, value: { opening: opening.value, compactOptions } } : opening;
}
