// GetStorageDependencyInformation on an attached disk ('\\.\PhysicalDriveN' or '\\.\CDROMn'): the image file
// behind it and the files of its chain, with how it was attached (DEPENDENT_DISK_FLAG).
//
// The protocol (Microsoft's sample, Samples/Hyper-V/Storage/cpp/GetStorageDependencyInformation.cpp, and the
// STORAGE_DEPENDENCY_INFO page): the caller writes Version into the buffer before each call; on
// ERROR_INSUFFICIENT_BUFFER, SizeUsed holds the size needed, and the call is made again with the SAME flags
// (the sample drops GET_STORAGE_DEPENDENCY_FLAG_DISK_HANDLE on its retry, which then asks about a volume).
// The four strings of each TYPE_2 entry are pointers into the buffer itself, after the entries: so the buffer
// is stable native memory, and each string is read by its offset from the buffer's start, never past its end.
import type { StorageDependencyInfoType2Value } from '../ffi/index.ts';
import {
  FILE_FLAG_BACKUP_SEMANTICS, FILE_READ_ATTRIBUTES, GENERIC_READ, GET_STORAGE_DEPENDENCY_FLAG_DISK_HANDLE,
  GET_STORAGE_DEPENDENCY_FLAG_HOST_VOLUMES, STORAGE_DEPENDENCY_INFO_VERSION_2,
} from '../types/constants.ts';
import { VirtualDiskError } from './errors.ts';
import { withDevice } from './device-io.ts';
import { callAsync, rawLayer, win32Error, windows } from './native.ts';
import { ERROR_INSUFFICIENT_BUFFER, ERROR_SUCCESS } from './win32-errors.ts';

export interface DependencyEntry {
  /** DEPENDENT_DISK_FLAG bits. */
  flags: number;
  providerSpecificFlags: number;
  /** VIRTUAL_STORAGE_TYPE.DeviceId: 1 ISO, 2 VHD, 3 VHDX, 4 VHD Set (0 unknown). */
  deviceId: number;
  ancestorLevel: number;
  /** '\\.\PhysicalDriveN' or '\\.\CDRomN'. */
  dependencyDeviceName: string;
  /** The volume holding the file: '\\?\Volume{…}\'. */
  hostVolumeName: string;
  dependentVolumeName: string;
  /** The file's path on its host volume. */
  dependentVolumeRelativePath: string;
}

const SYSCALL = 'GetStorageDependencyInformation';
export const DEPENDENCY_FLAGS = GET_STORAGE_DEPENDENCY_FLAG_HOST_VOLUMES | GET_STORAGE_DEPENDENCY_FLAG_DISK_HANDLE;
const HEADER = 8; // STORAGE_DEPENDENCY_INFO_ENTRIES_OFFSET
const TYPE_2_SIZE = 64;
const MAX_ROUNDS = 4;

/**
 * The dependency entries of an attached disk, as STORAGE_DEPENDENCY_INFO_VERSION_2 (TYPE_2) entries. The
 * disk is opened as the sample opens it (GENERIC_READ, FILE_FLAG_BACKUP_SEMANTICS), else with
 * FILE_READ_ATTRIBUTES only. Rejects with ERR_DEVICE_OPEN when it cannot be opened, or Windows' code.
 */
export async function storageDependencyOfDisk(physicalPath: string, signal: AbortSignal | undefined): Promise<DependencyEntry[]> {
  const ask = (handle: bigint) => storageDependencyOfHandle(handle, physicalPath, signal);
  const entries = await withDevice(physicalPath, GENERIC_READ, FILE_FLAG_BACKUP_SEMANTICS, signal, ask)
    ?? await withDevice(physicalPath, FILE_READ_ATTRIBUTES, FILE_FLAG_BACKUP_SEMANTICS, signal, ask);
  if (entries === undefined) {
    throw new VirtualDiskError(`CreateFileW could not open the disk '${physicalPath}' to ask GetStorageDependencyInformation about it.`, {
      code: 'ERR_DEVICE_OPEN', syscall: 'CreateFileW', path: physicalPath,
      hint: 'The disk went away (it was detached meanwhile), or this process may not open it: run it elevated.',
    });
  }
  return entries;
}

export async function storageDependencyOfHandle(handle: bigint, physicalPath: string, signal: AbortSignal | undefined): Promise<DependencyEntry[]> {
  const ffi = await rawLayer();
  const { virtdisk } = await windows();
  // Header and one entry: too small for any entry's strings, so the first answer is the size needed.
  let size = HEADER + TYPE_2_SIZE;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const memory = ffi.allocBytes(size);
    try {
      ffi.bytesAt(memory, size).writeUInt32LE(STORAGE_DEPENDENCY_INFO_VERSION_2, 0);
      const used: [number] = [0];
      const result = await callAsync(signal, virtdisk.GetStorageDependencyInformation, handle, DEPENDENCY_FLAGS, size, memory, used);
      if (result === ERROR_SUCCESS) return decodeEntries(ffi, Buffer.from(ffi.bytesAt(memory, size)), memory);
      if (result !== ERROR_INSUFFICIENT_BUFFER) throw win32Error(result, SYSCALL, physicalPath);
      size = used[0] > size ? used[0] : size * 2;
    } finally {
      ffi.freeBytes(memory);
    }
  }
  throw win32Error(ERROR_INSUFFICIENT_BUFFER, SYSCALL, physicalPath);
}

type Ffi = Awaited<ReturnType<typeof rawLayer>>;

/** The TYPE_2 entries of a filled buffer (a copy of it), its strings read by offset from `base`. */
export function decodeEntries(ffi: Ffi, bytes: Buffer, base: bigint): DependencyEntry[] {
  const count = bytes.length >= HEADER ? bytes.readUInt32LE(4) : 0;
  const fits = Math.max(0, Math.floor((bytes.length - HEADER) / TYPE_2_SIZE));
  const entries: DependencyEntry[] = [];
  for (let i = 0; i < Math.min(count, fits); i++) {
    const raw = ffi.decodeStruct<StorageDependencyInfoType2Value>(bytes, HEADER + TYPE_2_SIZE * i, ffi.STORAGE_DEPENDENCY_INFO_TYPE_2);
    entries.push({
      flags: raw.DependencyTypeFlags,
      providerSpecificFlags: raw.ProviderSpecificFlags,
      deviceId: raw.VirtualStorageType.DeviceId,
      ancestorLevel: raw.AncestorLevel,
      dependencyDeviceName: stringAt(bytes, base, raw.DependencyDeviceName),
      hostVolumeName: stringAt(bytes, base, raw.HostVolumeName),
      dependentVolumeName: stringAt(bytes, base, raw.DependentVolumeName),
      dependentVolumeRelativePath: stringAt(bytes, base, raw.DependentVolumeRelativePath),
    });
  }
  return entries;
}

/** The NUL-ended UTF-16 string a pointer into the buffer points to; '' for NULL or a pointer outside it. */
export function stringAt(bytes: Buffer, base: bigint, pointer: bigint | number | null): string {
  if (pointer === null || pointer === 0 || pointer === 0n) return '';
  const offset = BigInt.asUintN(64, BigInt(pointer)) - base;
  if (offset < 0n || offset >= BigInt(bytes.length) || offset % 2n !== 0n) return '';
  const start = Number(offset);
  let end = start;
  while (end + 1 < bytes.length && bytes.readUInt16LE(end) !== 0) end += 2;
  return bytes.toString('utf16le', start, end);
}
