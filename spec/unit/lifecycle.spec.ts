// The lifecycle on the seam: arguments as the DLL reads them, the OVERLAPPED protocol (progress, completion,
// cancel), native memory and handles released on every path, and the rules before Windows.
import { expect } from 'chai';
import {
  AbortError, checkCreate, compactVirtualDisk, createVirtualDisk, getVirtualDiskInfo, InvalidParameterError, openVirtualDisk,
  PreconditionError, VirtualDiskError, type Progress,
} from '../../lib/index.ts';
import { liveNativeArenas } from '../../lib/native-arena.ts';
import * as sdk from '../../types/constants.ts';
import { installFakeWindows, nativeCalls, wideStringAt, type FakeWindows } from '../helpers/fake-windows.ts';

const NEWEST = 26100;
const GiB = 1n << 30n;

async function rejection(promise: Promise<unknown>): Promise<VirtualDiskError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, 'should reject').to.be.instanceOf(Error);
  return error as VirtualDiskError;
}

describe('lifecycle: create, info, resize, compact, merge', () => {
  let fake: FakeWindows;
  beforeEach(() => { fake = installFakeWindows(); });
  afterEach(() => {
    fake.restore();
    expect(liveNativeArenas(), 'native memory of every operation freed').to.equal(0);
  });

  describe('createVirtualDisk', () => {
    it('sends version 2 parameters at the SDK offsets, with the path and parent in native memory, and returns an open disk', async () => {
      const disk = await createVirtualDisk('C:\\vm\\child.vhdx', { parent: 'C:\\vm\\base.vhdx', windowsBuild: NEWEST });
      const [call] = fake.fn.CreateVirtualDisk!.getCalls();
      const [type, pathPointer, mask, descriptor, flags, providerFlags, , overlapped] = call!.args as [any, bigint, number, unknown, number, number, bigint, bigint];
      expect(type.DeviceId).to.equal(sdk.VIRTUAL_STORAGE_TYPE_DEVICE_VHDX);
      expect([mask, descriptor, flags, providerFlags]).to.deep.equal([sdk.VIRTUAL_DISK_ACCESS_NONE, null, 0, 0]);
      expect(typeof pathPointer).to.equal('bigint');
      expect(typeof overlapped).to.equal('bigint');
      const operation = fake.operations.find((entry) => entry.overlapped === overlapped)!;
      const bytes = operation.parameters!;
      expect(bytes.readUInt32LE(0)).to.equal(2);
      expect(bytes.readBigUInt64LE(24)).to.equal(0n); // MaximumSize 0 with a parent
      expect(bytes.readBigUInt64LE(48)).not.to.equal(0n); // ParentPath pointer
      expect(bytes.readBigUInt64LE(56)).to.equal(0n); // no SourcePath
      expect(bytes.readUInt32LE(68)).to.equal(sdk.VIRTUAL_STORAGE_TYPE_DEVICE_VHDX); // the parent's type
      expect(disk.path).to.equal('C:\\vm\\child.vhdx');
      await disk.close();
      expect(fake.openHandles.size, 'the event and the disk handle closed').to.equal(0);
    });

    it('reports progress, monotone, and once at 100 %', async () => {
      fake.operationMs = 300;
      const seen: Progress[] = [];
      const disk = await createVirtualDisk('C:\\vm\\p.vhdx', { size: GiB, windowsBuild: NEWEST, progressInterval: 20, onProgress: (p) => seen.push(p) });
      await disk.close();
      expect(seen.length).to.be.greaterThan(2);
      const percents = seen.map((p) => p.percent);
      expect(percents).to.deep.equal([...percents].sort((a, b) => a - b));
      expect(percents.at(-1)).to.equal(100);
      expect(percents.filter((p) => p === 100)).to.have.length.at.most(2);
    });

    it('a signal cancels the Windows operation: CancelIoEx on the handle and that OVERLAPPED, then AbortError, nothing left open', async () => {
      fake.operationMs = 60_000;
      const controller = new AbortController();
      const creating = createVirtualDisk('C:\\vm\\cancel.vhdx', { size: GiB, windowsBuild: NEWEST, signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 30));
      controller.abort('stop');
      const error = await rejection(creating);
      expect(error).to.be.instanceOf(AbortError).and.include({ code: 'ABORT_ERR', cause: 'stop' });
      const [cancel] = fake.fn.CancelIoEx!.getCalls();
      const overlapped = cancel!.args[1] as bigint;
      const operation = fake.operations.find((entry) => entry.overlapped === overlapped)!;
      expect(cancel!.args[0]).to.equal(operation.handle);
      expect(operation.status).to.equal(995);
      expect(fake.openHandles.size).to.equal(0);
    });

    it('a failure at completion rejects with Windows\' code and closes the handle', async () => {
      fake.completeWith = 0xc03a001a; // ERROR_VIRTUAL_DISK_LIMITATION
      const error = await rejection(createVirtualDisk('C:\\vm\\limit.vhdx', { size: GiB, windowsBuild: NEWEST }));
      expect(error).to.include({ code: 'ERROR_VIRTUAL_DISK_LIMITATION', syscall: 'CreateVirtualDisk', path: 'C:\\vm\\limit.vhdx' });
      expect(fake.openHandles.size).to.equal(0);
    });

    it('an immediate answer: success without ERROR_IO_PENDING, or a failure with nothing outstanding', async () => {
      fake.startCode = 0;
      const disk = await createVirtualDisk('C:\\vm\\sync.vhdx', { size: GiB, windowsBuild: NEWEST });
      await disk.close();
      fake.startCode = 5;
      expect(await rejection(createVirtualDisk('C:\\vm\\denied.vhdx', { size: GiB, windowsBuild: NEWEST }))).to.include({ code: 'ERROR_ACCESS_DENIED' });
      expect(fake.openHandles.size).to.equal(0);
      expect(fake.fn.GetVirtualDiskOperationProgress!.callCount).to.equal(0);
      expect(fake.fn.RegisterWaitForSingleObject!.callCount).to.equal(0);
    });

    it('the path and parent strings in native memory are what the caller named', async () => {
      let seen: string[] = [];
      fake.fn.CreateVirtualDisk!.callsFake((_type, path: bigint, _m, _sd, _f, _p, parameters: bigint, _ov, handle: [bigint | null]) => {
        const parent = (fake as unknown as { view?: never }).view;
        void parent;
        const bytes = Buffer.from(require('koffi').view(parameters, 184) as ArrayBuffer);
        seen = [wideStringAt(path), wideStringAt(bytes.readBigUInt64LE(48))];
        handle[0] = 0x999n;
        fake.openHandles.add(0x999n);
        return 0;
      });
      const disk = await createVirtualDisk('C:\\vm\\ü-日本.vhdx', { parent: 'D:\\base.vhdx', windowsBuild: NEWEST });
      await disk.close();
      expect(seen).to.deep.equal(['C:\\vm\\ü-日本.vhdx', 'D:\\base.vhdx']);
    });
  });

  describe('checkCreate: the rules before Windows', () => {
    const refused = (options: object, code: string, parameter: string) => {
      const verdict = checkCreate('C:\\vm\\x.vhdx', { windowsBuild: NEWEST, ...options } as never);
      expect(verdict.ok, JSON.stringify(options, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))).to.equal(false);
      if (verdict.ok) return;
      expect(verdict.error.code).to.equal(code);
      expect(verdict.error.parameter).to.equal(parameter);
      expect(verdict.error.errno).to.equal(code === 'ERROR_INVALID_PARAMETER' ? 87 : undefined);
    };

    it('what the CreateVirtualDisk page lists is errno 87', () => {
      refused({ size: 2n * 1024n * 1024n }, 'ERROR_INVALID_PARAMETER', 'Parameters.MaximumSize');
      refused({ size: 3n * 1024n * 1024n + 1n }, 'ERROR_INVALID_PARAMETER', 'Parameters.MaximumSize');
      expect(checkCreate('C:\\vm\\x.vhd', { size: GiB, blockSize: 1024 * 1024, windowsBuild: NEWEST }).ok).to.equal(false);
      refused({ size: GiB, windowsBuild: 9199 }, 'ERROR_INVALID_PARAMETER', 'Parameters.Version');
      expect(checkCreate('C:\\vm\\x.vhdx', { size: GiB, windowsBuild: 9200 }).ok).to.equal(true);
    });

    it('the parameters page\'s other rules have codes of their own', () => {
      refused({ size: GiB, parent: 'C:\\p.vhdx' }, 'ERR_CONFLICTING_OPTIONS', 'size');
      refused({ parent: 'C:\\p.vhdx', source: 'C:\\s.vhdx' }, 'ERR_CONFLICTING_OPTIONS', 'source');
      refused({ parent: 'C:\\p.vhdx', type: 'fixed' }, 'ERR_CONFLICTING_OPTIONS', 'type');
      refused({ size: GiB, type: 'fixed', blockSize: 2n * 1024n * 1024n }, 'ERR_INVALID_BLOCK_SIZE', 'blockSize');
      refused({ size: GiB, blockSize: 3n * 512n * 1024n }, 'ERR_INVALID_BLOCK_SIZE', 'blockSize');
      refused({ size: GiB, blockSize: 512n * 1024n * 1024n }, 'ERR_INVALID_BLOCK_SIZE', 'blockSize');
      expect(checkCreate('C:\\vm\\x.vhdx', { size: GiB, blockSize: 256 * 1024 * 1024, windowsBuild: NEWEST }).ok).to.equal(true);
      const vhd = checkCreate('C:\\vm\\x.vhd', { size: GiB, logicalSectorSize: 4096, windowsBuild: NEWEST });
      expect(!vhd.ok && vhd.error.code).to.equal('ERR_INVALID_SECTOR_SIZE');
      refused({}, 'ERR_INVALID_ARG_VALUE', 'size');
      refused({ size: GiB, storageType: 'iso' }, 'ERR_INVALID_ARG_VALUE', 'storageType');
      refused({ size: GiB, uniqueId: 'not-a-guid' }, 'ERR_INVALID_ARG_VALUE', 'uniqueId');
    });

    it('maps options to the call: fixed allocation, sector sizes, identifier, a physical source protected from writes', () => {
      const verdict = checkCreate('C:\\vm\\x.vhdx', {
        size: 64 * 1024 * 1024, type: 'fixed', logicalSectorSize: 4096, physicalSectorSize: 4096,
        uniqueId: '{2C3E4F5A-0B1C-4D2E-8F90-A1B2C3D4E5F6}', windowsBuild: NEWEST,
      });
      if (!verdict.ok) throw verdict.error;
      expect(verdict.call.Flags).to.equal(sdk.CREATE_VIRTUAL_DISK_FLAG_FULL_PHYSICAL_ALLOCATION);
      expect(verdict.call.Parameters.Version2).to.include({ MaximumSize: 64n << 20n, SectorSizeInBytes: 4096, PhysicalSectorSizeInBytes: 4096 });
      expect(verdict.call.Parameters.Version2.UniqueId).to.deep.equal({ Data1: 0x2c3e4f5a, Data2: 0x0b1c, Data3: 0x4d2e, Data4: [0x8f, 0x90, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6] });
      const copy = checkCreate('C:\\vm\\copy.vhdx', { source: '\\\\.\\PhysicalDrive2', windowsBuild: NEWEST });
      if (!copy.ok) throw copy.error;
      expect(copy.call.Flags).to.equal(sdk.CREATE_VIRTUAL_DISK_FLAG_PREVENT_WRITES_TO_SOURCE_DISK);
      expect(copy.call.Parameters.Version2.SourcePath).to.equal('\\\\.\\PhysicalDrive2');
    });
  });

  describe('getInfo', () => {
    it('decodes each version at offset 8 into plain, JSON-serializable data; fields Windows refuses are left out', async () => {
      const info = await getVirtualDiskInfo('C:\\vm\\info.vhdx', { windowsBuild: NEWEST });
      expect(info).to.deep.equal({
        path: 'C:\\vm\\info.vhdx', storageType: 'vhdx', subtype: 'dynamic', virtualSize: 64 * 2 ** 20, physicalSize: 4 * 2 ** 20,
        blockSize: 32 * 2 ** 20, logicalSectorSize: 512, physicalSectorSize: 4096,
        identifier: '33221100-5544-7766-8899-aabbccddeeff', virtualDiskId: 'ccddeeff-aabb-8899-7766-554433221100',
        smallestSafeVirtualSize: 16 * 2 ** 20, fragmentationPercentage: 7, is4kAligned: true, isLoaded: false,
      });
      expect(JSON.parse(JSON.stringify(info))).to.deep.equal(info);
      const open = fake.fn.OpenVirtualDisk!.firstCall.args;
      expect(open[4]).to.deep.include({ Version: 2 });
      expect((open[4] as any).u.Version2.GetInfoOnly).to.equal(1);
      expect(fake.openHandles.size).to.equal(0);
    });

    it('follows the size protocol for the parent location, and reads a differencing disk\'s parent', async () => {
      fake.info.set(7, Buffer.from([4, 0, 0, 0]));
      const location = Buffer.concat([Buffer.from([1, 0, 0, 0]), Buffer.from('D:\\base.vhdx\0', 'utf16le')]);
      fake.info.set(3, location);
      fake.info.set(4, Buffer.from('00112233445566778899aabbccddeeff', 'hex'));
      fake.info.set(5, Buffer.from([0x10, 0, 0, 0]));
      const info = await getVirtualDiskInfo('C:\\vm\\child.avhdx', { windowsBuild: NEWEST });
      expect(info.parent).to.deep.equal({ paths: ['D:\\base.vhdx'], resolved: true, identifier: '33221100-5544-7766-8899-aabbccddeeff', timestamp: 16 });
      const sizes = fake.fn.GetVirtualDiskInformation!.getCalls().filter((call) => (call.args[2] as Buffer).readUInt32LE(0) === 3).map((call) => (call.args[2] as Buffer).length);
      expect(sizes[0]).to.equal(32);
      expect(sizes[1]).to.equal(8 + location.length);
    });

    it('an unresolved parent lists every path Windows tried', async () => {
      fake.info.set(7, Buffer.from([4, 0, 0, 0]));
      fake.info.set(3, Buffer.concat([Buffer.from([0, 0, 0, 0]), Buffer.from('D:\\a.vhdx\0E:\\a.vhdx\0\0', 'utf16le')]));
      const info = await getVirtualDiskInfo('C:\\vm\\child.vhdx', { windowsBuild: NEWEST });
      expect(info.parent).to.deep.include({ paths: ['D:\\a.vhdx', 'E:\\a.vhdx'], resolved: false });
    });

    it('any other refusal is an error; versions the build lacks are not asked', async () => {
      fake.info.set(2, 5);
      expect(await rejection(getVirtualDiskInfo('C:\\vm\\x.vhdx', { windowsBuild: NEWEST }))).to.include({ code: 'ERROR_ACCESS_DENIED', syscall: 'GetVirtualDiskInformation' });
      fake.info.delete(2);
      fake.fn.GetVirtualDiskInformation!.resetHistory();
      const old = await getVirtualDiskInfo('C:\\vm\\x.vhdx', { windowsBuild: 7601 });
      const asked = fake.fn.GetVirtualDiskInformation!.getCalls().map((call) => (call.args[2] as Buffer).readUInt32LE(0));
      expect(Math.max(...asked)).to.be.at.most(7);
      expect(old).not.to.have.property('smallestSafeVirtualSize');
    });
  });

  describe('resize, compact, merge, set information', () => {
    it('resize: NewSize at 8 and the flags by name; resize(0, { toSmallestSafeSize })', async () => {
      const disk = await openVirtualDisk('C:\\vm\\r.vhdx', { windowsBuild: NEWEST });
      await disk.resize(20n * GiB);
      await disk.resize(0, { toSmallestSafeSize: true });
      await disk.resize(1n * GiB, { allowUnsafeVirtualSize: true });
      const calls = fake.operations.filter((operation) => operation.fn === 'ResizeVirtualDisk');
      expect(calls.map((operation) => [operation.flags, operation.parameters!.readUInt32LE(0), operation.parameters!.readBigUInt64LE(8)])).to.deep.equal([
        [0, 1, 20n * GiB], [sdk.RESIZE_VIRTUAL_DISK_FLAG_RESIZE_TO_SMALLEST_SAFE_VIRTUAL_SIZE, 1, 0n], [sdk.RESIZE_VIRTUAL_DISK_FLAG_ALLOW_UNSAFE_VIRTUAL_SIZE, 1, GiB],
      ]);
      for (const [size, options] of [[0, {}], [GiB, { toSmallestSafeSize: true }], [GiB + 1n, {}], [-1, {}], ['1', {}]] as const) {
        expect(await rejection(disk.resize(size as never, options))).to.have.property('code').that.matches(/^ERR_INVALID_ARG_/);
      }
      await disk.close();
    });

    it('refuses what the handle cannot do before Windows: ISO, read-only, attached, old builds', async () => {
      const iso = await openVirtualDisk('C:\\vm\\a.iso', { windowsBuild: NEWEST });
      expect(await rejection(iso.compact())).to.be.instanceOf(PreconditionError).with.property('code', 'ERR_HANDLE_ACCESS');
      await iso.close();
      const readOnly = await openVirtualDisk('C:\\vm\\ro.vhdx', { readOnly: true, windowsBuild: NEWEST });
      expect(await rejection(readOnly.resize(GiB))).to.have.property('code', 'ERR_HANDLE_ACCESS');
      await readOnly.close();
      const attached = await openVirtualDisk('C:\\vm\\at.vhdx', { windowsBuild: NEWEST });
      await attached.attach();
      expect(await rejection(attached.resize(GiB))).to.have.property('code', 'ERR_ATTACHED');
      expect(await rejection(attached.compact())).to.have.property('code', 'ERR_ATTACHED');
      expect(await rejection(attached.setIdentifier())).to.have.property('code', 'ERR_ATTACHED');
      await attached.detach();
      await attached.attach({ readOnly: true });
      await attached.compact(); // file-system-aware compaction of a read-only attach
      await attached.close();
      const old = await openVirtualDisk('C:\\vm\\old.vhdx', { windowsBuild: 7601 });
      expect(await rejection(old.resize(GiB))).to.be.instanceOf(InvalidParameterError).with.property('errno', 87);
      expect(await rejection(old.merge())).to.be.instanceOf(InvalidParameterError);
      await old.close();
      expect(nativeCalls(fake).filter((name) => /Resize|Merge|SetVirtual/.test(name))).to.deep.equal([]);
    });

    it('compact: the two flags by name, version 1 parameters; compactVirtualDisk opens, compacts and closes', async () => {
      await compactVirtualDisk('C:\\wsl\\ext4.vhdx', { noZeroScan: true, noBlockMoves: true, windowsBuild: NEWEST });
      const [operation] = fake.operations;
      expect(operation!.flags).to.equal(sdk.COMPACT_VIRTUAL_DISK_FLAG_NO_ZERO_SCAN | sdk.COMPACT_VIRTUAL_DISK_FLAG_NO_BLOCK_MOVES);
      expect([operation!.parameters!.readUInt32LE(0), operation!.parameters!.readUInt32LE(4)]).to.deep.equal([1, 0]);
      expect(nativeCalls(fake)).to.include.members(['OpenVirtualDisk', 'CompactVirtualDisk', 'CloseHandle']);
      expect(fake.openHandles.size).to.equal(0);
    });

    it('merge: version 2 depths (default: leaf 1 into 2), depth n, or sourceDepth/targetDepth', async () => {
      const disk = await openVirtualDisk('C:\\vm\\child.avhdx', { windowsBuild: NEWEST });
      await disk.merge();
      await disk.merge({ depth: 3 });
      await disk.merge({ sourceDepth: 2, targetDepth: 3 });
      const depths = fake.operations.map((operation) => [operation.parameters!.readUInt32LE(0), operation.parameters!.readUInt32LE(4), operation.parameters!.readUInt32LE(8)]);
      expect(depths).to.deep.equal([[2, 1, 2], [2, 1, 4], [2, 2, 3]]);
      expect(await rejection(disk.merge({ depth: 1, targetDepth: 2 }))).to.have.property('code', 'ERR_CONFLICTING_OPTIONS');
      expect(await rejection(disk.merge({ sourceDepth: 2, targetDepth: 2 }))).to.have.property('code', 'ERR_INVALID_ARG_VALUE');
      await disk.close();
    });

    it('setParentPath, setIdentifier, setPhysicalSectorSize send the SET_VIRTUAL_DISK_INFO version and member', async () => {
      const disk = await openVirtualDisk('C:\\vm\\child.vhdx', { windowsBuild: NEWEST });
      await disk.setParentPath('D:\\moved\\base.vhdx');
      await disk.setIdentifier('{2C3E4F5A-0B1C-4D2E-8F90-A1B2C3D4E5F6}');
      await disk.setIdentifier();
      await disk.setPhysicalSectorSize(4096);
      const values = fake.fn.SetVirtualDiskInformation!.getCalls().map((call) => call.args[1] as { Version: number; u: Record<string, unknown> });
      expect(values[0]).to.deep.equal({ Version: 1, u: { ParentFilePath: 'D:\\moved\\base.vhdx' } });
      expect(values[1]).to.deep.equal({ Version: 2, u: { UniqueIdentifier: { Data1: 0x2c3e4f5a, Data2: 0x0b1c, Data3: 0x4d2e, Data4: [0x8f, 0x90, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6] } } });
      expect(values[2]!.Version).to.equal(2);
      expect(values[2]!.u.UniqueIdentifier).not.to.deep.equal(values[1]!.u.UniqueIdentifier);
      expect(values[3]).to.deep.equal({ Version: 4, u: { VhdPhysicalSectorSize: 4096 } });
      expect(await rejection(disk.setPhysicalSectorSize(1024 as never))).to.have.property('code', 'ERR_INVALID_ARG_VALUE');
      await disk.close();
      const vhd = await openVirtualDisk('C:\\vm\\old.vhd', { windowsBuild: NEWEST });
      expect(await rejection(vhd.setPhysicalSectorSize(4096))).to.have.property('code', 'ERR_UNSUPPORTED_STORAGE_TYPE');
      await vhd.close();
    });
  });
});
