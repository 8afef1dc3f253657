// The simulator's lifecycle functions through real koffi calls, without the library: CreateVirtualDisk,
// Get/SetVirtualDiskInformation, GetVirtualDiskOperationProgress, Resize/Compact/Merge, and AttachVirtualDisk with
// an OVERLAPPED, with a real OVERLAPPED (koffi.alloc), a kernel32 event, CancelIoEx and GetOverlappedResult. These
// prove the simulator; the library's own lifecycle specs build on it.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import koffi from 'koffi';
import { systemLibraryPath } from '../../ffi/index.ts';
import { imageFolder } from './images.ts';
import { processHandleCount } from './process-handles.ts';
import { handleKey, simulator } from './simulator.ts';

const MICROSOFT = '{EC984AEC-A0F9-47E9-901F-71415A66345B}';
const MiB = 1024 * 1024;

const ERROR_FILE_NOT_FOUND = 2;
const ERROR_PATH_NOT_FOUND = 3;
const ERROR_ACCESS_DENIED = 5;
const ERROR_NOT_READY = 21;
const ERROR_SHARING_VIOLATION = 32;
const ERROR_FILE_EXISTS = 80;
const ERROR_INVALID_PARAMETER = 87;
const ERROR_DISK_FULL = 112;
const ERROR_INSUFFICIENT_BUFFER = 122;
const ERROR_OPERATION_ABORTED = 995;
const ERROR_IO_INCOMPLETE = 996;
const ERROR_IO_PENDING = 997;
const ERROR_NOT_FOUND = 1168;
const ERROR_VHD_INVALID_TYPE = 0xc03a001b;
const ERROR_VHD_RESIZE_WOULD_TRUNCATE_DATA = 0xc03a0025;
const ERROR_VHD_INVALID_STATE = 0xc03a001c;
const ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY = 1;
const STATUS_PENDING = 0x103n;
const STATUS_CANCELLED = 0xc0000120n;
const WAIT_OBJECT_0 = 0;
const WAIT_TIMEOUT = 258;

const VHD = 2;
const VHDX = 3;
const ISO = 1;
const GET_INFO = { SIZE: 1, IDENTIFIER: 2, PARENT_LOCATION: 3, PARENT_IDENTIFIER: 4, VIRTUAL_STORAGE_TYPE: 6, PROVIDER_SUBTYPE: 7, VHD_PHYSICAL_SECTOR_SIZE: 10, SMALLEST_SAFE_VIRTUAL_SIZE: 11 } as const;
const VIRTUAL_DISK_ACCESS_READ = 0x000d0000;
const ERROR_NOT_SUPPORTED = 50;

// ------------------------------------------------------------------ SDK structs (virtdisk-layouts-x64-full.txt)

const GUID = koffi.struct({ Data1: 'uint32', Data2: 'uint16', Data3: 'uint16', Data4: koffi.array('uint8', 8) });
const VIRTUAL_STORAGE_TYPE = koffi.struct({ DeviceId: 'uint32', VendorId: GUID });
const OPEN_VIRTUAL_DISK_PARAMETERS = koffi.struct({
  Version: 'uint32',
  u: koffi.union({
    Version1: koffi.struct({ RWDepth: 'uint32' }),
    Version2: koffi.struct({ GetInfoOnly: 'int32', ReadOnly: 'int32', ResiliencyGuid: GUID }),
    Version3: koffi.struct({ GetInfoOnly: 'int32', ReadOnly: 'int32', ResiliencyGuid: GUID, SnapshotId: GUID }),
  }),
});
const CREATE_V2_MEMBERS = {
  UniqueId: GUID,
  MaximumSize: 'uint64',
  BlockSizeInBytes: 'uint32',
  SectorSizeInBytes: 'uint32',
  PhysicalSectorSizeInBytes: 'uint32',
  ParentPath: 'const char16_t *',
  SourcePath: 'const char16_t *',
  OpenFlags: 'uint32',
  ParentVirtualStorageType: VIRTUAL_STORAGE_TYPE,
  SourceVirtualStorageType: VIRTUAL_STORAGE_TYPE,
  ResiliencyGuid: GUID,
};
const CREATE_V3_MEMBERS = { ...CREATE_V2_MEMBERS, SourceLimitPath: 'const char16_t *', BackingStorageType: VIRTUAL_STORAGE_TYPE };
const CREATE_V2 = koffi.struct(CREATE_V2_MEMBERS);
const CREATE_VIRTUAL_DISK_PARAMETERS = koffi.struct({
  Version: 'uint32',
  u: koffi.union({
    Version1: koffi.struct({
      UniqueId: GUID,
      MaximumSize: 'uint64',
      BlockSizeInBytes: 'uint32',
      SectorSizeInBytes: 'uint32',
      ParentPath: 'const char16_t *',
      SourcePath: 'const char16_t *',
    }),
    Version2: CREATE_V2,
    Version3: koffi.struct(CREATE_V3_MEMBERS),
    Version4: koffi.struct({ ...CREATE_V3_MEMBERS, PmemAddressAbstractionType: GUID, DataAlignment: 'uint64' }),
  }),
});
const SET_VIRTUAL_DISK_INFO = koffi.struct({
  Version: 'uint32',
  u: koffi.union({
    ParentFilePath: 'const char16_t *',
    UniqueIdentifier: GUID,
    ParentPathWithDepthInfo: koffi.struct({ ChildDepth: 'uint32', ParentFilePath: 'const char16_t *' }),
    VhdPhysicalSectorSize: 'uint32',
    VirtualDiskId: GUID,
    ChangeTrackingEnabled: 'int32',
    ParentLocator: koffi.struct({ LinkageId: GUID, ParentFilePath: 'const char16_t *' }),
  }),
});
const VIRTUAL_DISK_PROGRESS = koffi.struct({ OperationStatus: 'uint32', CurrentValue: 'uint64', CompletionValue: 'uint64' });
const RESIZE_VIRTUAL_DISK_PARAMETERS = koffi.struct({
  Version: 'uint32',
  u: koffi.union({ Version1: koffi.struct({ NewSize: 'uint64' }) }),
});
const COMPACT_VIRTUAL_DISK_PARAMETERS = koffi.struct({
  Version: 'uint32',
  u: koffi.union({ Version1: koffi.struct({ Reserved: 'uint32' }) }),
});
const MERGE_VIRTUAL_DISK_PARAMETERS = koffi.struct({
  Version: 'uint32',
  u: koffi.union({
    Version1: koffi.struct({ MergeDepth: 'uint32' }),
    Version2: koffi.struct({ MergeSourceDepth: 'uint32', MergeTargetDepth: 'uint32' }),
  }),
});
const OVERLAPPED_SIZE = 32; // Internal @0, InternalHigh @8, Offset/OffsetHigh @16, hEvent @24

// ------------------------------------------------------------------ functions (declared on first use)

type Fn = ((...args: any[]) => any) & { async: (...args: any[]) => void };
interface Api {
  CreateVirtualDisk: Fn; OpenVirtualDisk: Fn; GetVirtualDiskInformation: Fn; SetVirtualDiskInformation: Fn;
  GetVirtualDiskOperationProgress: Fn; ResizeVirtualDisk: Fn; CompactVirtualDisk: Fn; MergeVirtualDisk: Fn; ExpandVirtualDisk: Fn;
  AttachVirtualDisk: Fn; DetachVirtualDisk: Fn;
  CreateEventW: Fn; WaitForSingleObject: Fn; CancelIoEx: Fn; GetOverlappedResult: Fn; GetLastError: Fn; CloseHandle: Fn;
}
let declared: Api | undefined;
function api(): Api {
  if (declared) return declared;
  const HANDLE = koffi.pointer('void');
  const vd = koffi.load(systemLibraryPath('virtdisk'));
  const k32 = koffi.load(systemLibraryPath('kernel32'));
  type Lib = ReturnType<typeof koffi.load>;
  type Spec = Parameters<typeof koffi.sizeof>[0];
  const f = (lib: Lib, name: string, result: Spec, params: Spec[]) => lib.func('__stdcall', name, result, params) as Fn;
  declared = {
    CreateVirtualDisk: f(vd, 'CreateVirtualDisk', 'uint32', [
      koffi.pointer(VIRTUAL_STORAGE_TYPE), 'const char16_t *', 'uint32', 'void *', 'uint32', 'uint32',
      koffi.pointer(CREATE_VIRTUAL_DISK_PARAMETERS), 'void *', koffi.out(koffi.pointer(HANDLE)),
    ]),
    OpenVirtualDisk: f(vd, 'OpenVirtualDisk', 'uint32', [
      koffi.pointer(VIRTUAL_STORAGE_TYPE), 'const char16_t *', 'uint32', 'uint32', koffi.pointer(OPEN_VIRTUAL_DISK_PARAMETERS),
      koffi.out(koffi.pointer(HANDLE)),
    ]),
    GetVirtualDiskInformation: f(vd, 'GetVirtualDiskInformation', 'uint32', [
      HANDLE, koffi.inout(koffi.pointer('uint32')), 'void *', koffi.out(koffi.pointer('uint32')),
    ]),
    SetVirtualDiskInformation: f(vd, 'SetVirtualDiskInformation', 'uint32', [HANDLE, koffi.pointer(SET_VIRTUAL_DISK_INFO)]),
    GetVirtualDiskOperationProgress: f(vd, 'GetVirtualDiskOperationProgress', 'uint32', [
      HANDLE, 'void *', koffi.out(koffi.pointer(VIRTUAL_DISK_PROGRESS)),
    ]),
    ResizeVirtualDisk: f(vd, 'ResizeVirtualDisk', 'uint32', [HANDLE, 'uint32', koffi.pointer(RESIZE_VIRTUAL_DISK_PARAMETERS), 'void *']),
    CompactVirtualDisk: f(vd, 'CompactVirtualDisk', 'uint32', [HANDLE, 'uint32', koffi.pointer(COMPACT_VIRTUAL_DISK_PARAMETERS), 'void *']),
    MergeVirtualDisk: f(vd, 'MergeVirtualDisk', 'uint32', [HANDLE, 'uint32', koffi.pointer(MERGE_VIRTUAL_DISK_PARAMETERS), 'void *']),
    ExpandVirtualDisk: f(vd, 'ExpandVirtualDisk', 'uint32', [HANDLE, 'uint32', koffi.pointer(RESIZE_VIRTUAL_DISK_PARAMETERS), 'void *']), // EXPAND_ has RESIZE_'s layout
    AttachVirtualDisk: f(vd, 'AttachVirtualDisk', 'uint32', [HANDLE, 'void *', 'uint32', 'uint32', 'void *', 'void *']),
    DetachVirtualDisk: f(vd, 'DetachVirtualDisk', 'uint32', [HANDLE, 'uint32', 'uint32']),
    CreateEventW: f(k32, 'CreateEventW', HANDLE, ['void *', 'int32', 'int32', 'const char16_t *']),
    WaitForSingleObject: f(k32, 'WaitForSingleObject', 'uint32', [HANDLE, 'uint32']),
    CancelIoEx: f(k32, 'CancelIoEx', 'int32', [HANDLE, 'void *']),
    GetOverlappedResult: f(k32, 'GetOverlappedResult', 'int32', [HANDLE, 'void *', koffi.out(koffi.pointer('uint32')), 'int32']),
    GetLastError: f(k32, 'GetLastError', 'uint32', []),
    CloseHandle: f(k32, 'CloseHandle', 'int32', [HANDLE]),
  };
  return declared;
}

// ------------------------------------------------------------------ helpers

function guid(text: string): { Data1: number; Data2: number; Data3: number; Data4: number[] } {
  const hex = text.replace(/[{}-]/g, '');
  return {
    Data1: parseInt(hex.slice(0, 8), 16),
    Data2: parseInt(hex.slice(8, 12), 16),
    Data3: parseInt(hex.slice(12, 16), 16),
    Data4: Array.from({ length: 8 }, (_, i) => parseInt(hex.slice(16 + 2 * i, 18 + 2 * i), 16)),
  };
}

/** The GUID at `offset` of `buffer`, as the simulator writes them: "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}". */
function guidAt(buffer: Buffer, offset: number): string {
  const h = (n: number, digits: number) => n.toString(16).toUpperCase().padStart(digits, '0');
  const d4 = Array.from(buffer.subarray(offset + 8, offset + 16), (b) => h(b, 2)).join('');
  return `{${h(buffer.readUInt32LE(offset), 8)}-${h(buffer.readUInt16LE(offset + 4), 4)}-${h(buffer.readUInt16LE(offset + 6), 4)}-${d4.slice(0, 4)}-${d4.slice(4)}}`;
}

const storageType = (deviceId: number) => ({ DeviceId: deviceId, VendorId: guid(MICROSOFT) });

interface Overlapped {
  /** The OVERLAPPED's address (stable native memory) */
  ptr: bigint;
  event: bigint | null;
  internal(): bigint;
  internalHigh(): bigint;
  free(): void;
}

/** A zeroed OVERLAPPED from koffi.alloc, with a manual-reset event (or none) in hEvent. */
function overlapped(withEvent = true): Overlapped {
  const ptr = koffi.alloc('uint8', OVERLAPPED_SIZE) as bigint;
  const view = new DataView(koffi.view(ptr, OVERLAPPED_SIZE));
  for (let i = 0; i < OVERLAPPED_SIZE; i++) view.setUint8(i, 0);
  const event = withEvent ? (api().CreateEventW(null, 1, 0, null) as bigint) : null;
  if (withEvent) expect(event).to.not.equal(null);
  view.setBigUint64(24, event ?? 0n, true);
  return {
    ptr,
    event,
    internal: () => view.getBigUint64(0, true),
    internalHigh: () => view.getBigUint64(8, true),
    free() {
      if (event) api().CloseHandle(event);
      koffi.free(ptr);
    },
  };
}

function waitFor(handle: bigint, ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    api().WaitForSingleObject.async(handle, ms, (err: unknown, result: number) => (err ? reject(err) : resolve(result)));
  });
}

/** GetOverlappedResult(h, ov, &n, FALSE) and the thread's last error right after it. */
function overlappedResult(handle: bigint, ov: Overlapped): { ok: boolean; error: number; bytes: number } {
  const bytes = [12345];
  const ok = api().GetOverlappedResult(handle, ov.ptr, bytes, 0) !== 0;
  const error = ok ? 0 : (api().GetLastError() as number);
  return { ok, error, bytes: bytes[0]! };
}

function progress(handle: bigint, ov: Overlapped): { rc: number; status: number; current: bigint; completion: bigint } {
  const p: Record<string, unknown> = {};
  const rc = api().GetVirtualDiskOperationProgress(handle, ov.ptr, p) as number;
  return { rc, status: p.OperationStatus as number, current: BigInt(p.CurrentValue as number), completion: BigInt(p.CompletionValue as number) };
}

/** GetVirtualDiskInformation with a `size`-byte buffer whose Version (@0) is `version`. */
function info(handle: bigint, version: number, size = 32): { rc: number; size: number; used: number; buffer: Buffer } {
  const buffer = Buffer.alloc(Math.max(size, 8));
  buffer.writeUInt32LE(version, 0);
  const sizeIo = [size];
  const used = [0];
  const rc = api().GetVirtualDiskInformation(handle, sizeIo, buffer, used) as number;
  return { rc, size: sizeIo[0]!, used: used[0]!, buffer };
}

interface CreateOptions {
  deviceId?: number;
  version?: 1 | 2;
  access?: number;
  flags?: number;
  maximumSize?: number;
  uniqueId?: string;
  blockSize?: number;
  physicalSectorSize?: number;
  parentPath?: string | null;
  sourcePath?: string | null;
  overlapped?: Overlapped;
}

function create(file: string, o: CreateOptions = {}): { rc: number; handle: bigint | null } {
  const body = {
    UniqueId: guid(o.uniqueId ?? '{00000000-0000-0000-0000-000000000000}'),
    MaximumSize: o.maximumSize ?? 0,
    BlockSizeInBytes: o.blockSize ?? 0,
    SectorSizeInBytes: 0,
    ParentPath: o.parentPath ?? null,
    SourcePath: o.sourcePath ?? null,
  };
  const params = (o.version ?? 2) === 1
    ? { Version: 1, u: { Version1: body } }
    : { Version: 2, u: { Version2: { ...body, PhysicalSectorSizeInBytes: o.physicalSectorSize ?? 0, OpenFlags: 0, ParentVirtualStorageType: storageType(0), SourceVirtualStorageType: storageType(0), ResiliencyGuid: guid('{00000000-0000-0000-0000-000000000000}') } } };
  const handle: Array<bigint | null> = [null];
  const rc = api().CreateVirtualDisk(storageType(o.deviceId ?? VHDX), file, o.access ?? 0, null, o.flags ?? 0, 0, params, o.overlapped?.ptr ?? null, handle) as number;
  return { rc, handle: handle[0] ?? null };
}

function open(file: string, deviceId = VHDX, getInfoOnly = false): bigint {
  const handle: Array<bigint | null> = [null];
  const params = { Version: 2, u: { Version2: { GetInfoOnly: getInfoOnly ? 1 : 0, ReadOnly: 0, ResiliencyGuid: guid('{00000000-0000-0000-0000-000000000000}') } } };
  const rc = api().OpenVirtualDisk(storageType(deviceId), file, 0, 0, params, handle) as number;
  expect(rc, 'OpenVirtualDisk').to.equal(0);
  return handle[0]!;
}

/** A Version 1 open (ISO, or a VHD with an access mask). */
function openV1(file: string, deviceId: number, access: number): bigint {
  const handle: Array<bigint | null> = [null];
  const rc = api().OpenVirtualDisk(storageType(deviceId), file, access, 0, { Version: 1, u: { Version1: { RWDepth: 1 } } }, handle) as number;
  expect(rc, 'OpenVirtualDisk').to.equal(0);
  return handle[0]!;
}

function close(handle: bigint): void {
  expect(api().CloseHandle(handle)).to.not.equal(0);
}

const resizeParams = (newSize: number) => ({ Version: 1, u: { Version1: { NewSize: newSize } } });

/** Polls progress every few milliseconds until OperationStatus is no longer 997. */
async function pollProgress(handle: bigint, ov: Overlapped): Promise<Array<{ status: number; current: bigint; completion: bigint }>> {
  const seen = [];
  for (;;) {
    const p = progress(handle, ov);
    expect(p.rc, 'GetVirtualDiskOperationProgress').to.equal(0);
    seen.push(p);
    if (p.status !== ERROR_IO_PENDING) return seen;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ------------------------------------------------------------------ specs

describe('on the Windows ABI: the simulator\'s lifecycle functions (koffi, no library)', () => {
  const images = imageFolder();
  const newImage = (name: string) => path.win32.resolve(images.dir, name);
  beforeEach(() => simulator.reset());
  afterEach(async () => {
    await simulator.idle();
    expect(simulator.pendingOverlapped(), 'OVERLAPPEDs the simulator still references').to.equal(0);
  });
  after(() => images.remove());

  it('the structs have the SDK\'s x64 layout', () => {
    expect(koffi.sizeof(CREATE_VIRTUAL_DISK_PARAMETERS)).to.equal(184);
    expect(koffi.offsetof(CREATE_VIRTUAL_DISK_PARAMETERS, 'u')).to.equal(8);
    expect(8 + koffi.offsetof(CREATE_V2, 'PhysicalSectorSizeInBytes')).to.equal(40);
    expect(8 + koffi.offsetof(CREATE_V2, 'ParentPath')).to.equal(48);
    expect(8 + koffi.offsetof(CREATE_V2, 'ResiliencyGuid')).to.equal(108);
    expect(koffi.sizeof(OPEN_VIRTUAL_DISK_PARAMETERS)).to.equal(44);
    expect(koffi.sizeof(SET_VIRTUAL_DISK_INFO)).to.equal(32);
    expect(koffi.sizeof(VIRTUAL_DISK_PROGRESS)).to.equal(24);
    expect(koffi.offsetof(VIRTUAL_DISK_PROGRESS, 'CurrentValue')).to.equal(8);
    expect(koffi.sizeof(RESIZE_VIRTUAL_DISK_PARAMETERS)).to.equal(16);
    expect(koffi.sizeof(COMPACT_VIRTUAL_DISK_PARAMETERS)).to.equal(8);
    expect(koffi.sizeof(MERGE_VIRTUAL_DISK_PARAMETERS)).to.equal(12);
  });

  it('CreateVirtualDisk with an OVERLAPPED: 997 and a handle at once, progress up to 100 %, the event, GetOverlappedResult TRUE, the metadata after', async () => {
    simulator.duration('CreateVirtualDisk', 200);
    const file = newImage('async.vhdx');
    const uniqueId = '{0A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9}';
    const ov = overlapped();
    const { rc, handle } = create(file, { maximumSize: 128 * MiB, uniqueId, physicalSectorSize: 512, overlapped: ov });
    expect(rc).to.equal(ERROR_IO_PENDING);
    expect(handle).to.be.a('bigint');
    const h = handle!;
    // pending, as NT leaves it: Internal = STATUS_PENDING, the event not signalled, GetOverlappedResult 996
    expect(ov.internal()).to.equal(STATUS_PENDING);
    expect(api().WaitForSingleObject(ov.event, 0)).to.equal(WAIT_TIMEOUT);
    expect(overlappedResult(h, ov)).to.include({ ok: false, error: ERROR_IO_INCOMPLETE });
    expect(fs.existsSync(file), 'the file exists from the start').to.equal(true);
    expect(simulator.image(file).state).to.equal('creating');

    const seen = await pollProgress(h, ov);
    const last = seen.at(-1)!;
    expect(last.status).to.equal(0);
    expect(last.completion).to.equal(128n);
    expect(last.current).to.equal(last.completion); // 100 %
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.current >= seen[i - 1]!.current, 'monotone').to.equal(true);
    expect(seen.some((p) => p.status === ERROR_IO_PENDING && p.current > 0n && p.current < p.completion), 'progress seen in between').to.equal(true);

    expect(await waitFor(ov.event!, 2000)).to.equal(WAIT_OBJECT_0);
    expect(ov.internal()).to.equal(0n);
    expect(overlappedResult(h, ov)).to.deep.equal({ ok: true, error: 0, bytes: 0 });
    expect(api().CancelIoEx(h, ov.ptr)).to.equal(0); // nothing pending any more
    expect(api().GetLastError()).to.equal(ERROR_NOT_FOUND);

    const size = info(h, GET_INFO.SIZE);
    expect(size).to.include({ rc: 0, size: 32, used: 32 });
    expect(size.buffer.readBigUInt64LE(8)).to.equal(BigInt(128 * MiB)); // VirtualSize
    expect(size.buffer.readUInt32LE(24)).to.equal(32 * MiB); // BlockSize: VHDX dynamic default
    expect(size.buffer.readUInt32LE(28)).to.equal(512); // SectorSize
    expect(guidAt(info(h, GET_INFO.IDENTIFIER).buffer, 8)).to.equal(uniqueId);
    expect(info(h, GET_INFO.VHD_PHYSICAL_SECTOR_SIZE).buffer.readUInt32LE(8)).to.equal(512);
    expect(info(h, GET_INFO.PROVIDER_SUBTYPE).buffer.readUInt32LE(8)).to.equal(3);
    const type = info(h, GET_INFO.VIRTUAL_STORAGE_TYPE);
    expect(type.buffer.readUInt32LE(8)).to.equal(VHDX);
    expect(guidAt(type.buffer, 12)).to.equal(MICROSOFT);

    const [call] = simulator.calls('CreateVirtualDisk');
    expect(call).to.include({ result: ERROR_IO_PENDING, path: file, access: 0, flags: 0, handle: handleKey(h), handlePtr: true });
    expect(call!.overlapped).to.deep.equal({ address: String(ov.ptr), hEvent: String(ov.event) });
    expect(call!.params).to.include({ version: 2, uniqueId, maximumSize: String(128 * MiB), physicalSectorSizeInBytes: 512, parentPath: null, sourcePath: null });
    expect(call!.params!.raw).to.have.length(2 * 124);
    expect(call!.params!.raw.slice(80, 88)).to.equal('00020000'); // PhysicalSectorSizeInBytes @40 = 512
    const [op] = simulator.operations();
    expect(op).to.include({ id: call!.operation, fn: 'CreateVirtualDisk', running: false, status: 0, cancelled: false, referencesOverlapped: false });
    close(h);
    ov.free();

    // the metadata is in the file: a new handle sees it
    const again = open(file);
    expect(info(again, GET_INFO.SIZE).buffer.readBigUInt64LE(8)).to.equal(BigInt(128 * MiB));
    expect(guidAt(info(again, GET_INFO.IDENTIFIER).buffer, 8)).to.equal(uniqueId);
    close(again);
    expect(simulator.image(file)).to.include({ hasMetadata: true, state: 'complete', virtualSize: String(128 * MiB), identifier: uniqueId });
  });

  it('a cancelled compact: CancelIoEx TRUE, then the event, OperationStatus 995, GetOverlappedResult FALSE with 995, nothing applied', async () => {
    simulator.duration('CompactVirtualDisk', 2000);
    const file = images.image('cancel.vhdx'); // no metadata: 12 MiB physical by default
    const before = simulator.image(file);
    const h = open(file);
    const ov = overlapped();
    expect(api().CompactVirtualDisk(h, 0, null, ov.ptr)).to.equal(ERROR_IO_PENDING);
    while (progress(h, ov).current === 0n) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(progress(h, ov).status).to.equal(ERROR_IO_PENDING);
    expect(simulator.state()).to.include({ operationsRunning: 1, overlappedReferenced: 1 });

    expect(api().CancelIoEx(h, ov.ptr)).to.not.equal(0);
    expect(await waitFor(ov.event!, 2000)).to.equal(WAIT_OBJECT_0);
    expect(progress(h, ov).status).to.equal(ERROR_OPERATION_ABORTED);
    expect(ov.internal()).to.equal(STATUS_CANCELLED);
    expect(overlappedResult(h, ov)).to.deep.equal({ ok: false, error: ERROR_OPERATION_ABORTED, bytes: 0 });
    const [op] = simulator.operations();
    expect(op).to.include({ fn: 'CompactVirtualDisk', status: ERROR_OPERATION_ABORTED, cancelled: true, running: false });
    expect(simulator.image(file).physicalSize).to.equal(before.physicalSize);

    // the same handle compacts fine afterwards (synchronously): the data part halves
    simulator.duration('CompactVirtualDisk', 0);
    expect(api().CompactVirtualDisk(h, 0, { Version: 1, u: { Version1: { Reserved: 0 } } }, null)).to.equal(0);
    expect(simulator.image(file).physicalSize).to.equal(String(8 * MiB));
    const compacts = simulator.calls('CompactVirtualDisk');
    expect(compacts[0]!.params).to.equal(null);
    expect(compacts[1]!.params).to.deep.equal({ version: 1, raw: '0100000000000000', reserved: 0 });
    expect(compacts[1]!.overlapped).to.equal(null);
    close(h);
    ov.free();
  });

  it('PARENT_LOCATION: 122 and the size needed, then ParentResolved @8 and the path @12; unresolved: a MULTI_SZ; non-differencing: ERROR_VHD_INVALID_TYPE', () => {
    simulator.duration('CreateVirtualDisk', 0);
    const parent = newImage('parent-of-a-child-with-a-long-name.vhdx');
    const child = newImage('child.vhdx');
    const made = create(parent, { maximumSize: 64 * MiB });
    expect(made.rc).to.equal(0);
    const parentId = guidAt(info(made.handle!, GET_INFO.IDENTIFIER).buffer, 8);
    expect(info(made.handle!, GET_INFO.PARENT_LOCATION).rc).to.equal(ERROR_VHD_INVALID_TYPE);
    close(made.handle!);
    expect(create(child, { maximumSize: 64 * MiB, parentPath: parent }).rc, 'MaximumSize with a parent').to.equal(ERROR_INVALID_PARAMETER);
    const diff = create(child, { parentPath: parent });
    expect(diff.rc).to.equal(0);
    const h = diff.handle!;

    const needed = 12 + 2 * (parent.length + 1);
    const small = info(h, GET_INFO.PARENT_LOCATION, 32);
    expect(small).to.include({ rc: ERROR_INSUFFICIENT_BUFFER, size: needed });
    const full = info(h, GET_INFO.PARENT_LOCATION, small.size);
    expect(full).to.include({ rc: 0, size: needed, used: needed });
    expect(full.buffer.readInt32LE(8)).to.equal(1); // ParentResolved
    expect(full.buffer.toString('utf16le', 12, needed - 2)).to.equal(parent);
    expect(guidAt(info(h, GET_INFO.PARENT_IDENTIFIER).buffer, 8)).to.equal(parentId);
    expect(info(h, GET_INFO.SIZE).buffer.readBigUInt64LE(8), 'the parent\'s size').to.equal(BigInt(64 * MiB));
    expect(info(h, GET_INFO.PROVIDER_SUBTYPE).buffer.readUInt32LE(8)).to.equal(4);

    const calls = simulator.calls('GetVirtualDiskInformation').filter((c) => c.version === GET_INFO.PARENT_LOCATION);
    expect(calls.at(-2)).to.include({ result: ERROR_INSUFFICIENT_BUFFER, sizeIn: 32, sizeOut: needed, sizeUsed: null, answer: null });
    expect(calls.at(-1)).to.include({ result: 0, sizeIn: needed, sizeOut: needed, sizeUsed: needed });
    expect(calls.at(-1)!.answer!.slice(0, 8)).to.equal('01000000');

    fs.renameSync(parent, `${parent}.moved`);
    const unresolved = info(h, GET_INFO.PARENT_LOCATION, 1024);
    expect(unresolved.rc).to.equal(0);
    expect(unresolved.size).to.equal(needed + 2); // one more NUL: MULTI_SZ
    expect(unresolved.buffer.readInt32LE(8)).to.equal(0);
    expect(unresolved.buffer.toString('utf16le', 12, unresolved.size)).to.equal(`${parent}\0\0`);
    close(h);
  });

  it('a failure injected at completion: 997, the whole duration, then OperationStatus, Internal, the event and GetOverlappedResult carry it', async () => {
    simulator.duration('ResizeVirtualDisk', 60);
    simulator.failAt('ResizeVirtualDisk', ERROR_DISK_FULL);
    const file = images.image('fail.vhdx');
    const h = open(file);
    const ov = overlapped();
    expect(api().ResizeVirtualDisk(h, 0, resizeParams(256 * MiB), ov.ptr)).to.equal(ERROR_IO_PENDING);
    const seen = await pollProgress(h, ov);
    expect(seen.at(-1)!.status).to.equal(ERROR_DISK_FULL);
    expect(await waitFor(ov.event!, 2000)).to.equal(WAIT_OBJECT_0);
    expect(ov.internal()).to.equal(0xc0070000n | BigInt(ERROR_DISK_FULL));
    expect(overlappedResult(h, ov)).to.include({ ok: false, error: ERROR_DISK_FULL });
    expect(info(h, GET_INFO.SIZE).buffer.readBigUInt64LE(8), 'not resized').to.equal(BigInt(64 * MiB));
    expect(simulator.operations()[0]).to.include({ injectedFailure: ERROR_DISK_FULL, status: ERROR_DISK_FULL, newSize: String(256 * MiB) });
    const [call] = simulator.calls('ResizeVirtualDisk');
    expect(call).to.include({ result: ERROR_IO_PENDING, flags: 0 });
    expect(call!.params).to.include({ version: 1, newSize: String(256 * MiB) });
    expect(call!.params!.raw.slice(16)).to.equal('0000001000000000'); // NewSize @8

    // the next one is not affected
    ov.free();
    const ov2 = overlapped();
    expect(api().ResizeVirtualDisk(h, 0, resizeParams(256 * MiB), ov2.ptr)).to.equal(ERROR_IO_PENDING);
    expect(await waitFor(ov2.event!, 2000)).to.equal(WAIT_OBJECT_0);
    expect(overlappedResult(h, ov2)).to.deep.equal({ ok: true, error: 0, bytes: 0 });
    expect(info(h, GET_INFO.SIZE).buffer.readBigUInt64LE(8)).to.equal(BigInt(256 * MiB));
    close(h);
    ov2.free();
  });

  it('a virtdisk error code at completion: exact in OperationStatus and Internal (Wine\'s GetOverlappedResult cannot map it)', async () => {
    simulator.duration('CompactVirtualDisk', 0);
    simulator.failAt('CompactVirtualDisk', ERROR_VHD_INVALID_TYPE);
    const h = open(images.image('vhderror.vhdx'));
    const ov = overlapped();
    expect(api().CompactVirtualDisk(h, 0, null, ov.ptr)).to.equal(ERROR_IO_PENDING);
    expect(await waitFor(ov.event!, 2000)).to.equal(WAIT_OBJECT_0);
    expect(progress(h, ov).status).to.equal(ERROR_VHD_INVALID_TYPE);
    expect(ov.internal()).to.equal(BigInt(ERROR_VHD_INVALID_TYPE));
    expect(overlappedResult(h, ov).ok).to.equal(false); // GetLastError: 317 under Wine (no table entry)
    close(h);
    ov.free();
  });

  it('hEvent NULL: GetOverlappedResult(bWait = TRUE) waits on the handle, as Windows signals it', async () => {
    simulator.duration('ResizeVirtualDisk', 100);
    const h = open(images.image('noevent.vhdx'));
    const ov = overlapped(false);
    expect(api().ResizeVirtualDisk(h, 0, resizeParams(96 * MiB), ov.ptr)).to.equal(ERROR_IO_PENDING);
    const start = Date.now();
    const ok = await new Promise<number>((resolve, reject) => {
      api().GetOverlappedResult.async(h, ov.ptr, [0], 1, (err: unknown, result: number) => (err ? reject(err) : resolve(result)));
    });
    expect(ok).to.not.equal(0);
    expect(Date.now() - start).to.be.greaterThan(50);
    expect(progress(h, ov).status).to.equal(0);
    expect(simulator.calls('ResizeVirtualDisk')[0]!.overlapped).to.deep.equal({ address: String(ov.ptr), hEvent: '0' });
    close(h);
    ov.free();
  });

  it('without an OVERLAPPED the call takes the duration and returns the result; progress knows no other OVERLAPPED', () => {
    simulator.duration('ResizeVirtualDisk', 80);
    const h = open(images.image('sync.vhdx'));
    const start = Date.now();
    expect(api().ResizeVirtualDisk(h, 0, resizeParams(80 * MiB), null)).to.equal(0);
    expect(Date.now() - start).to.be.at.least(70);
    expect(info(h, GET_INFO.SIZE).buffer.readBigUInt64LE(8)).to.equal(BigInt(80 * MiB));
    expect(simulator.operations()[0]).to.include({ synchronous: true, overlapped: null, status: 0 });
    const stranger = overlapped();
    expect(progress(h, stranger).rc).to.equal(ERROR_NOT_FOUND);
    close(h);
    stranger.free();
  });

  it('reset() ends a running operation like a cancel: 995, the event signalled, nothing left pending', async () => {
    simulator.duration('ResizeVirtualDisk', 60_000);
    const h = open(images.image('reset.vhdx'));
    const ov = overlapped();
    expect(api().ResizeVirtualDisk(h, 0, resizeParams(96 * MiB), ov.ptr)).to.equal(ERROR_IO_PENDING);
    simulator.reset();
    expect(api().WaitForSingleObject(ov.event, 0)).to.equal(WAIT_OBJECT_0);
    expect(ov.internal()).to.equal(STATUS_CANCELLED);
    expect(simulator.state()).to.include({ operationsRunning: 0, overlappedReferenced: 0 });
    close(h);
    ov.free();
  });

  it('24 operations in flight on 24 images: each completes with its own OVERLAPPED and event', async () => {
    simulator.duration('ResizeVirtualDisk', 1000); // starting 24 takes some 100-200 ms under Wine
    const disks = Array.from({ length: 24 }, (_, i) => ({ handle: open(images.image(`many${i}.vhdx`)), ov: overlapped() }));
    for (const [i, d] of disks.entries()) {
      expect(api().ResizeVirtualDisk(d.handle, 0, resizeParams((65 + i) * MiB), d.ov.ptr)).to.equal(ERROR_IO_PENDING);
    }
    expect(simulator.state()).to.include({ operationsRunning: 24, overlappedReferenced: 24 });
    expect(await Promise.all(disks.map((d) => waitFor(d.ov.event!, 5000)))).to.deep.equal(disks.map(() => WAIT_OBJECT_0));
    for (const [i, d] of disks.entries()) {
      expect(overlappedResult(d.handle, d.ov).ok).to.equal(true);
      expect(info(d.handle, GET_INFO.SIZE).buffer.readBigUInt64LE(8)).to.equal(BigInt((65 + i) * MiB));
      close(d.handle);
      d.ov.free();
    }
  });

  it('the rules: existing file, missing folder or parent, V2 access mask, GetInfoOnly, V1 resize, unsafe shrink, attached image', () => {
    simulator.duration('CreateVirtualDisk', 0);
    simulator.duration('ResizeVirtualDisk', 0);
    const existing = images.image('exists.vhdx');
    expect(create(existing, { maximumSize: 64 * MiB }).rc).to.equal(ERROR_FILE_EXISTS);
    expect(create(newImage('no-such-folder\\x.vhdx'), { maximumSize: 64 * MiB }).rc).to.equal(ERROR_PATH_NOT_FOUND);
    expect(create(newImage('orphan.vhdx'), { parentPath: newImage('no-parent.vhdx') }).rc).to.equal(ERROR_FILE_NOT_FOUND);
    expect(fs.existsSync(newImage('orphan.vhdx'))).to.equal(false);
    expect(create(newImage('mask.vhdx'), { maximumSize: 64 * MiB, access: 0x003f0000 }).rc).to.equal(ERROR_INVALID_PARAMETER);
    const v1 = create(newImage('v1.vhd'), { version: 1, deviceId: VHD, maximumSize: 64 * MiB, access: 0x003f0000 });
    expect(v1.rc, 'a Version 1 create takes an access mask').to.equal(0);
    expect(simulator.state().handles[0]).to.include({ version: 1, access: 0x003f0000, created: true });
    expect(api().ResizeVirtualDisk(v1.handle!, 0, resizeParams(128 * MiB), null), 'resize needs a Version 2 handle').to.equal(ERROR_INVALID_PARAMETER);
    close(v1.handle!);

    const infoOnly = open(existing, VHDX, true);
    const set = { Version: 2, u: { UniqueIdentifier: guid('{11111111-2222-3333-4444-555555555555}') } };
    expect(api().SetVirtualDiskInformation(infoOnly, set)).to.equal(ERROR_ACCESS_DENIED);
    close(infoOnly);
    const h = open(existing);
    expect(api().SetVirtualDiskInformation(h, set)).to.equal(0);
    expect(simulator.image(existing).identifier).to.equal('{11111111-2222-3333-4444-555555555555}');
    expect(simulator.calls('SetVirtualDiskInformation')[1]!.info).to.include({ version: 2, uniqueIdentifier: '{11111111-2222-3333-4444-555555555555}' });

    // smallest safe size of a default image: 16 MiB
    expect(api().ResizeVirtualDisk(h, 0, resizeParams(8 * MiB), null)).to.equal(ERROR_VHD_RESIZE_WOULD_TRUNCATE_DATA);
    expect(api().ResizeVirtualDisk(h, 1, resizeParams(8 * MiB), null), 'ALLOW_UNSAFE_VIRTUAL_SIZE').to.equal(0);
    expect(api().ResizeVirtualDisk(h, 2, resizeParams(8 * MiB), null), 'TO_SMALLEST_SAFE needs NewSize 0').to.equal(ERROR_INVALID_PARAMETER);

    expect(api().AttachVirtualDisk(h, null, 0, 0, null, null)).to.equal(0);
    expect(api().ResizeVirtualDisk(h, 0, resizeParams(32 * MiB), null)).to.equal(ERROR_SHARING_VIOLATION);
    expect(api().SetVirtualDiskInformation(h, set)).to.equal(ERROR_SHARING_VIOLATION);
    expect(api().DetachVirtualDisk(h, 0, 0)).to.equal(0);
    close(h);

    const merge = { Version: 2, u: { Version2: { MergeSourceDepth: 1, MergeTargetDepth: 2 } } };
    const h2 = open(existing);
    expect(api().MergeVirtualDisk(h2, 0, merge, null), 'not a differencing disk').to.equal(ERROR_VHD_INVALID_TYPE);
    close(h2);
  });

  it('ISO handles answer SIZE and VIRTUAL_STORAGE_TYPE only (50 for the others); failInfo() makes one version fail once', () => {
    const iso = images.image('disc.iso'); // 512 bytes
    const h = openV1(iso, ISO, VIRTUAL_DISK_ACCESS_READ);
    const size = info(h, GET_INFO.SIZE);
    expect(size.rc).to.equal(0);
    expect([size.buffer.readBigUInt64LE(8), size.buffer.readBigUInt64LE(16), size.buffer.readUInt32LE(24), size.buffer.readUInt32LE(28)]).to.deep.equal([512n, 512n, 0, 2048]);
    expect(info(h, GET_INFO.VIRTUAL_STORAGE_TYPE).buffer.readUInt32LE(8)).to.equal(ISO);
    expect(info(h, GET_INFO.IDENTIFIER).rc).to.equal(ERROR_NOT_SUPPORTED);
    expect(api().CompactVirtualDisk(h, 0, null, null)).to.equal(ERROR_NOT_SUPPORTED);
    close(h);

    const vhd = openV1(images.image('plain.vhd'), VHD, 0x003f0000);
    simulator.failInfo(GET_INFO.SMALLEST_SAFE_VIRTUAL_SIZE, ERROR_NOT_SUPPORTED);
    expect(info(vhd, GET_INFO.SMALLEST_SAFE_VIRTUAL_SIZE).rc).to.equal(ERROR_NOT_SUPPORTED);
    const safe = info(vhd, GET_INFO.SMALLEST_SAFE_VIRTUAL_SIZE);
    expect(safe.rc).to.equal(0);
    expect(safe.buffer.readBigUInt64LE(8)).to.equal(BigInt(16 * MiB));
    const [faulted, answered] = simulator.calls('GetVirtualDiskInformation').slice(-2);
    expect(faulted).to.include({ version: GET_INFO.SMALLEST_SAFE_VIRTUAL_SIZE, infoFault: true, result: ERROR_NOT_SUPPORTED });
    expect(answered).to.include({ infoFault: false, result: 0, sizeIn: 32, sizeOut: 16, answer: '0000000100000000' });
    close(vhd);
  });

  it('SetVirtualDiskInformation: a new parent through PARENT_PATH_WITH_DEPTH (ChildDepth @8, path @16) updates the parent identifier; PHYSICAL_SECTOR_SIZE is VHDX only', () => {
    simulator.duration('CreateVirtualDisk', 0);
    const first = newImage('first-parent.vhdx');
    const second = newImage('second-parent.vhdx');
    const child = newImage('relinked.vhdx');
    close(create(first, { maximumSize: 64 * MiB }).handle!);
    close(create(second, { maximumSize: 64 * MiB }).handle!);
    close(create(child, { parentPath: first }).handle!);
    const h = open(child);
    const depth = { Version: 3, u: { ParentPathWithDepthInfo: { ChildDepth: 1, ParentFilePath: second } } };
    expect(api().SetVirtualDiskInformation(h, depth)).to.equal(0);
    expect(simulator.image(child)).to.include({ parentPath: second, parentIdentifier: simulator.image(second).identifier });
    const [call] = simulator.calls('SetVirtualDiskInformation');
    expect(call!.info).to.include({ version: 3, childDepth: 1, parentFilePath: second });
    expect(call!.info!.raw.slice(0, 8)).to.equal('03000000');
    expect(call!.info!.raw.slice(16, 24)).to.equal('01000000'); // ChildDepth @8
    expect(api().SetVirtualDiskInformation(h, { Version: 3, u: { ParentPathWithDepthInfo: { ChildDepth: 3, ParentFilePath: first } } }), 'deeper than the chain').to.equal(ERROR_INVALID_PARAMETER);
    expect(api().SetVirtualDiskInformation(h, { Version: 4, u: { VhdPhysicalSectorSize: 512 } })).to.equal(0);
    expect(simulator.image(child).physicalSectorSize).to.equal(512);
    expect(api().SetVirtualDiskInformation(h, { Version: 4, u: { VhdPhysicalSectorSize: 1024 } })).to.equal(ERROR_INVALID_PARAMETER);
    close(h);
    const vhd = open(images.image('sector.vhd'), VHD);
    expect(api().SetVirtualDiskInformation(vhd, { Version: 4, u: { VhdPhysicalSectorSize: 4096 } })).to.equal(ERROR_VHD_INVALID_TYPE);
    close(vhd);
  });

  it('a create from a SourcePath takes its size (or a larger MaximumSize); ExpandVirtualDisk only grows', () => {
    simulator.duration('CreateVirtualDisk', 0);
    simulator.duration('ExpandVirtualDisk', 0);
    const source = images.image('source.vhdx'); // 64 MiB by default
    const copy = create(newImage('copy.vhdx'), { sourcePath: source });
    expect(copy.rc).to.equal(0);
    expect(info(copy.handle!, GET_INFO.SIZE).buffer.readBigUInt64LE(8)).to.equal(BigInt(64 * MiB));
    close(copy.handle!);
    expect(create(newImage('smaller.vhdx'), { sourcePath: source, maximumSize: 32 * MiB }).rc).to.equal(ERROR_INVALID_PARAMETER);
    const fixed = create(newImage('fixed.vhdx'), { sourcePath: source, maximumSize: 96 * MiB, flags: 1 });
    expect(fixed.rc).to.equal(0);
    expect(simulator.image(newImage('fixed.vhdx'))).to.include({ subtype: 2, virtualSize: String(96 * MiB), physicalSize: String(100 * MiB), blockSize: 0 });
    const expand = (size: number) => api().ExpandVirtualDisk(fixed.handle!, 0, resizeParams(size), null) as number;
    expect(expand(64 * MiB)).to.equal(ERROR_INVALID_PARAMETER);
    expect(expand(128 * MiB)).to.equal(0);
    expect(simulator.image(newImage('fixed.vhdx'))).to.include({ virtualSize: String(128 * MiB), physicalSize: String(132 * MiB) });
    close(fixed.handle!);
  });

  it('a merge marks the child merged into its parent and moves its data', () => {
    simulator.duration('CreateVirtualDisk', 0);
    simulator.duration('MergeVirtualDisk', 0);
    const parent = newImage('merge-parent.vhdx');
    const child = newImage('merge-child.vhdx');
    close(create(parent, { maximumSize: 64 * MiB }).handle!);
    close(create(child, { parentPath: parent }).handle!);
    simulator.writeImage(child, { ...simulator.image(child), physicalSize: 10 * MiB }); // 6 MiB of data
    const h = open(child);
    const tooDeep = { Version: 2, u: { Version2: { MergeSourceDepth: 1, MergeTargetDepth: 3 } } };
    expect(api().MergeVirtualDisk(h, 0, tooDeep, null)).to.equal(ERROR_INVALID_PARAMETER);
    expect(api().MergeVirtualDisk(h, 0, { Version: 1, u: { Version1: { MergeDepth: 1 } } }, null)).to.equal(0);
    close(h);
    expect(simulator.image(child)).to.include({ merged: true, mergedInto: parent });
    expect(simulator.image(parent).physicalSize).to.equal(String(10 * MiB));
    const [first, second] = simulator.calls('MergeVirtualDisk').map((c) => c.params!);
    expect(first).to.deep.equal({ version: 2, raw: '020000000100000003000000', mergeSourceDepth: 1, mergeTargetDepth: 3 });
    expect(second).to.include({ version: 1, mergeDepth: 1 });
    expect(second!.raw.slice(0, 16)).to.equal('0100000001000000'); // MergeDepth @4
  });

  it('AttachVirtualDisk with an OVERLAPPED: 997 at once, nothing attached until it completes after its delay(), then the event, GetOverlappedResult TRUE and the attachment; progress 0..100', async () => {
    simulator.delay('AttachVirtualDisk', 600); // the asynchronous attach's duration, not slept in the call
    const file = images.image('attach-async.vhdx');
    const h = open(file);
    const ov = overlapped();
    const start = Date.now();
    expect(api().AttachVirtualDisk(h, null, 0, 0, null, ov.ptr)).to.equal(ERROR_IO_PENDING);
    expect(Date.now() - start, 'the call returns at once').to.be.below(300);
    // pending, as NT leaves it
    expect(ov.internal()).to.equal(STATUS_PENDING);
    expect(api().WaitForSingleObject(ov.event, 0)).to.equal(WAIT_TIMEOUT);
    expect(overlappedResult(h, ov)).to.include({ ok: false, error: ERROR_IO_INCOMPLETE });
    expect(simulator.state()).to.deep.include({ attached: [], operationsRunning: 1, overlappedReferenced: 1 });
    expect(api().DetachVirtualDisk(h, 0, 0), 'not attached yet').to.equal(ERROR_NOT_READY);
    simulator.delay('AttachVirtualDisk', 0); // the running attach keeps its 600 ms
    const other = open(file);
    expect(api().AttachVirtualDisk(other, null, 0, 0, null, null), 'another attach of the image meanwhile').to.equal(ERROR_VHD_INVALID_STATE);
    close(other);

    const seen = await pollProgress(h, ov);
    expect(seen[0]).to.include({ status: ERROR_IO_PENDING, completion: 100n });
    expect(seen.at(-1)).to.include({ status: 0, current: 100n, completion: 100n });
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.current >= seen[i - 1]!.current, 'monotone').to.equal(true);
    expect(await waitFor(ov.event!, 2000)).to.equal(WAIT_OBJECT_0);
    expect(ov.internal()).to.equal(0n);
    expect(overlappedResult(h, ov)).to.deep.equal({ ok: true, error: 0, bytes: 0 });
    expect(api().CancelIoEx(h, ov.ptr), 'nothing pending any more').to.equal(0);
    const { attached } = simulator.state();
    expect(attached).to.have.length(1);
    expect(attached[0]).to.include({ handle: handleKey(h), handleOpen: true, readOnly: false, permanent: false, physicalPath: '\\\\.\\PhysicalDrive2' });

    const [call, refused] = simulator.calls('AttachVirtualDisk');
    expect(call).to.include({ result: ERROR_IO_PENDING, handle: handleKey(h), delayMs: 600, fault: false, flags: 0 });
    expect(call!.end - call!.start, 'the delay was not slept in the call').to.be.below(300);
    expect(call!.overlapped).to.deep.equal({ address: String(ov.ptr), hEvent: String(ov.event) });
    expect(refused).to.include({ result: ERROR_VHD_INVALID_STATE, overlapped: null, operation: null });
    const [op] = simulator.operations();
    expect(op).to.include({
      id: call!.operation, fn: 'AttachVirtualDisk', handle: handleKey(h), path: file, synchronous: false, running: false, status: 0,
      durationMs: 600, currentValue: '100', completionValue: '100', cancelled: false, referencesOverlapped: false, injectedFailure: null,
    });
    expect(op!.overlapped).to.equal(String(ov.ptr));
    expect(op!.end! - op!.start, 'it ran its 600 ms').to.be.at.least(550);
    expect(api().DetachVirtualDisk(h, 0, 0)).to.equal(0);

    // without an OVERLAPPED the attach stays synchronous: the delay slept inside the call, no operation
    simulator.delay('AttachVirtualDisk', 150);
    const syncStart = Date.now();
    expect(api().AttachVirtualDisk(h, null, 0, 0, null, null)).to.equal(0);
    expect(Date.now() - syncStart).to.be.at.least(140);
    expect(simulator.state().attached).to.have.length(1);
    expect(simulator.operations()).to.have.length(1);
    expect(simulator.calls('AttachVirtualDisk').at(-1)).to.include({ result: 0, delayMs: 150, overlapped: null, operation: null });
    expect(api().DetachVirtualDisk(h, 0, 0)).to.equal(0);
    close(h);
    ov.free();
  });

  it('a cancelled asynchronous attach: CancelIoEx TRUE, the event, 995 in Internal, GetOverlappedResult and progress, nothing attached; the next attach works', async () => {
    simulator.delay('AttachVirtualDisk', 5000);
    const h = open(images.image('attach-cancel.vhdx'));
    const ov = overlapped();
    expect(api().AttachVirtualDisk(h, null, 0, 0, null, ov.ptr)).to.equal(ERROR_IO_PENDING);
    while (progress(h, ov).current === 0n) await sleep(10);
    expect(progress(h, ov).status).to.equal(ERROR_IO_PENDING);

    expect(api().CancelIoEx(h, ov.ptr)).to.not.equal(0);
    expect(await waitFor(ov.event!, 2000)).to.equal(WAIT_OBJECT_0);
    expect(ov.internal()).to.equal(STATUS_CANCELLED);
    expect(overlappedResult(h, ov)).to.deep.equal({ ok: false, error: ERROR_OPERATION_ABORTED, bytes: 0 });
    expect(progress(h, ov).status).to.equal(ERROR_OPERATION_ABORTED);
    const [op] = simulator.operations();
    expect(op).to.include({ fn: 'AttachVirtualDisk', status: ERROR_OPERATION_ABORTED, cancelled: true, running: false, referencesOverlapped: false });
    expect(op!.end! - op!.start, 'stopped long before its 5 s').to.be.below(4000);
    expect(simulator.state().attached).to.deep.equal([]);
    expect(api().DetachVirtualDisk(h, 0, 0)).to.equal(ERROR_NOT_READY);

    // the same handle attaches afterwards (read-only, asynchronously, at once): the cancelled one used no drive number
    simulator.delay('AttachVirtualDisk', 0);
    const ov2 = overlapped();
    expect(api().AttachVirtualDisk(h, null, ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY, 0, null, ov2.ptr)).to.equal(ERROR_IO_PENDING);
    expect(await waitFor(ov2.event!, 2000)).to.equal(WAIT_OBJECT_0);
    expect(overlappedResult(h, ov2).ok).to.equal(true);
    expect(simulator.state().attached.map((a) => [a.readOnly, a.physicalPath])).to.deep.equal([[true, '\\\\.\\PhysicalDrive2']]);
    expect(simulator.operations()[1]).to.include({ fn: 'AttachVirtualDisk', flags: ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY, status: 0, durationMs: 0 });
    expect(api().DetachVirtualDisk(h, 0, 0)).to.equal(0);
    close(h);
    ov.free();
    ov2.free();
  });

  it('reset() ends a pending attach like a cancel: 995, the event signalled, nothing attached', async () => {
    simulator.delay('AttachVirtualDisk', 60_000);
    const h = open(images.image('attach-reset.vhdx'));
    const ov = overlapped();
    expect(api().AttachVirtualDisk(h, null, 0, 0, null, ov.ptr)).to.equal(ERROR_IO_PENDING);
    simulator.reset();
    expect(api().WaitForSingleObject(ov.event, 0)).to.equal(WAIT_OBJECT_0);
    expect(ov.internal()).to.equal(STATUS_CANCELLED);
    expect(simulator.state()).to.deep.include({ attached: [], operationsRunning: 0, overlappedReferenced: 0, operationThreads: 0 });
    close(h);
    ov.free();
  });

  it('the handle closed while an attach is pending: it still completes; then a non-permanent attachment ends with the handle, a permanent one stays', async () => {
    simulator.delay('AttachVirtualDisk', 200);
    const ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME = 4;
    const keptFile = images.image('attach-closed-permanent.vhdx');
    const plain = open(images.image('attach-closed.vhdx'));
    const kept = open(keptFile);
    const ov = overlapped();
    const ovKept = overlapped();
    expect(api().AttachVirtualDisk(plain, null, 0, 0, null, ov.ptr)).to.equal(ERROR_IO_PENDING);
    expect(api().AttachVirtualDisk(kept, null, ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME, 0, null, ovKept.ptr)).to.equal(ERROR_IO_PENDING);
    close(plain);
    close(kept);
    expect(await Promise.all([waitFor(ov.event!, 2000), waitFor(ovKept.event!, 2000)])).to.deep.equal([WAIT_OBJECT_0, WAIT_OBJECT_0]);
    expect([ov.internal(), ovKept.internal()], 'closing a handle does not cancel (SIMULATOR CHOICE)').to.deep.equal([0n, 0n]);
    await simulator.idle(); // the simulator's duplicates of the handles go: the closes are noticed now
    const state = simulator.state();
    expect(state.attached.map((a) => [a.path, a.permanent, a.handleOpen])).to.deep.equal([[keptFile, true, false]]);
    expect(state).to.include({ autoDetached: 1, handlesClosed: 2 });
    const again = open(keptFile);
    expect(api().DetachVirtualDisk(again, 0, 0)).to.equal(0);
    close(again);
    ov.free();
    ovKept.free();
  });

  it('a failure injected into an asynchronous attach: its whole delay, then Internal, GetOverlappedResult and progress carry it, nothing attached; a synchronous attach neither uses nor consumes it; no kernel object left', async () => {
    simulator.delay('AttachVirtualDisk', 60);
    simulator.failAt('AttachVirtualDisk', ERROR_NOT_SUPPORTED);
    const h = open(images.image('attach-fail.vhdx'));
    expect(api().AttachVirtualDisk(h, null, 0, 0, null, null), 'synchronous: not an operation').to.equal(0);
    expect(api().DetachVirtualDisk(h, 0, 0)).to.equal(0);
    expect(simulator.operations()).to.deep.equal([]);

    const ov = overlapped();
    const start = Date.now();
    expect(api().AttachVirtualDisk(h, null, 0, 0, null, ov.ptr)).to.equal(ERROR_IO_PENDING);
    expect(await waitFor(ov.event!, 2000)).to.equal(WAIT_OBJECT_0);
    expect(Date.now() - start).to.be.at.least(50);
    expect(ov.internal()).to.equal(0xc0070000n | BigInt(ERROR_NOT_SUPPORTED));
    expect(overlappedResult(h, ov)).to.include({ ok: false, error: ERROR_NOT_SUPPORTED });
    expect(progress(h, ov)).to.include({ rc: 0, status: ERROR_NOT_SUPPORTED });
    expect(simulator.state().attached).to.deep.equal([]);
    expect(simulator.operations()[0]).to.include({ fn: 'AttachVirtualDisk', injectedFailure: ERROR_NOT_SUPPORTED, status: ERROR_NOT_SUPPORTED, running: false });
    await simulator.idle();

    // the next one is not affected; while it runs the simulator holds kernel objects, when it has ended none
    simulator.delay('AttachVirtualDisk', 300);
    const ov2 = overlapped();
    const handlesBefore = processHandleCount();
    expect(api().AttachVirtualDisk(h, null, 0, 0, null, ov2.ptr)).to.equal(ERROR_IO_PENDING);
    expect(processHandleCount(), 'the operation\'s pipe duplicates, events and thread').to.be.above(handlesBefore);
    expect(await waitFor(ov2.event!, 2000)).to.equal(WAIT_OBJECT_0);
    expect(overlappedResult(h, ov2)).to.deep.equal({ ok: true, error: 0, bytes: 0 });
    expect(simulator.state().attached).to.have.length(1);
    await simulator.idle();
    // At most: earlier specs' handles may still be closing (a collected VirtualDisk), never one more.
    expect(processHandleCount()).to.be.at.most(handlesBefore);
    expect(api().DetachVirtualDisk(h, 0, 0)).to.equal(0);
    close(h);
    ov.free();
    ov2.free();
  });
});
