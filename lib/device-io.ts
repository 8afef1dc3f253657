// Asking a device (a disk, a CD-ROM drive, a volume) a question: CreateFileW, DeviceIoControl, CloseHandle.
//
// These run on koffi's worker threads (callAsync): a device stack can stall (a disk that is arriving or going
// away), and the event loop must not wait for it. Their last error then stays on the worker thread, so none
// of these functions needs it: a device that cannot be opened or does not answer is reported as undefined,
// and the one size protocol here (VOLUME_DISK_EXTENTS) is read from the documented output, not from
// ERROR_MORE_DATA: "lpBytesReturned is sizeof(VOLUME_DISK_EXTENTS)" with NumberOfDiskExtents filled in.
import {
  FILE_DEVICE_CD_ROM, FILE_DEVICE_DISK, FILE_SHARE_READ, FILE_SHARE_WRITE, INVALID_HANDLE_VALUE,
  IOCTL_STORAGE_GET_DEVICE_NUMBER, IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS, OPEN_EXISTING,
} from '../types/constants.ts';
import type { DiskExtentValue, StorageDeviceNumberValue } from '../ffi/index.ts';
import { callAsync, rawLayer, windows } from './native.ts';

/** A disk or CD-ROM device: disks and CD-ROM drives are numbered separately, so both fields identify it. */
export interface DeviceId {
  /** FILE_DEVICE_DISK (7) or FILE_DEVICE_CD_ROM (2). */
  deviceType: number;
  deviceNumber: number;
}

export interface DeviceNumber extends DeviceId {
  /** (DWORD)-1 (0xFFFFFFFF) for a device that cannot be partitioned; 0 for a whole disk. */
  partitionNumber: number;
}

const STORAGE_DEVICE_NUMBER_SIZE = 12;
const EXTENTS_HEADER = 8; // NumberOfDiskExtents, padded to DISK_EXTENT's alignment
const EXTENT_SIZE = 24;
const MAX_EXTENT_ROUNDS = 4;

/** Whether CreateFileW's result is a handle (not NULL, not INVALID_HANDLE_VALUE). */
export function isHandle(handle: bigint | null | undefined): handle is bigint {
  return typeof handle === 'bigint' && handle !== 0n && BigInt.asUintN(64, handle) !== INVALID_HANDLE_VALUE;
}

/**
 * Opens `devicePath` (a device or volume name: '\\.\PhysicalDrive3', '\\?\Volume{…}' without its trailing
 * backslash) with FILE_SHARE_READ | FILE_SHARE_WRITE, runs `use` on the handle and closes it on every path.
 * Resolves to undefined when it cannot be opened.
 */
export async function withDevice<T>(
  devicePath: string, access: number, flags: number, signal: AbortSignal | undefined, use: (handle: bigint) => Promise<T>,
): Promise<T | undefined> {
  const { kernel32 } = await windows();
  const handle = await callAsync(signal, kernel32.CreateFileW, devicePath, access, FILE_SHARE_READ | FILE_SHARE_WRITE, null, OPEN_EXISTING, flags, null);
  if (!isHandle(handle)) return undefined;
  try {
    return await use(handle);
  } finally {
    // Not abortable: the handle is closed whatever happens. A failed close has nothing to report to.
    await callAsync(undefined, kernel32.CloseHandle, handle).catch(() => 0);
  }
}

/** IOCTL_STORAGE_GET_DEVICE_NUMBER (12-byte STORAGE_DEVICE_NUMBER); undefined when the device does not answer it. */
export async function deviceNumberOf(handle: bigint, signal: AbortSignal | undefined): Promise<DeviceNumber | undefined> {
  const ffi = await rawLayer();
  const { kernel32 } = await windows();
  const out = Buffer.alloc(STORAGE_DEVICE_NUMBER_SIZE);
  const returned: [number] = [0];
  const ok = await callAsync(signal, kernel32.DeviceIoControl, handle, IOCTL_STORAGE_GET_DEVICE_NUMBER, null, 0, out, out.length, returned, null);
  if (!ok || returned[0] < STORAGE_DEVICE_NUMBER_SIZE) return undefined;
  const value = ffi.decodeStruct<StorageDeviceNumberValue>(out, 0, ffi.STORAGE_DEVICE_NUMBER);
  return { deviceType: value.DeviceType, deviceNumber: value.DeviceNumber, partitionNumber: value.PartitionNumber };
}

/**
 * IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS: the disk numbers a volume lies on (one per extent, in order), growing
 * the buffer to 8 + 24·N when the volume has more extents than it holds; undefined when the volume does not
 * answer. Windows answers a too-small buffer with ERROR_MORE_DATA, NumberOfDiskExtents = N and
 * lpBytesReturned = sizeof(VOLUME_DISK_EXTENTS): that output, not the last error, is what is read here.
 */
export async function diskExtentsOf(handle: bigint, signal: AbortSignal | undefined): Promise<number[] | undefined> {
  const ffi = await rawLayer();
  const { kernel32 } = await windows();
  let capacity = 1;
  for (let round = 0; round < MAX_EXTENT_ROUNDS; round++) {
    const out = Buffer.alloc(EXTENTS_HEADER + EXTENT_SIZE * capacity);
    const returned: [number] = [0];
    const ok = await callAsync(signal, kernel32.DeviceIoControl, handle, IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS, null, 0, out, out.length, returned, null);
    const count = returned[0] >= 4 ? out.readUInt32LE(0) : 0;
    if (!ok) {
      if (returned[0] >= 4 && count > capacity) {
        capacity = count;
        continue;
      }
      return undefined;
    }
    const extents: number[] = [];
    for (let i = 0; i < Math.min(count, capacity); i++) {
      extents.push(ffi.decodeStruct<DiskExtentValue>(out, EXTENTS_HEADER + EXTENT_SIZE * i, ffi.DISK_EXTENT).DiskNumber);
    }
    return extents;
  }
  return undefined;
}

/** The device a physical path names, from its name alone: '\\.\PhysicalDrive3' → disk 3, '\\.\CDROM1' → CD-ROM 1. */
export function parsePhysicalPath(physicalPath: string): DeviceId | undefined {
  const match = /^\\\\[.?]\\(PhysicalDrive|CdRom)(\d{1,9})$/i.exec(physicalPath);
  if (!match) return undefined;
  return {
    deviceType: match[1]!.toLowerCase() === 'cdrom' ? FILE_DEVICE_CD_ROM : FILE_DEVICE_DISK,
    deviceNumber: Number(match[2]),
  };
}

/**
 * The device behind a physical path: IOCTL_STORAGE_GET_DEVICE_NUMBER on it (access 0), or, when it cannot be
 * opened or asked, what its name says. undefined when neither works.
 */
export async function deviceOfPhysicalPath(physicalPath: string, signal: AbortSignal | undefined): Promise<DeviceId | undefined> {
  const asked = await withDevice(physicalPath, 0, 0, signal, (handle) => deviceNumberOf(handle, signal));
  if (asked) return { deviceType: asked.deviceType, deviceNumber: asked.deviceNumber };
  return parsePhysicalPath(physicalPath);
}

export function sameDevice(a: DeviceId, b: DeviceId): boolean {
  return a.deviceType === b.deviceType && a.deviceNumber === b.deviceNumber;
}

export function deviceKey(device: DeviceId): string {
  return `${device.deviceType}:${device.deviceNumber}`;
}
