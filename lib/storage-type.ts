import path from 'node:path';
import {
  VIRTUAL_STORAGE_TYPE_DEVICE_ISO,
  VIRTUAL_STORAGE_TYPE_DEVICE_VHD,
  VIRTUAL_STORAGE_TYPE_DEVICE_VHDSET,
  VIRTUAL_STORAGE_TYPE_DEVICE_VHDX,
} from '../types/constants.ts';
import type { StorageType } from '../types/index.ts';

export const DEVICE_IDS: Readonly<Record<StorageType, number>> = {
  iso: VIRTUAL_STORAGE_TYPE_DEVICE_ISO,
  vhd: VIRTUAL_STORAGE_TYPE_DEVICE_VHD,
  vhdx: VIRTUAL_STORAGE_TYPE_DEVICE_VHDX,
  vhdset: VIRTUAL_STORAGE_TYPE_DEVICE_VHDSET,
};

/** The extensions Windows maps to a type; .avhd/.avhdx are the differencing files Hyper-V checkpoints write. */
export const EXTENSIONS: Readonly<Record<string, StorageType>> = {
  '.iso': 'iso',
  '.vhd': 'vhd',
  '.avhd': 'vhd',
  '.vhdx': 'vhdx',
  '.avhdx': 'vhdx',
  '.vhds': 'vhdset',
};

export function isStorageType(value: unknown): value is StorageType {
  return typeof value === 'string' && Object.hasOwn(DEVICE_IDS, value);
}

/** The storage type an image's extension names, case-insensitively; undefined for any other extension. */
export function storageTypeFromPath(imagePath: string): StorageType | undefined {
  const extension = path.win32.extname(imagePath.replace(/[. ]+$/, '')).toLowerCase();
  return Object.hasOwn(EXTENSIONS, extension) ? EXTENSIONS[extension] : undefined;
}
