// The mountPoint attach option: refused before attaching when the mount point cannot take the volume;
// after attaching, the one volume mounted with SetVolumeMountPointW, or the disk detached again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import {
  attachVirtualDisk, checkAttach, describeOpenedHandle, checkOpen, openVirtualDisk, PreconditionError, VirtualDiskError,
} from '../../lib/index.ts';
import { normalizeMountPoint } from '../../lib/mount-point-name.ts';
import { ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER } from '../../types/constants.ts';
import { addDisk } from '../helpers/fake-devices.ts';
import { installFakeWindows, nativeCalls, type FakeWindows } from '../helpers/fake-windows.ts';

async function rejection(promise: Promise<unknown>): Promise<VirtualDiskError> {
  return promise.then(() => { throw new Error('expected a rejection'); }, (error: VirtualDiskError) => error);
}

const IMAGE = 'C:\\images\\data.vhdx';
const Z = 1 << 25;

describe('mountPoint: how it is spelled', () => {
  const cases: Array<[string, string | undefined]> = [
    ['z:', 'Z:\\'], ['Z:\\', 'Z:\\'], ['z:/', 'Z:\\'],
    ['C:\\mnt\\data', 'C:\\mnt\\data\\'], ['C:\\mnt\\data\\', 'C:\\mnt\\data\\'], ['C:/mnt/data', 'C:\\mnt\\data\\'],
    ['C:\\mnt\\..\\data', 'C:\\data\\'], ['C:\\', 'C:\\'],
    ['\\\\server\\share\\folder', undefined], ['\\\\?\\C:\\mnt', undefined], ['\\\\.\\Z:', undefined], ['', undefined], ['Z:\0', undefined],
  ];
  for (const [given, normalised] of cases) {
    it(`${JSON.stringify(given)} → ${normalised === undefined ? 'refused' : JSON.stringify(normalised)}`, () => {
      expect(normalizeMountPoint(given)).to.equal(normalised);
    });
  }
});

describe('mountPoint: checked before anything native', () => {
  const opened = checkOpen(IMAGE);
  if (!opened.ok) throw opened.error;
  const handle = describeOpenedHandle(opened.call);

  it('a mountPoint attach is a noDriveLetter attach', () => {
    const verdict = checkAttach(handle, { mountPoint: 'Z:' });
    expect(verdict.ok && (verdict.call.Flags & ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER)).to.equal(ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER);
  });

  it('refuses mountPoint with noDriveLetter: false, and wait without mountPoint', () => {
    const both = checkAttach(handle, { mountPoint: 'Z:', noDriveLetter: false });
    expect(!both.ok && both.error).to.be.instanceOf(PreconditionError).and.include({ code: 'ERR_CONFLICTING_OPTIONS', parameter: 'noDriveLetter' });
    const wait = checkAttach(handle, { wait: 100 });
    expect(!wait.ok && wait.error).to.include({ code: 'ERR_CONFLICTING_OPTIONS', parameter: 'wait' });
  });

  it('refuses mount points that are not a drive letter or a local folder', () => {
    for (const [mountPoint, code] of [[5, 'ERR_INVALID_ARG_TYPE'], ['\\\\server\\share\\x', 'ERR_INVALID_ARG_VALUE'], ['', 'ERR_INVALID_ARG_VALUE']] as const) {
      const verdict = checkAttach(handle, { mountPoint: mountPoint as string });
      expect(!verdict.ok && verdict.error, String(mountPoint)).to.include({ code, parameter: 'mountPoint' });
    }
  });
});

describe('mountPoint: attach', () => {
  let fake: FakeWindows;
  beforeEach(() => { fake = installFakeWindows(); });
  afterEach(() => fake.restore());

  it('a drive letter in use is refused before attaching, and the handle is closed', async () => {
    fake.devices.drivesInUse = Z;
    const error = await rejection(attachVirtualDisk(IMAGE, { mountPoint: 'z:' }));
    expect(error).to.be.instanceOf(PreconditionError).and.include({ code: 'ERR_MOUNT_POINT_IN_USE', parameter: 'mountPoint' });
    expect(error.message).to.contain('Z:');
    expect(fake.fn.AttachVirtualDisk!.called).to.equal(false);
    expect(fake.openHandles.size).to.equal(0);
  });

  it('a folder that does not exist is refused before attaching', async () => {
    const error = await rejection(attachVirtualDisk(IMAGE, { mountPoint: 'C:\\surely\\no\\such\\folder-4b1f' }));
    expect(error).to.include({ code: 'ERR_MOUNT_POINT_NOT_FOUND' });
    expect(fake.fn.AttachVirtualDisk!.called).to.equal(false);
  });

  describe('folders on this machine (Windows only: the paths are Windows paths)', () => {
    let dir: string;
    before(function () {
      if (process.platform !== 'win32') this.skip();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdisk-mount-'));
    });
    after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

    it('a folder that is not empty, or a file, is refused before attaching; an empty folder is mounted', async () => {
      const full = path.join(dir, 'full');
      fs.mkdirSync(full);
      fs.writeFileSync(path.join(full, 'hidden.txt'), 'x');
      expect(await rejection(attachVirtualDisk(IMAGE, { mountPoint: full }))).to.include({ code: 'ERR_MOUNT_POINT_NOT_EMPTY' });
      const file = path.join(dir, 'file');
      fs.writeFileSync(file, 'x');
      expect(await rejection(attachVirtualDisk(IMAGE, { mountPoint: file }))).to.include({ code: 'ERR_MOUNT_POINT_NOT_DIRECTORY' });
      expect(fake.fn.AttachVirtualDisk!.called).to.equal(false);
      const empty = path.join(dir, 'empty');
      fs.mkdirSync(empty);
      const [volume] = addDisk(fake.devices, 3, [[]]);
      const disk = await attachVirtualDisk(IMAGE, { mountPoint: empty });
      expect(fake.devices.mountPointsSet).to.deep.equal([{ mountPoint: `${empty}\\`, volume: volume!.name }]);
      await disk.close();
    });
  });

  it('mounts the disk\'s one volume at the letter: noDriveLetter attach, then SetVolumeMountPointW', async () => {
    const [volume] = addDisk(fake.devices, 3, [[]]);
    const disk = await openVirtualDisk(IMAGE);
    await disk.attach({ mountPoint: 'Z:' });
    expect(fake.fn.AttachVirtualDisk!.firstCall.args[2] & ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER).to.equal(ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER);
    expect(fake.devices.mountPointsSet).to.deep.equal([{ mountPoint: 'Z:\\', volume: volume!.name }]);
    expect(await disk.getVolumes()).to.deep.equal([{ name: volume!.name, mountPoints: ['Z:\\'], diskNumber: 3, partitionNumber: 1 }]);
    expect(disk.attached).to.equal(true);
    // detach takes the mount point away first, so that the letter is free and a folder empty again
    await disk.detach();
    const order = nativeCalls(fake);
    expect(order.lastIndexOf('DeleteVolumeMountPointW')).to.be.lessThan(order.lastIndexOf('DetachVirtualDisk'));
    expect(fake.devices.mountPointsDeleted).to.deep.equal(['Z:\\']);
    await disk.close();
    expect(fake.devices.mountPointsDeleted).to.have.length(1);
  });

  it('close() ends a non-permanent attach, and its mount point first; a permanent attach keeps both', async () => {
    addDisk(fake.devices, 3, [[]]);
    const plain = await attachVirtualDisk(IMAGE, { mountPoint: 'Y:' });
    await plain.close();
    expect(fake.devices.mountPointsDeleted).to.deep.equal(['Y:\\']);
    const permanent = await attachVirtualDisk('C:\\images\\other.vhdx', { mountPoint: 'X:', permanent: true });
    await permanent.close();
    expect(fake.devices.mountPointsDeleted).to.deep.equal(['Y:\\']);
  });

  it('SetVolumeMountPointW fails: the disk is detached again, and the attach rejects with that failure', async () => {
    addDisk(fake.devices, 3, [[]]);
    fake.devices.setMountPointError = 5;
    const disk = await openVirtualDisk(IMAGE);
    const error = await rejection(disk.attach({ mountPoint: 'Z:' }));
    expect(error).to.include({ code: 'ERROR_ACCESS_DENIED', syscall: 'SetVolumeMountPointW', path: 'Z:\\' });
    expect(error.hint).to.match(/elevated/);
    // made on a worker thread, then once more on this one for its last error, read right after it
    const order = nativeCalls(fake);
    expect(fake.fn.SetVolumeMountPointW!.callCount).to.equal(2);
    expect(fake.fn.SetVolumeMountPointW!.firstCall.args).to.deep.equal(['Z:\\', fake.devices.volumes[0]!.name]);
    expect(order[order.lastIndexOf('SetVolumeMountPointW') + 1]).to.equal('GetLastError');
    expect(order.slice(order.indexOf('SetVolumeMountPointW'))).to.include('DetachVirtualDisk');
    expect(fake.fn.DetachVirtualDisk!.callCount).to.equal(1);
    expect(disk.attached).to.equal(false);
    await disk.close();
  });

  it('through attachVirtualDisk: nothing stays attached and no handle stays open', async () => {
    addDisk(fake.devices, 3, [[]]);
    fake.devices.setMountPointError = 145;
    const error = await rejection(attachVirtualDisk(IMAGE, { mountPoint: 'Z:', permanent: true }));
    expect(error).to.include({ code: 'ERROR_DIR_NOT_EMPTY' });
    expect(fake.fn.DetachVirtualDisk!.callCount).to.equal(1);
    expect(fake.openHandles.size).to.equal(0);
  });

  it('a disk with two volumes: ERR_AMBIGUOUS_VOLUME listing them, and detached again', async () => {
    const volumes = addDisk(fake.devices, 3, [[], []]);
    const error = await rejection(attachVirtualDisk(IMAGE, { mountPoint: 'Z:' }));
    expect(error).to.include({ code: 'ERR_AMBIGUOUS_VOLUME', physicalPath: '\\\\.\\PhysicalDrive3' });
    for (const volume of volumes) expect(error.message).to.contain(volume.name);
    expect(fake.fn.SetVolumeMountPointW!.called).to.equal(false);
    expect(fake.fn.DetachVirtualDisk!.callCount).to.equal(1);
  });

  it('a second volume that arrives just after the first is still seen: ERR_AMBIGUOUS_VOLUME', async () => {
    const disk = await openVirtualDisk(IMAGE);
    setTimeout(() => addDisk(fake.devices, 3, [[]], 0x500), 30);
    setTimeout(() => addDisk(fake.devices, 3, [[]], 0x600), 130);
    expect(await rejection(disk.attach({ mountPoint: 'Z:', wait: 2000 }))).to.include({ code: 'ERR_AMBIGUOUS_VOLUME' });
    expect(disk.attached).to.equal(false);
    await disk.close();
  });

  it('no volume within wait: ERR_NO_VOLUME, and detached again', async () => {
    const started = performance.now();
    const error = await rejection(attachVirtualDisk(IMAGE, { mountPoint: 'Z:', wait: 150 }));
    expect(error).to.include({ code: 'ERR_NO_VOLUME' });
    expect(performance.now() - started).to.be.within(140, 800);
    expect(fake.fn.DetachVirtualDisk!.callCount).to.equal(1);
  });

  it('an abort while waiting for the volume rejects with AbortError, and detaches again', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 80);
    const error = await rejection(attachVirtualDisk(IMAGE, { mountPoint: 'Z:', wait: 60_000, signal: controller.signal }));
    expect(error.name).to.equal('AbortError');
    expect(fake.fn.DetachVirtualDisk!.callCount).to.equal(1);
    expect(fake.openHandles.size).to.equal(0);
  });

  it('when detaching again fails too, the error says both, and the disk stays attached', async () => {
    addDisk(fake.devices, 3, [[]]);
    fake.devices.setMountPointError = 5;
    fake.fn.DetachVirtualDisk!.returns(1117);
    const disk = await openVirtualDisk(IMAGE);
    const error = await rejection(disk.attach({ mountPoint: 'Z:' }));
    expect(error).to.include({ code: 'ERROR_ACCESS_DENIED' });
    expect(error.message).to.match(/SetVolumeMountPointW[\s\S]*and detaching 'C:\\images\\data\.vhdx' again failed: DetachVirtualDisk/);
    expect(disk.attached).to.equal(true);
    fake.fn.DetachVirtualDisk!.returns(0);
    await disk.close();
  });

  it("ifAttached: 'reuse' with mountPoint is refused before anything native", async () => {
    const error = await rejection(attachVirtualDisk(IMAGE, { mountPoint: 'Z:', ifAttached: 'reuse' }));
    expect(error).to.include({ code: 'ERR_CONFLICTING_OPTIONS', parameter: 'ifAttached' });
    expect(nativeCalls(fake)).to.deep.equal([]);
  });
});
