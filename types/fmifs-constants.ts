// fmifs.dll's constants (FMIFS_PACKET_TYPE, FMIFS_MEDIA_TYPE, FMIFS_FORMATEX2_PARAM.Flags), in a module that loads
// nothing native. Sources: microsoft/winfile@068919f src/fmifs.h (Microsoft, MIT) for the names and numbers 0..15
// and FmMediaFixed; pbatard/rufus src/format.h (FILE_SYSTEM_CALLBACK_COMMAND) for 16..37 and the FormatEx2 flags;
// the fake fmifs.dll of the Wine tier (shared/wine/fakedisk/fmifs.c) agrees on every number it sends.
// FMIFS_PACKET_TYPE (winfile src/fmifs.h; numbers from 13 on: Rufus src/format.h).
export const FmIfsPercentCompleted = 0;
export const FmIfsFormatReport = 1;
export const FmIfsInsertDisk = 2;
export const FmIfsIncompatibleFileSystem = 3;
export const FmIfsFormattingDestination = 4;
export const FmIfsIncompatibleMedia = 5;
export const FmIfsAccessDenied = 6;
export const FmIfsMediaWriteProtected = 7;
/** winfile: FmIfsCantLock; Rufus: FCC_VOLUME_IN_USE. */
export const FmIfsCantLock = 8;
export const FmIfsCantQuickFormat = 9;
export const FmIfsIoError = 10;
export const FmIfsFinished = 11;
export const FmIfsBadLabel = 12;
export const FmIfsCheckOnReboot = 13;
export const FmIfsTextMessage = 14;
export const FmIfsHiddenStatus = 15;
export const FmIfsClusterSizeTooSmall = 16;
export const FmIfsClusterSizeTooBig = 17;
export const FmIfsVolumeTooSmall = 18;
export const FmIfsVolumeTooBig = 19;
export const FmIfsNoMediaInDevice = 20;
export const FmIfsClustersCountBeyond32bits = 21;
export const FmIfsDeviceNotReady = 24;
export const FmIfsCheckDiskProgress = 25;
export const FmIfsReadOnlyMode = 32;
export const FmIfsAlignmentViolation = 37;

/** FMIFS_MEDIA_TYPE FmMediaFixed (winfile src/fmifs.h); Rufus and format.com pass it for hard disks. */
export const FmMediaFixed = 12;

/** FMIFS_FORMATEX2_PARAM.Flags (Rufus src/format.c; the fake's README). */
export const FMIFS_FORMAT_QUICK = 0x1;
export const FMIFS_FORMAT_BACKWARD_COMPATIBLE = 0x2;
export const FMIFS_FORMAT_FORCE = 0x4;

