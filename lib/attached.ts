// What Windows has attached, by any process: GetAllAttachedVirtualDiskPhysicalPaths, and per disk
// GetStorageDependencyInformation (the image, its chain, how it was attached) and its volumes.
//
// GetAllAttachedVirtualDiskPhysicalPaths has no reference page. Despite its name, Microsoft's sample ("the
// list of all the loopback mounted virtual disks") and two independent users treat each string as the image
// file's path, not as '\\.\PhysicalDriveN'; both readings are handled: an image path gets its disk from
// GetVirtualDiskPhysicalPath on a handle of its own, a device path gets its image from the dependency
// information. Images are compared by imageIdentity(), never by the spelling of their path.
import path from 'node:path';
import type { StorageType } from '../types/index.ts';
import type { AttachedVirtualDisk, FoundVirtualDisk, ListOptions } from '../types/volumes.ts';
import {
  DEPENDENT_DISK_FLAG_NO_DRIVE_LETTER, DEPENDENT_DISK_FLAG_PERMANENT_LIFETIME, DEPENDENT_DISK_FLAG_READ_ONLY,
  FILE_DEVICE_CD_ROM, FILE_DEVICE_DISK,
} from '../types/constants.ts';
import { InvalidArgumentError, VirtualDiskError } from './errors.ts';
import { deviceKey, deviceOfPhysicalPath, parsePhysicalPath, sameDevice, type DeviceId } from './device-io.ts';
import { imageIdentity } from './image-identity.ts';
import { readMultiSz } from './multi-sz.ts';
import { callAsync, win32Error, windows } from './native.ts';
import { CALL_OPTION_KINDS, describe, snapshotOptions } from './options.ts';
import { physicalPathOfImage } from './physical-path.ts';
import { storageDependencyOfDisk, type DependencyEntry } from './storage-dependency.ts';
import { DEVICE_IDS, storageTypeFromPath } from './storage-type.ts';
import { mountPointsOf, preferredMountPoint, volumesOfDevices } from './volumes.ts';
import {
  ERROR_DEV_NOT_EXIST, ERROR_FILE_NOT_FOUND, ERROR_INSUFFICIENT_BUFFER, ERROR_NOT_FOUND, ERROR_NOT_READY, ERROR_PATH_NOT_FOUND,
  ERROR_SUCCESS, ERROR_VHD_INVALID_STATE,
} from './win32-errors.ts';

/** One attached disk, resolved. */
export interface AttachedRecord {
  path: string;
  storageType: StorageType;
  physicalPath: string;
  device: DeviceId;
  readOnly?: boolean;
  permanent?: boolean;
  noDriveLetter?: boolean;
  /** The image, then its parents (by AncestorLevel); [path] when Windows gave no chain. */
  backingFiles: string[];
}

const LIST_SYSCALL = 'GetAllAttachedVirtualDiskPhysicalPaths';
const MAX_ROUNDS = 8;
/** Codes GetVirtualDiskPhysicalPath (or the open before it) answers for an image that is not attached (any longer). */
const GONE = new Set([ERROR_DEV_NOT_EXIST, ERROR_NOT_READY, ERROR_NOT_FOUND, ERROR_VHD_INVALID_STATE, ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND]);

/**
 * The strings GetAllAttachedVirtualDiskPhysicalPaths gives (MULTI_SZ, sizes in bytes): starting with no
 * buffer, then one of the size it asks for, again while the list grows between two calls.
 */
export async function attachedPathStrings(signal: AbortSignal | undefined): Promise<string[]> {
  const { virtdisk } = await windows();
  let buffer: Buffer | null = null;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const size = buffer?.length ?? 0;
    const sizeInOut: [number] = [size];
    const result = await callAsync(signal, virtdisk.GetAllAttachedVirtualDiskPhysicalPaths, sizeInOut, buffer);
    if (result === ERROR_SUCCESS) {
      if (buffer === null) return [];
      const written = sizeInOut[0] > 0 && sizeInOut[0] <= size ? sizeInOut[0] : size;
      return readMultiSz(buffer, written).filter((entry) => entry.length > 0);
    }
    if (result !== ERROR_INSUFFICIENT_BUFFER) throw win32Error(result, LIST_SYSCALL);
    buffer = Buffer.alloc(sizeInOut[0] > size ? sizeInOut[0] : Math.max(512, 2 * size));
  }
  throw win32Error(ERROR_INSUFFICIENT_BUFFER, LIST_SYSCALL);
}

const STORAGE_TYPES_BY_DEVICE_ID: Readonly<Record<number, StorageType>> = Object.fromEntries(
  Object.entries(DEVICE_IDS).map(([type, id]) => [id, type as StorageType]),
);

/** The file an entry names: its host volume's drive letter (or folder) and the path on it. */
export async function entryFilePath(entry: DependencyEntry, mountPoints: (volume: string) => Promise<string[]>): Promise<string> {
  const relative = entry.dependentVolumeRelativePath.replace(/^\\+/, '');
  const host = entry.hostVolumeName;
  if (host === '') return entry.dependentVolumeRelativePath;
  const root = host.endsWith('\\') ? host : `${host}\\`;
  let mounted: string | undefined;
  try {
    mounted = /^\\\\\?\\Volume\{/i.test(root) ? preferredMountPoint(await mountPoints(root)) : undefined;
  } catch {
    mounted = undefined; // the volume path still names the file
  }
  return `${mounted ?? root}${relative}`;
}

async function recordFrom(
  entries: DependencyEntry[], physicalPath: string, device: DeviceId, mountPoints: (volume: string) => Promise<string[]>,
  known?: { path: string; storageType: StorageType },
): Promise<AttachedRecord> {
  const chain = [...entries].sort((a, b) => a.ancestorLevel - b.ancestorLevel);
  const top = chain[0];
  const paths = await Promise.all(chain.map((entry) => entryFilePath(entry, mountPoints)));
  const files = [...new Set(paths.filter((file) => file.length > 0))];
  const recordPath = known?.path ?? files[0];
  if (recordPath === undefined) {
    throw new VirtualDiskError(`GetStorageDependencyInformation named no image file behind '${physicalPath}'.`, {
      code: 'ERR_NO_DEPENDENCY', syscall: 'GetStorageDependencyInformation', path: physicalPath,
      hint: 'The disk may not be a virtual disk, or it was detached meanwhile.',
    });
  }
  const storageType = known?.storageType
    ?? (top ? STORAGE_TYPES_BY_DEVICE_ID[top.deviceId] : undefined)
    ?? storageTypeFromPath(recordPath)
    ?? (device.deviceType === FILE_DEVICE_CD_ROM ? 'iso' : 'vhdx');
  const record: AttachedRecord = { path: recordPath, storageType, physicalPath, device, backingFiles: files.length > 0 ? files : [recordPath] };
  if (known && files[0] !== undefined && files[0] !== recordPath) record.backingFiles = [recordPath, ...files.slice(1)];
  if (top) {
    record.readOnly = (top.flags & DEPENDENT_DISK_FLAG_READ_ONLY) !== 0;
    record.permanent = (top.flags & DEPENDENT_DISK_FLAG_PERMANENT_LIFETIME) !== 0;
    record.noDriveLetter = (top.flags & DEPENDENT_DISK_FLAG_NO_DRIVE_LETTER) !== 0;
  }
  return record;
}

async function mountPointReader(signal: AbortSignal | undefined): Promise<(volume: string) => Promise<string[]>> {
  const { kernel32 } = await windows();
  return (volume) => mountPointsOf(kernel32, volume, signal);
}

/** A device path from the list: its image from the dependency information. */
async function fromDevicePath(physicalPath: string, signal: AbortSignal | undefined): Promise<AttachedRecord> {
  const device = await deviceOfPhysicalPath(physicalPath, signal);
  if (!device) {
    throw new VirtualDiskError(`'${physicalPath}' from ${LIST_SYSCALL} names no disk or CD-ROM device.`, { code: 'ERR_UNKNOWN_DEVICE', syscall: LIST_SYSCALL, path: physicalPath });
  }
  const entries = await storageDependencyOfDisk(physicalPath, signal);
  return recordFrom(entries, physicalPath, device, await mountPointReader(signal));
}

/**
 * An image path from the list: its disk from GetVirtualDiskPhysicalPath (the type from its extension; when
 * that names none, each type in turn), its chain and flags from the dependency information when Windows
 * gives them. undefined when it turns out not to be attached (any longer).
 */
async function fromImagePath(imagePath: string, signal: AbortSignal | undefined): Promise<AttachedRecord | undefined> {
  const fromName = storageTypeFromPath(imagePath);
  const candidates: StorageType[] = fromName ? [fromName] : ['vhdx', 'vhd', 'iso', 'vhdset'];
  let physicalPath: string | undefined;
  let storageType: StorageType = candidates[0]!;
  let lastError: unknown;
  for (const candidate of candidates) {
    try {
      physicalPath = await physicalPathOfImage(imagePath, candidate, signal);
      storageType = candidate;
      break;
    } catch (error) {
      if (error instanceof VirtualDiskError && error.errno !== undefined && GONE.has(error.errno) && fromName) return undefined;
      lastError = error;
    }
  }
  if (physicalPath === undefined) throw lastError;
  const device = await deviceOfPhysicalPath(physicalPath, signal);
  if (!device) {
    throw new VirtualDiskError(`GetVirtualDiskPhysicalPath gave '${physicalPath}' for '${imagePath}', which names no disk or CD-ROM device.`, {
      code: 'ERR_UNKNOWN_DEVICE', syscall: 'GetVirtualDiskPhysicalPath', path: imagePath,
    });
  }
  // Best effort: without it the record lacks readOnly/permanent and the chain.
  const entries = await storageDependencyOfDisk(physicalPath, signal).catch((): DependencyEntry[] => []);
  return recordFrom(entries, physicalPath, device, await mountPointReader(signal), { path: imagePath, storageType });
}

/** What a caller looks for in the list, to resolve only what it must. */
type Wanted =
  | { kind: 'all' }
  | { kind: 'device'; device: DeviceId }
  | { kind: 'image'; identity: string };

/** The list, resolved: every entry, or the first that matches what is wanted. */
async function resolveAttached(wanted: Wanted, signal: AbortSignal | undefined): Promise<AttachedRecord[]> {
  const strings = await attachedPathStrings(signal);
  const records: AttachedRecord[] = [];
  for (const entry of strings) {
    const device = parsePhysicalPath(entry);
    if (device) {
      if (wanted.kind === 'device' && !sameDevice(device, wanted.device)) continue;
      const record = await fromDevicePath(entry, signal);
      if (wanted.kind === 'image' && await imageIdentity(record.path) !== wanted.identity) continue;
      records.push(record);
    } else {
      if (wanted.kind === 'image' && await imageIdentity(entry) !== wanted.identity) continue;
      const record = await fromImagePath(entry, signal);
      if (!record) continue;
      if (wanted.kind === 'device' && !sameDevice(record.device, wanted.device)) continue;
      records.push(record);
    }
    if (wanted.kind !== 'all') break;
  }
  return records;
}

function publicDisk(record: AttachedRecord, volumes: AttachedVirtualDisk['volumes']): AttachedVirtualDisk {
  const disk: AttachedVirtualDisk = {
    path: record.path, storageType: record.storageType, physicalPath: record.physicalPath, diskNumber: record.device.deviceNumber, volumes,
  };
  if (record.readOnly !== undefined) disk.readOnly = record.readOnly;
  if (record.permanent !== undefined) disk.permanent = record.permanent;
  return disk;
}

/**
 * Every virtual disk attached on this machine, by any process, with its volumes: what Get-DiskImage gives
 * one path at a time. Options: `signal`. Rejects with Windows' code from GetAllAttachedVirtualDiskPhysicalPaths,
 * GetVirtualDiskPhysicalPath or GetStorageDependencyInformation; ERR_UNSUPPORTED_PLATFORM off Windows.
 */
export async function listAttachedVirtualDisks(options?: ListOptions): Promise<AttachedVirtualDisk[]> {
  const read = snapshotOptions('listAttachedVirtualDisks', options, CALL_OPTION_KINDS);
  if (!read.ok) throw read.error;
  const { signal } = read.value;
  const records = await resolveAttached({ kind: 'all' }, signal);
  const volumes = await volumesOfDevices(records.map((record) => record.device), signal);
  return records.map((record) => publicDisk(record, volumes.get(deviceKey(record.device)) ?? []));
}

/**
 * The attached disk behind a physical path ('\\.\PhysicalDrive3', '\\.\CDROM1'), a disk number (3: a disk,
 * not a CD-ROM drive) or an image path (any spelling of the file: compared by imageIdentity), with its
 * volumes and backing files; undefined when nothing attached matches. Options: `signal`. Rejects with
 * ERR_INVALID_ARG_TYPE / _VALUE for anything else, and as listAttachedVirtualDisks does.
 */
export async function findVirtualDisk(physicalPathOrDiskNumber: string | number, options?: ListOptions): Promise<FoundVirtualDisk | undefined> {
  const syscall = 'findVirtualDisk';
  const read = snapshotOptions(syscall, options, CALL_OPTION_KINDS);
  if (!read.ok) throw read.error;
  const { signal } = read.value;
  const target = physicalPathOrDiskNumber as unknown;
  let wanted: Wanted;
  if (typeof target === 'number' && Number.isSafeInteger(target) && target >= 0 && target <= 0xffffffff) {
    wanted = { kind: 'device', device: { deviceType: FILE_DEVICE_DISK, deviceNumber: target } };
  } else if (typeof target === 'string' && target.length > 0 && !target.includes('\0')) {
    const device = parsePhysicalPath(target);
    wanted = device ? { kind: 'device', device } : { kind: 'image', identity: await imageIdentity(path.win32.resolve(target)) };
  } else {
    throw new InvalidArgumentError(typeof target === 'number' || typeof target === 'string' ? 'ERR_INVALID_ARG_VALUE' : 'ERR_INVALID_ARG_TYPE', {
      syscall, parameter: 'physicalPathOrDiskNumber', problem: `'physicalPathOrDiskNumber' is ${describe(target)}.`,
      expected: "a physical path ('\\\\\\\\.\\\\PhysicalDrive3', '\\\\\\\\.\\\\CDROM1'), a disk number (3) or an image path",
    });
  }
  const [record] = await resolveAttached(wanted, signal);
  if (!record) return undefined;
  const volumes = await volumesOfDevices([record.device], signal);
  return { ...publicDisk(record, volumes.get(deviceKey(record.device)) ?? []), backingFiles: record.backingFiles };
}

/** Whether Windows has an image attached, and, when it can be read, as which disk. */
export type Attachment = { attached: false } | { attached: true; physicalPath?: string };

/**
 * Whether Windows' list of attached virtual disks has this image (compared by imageIdentity), for deciding
 * what an error means. Rejects when the list, or an entry that might be this image, cannot be read: then
 * nothing is known.
 */
export async function attachmentOf(imagePath: string, signal?: AbortSignal): Promise<Attachment> {
  const identity = await imageIdentity(imagePath);
  for (const entry of await attachedPathStrings(signal)) {
    if (parsePhysicalPath(entry)) {
      const record = await fromDevicePath(entry, signal);
      if (await imageIdentity(record.path) === identity) return { attached: true, physicalPath: entry };
    } else if (await imageIdentity(entry) === identity) {
      const type = storageTypeFromPath(entry);
      const physicalPath = type ? await physicalPathOfImage(entry, type, signal).catch(() => undefined) : undefined;
      return physicalPath === undefined ? { attached: true } : { attached: true, physicalPath };
    }
  }
  return { attached: false };
}
