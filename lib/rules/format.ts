// formatVolume: options → FormatEx's arguments, and the rules checked before anything native runs. Pure: no
// DLL, works on every OS.
//
// Sources:
//   LABEL    the label command (https://learn.microsoft.com/windows-server/administration/windows-commands/label):
//            NTFS labels up to 32 characters, FAT labels up to 11 and none of * ? / \ | . , ; : + = [ ] < > ";
//            the same limits for ReFS (32) and exFAT (11) in the project's fake fmifs.dll (shared/wine/fakedisk
//            README, "FCC_BAD_LABEL"), which models what fmifs refuses.
//   CLUSTER  the format command's /A:size (https://learn.microsoft.com/windows-server/administration/windows-commands/format
//            and `format /?`): powers of two from 512; NTFS up to 2048K (Windows 10 1709 and later; 64K before),
//            FAT32 up to 64K (128K, 256K for sector size > 512 bytes), exFAT up to 32768K; ReFS 4096 or 65536
//            (ReFS overview, https://learn.microsoft.com/windows-server/storage/refs/refs-overview: "4K and
//            64K cluster sizes"). The fake's limits (README: FCC_CLUSTER_SIZE_TOO_SMALL / _TOO_BIG) are the same
//            or wider.
//   FAT32    Windows' format refuses FAT32 on volumes over 32 GiB (format.com and the format dialog; the fake's
//            README: "FCC_VOLUME_TOO_BIG: FAT32 over 32 GiB"). Checked when the volume's size is known.
//   DEVDRIVE Dev Drive (https://learn.microsoft.com/windows/dev-drive/): ReFS only, Windows 11 build 22621.2338 or
//            later, "Format-Volume -DevDrive" or "format D: /DevDrv /Q". What those call underneath is the
//            Storage Management WMI provider (MSFT_Volume.Format with DevDrive = true: Microsoft Dev Home,
//            microsoft/devhome DevDriveFormatter.cs, "Uses WMI … to format the drive as a Dev Drive"); fmifs.dll's
//            FMIFS_FORMAT_DEV_VOLUME flag is internal and undocumented. This library calls DLLs only (no COM/WMI),
//            so devDrive is refused with ERR_DEV_DRIVE_UNSUPPORTED before anything runs.
import type { FormatFileSystem, FormatVolumeOptions } from '../../types/format.ts';
import type { VirtualDiskErrorReason } from '../hints.ts';
import { InvalidArgumentError, PreconditionError, type CheckError } from '../errors.ts';
import { describe, isPlainObject, ownEntries, snapshotOptions, type Snapshot } from '../options.ts';
import { fail, type Verdict } from './common.ts';

export const FORMAT_SYSCALL = 'FormatEx';

const FORMAT_OPTION_KINDS = {
  signal: 'signal', onProgress: 'callback', progressInterval: 'ms', quick: 'boolean', devDrive: 'boolean', clusterSize: 'uint32',
} as const;
const TEXT_OPTIONS = ['fileSystem', 'label'] as const;

/** FormatEx's FileSystemName for each file system. */
export const FILE_SYSTEM_NAMES: Readonly<Record<FormatFileSystem, string>> = { ntfs: 'NTFS', refs: 'ReFS', exfat: 'exFAT', fat32: 'FAT32' };

/** Longest label, in UTF-16 code units (label command page; the fake's README for ReFS and exFAT). */
export const LABEL_LIMITS: Readonly<Record<FormatFileSystem, number>> = { ntfs: 32, refs: 32, exfat: 11, fat32: 11 };
/** Characters a FAT-family label may not hold (label command page). */
export const FAT_LABEL_FORBIDDEN = '*?/\\|.,;:+=[]<>"';
/** Largest cluster per file system, bytes (format /A:size). ReFS takes exactly 4096 or 65536. */
export const CLUSTER_LIMITS: Readonly<Record<FormatFileSystem, number>> = { ntfs: 2 * 1024 * 1024, refs: 65536, exfat: 32 * 1024 * 1024, fat32: 256 * 1024 };
export const MIN_CLUSTER = 512;
/** Windows' format refuses FAT32 above this volume size. */
export const FAT32_MAX_VOLUME = 32n * 1024n ** 3n;

/** What FormatEx is called with (DriveRoot comes from the target, resolved separately). */
export interface FormatCall {
  fileSystem: FormatFileSystem;
  /** FileSystemName: 'NTFS', 'ReFS', 'exFAT', 'FAT32'. */
  FileSystemName: string;
  /** Label: '' for none. */
  Label: string;
  QuickFormat: boolean;
  /** 0: Windows chooses. */
  ClusterSize: number;
}

export interface FormatRequest {
  call: FormatCall;
  signal: AbortSignal | undefined;
  onProgress: FormatVolumeOptions['onProgress'];
  progressInterval: number | undefined;
}

/**
 * Would these options be accepted? The call, or the refusal: ERR_INVALID_ARG_* for wrong types and values,
 * ERR_INVALID_LABEL and ERR_INVALID_CLUSTER_SIZE for the file systems' rules, ERR_CONFLICTING_OPTIONS for devDrive
 * with another file system than ReFS, ERR_DEV_DRIVE_UNSUPPORTED for devDrive. `volumeSize` (bytes), when known,
 * adds the FAT32 size rule (ERR_VOLUME_TOO_BIG).
 */
export function checkFormat(options?: FormatVolumeOptions, volumeSize?: bigint, path?: string): Verdict<FormatCall> {
  const read = readFormatRequest(options, path);
  if (!read.ok) return read;
  const sized = checkVolumeSize(read.value.call, volumeSize, path);
  return sized ? fail(sized) : { ok: true, call: read.value.call };
}

export function readFormatRequest(options: unknown, path?: string): Snapshot<FormatRequest> {
  const argument = (code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE', parameter: string, problem: string, expected: string, fix?: string) =>
    fail(new InvalidArgumentError(code, { syscall: FORMAT_SYSCALL, parameter, problem, expected, fix, path }));
  // fileSystem and label are read here, the rest by the shared snapshot: each property is read once.
  const rest: Record<string, unknown> = {};
  const text: { fileSystem?: unknown; label?: unknown } = {};
  if (options !== undefined) {
    if (!isPlainObject(options)) {
      return argument('ERR_INVALID_ARG_TYPE', 'options', `options is ${describe(options)}.`, "a plain object such as { fileSystem: 'ntfs' }, or undefined");
    }
    let entries: Array<[string, unknown]>;
    try {
      entries = ownEntries(options);
    } catch (error) {
      return argument('ERR_INVALID_ARG_VALUE', 'options', `reading options threw (${(error as Error)?.message ?? String(error)}).`, 'an object whose properties can be read');
    }
    for (const [key, value] of entries) {
      if ((TEXT_OPTIONS as readonly string[]).includes(key)) text[key as 'fileSystem' | 'label'] = value;
      else rest[key] = value;
    }
  }
  const known = [...TEXT_OPTIONS, ...Object.keys(FORMAT_OPTION_KINDS)];
  for (const key of Object.keys(rest)) {
    if (!known.includes(key)) {
      const near = known.find((name) => name.toLowerCase() === key.toLowerCase());
      return argument('ERR_INVALID_ARG_VALUE', key, `'${key}' is not an option of formatVolume.`, `one of: ${known.join(', ')}`, near ? `Did you mean '${near}'?` : 'Remove it.');
    }
  }
  const snapshot = snapshotOptions(FORMAT_SYSCALL, rest, FORMAT_OPTION_KINDS, path);
  if (!snapshot.ok) return snapshot;
  const checked = snapshot.value;

  let fileSystem: FormatFileSystem = 'ntfs';
  if (text.fileSystem !== undefined) {
    if (typeof text.fileSystem !== 'string' || !Object.hasOwn(FILE_SYSTEM_NAMES, text.fileSystem.toLowerCase())) {
      return argument(typeof text.fileSystem === 'string' ? 'ERR_INVALID_ARG_VALUE' : 'ERR_INVALID_ARG_TYPE', 'fileSystem',
        `option 'fileSystem' is ${describe(text.fileSystem)}.`, "'ntfs', 'refs', 'exfat' or 'fat32'");
    }
    fileSystem = text.fileSystem.toLowerCase() as FormatFileSystem;
  }
  let label = '';
  if (text.label !== undefined) {
    if (typeof text.label !== 'string' || text.label.includes('\0')) {
      return argument(typeof text.label === 'string' ? 'ERR_INVALID_ARG_VALUE' : 'ERR_INVALID_ARG_TYPE', 'label',
        `option 'label' is ${describe(text.label)}.`, 'a string without NUL characters');
    }
    label = text.label;
  }

  const precondition = (code: string, parameter: string, problem: string, ruleText: string, fix: string) =>
    new PreconditionError(code, { syscall: FORMAT_SYSCALL, parameter, path, problem, rule: ruleText, fix });

  if (checked.devDrive) {
    if (text.fileSystem !== undefined && fileSystem !== 'refs') {
      return fail(precondition('ERR_CONFLICTING_OPTIONS', 'devDrive', `a Dev Drive is ReFS, and fileSystem is '${fileSystem}'.`,
        'Dev Drive: "Dev Drive is built on ReFS technology" (https://learn.microsoft.com/windows/dev-drive/).',
        "Leave fileSystem out (or 'refs') with devDrive, or leave devDrive out."));
    }
    return fail(withReason(precondition('ERR_DEV_DRIVE_UNSUPPORTED', 'devDrive',
      'formatting a Dev Drive is not available through the DLL functions this library calls.',
      'Dev Drive formatting is public only through the Storage Management WMI provider (MSFT_Volume.Format with DevDrive, what Format-Volume -DevDrive and Microsoft Dev Home use); fmifs.dll\'s Dev Drive flag (FMIFS_FORMAT_DEV_VOLUME) is internal and undocumented. Dev Drive needs Windows 11 build 22621.2338 or later.',
      'Make the volume without devDrive (NTFS works on every edition), keep its drive letter, then make it a Dev Drive from an elevated prompt: `Format-Volume -DriveLetter X -DevDrive -FileSystem ReFS` (PowerShell) or `format X: /DevDrv /Q`.'),
    'FILE_SYSTEM_UNAVAILABLE'));
  }

  const labelError = checkLabel(fileSystem, label, path);
  if (labelError) return fail(labelError);
  const clusterSize = checked.clusterSize ?? 0;
  const clusterError = checkClusterSize(fileSystem, clusterSize, path);
  if (clusterError) return fail(clusterError);

  return {
    ok: true,
    value: {
      call: { fileSystem, FileSystemName: FILE_SYSTEM_NAMES[fileSystem], Label: label, QuickFormat: checked.quick ?? true, ClusterSize: clusterSize },
      signal: checked.signal,
      onProgress: checked.onProgress as FormatVolumeOptions['onProgress'],
      progressInterval: checked.progressInterval,
    },
  };
}

function checkLabel(fileSystem: FormatFileSystem, label: string, path: string | undefined): CheckError | undefined {
  const limit = LABEL_LIMITS[fileSystem];
  const fat = fileSystem === 'fat32' || fileSystem === 'exfat';
  const refuse = (problem: string, fix: string) => new PreconditionError('ERR_INVALID_LABEL', {
    syscall: FORMAT_SYSCALL, parameter: 'label', path, problem,
    rule: fat
      ? `FAT32 and exFAT labels: at most 11 characters, none of ${FAT_LABEL_FORBIDDEN.split('').join(' ')} (the label command; fmifs answers FmIfsBadLabel).`
      : 'NTFS and ReFS labels: at most 32 characters (the label command; fmifs answers FmIfsBadLabel).',
    fix,
  });
  if (label.length > limit) {
    return refuse(`the label has ${label.length} characters; ${FILE_SYSTEM_NAMES[fileSystem]} takes at most ${limit}.`, `Shorten the label to ${limit} characters.`);
  }
  if (fat) {
    const bad = [...label].find((character) => FAT_LABEL_FORBIDDEN.includes(character));
    if (bad !== undefined) return refuse(`the label holds '${bad}', which ${FILE_SYSTEM_NAMES[fileSystem]} labels may not hold.`, `Leave out '${bad}' (and ${FAT_LABEL_FORBIDDEN.split('').join(' ')}).`);
  }
  return undefined;
}

function checkClusterSize(fileSystem: FormatFileSystem, clusterSize: number, path: string | undefined): CheckError | undefined {
  if (clusterSize === 0) return undefined;
  const name = FILE_SYSTEM_NAMES[fileSystem];
  const max = CLUSTER_LIMITS[fileSystem];
  const allowed = fileSystem === 'refs' ? '4096 or 65536' : `a power of two from ${MIN_CLUSTER} to ${max}`;
  const fits = fileSystem === 'refs'
    ? clusterSize === 4096 || clusterSize === 65536
    : clusterSize >= MIN_CLUSTER && clusterSize <= max && (clusterSize & (clusterSize - 1)) === 0;
  if (fits) return undefined;
  return new PreconditionError('ERR_INVALID_CLUSTER_SIZE', {
    syscall: FORMAT_SYSCALL, parameter: 'clusterSize', path,
    problem: `clusterSize ${clusterSize} is not ${allowed} (${name}).`,
    rule: 'format /A:size: NTFS 512 … 2048K, FAT32 512 … 64K (128K, 256K for sectors > 512 bytes), exFAT 512 … 32768K, powers of two; ReFS 4K or 64K (ReFS overview). fmifs answers FmIfsClusterSizeTooSmall / FmIfsClusterSizeTooBig.',
    fix: `Pass ${allowed}, or 0 (or nothing) to let Windows choose.`,
  });
}

/** The FAT32 size rule: a PreconditionError when the volume is known to be larger than 32 GiB. */
export function checkVolumeSize(call: FormatCall, volumeSize: bigint | undefined, path?: string): CheckError | undefined {
  if (call.fileSystem !== 'fat32' || volumeSize === undefined || volumeSize <= FAT32_MAX_VOLUME) return undefined;
  return withReason(new PreconditionError('ERR_VOLUME_TOO_BIG', {
    syscall: FORMAT_SYSCALL, parameter: 'fileSystem', path,
    problem: `the volume is ${volumeSize} bytes (${(Number(volumeSize) / 1024 ** 3).toFixed(1)} GiB), over the 32 GiB Windows formats as FAT32.`,
    rule: "Windows' format (format.com, the format dialog, fmifs.dll) formats FAT32 volumes up to 32 GiB (fmifs answers FmIfsVolumeTooBig).",
    fix: "Use fileSystem 'exfat' (or 'ntfs'), or a partition of 32 GiB or less.",
  }), 'VOLUME_TOO_BIG');
}

/** Sets the machine-readable reason on a check error (the PreconditionError constructor takes none). */
export function withReason<E extends CheckError>(error: E, reason: VirtualDiskErrorReason): E {
  Object.defineProperty(error, 'reason', { value: reason, enumerable: true, writable: true, configurable: true });
  return error;
}
