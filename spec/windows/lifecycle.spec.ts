// The lifecycle through the public API on the Windows ABI: arguments as the simulated DLL reads them at the
// SDK's offsets, OVERLAPPED operations completing over time with progress, real cancellation (CancelIoEx on
// the handle and the caller's OVERLAPPED), native memory and handles released, the event loop and fs free.
import fs from 'node:fs';
import { expect } from 'chai';
import {
  AbortError, compactVirtualDisk, createVirtualDisk, getVirtualDiskInfo, openVirtualDisk, VirtualDiskError, type Progress,
} from '../../lib/index.ts';
import { liveNativeArenas } from '../../lib/native-arena.ts';
import * as sdk from '../../types/constants.ts';
import { imageFolder } from './images.ts';
import { processHandleCount } from './process-handles.ts';
import { simulator } from './simulator.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const BUILD = 26100;
const bare = (guid: string) => guid.replace(/[{}]/g, '').toLowerCase();

async function rejection(promise: Promise<unknown>): Promise<VirtualDiskError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, 'should reject').to.be.instanceOf(Error);
  return error as VirtualDiskError;
}

describe('on the Windows ABI: the lifecycle', () => {
  let images: ReturnType<typeof imageFolder>;
  let names = 0;
  const newPath = (extension = 'vhdx') => { const file = images.image(`new${names++}.${extension}`); fs.rmSync(file); return file; };
  before(async () => {
    images = imageFolder();
    // Warm-up: libuv's pool threads and the simulator's own appear on first use, and hold handles.
    await Promise.all(Array.from({ length: 32 }, () => fs.promises.stat(images.dir)));
    await Promise.all(Array.from({ length: 4 }, (_, i) => compactVirtualDisk(images.image(`warm${i}.vhdx`), { windowsBuild: BUILD })));
  });
  after(() => images.remove());
  beforeEach(() => simulator.reset());
  afterEach(async () => {
    await simulator.idle();
    expect(liveNativeArenas(), 'every operation freed its native memory').to.equal(0);
    expect(simulator.pendingOverlapped(), 'the simulator holds no OVERLAPPED').to.equal(0);
  });

  it('createVirtualDisk: version 2 parameters at their offsets, an OVERLAPPED, progress to 100 %, and an image Windows describes', async () => {
    const file = newPath();
    simulator.duration('CreateVirtualDisk', 300);
    const seen: Progress[] = [];
    const disk = await createVirtualDisk(file, { size: GiB, logicalSectorSize: 512, physicalSectorSize: 4096, windowsBuild: BUILD, progressInterval: 0, onProgress: (p) => seen.push(p) });
    const [call] = simulator.calls('CreateVirtualDisk');
    expect(call).to.include({ path: file, access: 0, flags: 0, providerSpecificFlags: 0, result: 997 });
    expect(call!.overlapped).not.to.equal(null);
    expect(call!.params).to.include({ version: 2, maximumSize: String(GiB), blockSizeInBytes: 0, sectorSizeInBytes: 512, physicalSectorSizeInBytes: 4096, parentPath: null, sourcePath: null });
    expect(call!.params!.raw.slice(80, 88)).to.equal('00100000'); // PhysicalSectorSizeInBytes at byte 40
    const percents = seen.map((p) => p.percent);
    expect(percents.length).to.be.greaterThan(2);
    expect(percents).to.deep.equal([...percents].sort((a, b) => a - b));
    expect(percents.at(-1)).to.equal(100);

    const info = await disk.getInfo();
    const image = simulator.image(file);
    expect(info).to.include({ path: file, storageType: 'vhdx', subtype: 'dynamic', virtualSize: GiB, logicalSectorSize: 512, physicalSectorSize: 4096 });
    expect(info.identifier).to.equal(bare(image.identifier));
    expect(info.physicalSize).to.equal(Number(image.physicalSize));
    await disk.attach({ noDriveLetter: true }); // the created handle attaches like an opened one
    expect(await disk.getPhysicalPath()).to.match(/^\\\\\.\\PhysicalDrive\d+$/);
    await disk.close();
  });

  it('a differencing child: the parent path at 48, its type at 68; the child describes its parent', async () => {
    const base = newPath();
    await (await createVirtualDisk(base, { size: 64 * MiB, windowsBuild: BUILD })).close();
    const child = newPath('avhdx');
    const disk = await createVirtualDisk(child, { parent: base, windowsBuild: BUILD });
    const call = simulator.calls('CreateVirtualDisk').at(-1)!;
    expect(call.params).to.include({ maximumSize: '0', parentPath: base });
    expect(call.params!.parentVirtualStorageType!.deviceId).to.equal(sdk.VIRTUAL_STORAGE_TYPE_DEVICE_VHDX);
    const info = await disk.getInfo();
    expect(info.subtype).to.equal('differencing');
    expect(info.parent).to.deep.include({ paths: [base], resolved: true, identifier: bare(simulator.image(base).identifier) });
    await disk.merge();
    const [merge] = simulator.calls('MergeVirtualDisk');
    expect(merge!.params).to.include({ version: 2, mergeSourceDepth: 1, mergeTargetDepth: 2 });
    expect(simulator.image(child)).to.include({ merged: true });
    await disk.close();
  });

  it('a cancelled creation: CancelIoEx cancels the Windows operation, AbortError, the partial file removed, nothing leaked', async () => {
    const file = newPath();
    const handlesBefore = processHandleCount();
    simulator.duration('CreateVirtualDisk', 5000);
    const controller = new AbortController();
    const creating = createVirtualDisk(file, { size: 4n * BigInt(GiB), type: 'fixed', windowsBuild: BUILD, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fs.existsSync(file), 'Windows made the file').to.equal(true);
    controller.abort(new Error('user cancelled'));
    const error = await rejection(creating);
    expect(error).to.be.instanceOf(AbortError).and.include({ code: 'ABORT_ERR' });
    expect((error as Error).cause).to.have.property('message', 'user cancelled');
    const [operation] = simulator.operations();
    expect(operation).to.include({ fn: 'CreateVirtualDisk', cancelled: true, status: 995, running: false });
    expect(operation!.end! - operation!.start, 'Windows stopped long before the 5 s operation would end').to.be.below(4000);
    expect(fs.existsSync(file), 'the partial file is gone').to.equal(false);
    await simulator.idle(); // the simulator's own thread and its duplicate of the handle go when it ends
    expect(processHandleCount()).to.equal(handlesBefore);
  });

  it('resize, compact and set information reach the DLL with their parameters, and change the image', async () => {
    const file = newPath();
    const disk = await createVirtualDisk(file, { size: 64 * MiB, windowsBuild: BUILD });
    await disk.resize(128 * MiB);
    expect(simulator.calls('ResizeVirtualDisk')[0]!.params).to.include({ version: 1, newSize: String(128 * MiB) });
    expect(simulator.image(file).virtualSize).to.equal(String(128 * MiB));
    await disk.resize(0, { toSmallestSafeSize: true });
    expect(simulator.calls('ResizeVirtualDisk')[1]).to.include({ flags: sdk.RESIZE_VIRTUAL_DISK_FLAG_RESIZE_TO_SMALLEST_SAFE_VIRTUAL_SIZE });
    expect((await disk.getInfo()).virtualSize).to.equal(Number(simulator.image(file).smallestSafeVirtualSize));

    const { path: _path, hasMetadata: _meta, fileSize: _size, ...fields } = simulator.image(file);
    simulator.writeImage(file, { ...fields, physicalSize: 36 * MiB }); // 32 MiB of data to compact
    const before = Number(simulator.image(file).physicalSize);
    await disk.compact({ noZeroScan: true });
    expect(simulator.calls('CompactVirtualDisk')[0]).to.include({ flags: sdk.COMPACT_VIRTUAL_DISK_FLAG_NO_ZERO_SCAN });
    expect(simulator.calls('CompactVirtualDisk')[0]!.params).to.include({ version: 1, reserved: 0 });
    expect(Number(simulator.image(file).physicalSize)).to.be.below(before);

    await disk.setIdentifier('{2C3E4F5A-0B1C-4D2E-8F90-A1B2C3D4E5F6}');
    expect(bare(simulator.image(file).identifier)).to.equal('2c3e4f5a-0b1c-4d2e-8f90-a1b2c3d4e5f6');
    await disk.setPhysicalSectorSize(512);
    expect(simulator.image(file).physicalSectorSize).to.equal(512);
    expect(simulator.calls('SetVirtualDiskInformation').map((call) => call.info?.version)).to.deep.equal([2, 4]);
    await disk.close();
  });

  it('setParentPath re-links a child whose parent moved', async () => {
    const base = newPath();
    await (await createVirtualDisk(base, { size: 64 * MiB, windowsBuild: BUILD })).close();
    const child = newPath();
    await (await createVirtualDisk(child, { parent: base, windowsBuild: BUILD })).close();
    const moved = newPath();
    fs.renameSync(base, moved);
    simulator.fail('OpenVirtualDisk', 0xc03a000d); // what Windows answers for a child whose parent moved
    const broken = await rejection(openVirtualDisk(child, { windowsBuild: BUILD }));
    expect(broken).to.include({ code: 'ERROR_VHD_PARENT_VHD_NOT_FOUND', reason: 'PARENT_MISSING' });
    expect(broken.hint).to.match(/parent/i).and.to.match(/setParentPath/);
    const disk = await openVirtualDisk(child, { windowsBuild: BUILD });
    await disk.setParentPath(moved);
    const [set] = simulator.calls('SetVirtualDiskInformation');
    expect(set!.info!).to.include({ version: 1, parentFilePath: moved });
    expect(simulator.image(child).parentPath).to.equal(moved);
    await disk.close();
  });

  it('a failure at completion is Windows\' own error, with its reason; the handle and memory released', async () => {
    const file = newPath();
    simulator.failAt('CreateVirtualDisk', 0xc03a001a);
    const error = await rejection(createVirtualDisk(file, { size: 64 * MiB, windowsBuild: BUILD }));
    expect(error).to.include({ code: 'ERROR_VIRTUAL_DISK_LIMITATION', errno: 0xc03a001a, reason: 'HOST_FILE_UNSUPPORTED', syscall: 'CreateVirtualDisk' });
    expect(fs.existsSync(file)).to.equal(false);
    const disk = await openVirtualDisk(images.image('fails.vhdx'), { windowsBuild: BUILD });
    simulator.failAt('CompactVirtualDisk', 5);
    expect(await rejection(disk.compact())).to.include({ code: 'ERROR_ACCESS_DENIED', syscall: 'CompactVirtualDisk' });
    await disk.close();
  });

  it('refusals before Windows: an existing file, a handle that cannot do it, an attached disk', async () => {
    const existing = images.image('exists.vhdx');
    expect(await rejection(createVirtualDisk(existing, { size: 64 * MiB, windowsBuild: BUILD }))).to.include({ code: 'ERROR_FILE_EXISTS', errno: 80 });
    const iso = await openVirtualDisk(images.image('a.iso'), { windowsBuild: BUILD });
    expect(await rejection(iso.resize(GiB))).to.include({ code: 'ERR_HANDLE_ACCESS' });
    await iso.close();
    const disk = await openVirtualDisk(images.image('attached.vhdx'), { windowsBuild: BUILD });
    await disk.attach();
    expect(await rejection(disk.resize(GiB))).to.include({ code: 'ERR_ATTACHED' });
    await disk.close();
    const fns = simulator.log().map((call) => call.fn);
    expect(fns).not.to.include.members(['CreateVirtualDisk', 'ResizeVirtualDisk']);
  });

  it('getVirtualDiskInfo of an ISO leaves out what Windows refuses for it', async () => {
    const info = await getVirtualDiskInfo(images.image('info.iso'), { windowsBuild: BUILD });
    expect(info).to.include({ storageType: 'iso' });
    expect(info).not.to.have.property('smallestSafeVirtualSize');
    expect(info).not.to.have.property('parent');
    const [open] = simulator.calls('OpenVirtualDisk');
    expect(open!.access).to.equal(sdk.VIRTUAL_DISK_ACCESS_GET_INFO);
  });

  it('50 concurrent compacts all complete, every OVERLAPPED, buffer and handle released (timings: bench/long-operations.ts)', async function () {
    this.timeout(60_000);
    const files = Array.from({ length: 50 }, (_, i) => images.image(`many${i}.vhdx`));
    simulator.duration('CompactVirtualDisk', 400);
    const handlesBefore = processHandleCount();
    const progress = new Map<string, number[]>();
    await Promise.all(files.map((file) => compactVirtualDisk(file, {
      windowsBuild: BUILD, progressInterval: 50, onProgress: ({ percent }) => progress.set(file, [...(progress.get(file) ?? []), percent]),
    })));
    expect(simulator.calls('CompactVirtualDisk')).to.have.length(50);
    expect(simulator.operations().map((operation) => operation.status)).to.deep.equal(files.map(() => 0));
    for (const file of files) expect(progress.get(file)?.at(-1), file).to.equal(100);
    await simulator.idle();
    expect(processHandleCount()).to.equal(handlesBefore);
  });
});
