// OpenVirtualDisk's arguments for an image, by the documented recipes. Pure: no DLL, works on every OS.
import path from 'node:path';
import type { DetachOptions, OpenOptions, StorageType } from '../../types/index.ts';
import {
  OPEN_VIRTUAL_DISK_FLAG_NONE, OPEN_VIRTUAL_DISK_RW_DEPTH_DEFAULT, OPEN_VIRTUAL_DISK_VERSION_1,
  OPEN_VIRTUAL_DISK_VERSION_2, VIRTUAL_DISK_ACCESS_DETACH, VIRTUAL_DISK_ACCESS_GET_INFO, VIRTUAL_DISK_ACCESS_NONE, VIRTUAL_DISK_ACCESS_READ,
  VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT,
} from '../../types/constants.ts';
import type { OpenVirtualDiskParametersValue, VirtualStorageTypeValue } from '../../ffi/types.ts';
import { InvalidArgumentError, PreconditionError } from '../errors.ts';
import {
  DETACH_OPTION_KINDS, OPEN_OPTION_KINDS, snapshotOptions, snapshotPath, type OptionsSnapshot, type Snapshot,
} from '../options.ts';
import { DEVICE_IDS, EXTENSIONS, storageTypeFromPath } from '../storage-type.ts';
import { buildOf, fail, isoUnsupported, type HandleDescription, type Verdict } from './common.ts';

export interface OpenCall {
  storageType: StorageType;
  VirtualStorageType: VirtualStorageTypeValue;
  Path: string;
  VirtualDiskAccessMask: number;
  Flags: number;
  Parameters: OpenVirtualDiskParametersValue;
}

/** attach: to attach (and change); detach: only to detach; info: only to read information. */
export type OpenPurpose = 'attach' | 'detach' | 'info';
const ISO_ACCESS: Readonly<Record<OpenPurpose, number>> = {
  attach: VIRTUAL_DISK_ACCESS_READ, detach: VIRTUAL_DISK_ACCESS_DETACH, info: VIRTUAL_DISK_ACCESS_GET_INFO,
};

export type OpenOptionsSnapshot = OptionsSnapshot<typeof OPEN_OPTION_KINDS>;

/** An open request read once: the call it makes and the options snapshot it was made from. */
export interface OpenRequest {
  call: OpenCall;
  options: OpenOptionsSnapshot;
}

/**
 * OpenVirtualDisk's arguments for an image, by the documented recipes: ISO with version 1 parameters and
 * VIRTUAL_DISK_ACCESS_READ (VIRTUAL_DISK_ACCESS_DETACH when opening only to detach); VHD, VHDX and VHD Set
 * with version 2 parameters and VIRTUAL_DISK_ACCESS_NONE, `readOnly` in the parameters.
 * Refuses: a path that is not a non-empty string without NUL (ERR_INVALID_ARG_TYPE / _VALUE); an unknown
 * extension without storageType (ERR_INVALID_ARG_VALUE); an ISO before Windows 8 (ERR_ISO_UNSUPPORTED);
 * `readOnly: false` on an ISO (ERR_ISO_READ_ONLY).
 */
export function checkOpen(imagePath: unknown, options?: OpenOptions | DetachOptions, purpose: OpenPurpose = 'attach'): Verdict<OpenCall> {
  const request = readOpenRequest(imagePath, options, purpose);
  return request.ok ? { ok: true, call: request.value.call } : request;
}

export function readOpenRequest(imagePath: unknown, options: unknown, purpose: OpenPurpose): Snapshot<OpenRequest> {
  const syscall = 'OpenVirtualDisk';
  const fullPath = resolveImagePath(syscall, imagePath);
  if (!fullPath.ok) return fullPath;
  const read = snapshotOptions(syscall, options, purpose === 'attach' ? OPEN_OPTION_KINDS : DETACH_OPTION_KINDS, fullPath.value);
  if (!read.ok) return read;
  return openCall(syscall, fullPath.value, read.value, purpose);
}

/** The image path as it goes to Windows: made absolute (path.win32.resolve), except \\?\ paths, which go verbatim. */
export function resolveImagePath(syscall: string, imagePath: unknown): Snapshot<string> {
  const read = snapshotPath(syscall, imagePath);
  if (!read.ok) return read;
  return { ok: true, value: read.value.startsWith('\\\\?\\') ? read.value : path.win32.resolve(read.value) };
}

function openCall(syscall: string, fullPath: string, options: OpenOptionsSnapshot, purpose: OpenPurpose): Snapshot<OpenRequest> {
  const storageType = options.storageType ?? storageTypeFromPath(fullPath);
  if (storageType === undefined) {
    const img = /\.img$/i.test(fullPath) ? " An .img file holding an ISO 9660/UDF image attaches with storageType: 'iso'." : '';
    return fail(new InvalidArgumentError('ERR_INVALID_ARG_VALUE', {
      syscall, parameter: 'storageType', path: fullPath,
      problem: `the extension of '${fullPath}' names no virtual disk type.`,
      expected: `given when the extension is not one of ${Object.keys(EXTENSIONS).join(', ')}`,
      fix: `Pass storageType: 'iso' | 'vhd' | 'vhdx' | 'vhdset'.${img}`,
    }));
  }
  const VirtualStorageType = { DeviceId: DEVICE_IDS[storageType], VendorId: VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT };

  if (storageType === 'iso') {
    const tooOld = isoUnsupported(syscall, fullPath, buildOf(options.windowsBuild));
    if (tooOld) return fail(tooOld);
    if (options.readOnly === false) {
      return fail(new PreconditionError('ERR_ISO_READ_ONLY', {
        syscall, parameter: 'readOnly', path: fullPath,
        problem: 'an ISO image cannot be opened read/write.',
        rule: 'ATTACH_VIRTUAL_DISK_FLAG_NONE is not supported for ISO virtual disks. ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY must be specified.',
        fix: 'Leave readOnly out (ISO images are read-only) or pass readOnly: true.',
      }));
    }
    return {
      ok: true,
      value: {
        options,
        call: {
          storageType, VirtualStorageType, Path: fullPath,
          VirtualDiskAccessMask: ISO_ACCESS[purpose],
          Flags: OPEN_VIRTUAL_DISK_FLAG_NONE,
          Parameters: { Version: OPEN_VIRTUAL_DISK_VERSION_1, u: { Version1: { RWDepth: OPEN_VIRTUAL_DISK_RW_DEPTH_DEFAULT } } },
        },
      },
    };
  }

  return {
    ok: true,
    value: {
      options,
      call: {
        storageType, VirtualStorageType, Path: fullPath,
        VirtualDiskAccessMask: VIRTUAL_DISK_ACCESS_NONE,
        Flags: OPEN_VIRTUAL_DISK_FLAG_NONE,
        Parameters: {
          Version: OPEN_VIRTUAL_DISK_VERSION_2,
          u: { Version2: { GetInfoOnly: purpose === 'info' ? 1 : 0, ReadOnly: options.readOnly === true ? 1 : 0, ResiliencyGuid: { Data1: 0, Data2: 0, Data3: 0, Data4: [0, 0, 0, 0, 0, 0, 0, 0] } } },
        },
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
