/**
 * Test controls for the virtdisk.dll simulator (spec/windows/simulator/virtdisk.c).
 *
 * The run script copies the simulator over the Wine prefix's system32\virtdisk.dll and sets
 * WINEDLLOVERRIDES=virtdisk=n,b, so the library under test (which loads virtdisk.dll) and this module
 * (which loads <System32>\virtdisk.dll by absolute path) share one module instance and one state.
 * The DLL is loaded lazily, on the first control call: importing this module does nothing on Linux.
 *
 * Handles appear in the JSON as decimal strings: compare with String(handle) for a koffi BigInt handle.
 * So do pointers (an OVERLAPPED's address, its hEvent) and 64-bit sizes: String(bigint) compares with them.
 *
 * Virtual-disk handles are real kernel objects (the server end of an overlapped named pipe), so the library's
 * CancelIoEx / GetOverlappedResult / WaitForSingleObject on them are Wine's own. The long operations
 * (CreateVirtualDisk, ResizeVirtualDisk, CompactVirtualDisk, MergeVirtualDisk, ExpandVirtualDisk) run for a
 * configurable duration (duration(), default 50 ms); with an OVERLAPPED they return ERROR_IO_PENDING and
 * complete it like NT does (Internal = the NTSTATUS, then the event). AttachVirtualDisk with an OVERLAPPED runs
 * the same way: ERROR_IO_PENDING at once, completion after its delay() (not duration()), the attachment made only
 * at successful completion; without an OVERLAPPED it stays synchronous (the delay slept inside the call). What an
 * image contains lives in its file (image(), writeImage()). spec/windows/simulator/lifecycle.c and meta.h
 * describe the details.
 *
 * With fakedisk.sys in the prefix (spec/windows/fakedisk, installed by setup.sh), an attached VHD / VHDX / VHD Set
 * is a device: its \\.\PhysicalDriveN opens and answers the disk IOCTLs (CREATE_DISK, SET_DRIVE_LAYOUT_EX, a volume
 * with a drive letter, FormatEx through the fake fmifs.dll), its partition table is kept in the image file across
 * detach and re-attach, and nextFakeDisk() chooses how the next disk arrives (offline, read-only medium, late
 * volume, first drive letter). state().fakeDisk and each attachment's fakeDisk / fakeDiskError say what the
 * simulator asked the driver; spec/windows/simulator/sim_fakedisk.c describes it.
 */
import fs from 'node:fs';
import koffi from 'koffi';
import { systemLibraryPath } from '../../ffi/index.ts';

export const SIM_FUNCTIONS = [
  'OpenVirtualDisk',
  'AttachVirtualDisk',
  'DetachVirtualDisk',
  'GetVirtualDiskPhysicalPath',
  'CreateVirtualDisk',
  'GetVirtualDiskInformation',
  'SetVirtualDiskInformation',
  'GetVirtualDiskOperationProgress',
  'ResizeVirtualDisk',
  'CompactVirtualDisk',
  'MergeVirtualDisk',
  'ExpandVirtualDisk',
  'GetAllAttachedVirtualDiskPhysicalPaths',
  'GetStorageDependencyInformation',
] as const;
/** The functions SimSetDelay does not know (the attached-disks section has faults only). */
const NOT_DELAYABLE: readonly string[] = ['GetAllAttachedVirtualDiskPhysicalPaths', 'GetStorageDependencyInformation'];
export type SimFunctionName = (typeof SIM_FUNCTIONS)[number];

/** The functions that run as long operations (OVERLAPPED, progress, duration(), failAt()). */
export const SIM_LONG_OPERATIONS = [
  'CreateVirtualDisk',
  'ResizeVirtualDisk',
  'CompactVirtualDisk',
  'MergeVirtualDisk',
  'ExpandVirtualDisk',
] as const;
export type SimLongOperation = (typeof SIM_LONG_OPERATIONS)[number];

/**
 * The functions whose calls can run as an operation (operations(), progress, failAt()): the long operations, and
 * AttachVirtualDisk when given an OVERLAPPED. An asynchronous attach runs for the delay() of AttachVirtualDisk
 * (SIMULATOR CHOICE: one knob for how long an attach takes; duration() does not take AttachVirtualDisk), its
 * progress goes 0..100 (CompletionValue 100), and the attachment exists only once it has succeeded.
 */
export const SIM_OPERATIONS = [...SIM_LONG_OPERATIONS, 'AttachVirtualDisk'] as const;
export type SimOperationFunction = (typeof SIM_OPERATIONS)[number];

/** The default duration of a long operation, in milliseconds (after reset()). */
export const SIM_DEFAULT_DURATION_MS = 50;

export interface SimStorageType {
  deviceId: number;
  /** "{EC984AEC-A0F9-47E9-901F-71415A66345B}" (upper case, braces) */
  vendorId: string;
}

interface SimCallBase {
  /** Call order (assigned when the call starts); the log is sorted by it. Restarts at 1 after reset(). */
  seq: number;
  fn: SimFunctionName;
  threadId: number;
  /** QueryPerformanceCounter, milliseconds with microsecond precision */
  start: number;
  end: number;
  /**
   * Delay configured for this call (slept before the work, inside [start, end]). For an AttachVirtualDisk with an
   * OVERLAPPED it is not slept: it is the duration of the operation the call started.
   */
  delayMs: number;
  /** The result came from simulator.fail(), nothing was done */
  fault: boolean;
  /** Returned Win32 code */
  result: number;
}

export interface SimOpenParams {
  version: number;
  /** The 44 bytes of OPEN_VIRTUAL_DISK_PARAMETERS as lower-case hex */
  raw: string;
  /** Version 1: DWORD at offset 4 */
  rwDepth?: number;
  /** Versions 2/3: raw BOOL (DWORD) at offset 4 */
  getInfoOnly?: number;
  /** Versions 2/3: raw BOOL (DWORD) at offset 8 */
  readOnly?: number;
  /** Versions 2/3: GUID at offset 12 */
  resiliencyGuid?: string;
  /** Version 3: GUID at offset 28 */
  snapshotId?: string;
}

export interface SimOpenCall extends SimCallBase {
  fn: 'OpenVirtualDisk';
  path: string | null;
  storageType: SimStorageType | null;
  access: number;
  flags: number;
  params: SimOpenParams | null;
  /** The Handle out-pointer was non-NULL */
  handlePtr: boolean;
  /** Handle returned on success, else null */
  handle: string | null;
}

export interface SimAttachParams {
  version: number;
  /** The 24 bytes of ATTACH_VIRTUAL_DISK_PARAMETERS as lower-case hex */
  raw: string;
  /** Version 1: ULONG at offset 8 */
  reserved?: number;
  /** Version 2: ULONGLONG at offset 8, decimal */
  restrictedOffset?: string;
  /** Version 2: ULONGLONG at offset 16, decimal */
  restrictedLength?: string;
}

export interface SimSecurityDescriptor {
  /** advapi32 IsValidSecurityDescriptor */
  valid: boolean;
  /** advapi32 GetSecurityDescriptorLength (null when not valid) */
  length: number | null;
}

export interface SimAttachCall extends SimCallBase {
  fn: 'AttachVirtualDisk';
  handle: string;
  securityDescriptor: SimSecurityDescriptor | null;
  flags: number;
  providerSpecificFlags: number;
  params: SimAttachParams | null;
  /** The OVERLAPPED as received (null: a synchronous attach) */
  overlapped: SimOverlapped | null;
  /** The operation an attach with an OVERLAPPED started (see operations()), else null */
  operation: number | null;
  /**
   * A synchronous attach that succeeded and asked fakedisk.sys for a disk: its number and ADD_DISK's result (0, or
   * e.g. 1450 when its 16 slots are in use: the attach succeeded without a device). null otherwise (an attach with
   * an OVERLAPPED commits later: see state().fakeDisk.events; an ISO; no driver).
   */
  fakeDisk: { disk: number; result: number } | null;
}

export interface SimDetachCall extends SimCallBase {
  fn: 'DetachVirtualDisk';
  handle: string;
  flags: number;
  providerSpecificFlags: number;
}

export interface SimPhysicalPathCall extends SimCallBase {
  fn: 'GetVirtualDiskPhysicalPath';
  handle: string;
  /** DiskPathSizeInBytes was non-NULL */
  sizePtr: boolean;
  /** *DiskPathSizeInBytes on entry */
  sizeIn: number | null;
  /** DiskPath was non-NULL */
  bufferPtr: boolean;
  /** *DiskPathSizeInBytes on return */
  sizeOut: number | null;
  /** The path written on success */
  physicalPath: string | null;
}

/** An OVERLAPPED as the call received it (null when the pointer was NULL). */
export interface SimOverlapped {
  /** Its address, decimal: compare with String(koffiPointer) */
  address: string;
  /** OVERLAPPED.hEvent (@24) on entry, decimal ("0" for NULL) */
  hEvent: string;
}

export interface SimCreateParams {
  version: number;
  /** The bytes of CREATE_VIRTUAL_DISK_PARAMETERS the version spans, lower-case hex: 56 (V1), 124 (V2), 156 (V3),
   *  184 (V4), 8 for any other version */
  raw: string;
  /** Versions 1-4 (same offsets in all): GUID @8 */
  uniqueId?: string;
  /** ULONGLONG @24, decimal */
  maximumSize?: string;
  /** ULONG @32 */
  blockSizeInBytes?: number;
  /** ULONG @36 */
  sectorSizeInBytes?: number;
  /** Versions 2-4: ULONG @40 */
  physicalSectorSizeInBytes?: number;
  /** The string at the pointer @40 (V1) / @48 (V2-4); null for NULL */
  parentPath?: string | null;
  /** The string at the pointer @48 (V1) / @56 (V2-4); null for NULL */
  sourcePath?: string | null;
  /** Versions 2-4: ULONG @64 */
  openFlags?: number;
  /** Versions 2-4: VIRTUAL_STORAGE_TYPE @68 */
  parentVirtualStorageType?: SimStorageType;
  /** Versions 2-4: VIRTUAL_STORAGE_TYPE @88 */
  sourceVirtualStorageType?: SimStorageType;
  /** Versions 2-4: GUID @108 */
  resiliencyGuid?: string;
  /** Versions 3-4: the string at the pointer @128 */
  sourceLimitPath?: string | null;
  /** Versions 3-4: VIRTUAL_STORAGE_TYPE @136 */
  backingStorageType?: SimStorageType;
  /** Version 4: GUID @156 */
  pmemAddressAbstractionType?: string;
  /** Version 4: ULONGLONG @176, decimal */
  dataAlignment?: string;
}

export interface SimCreateCall extends SimCallBase {
  fn: 'CreateVirtualDisk';
  path: string | null;
  storageType: SimStorageType | null;
  access: number;
  securityDescriptor: SimSecurityDescriptor | null;
  flags: number;
  providerSpecificFlags: number;
  params: SimCreateParams | null;
  overlapped: SimOverlapped | null;
  handlePtr: boolean;
  /** The handle returned (with result 0, or 997 ERROR_IO_PENDING), else null */
  handle: string | null;
  /** The operation started (see operations()), or null */
  operation: number | null;
}

export interface SimGetInfoCall extends SimCallBase {
  fn: 'GetVirtualDiskInformation';
  handle: string;
  /** VirtualDiskInfoSize was non-NULL */
  sizePtr: boolean;
  /** *VirtualDiskInfoSize on entry */
  sizeIn: number | null;
  /** VirtualDiskInfo was non-NULL */
  infoPtr: boolean;
  /** GET_VIRTUAL_DISK_INFO.Version (@0) asked, when the buffer had 4 bytes */
  version: number | null;
  /** The result came from failInfo() */
  infoFault: boolean;
  /** *VirtualDiskInfoSize on return (the size needed after 122, the size used after 0) */
  sizeOut: number | null;
  sizeUsedPtr: boolean;
  /** *SizeUsed on success (only then) */
  sizeUsed: number | null;
  /** On success: the bytes written from offset 8 on (the answer), lower-case hex, at most 1024 bytes */
  answer: string | null;
}

export interface SimSetInfo {
  version: number;
  /** The 32 bytes of SET_VIRTUAL_DISK_INFO, lower-case hex */
  raw: string;
  /** Version 1 (pointer @8), 3 (pointer @16), 7 (pointer @24): the string */
  parentFilePath?: string | null;
  /** Version 2: GUID @8 */
  uniqueIdentifier?: string;
  /** Version 3: ULONG @8 */
  childDepth?: number;
  /** Version 4: ULONG @8 */
  vhdPhysicalSectorSize?: number;
  /** Version 5: GUID @8 */
  virtualDiskId?: string;
  /** Version 6: raw BOOL @8 */
  changeTrackingEnabled?: number;
  /** Version 7: GUID @8 */
  linkageId?: string;
}

export interface SimSetInfoCall extends SimCallBase {
  fn: 'SetVirtualDiskInformation';
  handle: string;
  info: SimSetInfo | null;
}

export interface SimProgress {
  /** VIRTUAL_DISK_PROGRESS.OperationStatus (997 while running) */
  operationStatus: number;
  /** CurrentValue / CompletionValue, decimal */
  currentValue: string;
  completionValue: string;
}

export interface SimProgressCall extends SimCallBase {
  fn: 'GetVirtualDiskOperationProgress';
  handle: string;
  overlapped: SimOverlapped | null;
  progressPtr: boolean;
  /** The operation found for that handle and OVERLAPPED, or null */
  operation: number | null;
  /** What was written (on success) */
  progress: SimProgress | null;
}

export interface SimSizeParams {
  version: number;
  /** The 16 bytes of RESIZE_/EXPAND_VIRTUAL_DISK_PARAMETERS, lower-case hex */
  raw: string;
  /** ULONGLONG @8 (Version1.NewSize), decimal */
  newSize: string;
}

interface SimLongCallBase extends SimCallBase {
  handle: string;
  flags: number;
  overlapped: SimOverlapped | null;
  /** The operation started (see operations()), or null */
  operation: number | null;
}

export interface SimResizeCall extends SimLongCallBase {
  fn: 'ResizeVirtualDisk';
  params: SimSizeParams | null;
}

export interface SimExpandCall extends SimLongCallBase {
  fn: 'ExpandVirtualDisk';
  params: SimSizeParams | null;
}

export interface SimCompactCall extends SimLongCallBase {
  fn: 'CompactVirtualDisk';
  /** Parameters may be NULL */
  params: {
    version: number;
    /** The 8 bytes, lower-case hex */
    raw: string;
    /** Version1.Reserved @4 */
    reserved: number;
  } | null;
}

export interface SimMergeCall extends SimLongCallBase {
  fn: 'MergeVirtualDisk';
  params: {
    version: number;
    /** The 12 bytes, lower-case hex */
    raw: string;
    /** Version 1: MergeDepth @4 */
    mergeDepth?: number;
    /** Version 2: MergeSourceDepth @4 */
    mergeSourceDepth?: number;
    /** Version 2: MergeTargetDepth @8 */
    mergeTargetDepth?: number;
  } | null;
}

export type SimCall =
  | SimOpenCall
  | SimAttachCall
  | SimDetachCall
  | SimPhysicalPathCall
  | SimCreateCall
  | SimGetInfoCall
  | SimSetInfoCall
  | SimProgressCall
  | SimResizeCall
  | SimExpandCall
  | SimCompactCall
  | SimMergeCall
  | SimAllAttachedCall
  | SimDependencyCall;

export interface SimAllAttachedCall extends SimCallBase {
  fn: 'GetAllAttachedVirtualDiskPhysicalPaths';
  sizePtr: boolean;
  /** *PathsBufferSizeInBytes on entry */
  sizeIn: number | null;
  bufferPtr: boolean;
  sizeOut: number | null;
  style: 'imagePaths' | 'physicalPaths';
  /** Attachments listed (or that would have been) */
  count: number;
}

export interface SimDependencyCall extends SimCallBase {
  fn: 'GetStorageDependencyInformation';
  flags: number;
  /** StorageDependencyInfoSize */
  size: number;
  /** The Version the caller had written at offset 0 of the buffer (null: no buffer) */
  versionIn: number | null;
  sizeUsedPtr: boolean;
  sizeUsed: number | null;
  /** What IOCTL_STORAGE_GET_DEVICE_NUMBER answered on ObjectHandle (null: not asked, or it failed) */
  device: { type: number; number: number } | null;
  entries: number;
}
export type SimCallOf<F extends SimFunctionName> = Extract<SimCall, { fn: F }>;

export interface SimHandle {
  handle: string;
  /** As passed to OpenVirtualDisk */
  path: string;
  /** GetFullPathNameW(path), for information: images are identified by volumeSerial + fileId, not by path */
  fullPath: string;
  /** The image file's volume serial number, hexadecimal (16 digits), read when OpenVirtualDisk opened it */
  volumeSerial: string;
  /** The image file's ID, hexadecimal (32 digits): same volumeSerial + fileId = same image, whatever the path */
  fileId: string;
  storageType: SimStorageType;
  version: number;
  access: number;
  flags: number;
  /** Version 1 handles only */
  rwDepth: number | null;
  /** Version 2/3 handles (false for Version 1) */
  readOnly: boolean;
  getInfoOnly: boolean;
  /** Returned by CreateVirtualDisk (not OpenVirtualDisk) */
  created: boolean;
}

export interface SimAttachment {
  /** path and fullPath of the handle that attached it */
  path: string;
  fullPath: string;
  /** The attached image file (see SimHandle) */
  volumeSerial: string;
  fileId: string;
  storageType: SimStorageType;
  /**
   * "\\.\PhysicalDriveN" (the lowest N >= 2 no other attachment has: reused after a detach, as Windows numbers
   * disks) or "\\.\CDROMn" (n from 1, ISO; not reused until reset())
   */
  physicalPath: string;
  /** Attached with ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME */
  permanent: boolean;
  readOnly: boolean;
  flags: number;
  /** The handle that attached it */
  handle: string;
  /** false once that handle was closed (only permanent attachments survive it) */
  handleOpen: boolean;
  restrictedOffset: string | null;
  restrictedLength: string | null;
  /** fakedisk.sys has a disk for it: its physical path opens and answers the disk IOCTLs (spec/windows/fakedisk) */
  fakeDisk: boolean;
  /** Why it has none: IOCTL_FAKEDISK_ADD_DISK's error (1450: 16 disks in use, 87: a number above 99...), else 0 */
  fakeDiskError: number;
}

/** One thing the simulator asked fakedisk.sys (SimState.fakeDisk.events: the last 64). */
export interface SimFakeDiskEvent {
  seq: number;
  /** open: \\.\FakeDiskControl did not open (result); add: ADD_DISK; save: the layout stored in the image; remove */
  op: 'open' | 'add' | 'save' | 'remove';
  disk: number;
  /** Win32 error, 0 for success */
  result: number;
  /** The image file's full path */
  path: string;
}

/** The simulator's side of fakedisk.sys (spec/windows/simulator/sim_fakedisk.c). */
export interface SimFakeDiskState {
  /** \\.\FakeDiskControl is open (false: no driver; attaches then have no disk behind their path) */
  control: boolean;
  openError: number;
  /** Counters since reset() */
  added: number;
  removed: number;
  addFailed: number;
  /** Layouts written into an image's metadata at a detach (only when they changed) */
  layoutsSaved: number;
  /** What nextFakeDisk() asked for the next disk, null when nothing */
  next: { flags: number; arrivalDelayMs: number; firstDriveLetter: number } | null;
  events: SimFakeDiskEvent[];
}

/** nextFakeDisk(): how the next attached disk arrives. */
export interface SimNextFakeDisk {
  /** Arrives offline (DISK_ATTRIBUTE_OFFLINE, as a SAN policy leaves a new disk): FAKEDISK_ADD_OFFLINE 0x8 */
  offline?: boolean;
  /** A read-only medium: CREATE_DISK, SET_DRIVE_LAYOUT_EX... fail with 19 (FAKEDISK_ADD_READ_ONLY 0x2) */
  readOnly?: boolean;
  /** Its volume gets no drive letter (FAKEDISK_ADD_NO_DRIVE_LETTER 0x1, as ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER) */
  noDriveLetter?: boolean;
  /** A new volume appears this long after the layout that creates it (ARE_VOLUMES_READY waits for it) */
  arrivalDelayMs?: number;
  /** The letter automount tries first ('D'..'Y'), then the following ones; default the driver's 'Q' */
  firstDriveLetter?: string;
}

export interface SimState {
  handles: SimHandle[];
  attached: SimAttachment[];
  handlesCreated: number;
  /** Handles the simulator has seen closed by the caller */
  handlesClosed: number;
  /** Non-permanent attachments ended because their handle was closed */
  autoDetached: number;
  /** Long operations started since reset() */
  operationsStarted: number;
  /** Long operations not finished yet */
  operationsRunning: number;
  /** Operations whose OVERLAPPED the simulator may still write to or signal (0 = nothing left pending) */
  overlappedReferenced: number;
  /** Simulator threads of asynchronous operations that have not closed their kernel objects yet */
  operationThreads: number;
  /** The disks behind the physical paths (fakedisk.sys) */
  fakeDisk: SimFakeDiskState;
}

/** A long operation, or an asynchronous attach (operations()). */
export interface SimOperation {
  /** Numbered from 1 after reset(); the `operation` of its call record */
  id: number;
  fn: SimOperationFunction;
  /** The handle it runs on (null for a synchronous create, which has none until it succeeds) */
  handle: string | null;
  /** The image file */
  path: string;
  /** The caller's OVERLAPPED address and its hEvent at the start, decimal; null when synchronous */
  overlapped: string | null;
  hEvent: string | null;
  /** Never for AttachVirtualDisk (a synchronous attach makes no operation) */
  synchronous: boolean;
  running: boolean;
  /** 997 while running, then the final code (995 when cancelled or aborted by reset()) */
  status: number;
  /** The progress GetVirtualDiskOperationProgress reports, decimal (AttachVirtualDisk: 0..100) */
  currentValue: string;
  completionValue: string;
  /** duration() when it started; AttachVirtualDisk: its delay() */
  durationMs: number;
  /** The code failAt() made it complete with, or null */
  injectedFailure: number | null;
  /** Ended by the caller's CancelIoEx */
  cancelled: boolean;
  /** Ended by reset() */
  aborted: boolean;
  /** The simulator may still write to / signal its OVERLAPPED */
  referencesOverlapped: boolean;
  /** The Flags argument (AttachVirtualDisk: ATTACH_VIRTUAL_DISK_FLAG_*) */
  flags: number;
  /** Resize / expand: the size it sets (for RESIZE_TO_SMALLEST_SAFE_VIRTUAL_SIZE, the smallest safe size) */
  newSize: string | null;
  /** Merge: depths from the leaf (1) */
  mergeSourceDepth: number | null;
  mergeTargetDepth: number | null;
  /** QueryPerformanceCounter milliseconds, like the call log */
  start: number;
  end: number | null;
}

/** What an image file contains, as the simulator reads it (spec/windows/simulator/meta.h). */
export interface SimImage {
  path: string;
  /** The file holds simulator metadata; false: a plain file, read with the defaults (64 MiB dynamic, ...) */
  hasMetadata: boolean;
  /** VIRTUAL_STORAGE_TYPE_DEVICE_* */
  deviceId: number;
  /** 2 fixed, 3 dynamic, 4 differencing (0 for an ISO) */
  subtype: number;
  /** Bytes, decimal */
  virtualSize: string;
  physicalSize: string;
  blockSize: number;
  logicalSectorSize: number;
  physicalSectorSize: number;
  /** "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" */
  identifier: string;
  virtualDiskId: string;
  /** Seconds since 2000-01-01 UTC */
  timestamp: number;
  /** Differencing disks: the parent's full path, its identifier and timestamp when linked */
  parentPath: string | null;
  parentIdentifier: string | null;
  parentTimestamp: number;
  smallestSafeVirtualSize: string;
  /** Percent */
  fragmentation: number;
  is4kAligned: boolean;
  changeTracking: boolean;
  changeTrackingId: string;
  /** 'creating' while an asynchronous create runs, 'incomplete' if it was cancelled or failed */
  state: 'complete' | 'creating' | 'incomplete';
  /** Merged into an ancestor by MergeVirtualDisk (the file stays) */
  merged: boolean;
  mergedInto: string | null;
  /** The real file's size, decimal */
  fileSize: string;
  /**
   * The attached disk's partition table as fakedisk.sys saved it at the last detach that changed it (hex of a
   * FAKEDISK_SAVED_LAYOUT: 32-byte header, then the DRIVE_LAYOUT_INFORMATION_EX); absent when never partitioned
   */
  diskLayout?: string;
}

type SimImageFileFields = Omit<SimImage, 'path' | 'hasMetadata' | 'fileSize'>;
/** Fields for writeImage(): any subset; sizes may be numbers or bigints. */
export type SimImageFields = Partial<
  Omit<SimImageFileFields, 'virtualSize' | 'physicalSize' | 'smallestSafeVirtualSize'> & {
    virtualSize: number | bigint | string;
    physicalSize: number | bigint | string;
    smallestSafeVirtualSize: number | bigint | string;
  }
>;

const ERROR_INSUFFICIENT_BUFFER = 122;
const INFINITE = 0xffffffff;

interface Controls {
  path: string;
  getLog: (buffer: Buffer | null, size: number[]) => number;
  getState: (buffer: Buffer | null, size: number[]) => number;
  reset: () => void;
  setFault: (fn: string, code: number, count: number) => void;
  setDelay: (fn: string, ms: number) => void;
  setDuration: (fn: string, ms: number) => void;
  setCompletionFault: (fn: string, code: number, count: number) => void;
  setInfoFault: (version: number, code: number, count: number) => void;
  getOperations: (buffer: Buffer | null, size: number[]) => number;
  getImage: (path: string, buffer: Buffer | null, size: number[]) => number;
  setNextPhysicalPath: (path: string | null) => void;
  setListStyle: (style: number) => void;
  setNextFakeDisk: (flags: number, arrivalDelayMs: number, firstDriveLetter: number) => void;
}

let loaded: Controls | undefined;

function controls(): Controls {
  if (loaded) return loaded;
  if (process.platform !== 'win32') {
    throw new Error('the virtdisk simulator controls need Windows (node.exe under Wine): see spec/windows/run.sh');
  }
  const path = systemLibraryPath('virtdisk'); // where the library loads it from
  const dll = koffi.load(path);
  try {
    const getLog = dll.func('uint32 __stdcall SimGetLog(void *buffer, _Inout_ uint32 *size)');
    const getState = dll.func('uint32 __stdcall SimGetState(void *buffer, _Inout_ uint32 *size)');
    const reset = dll.func('void __stdcall SimReset()');
    const setFault = dll.func('void __stdcall SimSetFault(const char16_t *fn, uint32 code, uint32 count)');
    const setDelay = dll.func('void __stdcall SimSetDelay(const char16_t *fn, uint32 ms)');
    const setDuration = dll.func('void __stdcall SimSetDuration(const char16_t *fn, uint32 ms)');
    const setCompletionFault = dll.func('void __stdcall SimSetCompletionFault(const char16_t *fn, uint32 code, uint32 count)');
    const setInfoFault = dll.func('void __stdcall SimSetInfoFault(uint32 version, uint32 code, uint32 count)');
    const getOperations = dll.func('uint32 __stdcall SimGetOperations(void *buffer, _Inout_ uint32 *size)');
    const getImage = dll.func('uint32 __stdcall SimGetImage(const char16_t *path, void *buffer, _Inout_ uint32 *size)');
    const setNextPhysicalPath = dll.func('void __stdcall SimSetNextPhysicalPath(const char16_t *path)');
    const setListStyle = dll.func('void __stdcall SimSetListStyle(uint32 style)');
    const setNextFakeDisk = dll.func('void __stdcall SimSetNextFakeDisk(uint32 flags, uint32 arrivalDelayMs, uint32 firstDriveLetter)');
    loaded = {
      path,
      getLog: (buffer, size) => getLog(buffer, size) as number,
      getState: (buffer, size) => getState(buffer, size) as number,
      reset: () => void reset(),
      setFault: (fn, code, count) => void setFault(fn, code, count),
      setDelay: (fn, ms) => void setDelay(fn, ms),
      setDuration: (fn, ms) => void setDuration(fn, ms),
      setCompletionFault: (fn, code, count) => void setCompletionFault(fn, code, count),
      setInfoFault: (version, code, count) => void setInfoFault(version, code, count),
      getOperations: (buffer, size) => getOperations(buffer, size) as number,
      getImage: (path, buffer, size) => getImage(path, buffer, size) as number,
      setNextPhysicalPath: (path) => void setNextPhysicalPath(path),
      setListStyle: (style) => void setListStyle(style),
      setNextFakeDisk: (flags, arrivalDelayMs, firstDriveLetter) => void setNextFakeDisk(flags, arrivalDelayMs, firstDriveLetter),
    };
  } catch (cause) {
    throw new Error(
      `${path} is not the virtdisk simulator (no Sim* exports); copy the simulator over it and run with ` +
        'WINEDLLOVERRIDES=virtdisk=n,b',
      { cause },
    );
  }
  return loaded;
}

/** Calls a Sim*(buffer, &size) export with the ERROR_INSUFFICIENT_BUFFER protocol and parses the JSON. */
function readJson(name: string, get: (buffer: Buffer | null, size: number[]) => number): unknown {
  const size = [0];
  let buffer: Buffer | null = null;
  // The content can grow between the two calls (async calls still logging): retry a few times.
  for (let attempt = 0; attempt < 16; attempt++) {
    const rc = get(buffer, size);
    const n = size[0] ?? 0;
    if (rc === 0 && buffer) return JSON.parse(buffer.toString('utf8', 0, n - 1));
    if (rc !== ERROR_INSUFFICIENT_BUFFER) throw Object.assign(new Error(`${name} returned ${rc}`), { errno: rc });
    buffer = Buffer.alloc(n);
  }
  throw new Error(`${name}: the content kept growing`);
}

function checkFunction(fn: string): void {
  if (!(SIM_FUNCTIONS as readonly string[]).includes(fn)) {
    throw new Error(`unknown simulated function ${JSON.stringify(fn)} (known: ${SIM_FUNCTIONS.join(', ')})`);
  }
}

function checkLongOperation(fn: string): void {
  if (fn === 'AttachVirtualDisk') {
    throw new Error('AttachVirtualDisk takes its delay(): slept inside a synchronous call, the time to completion with an OVERLAPPED');
  }
  if (!(SIM_LONG_OPERATIONS as readonly string[]).includes(fn)) {
    throw new Error(`${JSON.stringify(fn)} is not a long operation (those are: ${SIM_LONG_OPERATIONS.join(', ')})`);
  }
}

function checkOperation(fn: string): void {
  if (!(SIM_OPERATIONS as readonly string[]).includes(fn)) {
    throw new Error(`${JSON.stringify(fn)} does not run as an operation (those are: ${SIM_OPERATIONS.join(', ')})`);
  }
}

function checkCount(count: number): number {
  const n = count === Infinity ? INFINITE : count;
  checkU32('count', n);
  return n;
}

function checkU32(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`${what} must be a uint32, got ${n}`);
}

/** The key the simulator uses for a handle: its value as a decimal string. */
export function handleKey(handle: bigint | number): string {
  return BigInt(handle).toString();
}

export const simulator = {
  /** Absolute path of the loaded simulator DLL (loads it). */
  path(): string {
    return controls().path;
  },

  /**
   * Clears the log, faults, delays, durations and injected failures, forgets all handles, attachments and
   * operations, restarts drive and operation numbering. Long operations still running are ended first as if
   * cancelled (status 995, their OVERLAPPED completed and signalled).
   */
  reset(): void {
    controls().reset();
  },

  /** Every call of the simulated API functions so far, in call (seq) order. */
  log(): SimCall[] {
    return readJson('SimGetLog', controls().getLog) as SimCall[];
  },

  /** The logged calls of one function. */
  calls<F extends SimFunctionName>(fn: F): SimCallOf<F>[] {
    checkFunction(fn);
    return simulator.log().filter((c): c is SimCallOf<F> => c.fn === fn);
  },

  /** Live handles (in open order), attachments (in attach order) and counters; every handle is checked for closure first. */
  state(): SimState {
    return readJson('SimGetState', controls().getState) as SimState;
  },

  /**
   * The next `count` calls of `fn` return `code` (and are logged with fault: true) without doing anything.
   * count 0 clears; count Infinity never runs out.
   */
  fail(fn: SimFunctionName, code: number, count = 1): void {
    checkFunction(fn);
    checkU32('code', code);
    controls().setFault(fn, code, checkCount(count));
  },

  /**
   * `fn` sleeps `ms` before doing its work (outside the simulator's lock); 0 clears. AttachVirtualDisk with an
   * OVERLAPPED does not sleep: it returns ERROR_IO_PENDING at once and completes `ms` later (its operation's
   * duration); without an OVERLAPPED it sleeps inside the call like any other function.
   */
  delay(fn: SimFunctionName, ms: number): void {
    checkFunction(fn);
    if (NOT_DELAYABLE.includes(fn)) throw new Error(`the simulator has no delay for ${fn}`);
    checkU32('ms', ms);
    controls().setDelay(fn, ms);
  },

  /**
   * How long the long operation `fn` runs (default SIM_DEFAULT_DURATION_MS), in 10 progress steps. Synchronous
   * calls take that long to return; asynchronous ones complete that long after they started. (AttachVirtualDisk
   * is not taken: its delay() is the duration of an asynchronous attach.)
   */
  duration(fn: SimLongOperation, ms: number): void {
    checkLongOperation(fn);
    checkU32('ms', ms);
    controls().setDuration(fn, ms);
  },

  /**
   * The next `count` operations of `fn` that start run their whole duration, then fail with `code`: returned by a
   * synchronous call; for an asynchronous one, OVERLAPPED.Internal = 0xC0070000 | code (codes below 0x10000) or
   * the code itself, the event signalled, progress OperationStatus = code. Nothing is applied to the metadata (a
   * create leaves its file, state 'incomplete'). count 0 clears; Infinity never runs out.
   * AttachVirtualDisk: attaches with an OVERLAPPED only (nothing is attached); a synchronous attach neither uses
   * nor consumes it (fail() makes that one fail).
   */
  failAt(fn: SimOperationFunction, code: number, count = 1): void {
    checkOperation(fn);
    checkU32('code', code);
    controls().setCompletionFault(fn, code, checkCount(count));
  },

  /**
   * The next `count` GetVirtualDiskInformation calls asking GET_VIRTUAL_DISK_INFO_VERSION `version` return `code`
   * (after the handle, buffer and access checks; logged with infoFault: true). count 0 clears.
   */
  failInfo(version: number, code: number, count = 1): void {
    if (!Number.isInteger(version) || version < 0 || version > 31) throw new RangeError(`version must be 0..31, got ${version}`);
    checkU32('code', code);
    controls().setInfoFault(version, code, checkCount(count));
  },

  /** Long operations and asynchronous attaches: the running ones and the last 256 finished ones, in start order. */
  operations(): SimOperation[] {
    return readJson('SimGetOperations', controls().getOperations) as SimOperation[];
  },

  /** Operations whose OVERLAPPED the simulator may still write to or signal: 0 means nothing is left pending. */
  pendingOverlapped(): number {
    return simulator.state().overlappedReferenced;
  },

  /**
   * Resolves once no operation runs and every operation thread has closed its kernel objects (they go just after
   * the caller's event is signalled), so a handle count taken then is final. Rejects after `timeoutMs`.
   */
  async idle(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    const busy = (s: SimState) => s.operationsRunning > 0 || s.operationThreads > 0;
    for (let s = simulator.state(); busy(s); s = simulator.state()) {
      if (Date.now() > until) {
        throw new Error(`the simulator still runs ${s.operationsRunning} operation(s) (${s.operationThreads} thread(s)) after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  },

  /**
   * What the image file at `path` contains, as the simulator reads it: its metadata, or the defaults of a plain
   * file (storage type then guessed from the extension: .iso, .vhd, .vhds, else VHDX). Throws (with `errno`) if
   * the file cannot be read (2 ERROR_FILE_NOT_FOUND, 3 ERROR_PATH_NOT_FOUND, 1392 ERROR_FILE_CORRUPT for a bad
   * metadata file).
   */
  image(path: string): SimImage {
    return readJson('SimGetImage', (buffer, size) => controls().getImage(path, buffer, size)) as SimImage;
  },

  /**
   * Writes simulator metadata into the file at `path` (created or replaced): the given fields, the defaults for
   * the others (spec/windows/simulator/meta.h). E.g. writeImage(file, { physicalSize: 64 << 20, fragmentation: 30 }).
   * For a differencing disk give subtype 4 and parentPath (a full path).
   */
  writeImage(path: string, fields: SimImageFields = {}): void {
    const record: Record<string, unknown> = { virtdiskSimulator: 1 };
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      record[key] = typeof value === 'bigint' || (typeof value === 'number' && /Size$/.test(key)) ? String(value) : value;
    }
    fs.writeFileSync(path, `${JSON.stringify(record)}\n`);
  },

  /**
   * The next successful attach is this disk ('\\.\PhysicalDrive0', '\\.\CDROM0': devices Wine has, whose
   * volumes real kernel32 then finds); null clears. One attach only.
   */
  nextPhysicalPath(path: string | null): void {
    controls().setNextPhysicalPath(path);
  },

  /**
   * How the disk of the next attach that gets one (a VHD, VHDX or VHD Set, with fakedisk.sys in the prefix)
   * arrives: offline, on a read-only medium, without a drive letter, its volume arriving late, its letter from
   * `firstDriveLetter` on. One attach only; reset() clears it. nextFakeDisk({}) asks for a default disk.
   */
  nextFakeDisk(options: SimNextFakeDisk): void {
    const flags = (options.noDriveLetter ? 0x1 : 0) | (options.readOnly ? 0x2 : 0) | (options.offline ? 0x8 : 0);
    const delay = options.arrivalDelayMs ?? 0;
    checkU32('arrivalDelayMs', delay);
    const letter = options.firstDriveLetter?.toUpperCase() ?? '';
    if (letter && !/^[D-Y]$/.test(letter)) throw new RangeError(`firstDriveLetter must be one of D..Y, got ${options.firstDriveLetter}`);
    controls().setNextFakeDisk(flags, delay, letter ? letter.charCodeAt(0) : 0);
  },

  /** What GetAllAttachedVirtualDiskPhysicalPaths lists: the image files' full paths (default) or the physical paths. */
  listStyle(style: 'imagePaths' | 'physicalPaths'): void {
    controls().setListStyle(style === 'physicalPaths' ? 1 : 0);
  },
};
