// The mountPoint and wait attach options: how they combine with the others. Pure: no DLL, works on every OS.
import { PreconditionError } from '../errors.ts';
import type { AttachOptionsSnapshot } from './attach.ts';

const SYSCALL = 'AttachVirtualDisk';

/**
 * ERR_CONFLICTING_OPTIONS when mountPoint comes with noDriveLetter: false (a mountPoint attach is a
 * noDriveLetter attach), or wait without mountPoint (wait is how long a mountPoint attach waits for the volume).
 */
export function mountPointRules(options: AttachOptionsSnapshot, imagePath: string): PreconditionError | undefined {
  if (options.mountPoint !== undefined && options.noDriveLetter === false) {
    return new PreconditionError('ERR_CONFLICTING_OPTIONS', {
      syscall: SYSCALL, parameter: 'noDriveLetter', path: imagePath,
      problem: 'mountPoint asks for the volume at one place only, and noDriveLetter: false for a drive letter too.',
      rule: "This library's policy: a mountPoint attach is made with ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER, so that the volume appears only where mountPoint says.",
      fix: 'Leave noDriveLetter out (or pass true) with mountPoint.',
    });
  }
  if (options.wait !== undefined && options.mountPoint === undefined) {
    return new PreconditionError('ERR_CONFLICTING_OPTIONS', {
      syscall: SYSCALL, parameter: 'wait', path: imagePath,
      problem: 'wait is given without mountPoint.',
      rule: "This library's policy: an attach's wait is how long a mountPoint attach waits for the disk's volume; without mountPoint, attach waits for nothing (use disk.getVolumes({ wait }) afterwards).",
      fix: 'Pass mountPoint too, or call disk.getVolumes({ wait }) after attaching.',
    });
  }
  return undefined;
}
