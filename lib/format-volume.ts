// formatVolume: put a file system on a volume with fmifs.dll's FormatEx, as format.com, Explorer's format dialog
// and Rufus do. The options are checked first (lib/rules/format.ts), the target resolved to its volume GUID path
// (GetVolumeNameForVolumeMountPointW for a mount point), then FormatEx runs in a worker thread of its own
// (lib/format-thread.ts) while this thread relays its progress and, on abort, sets the flag its callback reads.
//
// fmifs.dll reports failures as callback packets, never as a Win32 code: one refusal packet (FmIfsCantLock,
// FmIfsMediaWriteProtected …) and then FmIfsFinished with FALSE. Each refusal maps to ERR_FORMAT_FAILED with a
// reason and a hint naming its causes (FORMAT_REFUSALS); no localized text is read.
import type { FormatFailureReason, FormatTarget, FormatVolumeOptions } from '../types/format.ts';
import { GENERIC_READ, IOCTL_DISK_GET_LENGTH_INFO } from '../types/constants.ts';
import {
  FmIfsAccessDenied, FmIfsAlignmentViolation, FmIfsCantLock, FmIfsCantQuickFormat, FmIfsClusterSizeTooBig,
  FmIfsClusterSizeTooSmall, FmIfsDeviceNotReady, FmIfsFinished, FmIfsIncompatibleFileSystem, FmIfsIncompatibleMedia,
  FmIfsIoError, FmIfsMediaWriteProtected, FmIfsNoMediaInDevice, FmIfsPercentCompleted, FmIfsBadLabel,
  FmIfsVolumeTooBig, FmIfsVolumeTooSmall,
} from '../types/fmifs-constants.ts';
import { AbortError, VirtualDiskError } from './errors.ts';
import { isHandle, withDevice } from './device-io.ts';
import { progressReporter } from './progress.ts';
import { formatInWorker, type FormatJob, type FormatPacket, type Formatter } from './format-thread.ts';
import { callAsync, windows } from './native.ts';
import { isVolumeGuidPath, notAVolume, readVolumeTarget, volumeOfMountPoint } from './volume-target.ts';
import { checkVolumeSize, FORMAT_SYSCALL, readFormatRequest } from './rules/format.ts';


/** What formatVolume asks of Windows besides the format: each replaceable by the specs (setFormatBackend). */
export interface FormatBackend {
  /** Runs FormatEx (default: in a worker thread, formatInWorker). */
  formatter: Formatter;
  /** GetVolumeNameForVolumeMountPointW: the volume GUID path ('\\?\Volume{…}\') mounted there, or undefined. */
  volumeOfMountPoint(mountPoint: string, signal: AbortSignal | undefined): Promise<string | undefined>;
  /** IOCTL_DISK_GET_LENGTH_INFO on the volume: its size in bytes, or undefined when it does not answer. */
  volumeLength(volumeName: string, signal: AbortSignal | undefined): Promise<bigint | undefined>;
}

const defaultBackend: FormatBackend = {
  formatter: async (job) => {
    await windows(); // off Windows: ERR_UNSUPPORTED_PLATFORM before any thread starts
    return formatInWorker(job);
  },
  volumeOfMountPoint,
  async volumeLength(volumeName, signal) {
    const { kernel32 } = await windows();
    const device = volumeName.endsWith('\\') ? volumeName.slice(0, -1) : volumeName;
    return withDevice(device, GENERIC_READ, 0, signal, async (handle) => {
      if (!isHandle(handle)) return undefined;
      const out = Buffer.alloc(8);
      const returned: [number] = [0];
      const ok = await callAsync(signal, kernel32.DeviceIoControl, handle, IOCTL_DISK_GET_LENGTH_INFO, null, 0, out, out.length, returned, null);
      return ok && returned[0] >= 8 ? out.readBigInt64LE(0) : undefined;
    });
  },
};

// One backend per process, even when tsx gives this module two instances (as ffi/seam.ts does).
const state = ((globalThis as { [key: symbol]: { backend: FormatBackend } | undefined })[Symbol.for('virtdisk.format.backend')] ??= {
  backend: defaultBackend,
});

/** The test seam: replace parts of what formatVolume asks of Windows; call with no argument to restore them all. */
export function setFormatBackend(next?: Partial<FormatBackend>): void {
  state.backend = next === undefined ? defaultBackend : { ...defaultBackend, ...next };
}

/**
 * Formats a volume: a Volume (from disk.getVolumes(), attach…), its GUID path, or a mount point ('Q:', 'Q:\',
 * 'C:\mnt\x\'). Every file on it is lost. Needs an elevated process on Windows. Resolves once fmifs.dll reports
 * success; rejects with a check error before anything runs, ERR_NOT_A_VOLUME for a path that is no volume's mount
 * point, ERR_FORMAT_FAILED (with a reason) when fmifs refuses or fails, an AbortError when the signal cancels it.
 */
export async function formatVolume(volume: FormatTarget, options?: FormatVolumeOptions): Promise<void> {
  const target = readVolumeTarget(volume, FORMAT_SYSCALL);
  if (target instanceof Error) throw target;
  const read = readFormatRequest(options, target.text);
  if (!read.ok) throw read.error;
  const { call, signal, onProgress, progressInterval } = read.value;
  if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
  const backend = state.backend;

  let volumeName = target.volumeName;
  if (volumeName === undefined) {
    volumeName = await backend.volumeOfMountPoint(target.mountPoint!, signal);
    if (volumeName === undefined || !isVolumeGuidPath(volumeName)) throw notAVolume(target);
    if (!volumeName.endsWith('\\')) volumeName += '\\';
  }
  if (call.fileSystem === 'fat32') {
    const sizeError = checkVolumeSize(call, await backend.volumeLength(volumeName, signal).catch(() => undefined), volumeName);
    if (sizeError) throw sizeError;
  }
  if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });

  const packets: FormatPacket[] = [];
  const cancel = new Int32Array(new SharedArrayBuffer(4));
  let cancelRequested = false;
  const onAbort = () => {
    cancelRequested = true;
    Atomics.store(cancel, 0, 1);
  };
  const reporter = progressReporter(onProgress, progressInterval);
  const job: FormatJob = {
    // The GUID path without its trailing backslash, as Rufus passes it (pbatard/rufus src/format.c FormatNative:
    // GetLogicalName's '\\?\Volume{…}\', "Remove trailing backslash", then FormatEx). The fake fmifs.dll takes both.
    driveRoot: volumeName.slice(0, -1), fileSystemName: call.FileSystemName, label: call.Label, quick: call.QuickFormat, clusterSize: call.ClusterSize,
    cancel,
    onPacket(packet) {
      packets.push(packet);
      if (packet.command === FmIfsPercentCompleted && packet.value !== undefined) reporter.update(Math.min(100, Math.max(0, packet.value)), 100);
    },
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await backend.formatter(job);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const outcome = formatOutcome(packets, volumeName);
  if (outcome === undefined) {
    reporter.done();
    return;
  }
  if (cancelRequested) throw new AbortError(undefined, { cause: signal?.reason });
  throw outcome;
}

interface Refusal {
  name: string;
  reason: FormatFailureReason | undefined;
  what: string;
  hint: string;
}

const ELEVATED = 'run the process elevated (as Administrator): formatting a volume needs it';
/** Every refusal packet fmifs.dll sends before FmIfsFinished(FALSE): what it means, and its causes. */
export const FORMAT_REFUSALS: Readonly<Record<number, Refusal>> = {
  [FmIfsIncompatibleFileSystem]: {
    name: 'FmIfsIncompatibleFileSystem', reason: 'FILE_SYSTEM_UNAVAILABLE', what: 'this Windows cannot format the volume with that file system',
    hint: 'One of these causes: (1) ReFS: Windows formats plain ReFS volumes only on Windows Server and Windows 10/11 Pro for Workstations and Enterprise (other Windows 11 editions make ReFS only as a Dev Drive, through Format-Volume -DevDrive): choose NTFS or exFAT; (2) the file system is disabled or its driver is missing on this Windows; (3) the volume is too small or too large for that file system. Choose another fileSystem.',
  },
  [FmIfsIncompatibleMedia]: {
    name: 'FmIfsIncompatibleMedia', reason: undefined, what: 'the medium cannot take that format',
    hint: 'fmifs.dll refused the medium: the device is not a hard disk fmifs can format (a floppy or optical drive), or its geometry is unusual. Check that the target is the volume of a disk.',
  },
  [FmIfsAccessDenied]: {
    name: 'FmIfsAccessDenied', reason: 'ACCESS_DENIED', what: 'access was denied',
    hint: `One of these causes: (1) the process is not elevated: ${ELEVATED}; (2) a policy forbids writing to this kind of disk (Group Policy "Removable Storage Access", BitLocker "deny write access to drives not protected"); (3) the volume is BitLocker-locked: unlock it first (manage-bde -unlock).`,
  },
  [FmIfsMediaWriteProtected]: {
    name: 'FmIfsMediaWriteProtected', reason: 'WRITE_PROTECTED', what: 'the medium is write-protected',
    hint: 'One of these causes: (1) the virtual disk was attached read-only: detach it and attach it without readOnly; (2) the disk has the read-only attribute: clear it (Set-Disk -Number N -IsReadOnly $false, or diskpart `attributes disk clear readonly`); (3) the partition carries the GPT read-only attribute; (4) a physical write-protect switch (SD card) is on.',
  },
  [FmIfsCantLock]: {
    name: 'FmIfsCantLock', reason: 'VOLUME_IN_USE', what: 'the volume is in use and could not be locked',
    hint: 'One of these causes: (1) a program has files or folders open on the volume (an Explorer window, a terminal whose current folder is on it, an editor, an antivirus or indexing scan): close them and retry; (2) it is the system or boot volume, or holds a page file: Windows cannot format it while running from it; (3) the volume is shared or in use by a virtual machine.',
  },
  [FmIfsCantQuickFormat]: {
    name: 'FmIfsCantQuickFormat', reason: 'CANNOT_QUICK_FORMAT', what: 'the volume cannot be quick-formatted',
    hint: 'A quick format is not possible on this volume (its current layout does not allow it): format with quick: false.',
  },
  [FmIfsIoError]: {
    name: 'FmIfsIoError', reason: 'IO_ERROR', what: 'the device reported an I/O error',
    hint: 'The disk (or the storage holding the virtual disk image) failed a read or write: check the device and its connection, or the host volume of the image, and retry.',
  },
  [FmIfsBadLabel]: {
    name: 'FmIfsBadLabel', reason: 'BAD_LABEL', what: 'the label is not valid for that file system',
    hint: 'NTFS and ReFS labels take at most 32 characters; FAT32 and exFAT labels at most 11, none of * ? . , ; : / \\ | + = < > [ ] ". Shorten the label or leave out those characters.',
  },
  [FmIfsClusterSizeTooSmall]: {
    name: 'FmIfsClusterSizeTooSmall', reason: 'CLUSTER_SIZE', what: 'the cluster size is too small',
    hint: 'One of these causes: (1) the cluster size is below the disk\'s sector size (4096 on a 4K-native disk) or not a power of two; (2) with FAT32, the volume needs more clusters than FAT32 allows at that size: pick a larger cluster size, or 0 to let Windows choose.',
  },
  [FmIfsClusterSizeTooBig]: {
    name: 'FmIfsClusterSizeTooBig', reason: 'CLUSTER_SIZE', what: 'the cluster size is too big',
    hint: 'One of these causes: (1) it is above what the file system takes (NTFS 2 MiB, FAT32 64 KiB, exFAT 32 MiB, ReFS 64 KiB); (2) with FAT32, the volume would have too few clusters at that size: pick a smaller cluster size, or 0 to let Windows choose.',
  },
  [FmIfsVolumeTooSmall]: {
    name: 'FmIfsVolumeTooSmall', reason: 'VOLUME_TOO_SMALL', what: 'the volume is too small for that file system',
    hint: 'The partition is smaller than the file system needs (FAT32 wants at least about 32 MiB with default clusters; ReFS needs more than NTFS): make the partition larger, or choose another fileSystem.',
  },
  [FmIfsVolumeTooBig]: {
    name: 'FmIfsVolumeTooBig', reason: 'VOLUME_TOO_BIG', what: 'the volume is too big for that file system',
    hint: "Windows formats FAT32 only up to 32 GiB (and FAT up to 4 GiB): use fileSystem 'exfat' or 'ntfs', or a smaller partition.",
  },
  [FmIfsNoMediaInDevice]: {
    name: 'FmIfsNoMediaInDevice', reason: 'NO_MEDIA', what: 'there is no medium in the device',
    hint: 'The drive holds no medium (a card reader without a card), or the virtual disk was detached meanwhile: insert or attach it again.',
  },
  [FmIfsDeviceNotReady]: {
    name: 'FmIfsDeviceNotReady', reason: 'NO_MEDIA', what: 'the device is not ready',
    hint: 'The disk is not ready: it is offline (Set-Disk -Number N -IsOffline $false), still arriving, or was removed. Wait for it, bring it online, and retry.',
  },
  [FmIfsAlignmentViolation]: {
    name: 'FmIfsAlignmentViolation', reason: 'ALIGNMENT', what: "the partition's start is not aligned to the cluster size",
    hint: 'The partition offset is not a multiple of the cluster size: choose a smaller cluster size (or 0), or re-create the partition aligned (1 MiB alignment suits every cluster size).',
  },
};

/** undefined on success (FmIfsFinished TRUE); otherwise the error the packets settle. */
export function formatOutcome(packets: readonly FormatPacket[], volumeName: string): VirtualDiskError | undefined {
  const finished = [...packets].reverse().find((packet) => packet.command === FmIfsFinished);
  if (finished?.value !== undefined && finished.value !== 0) return undefined;
  const refusalPacket = packets.find((packet) => Object.hasOwn(FORMAT_REFUSALS, packet.command));
  if (refusalPacket) {
    const refusal = FORMAT_REFUSALS[refusalPacket.command]!;
    return new VirtualDiskError(`FormatEx '${volumeName}': fmifs.dll refused the format: ${refusal.what} (${refusal.name}, packet ${refusalPacket.command}).`, {
      code: 'ERR_FORMAT_FAILED', syscall: 'FormatEx', path: volumeName, hint: refusal.hint, reason: refusal.reason,
    });
  }
  const ended = finished === undefined ? 'FormatEx returned without reporting the end of the format' : 'fmifs.dll reported that the format failed (FmIfsFinished FALSE) and gave no reason';
  return new VirtualDiskError(`FormatEx '${volumeName}': ${ended}.`, {
    code: 'ERR_FORMAT_FAILED', syscall: 'FormatEx', path: volumeName,
    hint: `One of these causes: (1) no volume answers to this name any more (the disk was detached or its partition deleted); (2) the process is not elevated: ${ELEVATED}; (3) the volume could not be dismounted or written (a failing or removed disk). The volume may be left RAW: format it again.`,
  });
}

