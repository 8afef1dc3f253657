// What a volume argument names: a Volume (from getVolumes()), a volume GUID path, or a mount point (a drive
// letter or a mounted folder), read once and checked; and, for a mount point, the volume mounted there
// (GetVolumeNameForVolumeMountPointW). For formatVolume and mountVolume.
import { MAX_PATH } from '../types/constants.ts';
import { InvalidArgumentError, PreconditionError } from './errors.ts';
import { normalizeMountPoint } from './mount-point-name.ts';
import { callAsync, windows } from './native.ts';
import { describe, isPlainObject, ownEntries } from './options.ts';

const VOLUME_GUID_PATH = /^\\\\\?\\Volume\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}\\?$/;

/** '\\?\Volume{…}' with or without its trailing backslash. */
export function isVolumeGuidPath(text: string): boolean {
  return VOLUME_GUID_PATH.test(text);
}

export interface VolumeTarget {
  /** How the caller named it, for messages. */
  text: string;
  /** Known from the argument: a Volume or a GUID path. */
  volumeName?: string;
  /** Otherwise: the normalised mount point to resolve. */
  mountPoint?: string;
}

/** The target a volume argument names, or the InvalidArgumentError saying what is wrong with it. */
export function readVolumeTarget(volume: unknown, syscall: string): VolumeTarget | InvalidArgumentError {
  const expected = "a Volume (from getVolumes()), a volume GUID path ('\\\\?\\Volume{…}\\') or a mount point ('Q:', 'C:\\\\mnt\\\\x')";
  const refuse = (code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE', problem: string) =>
    new InvalidArgumentError(code, { syscall, parameter: 'volume', problem, expected });
  if (typeof volume === 'string') {
    if (VOLUME_GUID_PATH.test(volume)) return { text: volume, volumeName: volume.endsWith('\\') ? volume : `${volume}\\` };
    const mountPoint = normalizeMountPoint(volume);
    if (mountPoint === undefined) return refuse('ERR_INVALID_ARG_VALUE', `the volume ${describe(volume)} is neither a volume GUID path nor a mount point.`);
    return { text: volume, mountPoint };
  }
  if (!isPlainObject(volume)) return refuse('ERR_INVALID_ARG_TYPE', `the volume is ${describe(volume)}.`);
  let name: unknown;
  try {
    name = ownEntries(volume).find(([key]) => key === 'name')?.[1];
  } catch (error) {
    return refuse('ERR_INVALID_ARG_VALUE', `reading the volume threw (${(error as Error)?.message ?? String(error)}).`);
  }
  if (typeof name !== 'string' || !VOLUME_GUID_PATH.test(name)) return refuse('ERR_INVALID_ARG_VALUE', `the volume's name is ${describe(name)}, not a volume GUID path.`);
  return { text: name, volumeName: name.endsWith('\\') ? name : `${name}\\` };
}

/** GetVolumeNameForVolumeMountPointW: the volume GUID path ('\\?\Volume{…}\') mounted there, or undefined. */
export async function volumeOfMountPoint(mountPoint: string, signal: AbortSignal | undefined): Promise<string | undefined> {
  const { kernel32 } = await windows();
  const buffer = Buffer.alloc(2 * (MAX_PATH + 1));
  const ok = await callAsync(signal, kernel32.GetVolumeNameForVolumeMountPointW, mountPoint, buffer, MAX_PATH + 1);
  if (!ok) return undefined;
  const name = buffer.toString('utf16le');
  return name.slice(0, Math.max(0, name.indexOf('\0')));
}

/** A mount point at which no volume is mounted. */
export function notAVolume(target: VolumeTarget): PreconditionError {
  return new PreconditionError('ERR_NOT_A_VOLUME', {
    syscall: 'GetVolumeNameForVolumeMountPointW', parameter: 'volume', path: target.text,
    problem: `'${target.mountPoint}' is not the mount point of a volume (a drive letter or mounted folder).`,
    rule: 'A volume is named by its drive letter, mounted folder or GUID path (GetVolumeNameForVolumeMountPointW names the volume mounted there).',
    fix: 'Pass a Volume from disk.getVolumes(), its GUID path, or the drive letter the volume is mounted at.',
  });
}

/** The volume GUID path (with its trailing backslash) a volume argument names; rejects as readVolumeTarget and notAVolume say. */
export async function resolveVolumeName(volume: unknown, syscall: string, signal: AbortSignal | undefined): Promise<string> {
  const target = readVolumeTarget(volume, syscall);
  if (target instanceof Error) throw target;
  if (target.volumeName !== undefined) return target.volumeName;
  const name = await volumeOfMountPoint(target.mountPoint!, signal);
  if (name === undefined || !isVolumeGuidPath(name)) throw notAVolume(target);
  return name.endsWith('\\') ? name : `${name}\\`;
}
