// Public types of formatVolume (lib/format-volume.ts).
import type { Progress } from './index.ts';
import type { Volume } from './volumes.ts';

/** The file systems formatVolume can ask fmifs.dll for. */
export type FormatFileSystem = 'ntfs' | 'refs' | 'exfat' | 'fat32';

export interface FormatVolumeOptions {
  /** Default 'ntfs'. */
  fileSystem?: FormatFileSystem | undefined;
  /** The new volume label; default none. At most 32 characters (NTFS, ReFS) or 11 (exFAT, FAT32, without * ? . , ; : / \ | + = < > [ ] "). */
  label?: string | undefined;
  /** Bytes per cluster (allocation unit): a power of two; 0 or undefined lets Windows choose. */
  clusterSize?: number | undefined;
  /** Quick format (default true): a full format also reads every sector, which takes as long as the disk is large. */
  quick?: boolean | undefined;
  /**
   * Format as a Dev Drive. Refused (ERR_DEV_DRIVE_UNSUPPORTED) before anything native runs: Windows offers no
   * public interface for it that this library can call (see lib/rules/format.ts).
   */
  devDrive?: boolean | undefined;
  /** Called with fmifs.dll's percentage (completed of total 100) at most every `progressInterval` ms, and once at 100 % on success. */
  onProgress?: ((progress: Progress) => void) | undefined;
  /** ms between onProgress calls; default 100. */
  progressInterval?: number | undefined;
  /**
   * Cancels the format: fmifs.dll's callback answers FALSE at its next call, fmifs stops and reports the end, and
   * the call rejects with an AbortError. The volume is then left RAW (unformatted). If fmifs finishes first, the
   * call resolves.
   */
  signal?: AbortSignal | undefined;
}

/** What formatVolume formats: a Volume (from getVolumes / attach), its GUID path, or a mount point ('Q:', 'Q:\', 'C:\mnt\x\'). */
export type FormatTarget = Volume | string;

/** Why a format failed, where the refusal fmifs.dll reported (or a check before it) settles it: VirtualDiskError.reason. */
export type FormatFailureReason =
  | 'VOLUME_IN_USE' | 'WRITE_PROTECTED' | 'ACCESS_DENIED' | 'FILE_SYSTEM_UNAVAILABLE' | 'BAD_LABEL' | 'CLUSTER_SIZE'
  | 'VOLUME_TOO_BIG' | 'VOLUME_TOO_SMALL' | 'CANNOT_QUICK_FORMAT' | 'NO_MEDIA' | 'IO_ERROR' | 'ALIGNMENT';
