// How a mountPoint option is spelled for SetVolumeMountPointW: a drive letter 'Z:\' or a folder path ending
// in a backslash ('C:\mnt\data\'). Pure: works on every OS.
import path from 'node:path';

/** A drive letter or a folder, normalised; undefined for anything SetVolumeMountPointW cannot take. */
export function normalizeMountPoint(value: string): string | undefined {
  if (value.length === 0 || value.includes('\0')) return undefined;
  const letter = /^([A-Za-z]):[\\/]?$/.exec(value);
  if (letter) return `${letter[1]!.toUpperCase()}:\\`;
  // UNC names, \\?\ and \\.\ device names: a mount point is a letter or a folder on a local volume.
  if (/^[\\/]{2}/.test(value)) return undefined;
  const resolved = path.win32.resolve(value);
  if (/^[A-Za-z]:\\$/.test(resolved)) return `${resolved[0]!.toUpperCase()}:\\`;
  return resolved.endsWith('\\') ? resolved : `${resolved}\\`;
}

/** Whether a normalised mount point is a drive letter ('Z:\'), not a folder. */
export function isDriveLetter(mountPoint: string): boolean {
  return /^[A-Z]:\\$/.test(mountPoint);
}
