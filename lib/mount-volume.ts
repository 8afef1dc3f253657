// A volume at a drive letter or an empty NTFS folder, and away again: SetVolumeMountPointW and
// DeleteVolumeMountPointW, the volume named by a Volume, its GUID path or a mount point it has
// (lib/volume-target.ts). Rules: the SetVolumeMountPointW and DeleteVolumeMountPointW pages.
import type { CallOptions } from '../types/index.ts';
import type { Volume } from '../types/volumes.ts';
import { InvalidArgumentError } from './errors.ts';
import { checkMountPoint, setMountPoint } from './mount-point.ts';
import { normalizeMountPoint } from './mount-point-name.ts';
import { callAsync, win32Error, windows } from './native.ts';
import { CALL_OPTION_KINDS, describe, snapshotOptions } from './options.ts';
import { resolveVolumeName } from './volume-target.ts';
import { lastErrorOf } from './volumes.ts';

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
  const name = await resolveVolumeName(volume, syscall, read.value.signal);
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
