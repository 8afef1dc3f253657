// listAttachedVirtualDisks() and findVirtualDisk(): GetAllAttachedVirtualDiskPhysicalPaths read both ways
// (image paths, device paths), GetStorageDependencyInformation's buffer protocol, and matching by identity.
import { expect } from 'chai';
import { findVirtualDisk, listAttachedVirtualDisks, VirtualDiskError } from '../../lib/index.ts';
import {
  DEPENDENT_DISK_FLAG_PARENT, DEPENDENT_DISK_FLAG_PERMANENT_LIFETIME, DEPENDENT_DISK_FLAG_READ_ONLY, FILE_DEVICE_CD_ROM,
  GET_STORAGE_DEPENDENCY_FLAG_DISK_HANDLE, GET_STORAGE_DEPENDENCY_FLAG_HOST_VOLUMES, VIRTUAL_DISK_ACCESS_GET_INFO,
} from '../../types/constants.ts';
import { addDisk, volumeName, type FakeDependencyEntry } from '../helpers/fake-devices.ts';
import { installFakeWindows, type FakeWindows } from '../helpers/fake-windows.ts';

async function rejection(promise: Promise<unknown>): Promise<VirtualDiskError> {
  return promise.then(() => { throw new Error('expected a rejection'); }, (error: VirtualDiskError) => error);
}

const HOST = volumeName(0xd);
const BASE_HOST = volumeName(0xb);

function entry(level: number, relative: string, flags = 0, host = HOST): FakeDependencyEntry {
  return { flags, deviceId: 3, ancestorLevel: level, device: '\\\\.\\PhysicalDrive3', host, dependent: '', relative };
}

describe('listAttachedVirtualDisks() and findVirtualDisk()', () => {
  let fake: FakeWindows;
  beforeEach(() => {
    fake = installFakeWindows();
    // the volumes holding the image files: D:\ has a letter, the other none
    fake.devices.volumes.push({ name: HOST, device: { type: 7, number: 0, partition: 1 }, mountPoints: ['D:\\'] });
    fake.devices.volumes.push({ name: BASE_HOST, device: { type: 7, number: 0, partition: 2 }, mountPoints: [] });
  });
  afterEach(() => fake.restore());

  it('nothing attached: an empty list, whichever way Windows says it', async () => {
    expect(await listAttachedVirtualDisks()).to.deep.equal([]);
    expect(fake.fn.GetAllAttachedVirtualDiskPhysicalPaths!.getCalls().map((call) => (call.args[1] as Buffer | null)?.length ?? null))
      .to.deep.equal([null, 4]);
    fake.fn.GetAllAttachedVirtualDiskPhysicalPaths!.resetHistory();
    fake.fn.GetAllAttachedVirtualDiskPhysicalPaths!.returns(0); // success at once, no buffer
    expect(await listAttachedVirtualDisks()).to.deep.equal([]);
    expect(fake.fn.GetAllAttachedVirtualDiskPhysicalPaths!.callCount).to.equal(1);
  });

  it('GetAllAttachedVirtualDiskPhysicalPaths: no buffer first, then the size it asks for, again while the list grows', async () => {
    fake.devices.attachedList = ['C:\\images\\a.vhdx'];
    const stub = fake.fn.GetAllAttachedVirtualDiskPhysicalPaths!;
    const seen: Array<[number, number | null]> = [];
    let call = 0;
    const real = (size: [number], buffer: Buffer | null) => {
      const text = `${fake.devices.attachedList.map((e) => `${e}\0`).join('')}\0`;
      if (size[0] < 2 * text.length) { size[0] = 2 * text.length; return 122; }
      buffer!.write(text, 'utf16le');
      size[0] = 2 * text.length;
      return 0;
    };
    stub.callsFake((size: [number], buffer: Buffer | null) => {
      seen.push([size[0], buffer?.length ?? null]);
      if (++call === 2) fake.devices.attachedList.push('C:\\images\\b-attached-meanwhile.vhdx');
      return real(size, buffer);
    });
    addDisk(fake.devices, 3, []);
    const list = await listAttachedVirtualDisks();
    expect(list.map((disk) => disk.path)).to.deep.equal(['C:\\images\\a.vhdx', 'C:\\images\\b-attached-meanwhile.vhdx']);
    const first = 2 * ('C:\\images\\a.vhdx'.length + 2);
    const grown = first + 2 * ('C:\\images\\b-attached-meanwhile.vhdx'.length + 1);
    expect(seen).to.deep.equal([[0, null], [first, first], [grown, grown]]);
  });

  it('image paths (what Microsoft\'s sample reads): each disk from GetVirtualDiskPhysicalPath, flags from the dependency information', async () => {
    const [e] = addDisk(fake.devices, 3, [['E:\\']]);
    fake.devices.disks.set('\\\\.\\cdrom1', { type: FILE_DEVICE_CD_ROM, number: 1 });
    const cd = { name: volumeName(0xcd), device: { type: FILE_DEVICE_CD_ROM, number: 1, partition: 0xffffffff }, mountPoints: ['G:\\'] };
    fake.devices.volumes.push(cd);
    fake.devices.attachedList = ['C:\\images\\a.vhdx', 'C:\\iso\\win.iso'];
    fake.devices.physicalPaths.set('c:\\iso\\win.iso', '\\\\.\\CDROM1');
    fake.devices.dependencies.set('\\\\.\\physicaldrive3', [entry(1, 'images\\a.vhdx', DEPENDENT_DISK_FLAG_READ_ONLY | DEPENDENT_DISK_FLAG_PERMANENT_LIFETIME)]);
    const list = await listAttachedVirtualDisks();
    expect(list).to.deep.equal([
      { path: 'C:\\images\\a.vhdx', storageType: 'vhdx', physicalPath: '\\\\.\\PhysicalDrive3', diskNumber: 3, readOnly: true, permanent: true,
        volumes: [{ name: e!.name, mountPoints: ['E:\\'], diskNumber: 3, partitionNumber: 1 }] },
      { path: 'C:\\iso\\win.iso', storageType: 'iso', physicalPath: '\\\\.\\CDROM1', diskNumber: 1,
        volumes: [{ name: cd.name, mountPoints: ['G:\\'], diskNumber: 1 }] },
    ]);
    // opened only to read information: VHDX with version 2 GetInfoOnly, ISO with version 1 GET_INFO; all closed again
    const opens = fake.fn.OpenVirtualDisk!.getCalls().map((c) => [c.args[1], c.args[2], c.args[4].Version, c.args[4].u.Version2?.GetInfoOnly]);
    expect(opens).to.deep.equal([['C:\\images\\a.vhdx', 0, 2, 1], ['C:\\iso\\win.iso', VIRTUAL_DISK_ACCESS_GET_INFO, 1, undefined]]);
    expect(fake.openHandles.size).to.equal(0);
    expect(fake.devices.openSearches.size).to.equal(0);
  });

  it('GetStorageDependencyInformation: Version written before each call, DISK_HANDLE kept on the retry, sized from SizeUsed', async () => {
    addDisk(fake.devices, 3, []);
    fake.devices.attachedList = ['\\\\.\\PhysicalDrive3'];
    fake.devices.dependencies.set('\\\\.\\physicaldrive3', [entry(1, 'images\\a.vhdx')]);
    await listAttachedVirtualDisks();
    const calls = fake.devices.dependencyCalls;
    const flags = GET_STORAGE_DEPENDENCY_FLAG_HOST_VOLUMES | GET_STORAGE_DEPENDENCY_FLAG_DISK_HANDLE;
    const needed = 8 + 64 + 2 * ('\\\\.\\PhysicalDrive3'.length + HOST.length + 'images\\a.vhdx'.length + 4);
    expect(calls).to.deep.equal([{ flags, size: 72, version: 2 }, { flags, size: needed, version: 2 }]);
  });

  it('device paths (what the function\'s name says): each image from the dependency information, its chain in order', async () => {
    const [e] = addDisk(fake.devices, 3, [['E:\\']]);
    fake.devices.attachedList = ['\\\\.\\PhysicalDrive3'];
    // the parent first: entries are ordered by AncestorLevel, not by Windows' order
    fake.devices.dependencies.set('\\\\.\\physicaldrive3', [
      entry(2, 'base\\base.vhdx', DEPENDENT_DISK_FLAG_PARENT | DEPENDENT_DISK_FLAG_READ_ONLY, BASE_HOST),
      entry(1, '\\images\\child.avhdx'),
    ]);
    expect(await listAttachedVirtualDisks()).to.deep.equal([{
      path: 'D:\\images\\child.avhdx', storageType: 'vhdx', physicalPath: '\\\\.\\PhysicalDrive3', diskNumber: 3, readOnly: false, permanent: false,
      volumes: [{ name: e!.name, mountPoints: ['E:\\'], diskNumber: 3, partitionNumber: 1 }],
    }]);
    const found = await findVirtualDisk(3);
    expect(found?.backingFiles).to.deep.equal(['D:\\images\\child.avhdx', `${BASE_HOST}base\\base.vhdx`]);
    expect(fake.fn.OpenVirtualDisk!.called).to.equal(false);
    expect(fake.openHandles.size).to.equal(0);
  });

  it('findVirtualDisk: by physical path, by disk number, by any spelling of the image; undefined when nothing matches', async () => {
    addDisk(fake.devices, 3, [['E:\\']]);
    fake.devices.attachedList = ['C:\\images\\a.vhdx', 'C:\\images\\b.vhdx'];
    fake.devices.physicalPaths.set('c:\\images\\b.vhdx', '\\\\.\\PhysicalDrive4');
    addDisk(fake.devices, 4, [['F:\\']]);
    for (const target of ['\\\\.\\PhysicalDrive4', '\\\\?\\physicaldrive4', 4, 'c:\\IMAGES\\b.vhdx', '\\\\?\\C:\\images\\b.vhdx', 'C:\\images\\sub\\..\\b.vhdx']) {
      const found = await findVirtualDisk(target);
      expect(found, String(target)).to.include({ path: 'C:\\images\\b.vhdx', physicalPath: '\\\\.\\PhysicalDrive4', diskNumber: 4 });
      expect(found!.backingFiles).to.deep.equal(['C:\\images\\b.vhdx']);
      expect(found!.volumes.map((volume) => volume.mountPoints)).to.deep.equal([['F:\\']]);
    }
    for (const target of [5, '\\\\.\\CDROM4', 'C:\\images\\c.vhdx']) expect(await findVirtualDisk(target), String(target)).to.equal(undefined);
    // by image path only the matching entry is opened
    fake.fn.OpenVirtualDisk!.resetHistory();
    await findVirtualDisk('C:\\images\\b.vhdx');
    expect(fake.fn.OpenVirtualDisk!.getCalls().map((c) => c.args[1])).to.deep.equal(['C:\\images\\b.vhdx']);
  });

  it('findVirtualDisk refuses what is neither a physical path, a disk number nor a path', async () => {
    for (const target of [-1, 1.5, '', 'a\0b', {}, null]) {
      const error = await rejection(findVirtualDisk(target as never));
      expect(error.code, String(target)).to.match(/^ERR_INVALID_ARG_(TYPE|VALUE)$/);
    }
    expect(fake.fn.GetAllAttachedVirtualDiskPhysicalPaths!.called).to.equal(false);
  });

  it('an image detached between the list and its look-up is left out', async () => {
    addDisk(fake.devices, 3, []);
    fake.devices.attachedList = ['C:\\images\\gone.vhdx', 'C:\\images\\a.vhdx'];
    fake.fn.GetVirtualDiskPhysicalPath!.onFirstCall().returns(55); // ERROR_DEV_NOT_EXIST: not attached (any more)
    expect((await listAttachedVirtualDisks()).map((disk) => disk.path)).to.deep.equal(['C:\\images\\a.vhdx']);
  });

  it('Windows\' own failures reject with their code', async () => {
    fake.fn.GetAllAttachedVirtualDiskPhysicalPaths!.returns(5);
    expect(await rejection(listAttachedVirtualDisks())).to.include({ code: 'ERROR_ACCESS_DENIED', syscall: 'GetAllAttachedVirtualDiskPhysicalPaths' });
    fake.fn.GetAllAttachedVirtualDiskPhysicalPaths!.callsFake((size: [number], buffer: Buffer | null) => {
      const text = '\\\\.\\PhysicalDrive3\0\0';
      if (size[0] < 2 * text.length) { size[0] = 2 * text.length; return 122; }
      buffer!.write(text, 'utf16le');
      return 0;
    });
    addDisk(fake.devices, 3, []);
    // a device path whose dependency information Windows refuses: the image cannot be named
    expect(await rejection(listAttachedVirtualDisks())).to.include({ code: 'ERROR_VIRTDISK_NOT_VIRTUAL_DISK', syscall: 'GetStorageDependencyInformation' });
    expect(fake.openHandles.size).to.equal(0);
    expect(await rejection(listAttachedVirtualDisks({ wait: 5 } as never))).to.include({ code: 'ERR_INVALID_ARG_VALUE', parameter: 'wait' });
  });
});
