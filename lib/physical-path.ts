// The disk an attached image is: GetVirtualDiskPhysicalPath on a handle (the ERROR_INSUFFICIENT_BUFFER size
// protocol), and on an image path through a short-lived handle of its own, opened to read information only.
import type { StorageType } from '../types/index.ts';
import {
  OPEN_VIRTUAL_DISK_FLAG_NONE, OPEN_VIRTUAL_DISK_RW_DEPTH_DEFAULT, OPEN_VIRTUAL_DISK_VERSION_1,
  OPEN_VIRTUAL_DISK_VERSION_2, VIRTUAL_DISK_ACCESS_GET_INFO, VIRTUAL_DISK_ACCESS_NONE, VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT,
} from '../types/constants.ts';
import type { OpenVirtualDiskParametersValue } from '../ffi/index.ts';
import { VirtualDiskError } from './errors.ts';
import { callAsync, win32Error, windows } from './native.ts';
import { DEVICE_IDS } from './storage-type.ts';
import { ERROR_INSUFFICIENT_BUFFER, ERROR_SUCCESS } from './win32-errors.ts';

const SYSCALL = 'GetVirtualDiskPhysicalPath';

/** '\\.\PhysicalDriveN' or '\\.\CDROMn' of the image attached behind this handle; rejects with Windows' code. */
export async function physicalPathOfHandle(handle: bigint, imagePath: string, signal: AbortSignal | undefined): Promise<string> {
  const { virtdisk } = await windows();
  let size = 2 * 261;
  for (let attempt = 0; attempt < 4; attempt++) {
    const buffer = Buffer.alloc(size);
    const sizeInOut: [number] = [size];
    const result = await callAsync(signal, virtdisk.GetVirtualDiskPhysicalPath, handle, sizeInOut, buffer);
    if (result === ERROR_SUCCESS) {
      const text = buffer.toString('utf16le');
      const end = text.indexOf('\0');
      return end === -1 ? text : text.slice(0, end);
    }
    if (result !== ERROR_INSUFFICIENT_BUFFER || sizeInOut[0] <= size) throw win32Error(result, SYSCALL, imagePath);
    size = sizeInOut[0];
  }
  throw win32Error(ERROR_INSUFFICIENT_BUFFER, SYSCALL, imagePath);
}

/**
 * OpenVirtualDisk's arguments to read information about an image without attaching or detaching it: an ISO
 * with version 1 parameters and VIRTUAL_DISK_ACCESS_GET_INFO; a VHD, VHDX or VHD Set with version 2
 * parameters, VIRTUAL_DISK_ACCESS_NONE and GetInfoOnly.
 */
export function infoOpenArguments(storageType: StorageType): { access: number; parameters: OpenVirtualDiskParametersValue } {
  if (storageType === 'iso') {
    return {
      access: VIRTUAL_DISK_ACCESS_GET_INFO,
      parameters: { Version: OPEN_VIRTUAL_DISK_VERSION_1, u: { Version1: { RWDepth: OPEN_VIRTUAL_DISK_RW_DEPTH_DEFAULT } } },
    };
  }
  return {
    access: VIRTUAL_DISK_ACCESS_NONE,
    parameters: {
      Version: OPEN_VIRTUAL_DISK_VERSION_2,
      u: { Version2: { GetInfoOnly: 1, ReadOnly: 0, ResiliencyGuid: { Data1: 0, Data2: 0, Data3: 0, Data4: [0, 0, 0, 0, 0, 0, 0, 0] } } },
    },
  };
}

/**
 * The physical path of an attached image, through a handle of its own (not one of the library's tracked
 * VirtualDisks: it is closed before this resolves, on every path). Rejects with Windows' code: the open's, or
 * GetVirtualDiskPhysicalPath's (which says "not attached" in several ways).
 */
export async function physicalPathOfImage(imagePath: string, storageType: StorageType, signal: AbortSignal | undefined): Promise<string> {
  const { virtdisk, kernel32 } = await windows();
  const { access, parameters } = infoOpenArguments(storageType);
  const handle: [bigint | null] = [null];
  const opened = await callAsync(
    signal, virtdisk.OpenVirtualDisk, { DeviceId: DEVICE_IDS[storageType], VendorId: VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT },
    imagePath, access, OPEN_VIRTUAL_DISK_FLAG_NONE, parameters, handle,
  );
  if (opened !== ERROR_SUCCESS) throw win32Error(opened, 'OpenVirtualDisk', imagePath);
  const own = handle[0];
  if (own === null || own === 0n) {
    throw new VirtualDiskError(`OpenVirtualDisk '${imagePath}' succeeded without a handle.`, { code: 'ERR_NO_HANDLE', syscall: 'OpenVirtualDisk', path: imagePath });
  }
  try {
    return await physicalPathOfHandle(own, imagePath, signal);
  } finally {
    await callAsync(undefined, kernel32.CloseHandle, own).catch(() => 0);
  }
}
