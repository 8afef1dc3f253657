/**
 * Test controls for the virtdisk.dll simulator (spec/windows/simulator/virtdisk.c).
 *
 * The run script copies the simulator over the Wine prefix's system32\virtdisk.dll and sets
 * WINEDLLOVERRIDES=virtdisk=n,b, so the library under test (which loads virtdisk.dll) and this module
 * (which loads <System32>\virtdisk.dll by absolute path) share one module instance and one state.
 * The DLL is loaded lazily, on the first control call: importing this module does nothing on Linux.
 *
 * Handles appear in the JSON as decimal strings: compare with String(handle) for a koffi BigInt handle.
 */
import koffi from 'koffi';
import { systemLibraryPath } from '../../ffi/index.ts';

export const SIM_FUNCTIONS = [
  'OpenVirtualDisk',
  'AttachVirtualDisk',
  'DetachVirtualDisk',
  'GetVirtualDiskPhysicalPath',
  'GetAllAttachedVirtualDiskPhysicalPaths',
  'GetStorageDependencyInformation',
] as const;
/** The functions SimSetDelay knows (the attached-disks section has faults only). */
const DELAYABLE: readonly string[] = ['OpenVirtualDisk', 'AttachVirtualDisk', 'DetachVirtualDisk', 'GetVirtualDiskPhysicalPath'];
export type SimFunctionName = (typeof SIM_FUNCTIONS)[number];

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
  /** Delay configured for this call (slept before the work, inside [start, end]) */
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
  overlapped: boolean;
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

export type SimCall = SimOpenCall | SimAttachCall | SimDetachCall | SimPhysicalPathCall | SimAllAttachedCall | SimDependencyCall;
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
}

export interface SimAttachment {
  /** path and fullPath of the handle that attached it */
  path: string;
  fullPath: string;
  /** The attached image file (see SimHandle) */
  volumeSerial: string;
  fileId: string;
  storageType: SimStorageType;
  /** "\\.\PhysicalDriveN" (N from 2) or "\\.\CDROMn" (n from 1, ISO) */
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
}

export interface SimState {
  handles: SimHandle[];
  attached: SimAttachment[];
  handlesCreated: number;
  /** Handles the simulator has seen closed by the caller */
  handlesClosed: number;
  /** Non-permanent attachments ended because their handle was closed */
  autoDetached: number;
}

const ERROR_INSUFFICIENT_BUFFER = 122;
const INFINITE = 0xffffffff;

interface Controls {
  path: string;
  getLog: (buffer: Buffer | null, size: number[]) => number;
  getState: (buffer: Buffer | null, size: number[]) => number;
  reset: () => void;
  setFault: (fn: string, code: number, count: number) => void;
  setDelay: (fn: string, ms: number) => void;
  setNextPhysicalPath: (path: string | null) => void;
  setListStyle: (style: number) => void;
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
    const setNextPhysicalPath = dll.func('void __stdcall SimSetNextPhysicalPath(const char16_t *path)');
    const setListStyle = dll.func('void __stdcall SimSetListStyle(uint32 style)');
    loaded = {
      path,
      getLog: (buffer, size) => getLog(buffer, size) as number,
      getState: (buffer, size) => getState(buffer, size) as number,
      reset: () => void reset(),
      setFault: (fn, code, count) => void setFault(fn, code, count),
      setDelay: (fn, ms) => void setDelay(fn, ms),
      setNextPhysicalPath: (path) => void setNextPhysicalPath(path),
      setListStyle: (style) => void setListStyle(style),
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
    if (rc !== ERROR_INSUFFICIENT_BUFFER) throw new Error(`${name} returned ${rc}`);
    buffer = Buffer.alloc(n);
  }
  throw new Error(`${name}: the content kept growing`);
}

function checkFunction(fn: string): void {
  if (!(SIM_FUNCTIONS as readonly string[]).includes(fn)) {
    throw new Error(`unknown simulated function ${JSON.stringify(fn)} (known: ${SIM_FUNCTIONS.join(', ')})`);
  }
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

  /** Clears the log, faults and delays, forgets all handles and attachments, restarts drive numbering. */
  reset(): void {
    controls().reset();
  },

  /** Every call of the four API functions so far, in call (seq) order. */
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
    const n = count === Infinity ? INFINITE : count;
    checkU32('count', n);
    controls().setFault(fn, code, n);
  },

  /** `fn` sleeps `ms` before doing its work (outside the simulator's lock); 0 clears. */
  delay(fn: SimFunctionName, ms: number): void {
    checkFunction(fn);
    if (!DELAYABLE.includes(fn)) throw new Error(`the simulator has no delay for ${fn}`);
    checkU32('ms', ms);
    controls().setDelay(fn, ms);
  },

  /**
   * The next successful attach is this disk ('\\.\PhysicalDrive0', '\\.\CDROM0': devices Wine has, whose
   * volumes real kernel32 then finds); null clears. One attach only.
   */
  nextPhysicalPath(path: string | null): void {
    controls().setNextPhysicalPath(path);
  },

  /** What GetAllAttachedVirtualDiskPhysicalPaths lists: the image files' full paths (default) or the physical paths. */
  listStyle(style: 'imagePaths' | 'physicalPaths'): void {
    controls().setListStyle(style === 'physicalPaths' ? 1 : 0);
  },
};
