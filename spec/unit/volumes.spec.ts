// disk.getVolumes(): the protocols of the disk → volumes → mount points mapping, on the stand-in's kernel32
// (spec/helpers/fake-devices.ts): volume enumeration, device numbers, the extents fallback, CD-ROM matching,
// MULTI_SZ and its ERROR_MORE_DATA retry, and waiting for volumes without blocking anything.
import { expect } from 'chai';
import { attachVirtualDisk, openVirtualDisk, VirtualDiskError } from '../../lib/index.ts';
import { readMultiSz, writeMultiSz } from '../../lib/multi-sz.ts';
import {
  DEPENDENT_DISK_FLAG_NO_DRIVE_LETTER, FILE_DEVICE_CD_ROM, FILE_DEVICE_DISK, IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS,
} from '../../types/constants.ts';
import { addDisk, volumeName } from '../helpers/fake-devices.ts';
import { installFakeWindows, nativeCalls, type FakeWindows } from '../helpers/fake-windows.ts';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(() => { throw new Error('expected a rejection'); }, (error: Error) => error);
}

describe('MULTI_SZ', () => {
  it('reads each string up to the empty one', () => {
    expect(readMultiSz(writeMultiSz(['E:\\', 'C:\\mnt\\data\\']), 1000)).to.deep.equal(['E:\\', 'C:\\mnt\\data\\']);
    expect(readMultiSz(writeMultiSz([]), 1000)).to.deep.equal([]);
    expect(readMultiSz(Buffer.from('\0\0', 'utf16le'), 4)).to.deep.equal([]);
  });

  it('never reads past the byte count it is given, even without the closing NUL', () => {
    const bytes = writeMultiSz(['E:\\', 'F:\\']);
    expect(readMultiSz(bytes, 8)).to.deep.equal(['E:\\']);
    expect(readMultiSz(bytes, 12)).to.deep.equal(['E:\\', 'F:']);
    expect(readMultiSz(bytes, 7)).to.deep.equal(['E:\\']); // an odd count is cut to whole characters
  });
});

describe('disk.getVolumes()', () => {
  let fake: FakeWindows;
  beforeEach(() => { fake = installFakeWindows(); });
  afterEach(() => fake.restore());

  /** The fake attaches every image as \\.\PhysicalDrive3. */
  async function attachedDisk(options: Parameters<typeof attachVirtualDisk>[1] = {}) {
    return attachVirtualDisk('C:\\images\\data.vhdx', options);
  }

  it('finds the disk\'s volumes, sorted by partition, and no other disk\'s; every handle is closed again', async () => {
    addDisk(fake.devices, 0, [['C:\\']]);
    const [e, hidden] = addDisk(fake.devices, 3, [['E:\\'], []]);
    addDisk(fake.devices, 4, [['F:\\']]);
    fake.devices.volumes.reverse(); // FindFirstVolumeW promises no order
    const disk = await attachedDisk();
    const volumes = await disk.getVolumes();
    expect(volumes).to.deep.equal([
      { name: e!.name, mountPoints: ['E:\\'], diskNumber: 3, partitionNumber: 1 },
      { name: hidden!.name, mountPoints: [], diskNumber: 3, partitionNumber: 2 },
    ]);
    expect(fake.fn.FindVolumeClose!.callCount).to.equal(1);
    expect(fake.devices.openSearches.size).to.equal(0);
    expect(fake.devices.openDevices.size).to.equal(0);
    // each volume is opened by its name without the trailing backslash: with it, the name is its root folder
    const opened = fake.fn.CreateFileW!.getCalls().map((call) => call.args[0] as string);
    expect(opened).to.include(e!.name.slice(0, -1));
    expect(opened.every((name) => !name.endsWith('\\'))).to.equal(true);
    await disk.close();
  });

  it('an ISO\'s volume matches by device type: CD-ROM 3 is not disk 3', async () => {
    addDisk(fake.devices, 3, [['E:\\']]);
    fake.devices.disks.set('\\\\.\\cdrom3', { type: FILE_DEVICE_CD_ROM, number: 3 });
    const cd = { name: volumeName(0x999), device: { type: FILE_DEVICE_CD_ROM, number: 3, partition: 0xffffffff }, mountPoints: ['G:\\'] };
    fake.devices.volumes.push(cd);
    fake.devices.physicalPaths.set('c:\\images\\win.iso', '\\\\.\\CDROM3');
    const iso = await attachVirtualDisk('C:\\images\\win.iso');
    expect(await iso.getPhysicalPath()).to.equal('\\\\.\\CDROM3');
    expect(await iso.getVolumes()).to.deep.equal([{ name: cd.name, mountPoints: ['G:\\'], diskNumber: 3 }]);
    const vhdx = await attachedDisk();
    expect((await vhdx.getVolumes()).map((volume) => volume.mountPoints)).to.deep.equal([['E:\\']]);
    await iso.close();
    await vhdx.close();
  });

  it('the disk number comes from IOCTL_STORAGE_GET_DEVICE_NUMBER on the physical path, not from its name', async () => {
    // \\.\PhysicalDrive3 that the device itself says is disk 7
    fake.devices.disks.set('\\\\.\\physicaldrive3', { type: FILE_DEVICE_DISK, number: 7 });
    fake.devices.volumes.push({ name: volumeName(0x70), device: { type: FILE_DEVICE_DISK, number: 7, partition: 1 }, mountPoints: ['H:\\'] });
    fake.devices.volumes.push({ name: volumeName(0x30), device: { type: FILE_DEVICE_DISK, number: 3, partition: 1 }, mountPoints: ['E:\\'] });
    const disk = await attachedDisk();
    expect((await disk.getVolumes()).map((volume) => [volume.diskNumber, volume.mountPoints[0]])).to.deep.equal([[7, 'H:\\']]);
    await disk.close();
  });

  it('when the disk device cannot be opened, its name gives the number', async () => {
    addDisk(fake.devices, 3, [['E:\\']]);
    fake.devices.disks.delete('\\\\.\\physicaldrive3');
    const disk = await attachedDisk();
    expect((await disk.getVolumes()).map((volume) => volume.mountPoints[0])).to.deep.equal(['E:\\']);
    await disk.close();
  });

  it('mount points: MULTI_SZ, asked again with the size ERROR_MORE_DATA reports', async () => {
    const folders = Array.from({ length: 12 }, (_, i) => `C:\\mounts\\a-rather-long-folder-name-number-${i}\\`);
    const [volume] = addDisk(fake.devices, 3, [['E:\\', ...folders]]);
    const disk = await attachedDisk();
    const [found] = await disk.getVolumes();
    expect(found!.mountPoints).to.deep.equal(['E:\\', ...folders]);
    const calls = fake.fn.GetVolumePathNamesForVolumeNameW!.getCalls();
    const needed = 4 + folders.reduce((sum, folder) => sum + folder.length + 1, 0) + 1;
    expect(calls.map((call) => [call.args[0], call.args[2]])).to.deep.equal([[volume!.name, 262], [volume!.name, needed]]);
    // ERROR_MORE_DATA is told by lpcchReturnLength alone: no last error needed, no call made twice
    const order = nativeCalls(fake);
    expect(order.filter((name, i) => name === 'GetLastError' && order[i - 1] === 'GetVolumePathNamesForVolumeNameW')).to.deep.equal([]);
    await disk.close();
  });

  it('mount points: an unexpected failure is asked once more on this thread for its code; a volume gone meanwhile has none', async () => {
    const [volume] = addDisk(fake.devices, 3, [['E:\\']]);
    const disk = await attachedDisk();
    fake.fn.GetVolumePathNamesForVolumeNameW!.callsFake(() => { fake.lastError = 5; return 0; });
    const error = await rejection(disk.getVolumes());
    expect(error).to.include({ code: 'ERROR_ACCESS_DENIED', syscall: 'GetVolumePathNamesForVolumeNameW', path: volume!.name });
    const order = nativeCalls(fake);
    expect(fake.fn.GetVolumePathNamesForVolumeNameW!.callCount).to.equal(2);
    expect(order[order.lastIndexOf('GetVolumePathNamesForVolumeNameW') + 1]).to.equal('GetLastError');
    fake.fn.GetVolumePathNamesForVolumeNameW!.callsFake(() => { fake.lastError = 2; return 0; });
    expect((await disk.getVolumes())[0]!.mountPoints).to.deep.equal([]);
    expect(fake.devices.openSearches.size).to.equal(0);
    await disk.close();
  });

  it('a volume spanning disks (no device number) is found by its extents, on each of its disks, without a partition', async () => {
    addDisk(fake.devices, 3, [['E:\\']]);
    const spanning = { name: volumeName(0x555), device: undefined, extents: [4, 3], mountPoints: ['S:\\'] };
    const elsewhere = { name: volumeName(0x556), device: undefined, extents: [5], mountPoints: ['T:\\'] };
    fake.devices.volumes.push(spanning, elsewhere);
    const disk = await attachedDisk();
    expect(await disk.getVolumes()).to.deep.include({ name: spanning.name, mountPoints: ['S:\\'], diskNumber: 3 });
    expect((await disk.getVolumes()).map((volume) => volume.name)).not.to.include(elsewhere.name);
    // two extents do not fit the first 32-byte VOLUME_DISK_EXTENTS: asked again with 8 + 24·2 bytes (per volume handle)
    const byHandle = new Map<bigint, number[]>();
    for (const call of fake.fn.DeviceIoControl!.getCalls().filter((c) => c.args[1] === IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS).slice(0, 3)) {
      byHandle.set(call.args[0] as bigint, [...byHandle.get(call.args[0] as bigint) ?? [], call.args[5] as number]);
    }
    expect([...byHandle.values()].map((sizes) => sizes.join(',')).sort()).to.deep.equal(['32', '32,56']);
    await disk.close();
  });

  it('volumes that cannot be opened, or answer neither IOCTL, are left out', async () => {
    const [kept, locked, mute] = addDisk(fake.devices, 3, [['E:\\'], ['F:\\'], ['G:\\']]);
    locked!.unopenable = true;
    mute!.device = undefined;
    const disk = await attachedDisk();
    expect((await disk.getVolumes()).map((volume) => volume.name)).to.deep.equal([kept!.name]);
    expect(fake.devices.openDevices.size).to.equal(0);
    await disk.close();
  });

  it('an enumeration error rejects with its code, and the search handle is closed all the same', async () => {
    addDisk(fake.devices, 3, [['E:\\'], ['F:\\']]);
    fake.fn.FindNextVolumeW!.callsFake(() => { fake.lastError = 21; return 0; });
    const disk = await attachedDisk();
    const error = await rejection(disk.getVolumes());
    expect(error).to.be.instanceOf(VirtualDiskError).and.include({ code: 'ERROR_NOT_READY', syscall: 'FindNextVolumeW' });
    expect(fake.fn.FindNextVolumeW!.callCount).to.equal(2); // on a worker thread, then here for its code
    expect(fake.fn.FindVolumeClose!.callCount).to.equal(1);
    expect(fake.devices.openSearches.size).to.equal(0);
    await disk.close();
  });

  it('without wait it answers at once, possibly [], from one look', async () => {
    const disk = await attachedDisk();
    expect(await disk.getVolumes()).to.deep.equal([]);
    expect(await disk.getVolumes({ wait: 0 })).to.deep.equal([]);
    // each look: FindFirstVolumeW on a worker thread, and once more here for its ERROR_NO_MORE_FILES
    expect(fake.fn.FindFirstVolumeW!.callCount).to.equal(4);
    expect(nativeCalls(fake).filter((name) => name === 'GetLastError')).to.have.length(2);
    await disk.close();
  });

  it('wait: looks again until the volume arrives', async () => {
    const disk = await attachedDisk();
    setTimeout(() => addDisk(fake.devices, 3, [['E:\\']]), 80);
    const started = performance.now();
    const volumes = await disk.getVolumes({ wait: 5000 });
    const took = performance.now() - started;
    expect(volumes.map((volume) => volume.mountPoints)).to.deep.equal([['E:\\']]);
    expect(took).to.be.within(70, 1000);
    expect(fake.fn.FindFirstVolumeW!.callCount).to.be.within(2, 12);
    await disk.close();
  });

  it('wait: a volume without a drive letter yet is waited for, unless the disk was attached with noDriveLetter', async () => {
    const [volume] = addDisk(fake.devices, 3, [[]]);
    const disk = await attachedDisk();
    setTimeout(() => volume!.mountPoints.push('E:\\'), 80);
    expect((await disk.getVolumes({ wait: 5000 }))[0]!.mountPoints).to.deep.equal(['E:\\']);
    await disk.close();

    volume!.mountPoints = [];
    const hidden = await attachedDisk({ noDriveLetter: true });
    const started = performance.now();
    expect((await hidden.getVolumes({ wait: 5000 }))[0]!.mountPoints).to.deep.equal([]);
    expect(performance.now() - started).to.be.below(60);
    await hidden.close();
  });

  it('wait runs out with no volume: ERR_NO_VOLUME, after the wait, naming the usual causes', async () => {
    const disk = await attachedDisk();
    const started = performance.now();
    const error = await rejection(disk.getVolumes({ wait: 300 })) as VirtualDiskError;
    const took = performance.now() - started;
    expect(error).to.be.instanceOf(VirtualDiskError).and.include({ code: 'ERR_NO_VOLUME', path: 'C:\\images\\data.vhdx', physicalPath: '\\\\.\\PhysicalDrive3' });
    expect(took).to.be.within(290, 900);
    expect(error.hint).to.match(/no partition/).and.match(/offline.*SAN policy/).and.match(/mountvol \/E/);
    await disk.close();
  });

  it('wait runs out with volumes but no mount point: the hint names noDriveLetter only when it was not ruled out', async () => {
    addDisk(fake.devices, 3, [[]]);
    // a handle that did not attach the disk, and Windows' dependency information cannot say how it was
    const other = await openVirtualDisk('C:\\images\\data.vhdx');
    const unknown = await rejection(other.getVolumes({ wait: 150 })) as VirtualDiskError;
    expect(unknown.code).to.equal('ERR_NO_VOLUME');
    expect(unknown.message).to.contain(volumeName(0x130));
    expect(unknown.hint).to.match(/noDriveLetter/);
    // this handle attached it without noDriveLetter: that cause is ruled out
    const own = await attachedDisk();
    const known = await rejection(own.getVolumes({ wait: 150 })) as VirtualDiskError;
    expect(known.code).to.equal('ERR_NO_VOLUME');
    expect(known.hint).not.to.match(/noDriveLetter/);
    await own.close();
    await other.close();
  });

  it('a disk another handle attached with noDriveLetter (DEPENDENT_DISK_FLAG_NO_DRIVE_LETTER) answers without a mount point', async () => {
    addDisk(fake.devices, 3, [[]]);
    fake.devices.dependencies.set('\\\\.\\physicaldrive3', [{
      flags: DEPENDENT_DISK_FLAG_NO_DRIVE_LETTER, deviceId: 3, ancestorLevel: 1, device: '\\\\.\\PhysicalDrive3',
      host: volumeName(0x1), dependent: '', relative: 'images\\data.vhdx',
    }]);
    const other = await openVirtualDisk('C:\\images\\data.vhdx');
    const started = performance.now();
    expect(await other.getVolumes({ wait: 5000 })).to.have.length(1);
    expect(performance.now() - started).to.be.below(200);
    await other.close();
  });

  it('the event loop keeps running while it waits, and an abort ends the wait at once', async () => {
    const disk = await attachedDisk();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('enough')), 200);
    const started = performance.now();
    const error = await rejection(disk.getVolumes({ wait: 60_000, signal: controller.signal }));
    clearInterval(timer);
    expect(error.name).to.equal('AbortError');
    expect(performance.now() - started).to.be.within(190, 600);
    expect(ticks).to.be.greaterThan(15);
    await disk.close();
  });

  it('refuses a wait that is not a finite number of ms, 0 or more, and unknown options', async () => {
    const disk = await attachedDisk();
    for (const wait of [-1, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(await rejection(disk.getVolumes({ wait }))).to.include({ code: 'ERR_INVALID_ARG_VALUE', parameter: 'wait' });
    }
    expect(await rejection(disk.getVolumes({ wait: '100' as never }))).to.include({ code: 'ERR_INVALID_ARG_TYPE', parameter: 'wait' });
    expect(await rejection(disk.getVolumes({ timeout: 5 } as never))).to.include({ code: 'ERR_INVALID_ARG_VALUE', parameter: 'timeout' });
    expect(fake.fn.FindFirstVolumeW!.called).to.equal(false);
    await disk.close();
  });
});
