// A volume at a drive letter or an empty NTFS folder, and away again: SetVolumeMountPointW and
// DeleteVolumeMountPointW, the volume named by a Volume, its GUID path or a mount point it has
// (GetVolumeNameForVolumeMountPointW). Rules: the SetVolumeMountPointW and DeleteVolumeMountPointW pages.
import type { CallOptions } from '../types/index.ts';
import type { Volume } from '../types/volumes.ts';
import { MAX_PATH } from '../types/constants.ts';
import { InvalidArgumentError } from './errors.ts';
import { checkMountPoint, setMountPoint } from './mount-point.ts';
import { normalizeMountPoint } from './mount-point-name.ts';
import { callAsync, win32Error, windows } from './native.ts';
import { CALL_OPTION_KINDS, describe, snapshotOptions } from './options.ts';
import { lastErrorOf } from './volumes.ts';

const VOLUME_GUID_PATH = /^\\\\\?\\Volume\{[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}\}\\?$/i;

/**
 * The volume GUID path ('\\?\Volume{…}\', with its trailing backslash) of a Volume, of a GUID path (with or
 * without the backslash) or of a mount point ('Q:', 'Q:\', 'C:\mnt\data'). Rejects with
 * InvalidArgumentError for anything else, and with GetVolumeNameForVolumeMountPointW's code for a mount
 * point that is not one.
 */
export async function volumeNameOf(volume: Volume | string, syscall: string, signal?: AbortSignal): Promise<string> {
  const given = typeof volume === 'object' && volume !== null && typeof (volume as Volume).name === 'string' ? (volume as Volume).name : volume;
  if (typeof given === 'string' && VOLUME_GUID_PATH.test(given)) return given.endsWith('\\') ? given : `${given}\\`;
  const mountPoint = typeof given === 'string' ? normalizeMountPoint(given) : undefined;
  if (mountPoint === undefined) {
    throw new InvalidArgumentError(typeof given === 'string' ? 'ERR_INVALID_ARG_VALUE' : 'ERR_INVALID_ARG_TYPE', {
      syscall, parameter: 'volume', problem: `volume is ${describe(given)}.`,
      expected: "a Volume (from disk.getVolumes()), a volume GUID path ('\\\\?\\Volume{…}\\') or a mount point ('Q:', 'C:\\\\mnt\\\\data')",
    });
  }
  const { kernel32 } = await windows();
  const buffer = Buffer.alloc(2 * (MAX_PATH + 1));
  const read = () => { const text = buffer.toString('utf16le'); return text.slice(0, text.indexOf('\0')); };
  if (await callAsync(signal, kernel32.GetVolumeNameForVolumeMountPointW, mountPoint, buffer, MAX_PATH + 1)) return read();
  const again = lastErrorOf(kernel32, () => kernel32.GetVolumeNameForVolumeMountPointW(mountPoint, buffer.fill(0), MAX_PATH + 1), Boolean);
  if (again.error === 0) return read();
  throw win32Error(again.error, 'GetVolumeNameForVolumeMountPointW', mountPoint);
}

/**
 * Mounts a volume at `mountPoint`: a free drive letter ('Z:') or an existing, empty folder on an NTFS volume
 * (SetVolumeMountPointW; a volume may have several). `volume`: a Volume, its GUID path or a mount point it
 * has. Rejects before Windows with ERR_MOUNT_POINT_IN_USE, _NOT_FOUND, _NOT_DIRECTORY or _NOT_EMPTY
 * (PreconditionError), then with SetVolumeMountPointW's code (ERROR_ACCESS_DENIED: not elevated).
 */
export async function mountVolume(volume: Volume | string, mountPoint: string, options?: CallOptions): Promise<void> {
  const syscall = 'SetVolumeMountPointW';
  const read = snapshotOptions(syscall, options, CALL_OPTION_KINDS);
  if (!read.ok) throw read.error;
  const normalized = typeof mountPoint === 'string' ? normalizeMountPoint(mountPoint) : undefined;
  if (normalized === undefined) throw badMountPoint(syscall, mountPoint);
  const name = await volumeNameOf(volume, syscall, read.value.signal);
  const refusal = await checkMountPoint(normalized, name);
  if (refusal) throw refusal;
  await setMountPoint(normalized, name, read.value.signal);
}

/**
 * Removes a drive letter or mounted folder (DeleteVolumeMountPointW); the volume itself stays. Rejects with
 * DeleteVolumeMountPointW's code (ERROR_NOT_A_REPARSE_POINT / ERROR_INVALID_PARAMETER: nothing is mounted
 * there; ERROR_ACCESS_DENIED: not elevated).
 */
export async function unmountVolume(mountPoint: string, options?: CallOptions): Promise<void> {
  const syscall = 'DeleteVolumeMountPointW';
  const read = snapshotOptions(syscall, options, CALL_OPTION_KINDS);
  if (!read.ok) throw read.error;
  const normalized = typeof mountPoint === 'string' ? normalizeMountPoint(mountPoint) : undefined;
  if (normalized === undefined) throw badMountPoint(syscall, mountPoint);
  const { kernel32 } = await windows();
  if (await callAsync(read.value.signal, kernel32.DeleteVolumeMountPointW, normalized)) return;
  const again = lastErrorOf(kernel32, () => kernel32.DeleteVolumeMountPointW(normalized), Boolean);
  if (again.error !== 0) throw win32Error(again.error, syscall, normalized);
}

function badMountPoint(syscall: string, value: unknown): InvalidArgumentError {
  return new InvalidArgumentError(typeof value === 'string' ? 'ERR_INVALID_ARG_VALUE' : 'ERR_INVALID_ARG_TYPE', {
    syscall, parameter: 'mountPoint', problem: `mountPoint is ${describe(value)}.`,
    expected: "a drive letter ('Z:' or 'Z:\\\\') or the path of an empty folder on a local NTFS volume ('C:\\\\mnt\\\\data')",
  });
}
