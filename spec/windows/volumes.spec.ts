// Volumes, mount points, the attached-disk list and error diagnosis on the Windows ABI, with Wine's real
// kernel32 and rstrtmgr and the simulated virtdisk.dll. Wine's facts (shared/reference/wine-volumes.md): C:
// and Z: are partitions 1 and 2 of disk 0, and IOCTL_STORAGE_GET_DEVICE_NUMBER answers on them; the prefix's
// Y: is a cdrom drive, CD-ROM 0 (spec/windows/setup.sh); SetVolumeMountPointW is a stub answering 120;
// IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS answers 0 extents; the Restart Manager answers "nobody".
// The simulator reports \\.\PhysicalDrive0 or \\.\CDROM0 for an attach when asked (simulator.nextPhysicalPath),
// so that the library's own CreateFileW / DeviceIoControl / FindFirstVolumeW calls find Wine's real volumes.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import koffi from 'koffi';
import {
  attachVirtualDisk, detachVirtualDisk, findVirtualDisk, hintFor, listAttachedVirtualDisks, openVirtualDisk, VirtualDiskError,
} from '../../lib/index.ts';
import { imageIdentity } from '../../lib/image-identity.ts';
import { imageFolder } from './images.ts';
import { processHandleCount } from './process-handles.ts';
import { simulator } from './simulator.ts';

const DISK0 = '\\\\.\\PhysicalDrive0';
const CDROM0 = '\\\\.\\CDROM0';
const ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY = 0x1;
const ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER = 0x2;

// kernel32 as the spec asks it, apart from the library's own declarations.
let k32: { volumeOf(mountPoint: string): string; drives(): number } | undefined;
function kernel32(): NonNullable<typeof k32> {
  if (k32) return k32;
  const dll = koffi.load('kernel32.dll');
  const GetVolumeNameForVolumeMountPointW = dll.func('__stdcall', 'GetVolumeNameForVolumeMountPointW', 'int32', ['str16', 'void *', 'uint32']);
  const GetLogicalDrives = dll.func('__stdcall', 'GetLogicalDrives', 'uint32', []);
  k32 = {
    volumeOf(mountPoint) {
      const buffer = Buffer.alloc(200);
      if (!GetVolumeNameForVolumeMountPointW(mountPoint, buffer, 100)) throw new Error(`no volume at ${mountPoint}`);
      return buffer.toString('utf16le').split('\0')[0]!;
    },
    drives: () => GetLogicalDrives() as number,
  };
  return k32;
}

const freeLetter = () => [...'QPONMLKJIHGFED'].find((l) => !(kernel32().drives() & (1 << (l.charCodeAt(0) - 65))))!;

async function rejection(promise: Promise<unknown>): Promise<VirtualDiskError> {
  return promise.then(() => { throw new Error('expected a rejection'); }, (error: VirtualDiskError) => error);
}

describe('on the Windows ABI: volumes, mount points and the attached-disk list', () => {
  const images = imageFolder();
  beforeEach(() => simulator.reset());
  afterEach(() => simulator.reset());
  after(() => images.remove());

  describe('disk.getVolumes() through real kernel32', () => {
    it('an attach the simulator reports as \\\\.\\PhysicalDrive0 has Wine\'s C:\\ and Z:\\, partitions 1 and 2 of disk 0', async () => {
      simulator.nextPhysicalPath(DISK0);
      const disk = await attachVirtualDisk(images.image('disk0.vhdx'));
      expect(await disk.getPhysicalPath()).to.equal(DISK0);
      const volumes = await disk.getVolumes();
      expect(volumes).to.deep.equal([
        { name: kernel32().volumeOf('C:\\'), mountPoints: ['C:\\'], diskNumber: 0, partitionNumber: 1 },
        { name: kernel32().volumeOf('Z:\\'), mountPoints: ['Z:\\'], diskNumber: 0, partitionNumber: 2 },
      ]);
      await disk.close();
    });

    it('an ISO the simulator reports as \\\\.\\CDROM0 has exactly the cdrom drive\'s volume: CD-ROM 0 is not disk 0', async () => {
      simulator.nextPhysicalPath(CDROM0);
      const iso = await attachVirtualDisk(images.image('cd0.iso'));
      expect(await iso.getVolumes()).to.deep.equal([{ name: kernel32().volumeOf('Y:\\'), mountPoints: ['Y:\\'], diskNumber: 0 }]);
      await iso.close();
    });

    it('wait answers as soon as the volumes have letters; for a disk Wine does not have, ERR_NO_VOLUME after the wait, the loop running', async () => {
      simulator.nextPhysicalPath(DISK0);
      const present = await attachVirtualDisk(images.image('present.vhdx'));
      let started = performance.now();
      expect(await present.getVolumes({ wait: 5000 })).to.have.length(2);
      expect(performance.now() - started).to.be.below(1000);
      await present.close();

      const absent = await attachVirtualDisk(images.image('absent.vhdx')); // \\.\PhysicalDrive2: a RAW fakedisk.sys disk, no volume
      expect(await absent.getPhysicalPath()).to.equal('\\\\.\\PhysicalDrive2');
      expect(await absent.getVolumes()).to.deep.equal([]);
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      started = performance.now();
      const error = await rejection(absent.getVolumes({ wait: 400 }));
      const took = performance.now() - started;
      clearInterval(timer);
      expect(error).to.include({ code: 'ERR_NO_VOLUME', physicalPath: '\\\\.\\PhysicalDrive2' });
      expect(took).to.be.within(390, 3000);
      expect(ticks).to.be.greaterThan(15);
      await absent.close();
    });
  });

  describe('mountPoint', () => {
    it('SetVolumeMountPointW fails (Wine answers 120): the ISO is detached again, nothing stays attached', async () => {
      const letter = freeLetter();
      simulator.nextPhysicalPath(CDROM0);
      const before = processHandleCount();
      const error = await rejection(attachVirtualDisk(images.image('mount.iso'), { mountPoint: `${letter}:` }));
      expect(error).to.include({ code: 'ERROR_CALL_NOT_IMPLEMENTED', errno: 120, syscall: 'SetVolumeMountPointW', path: `${letter}:\\` });
      expect(error.hint).to.match(/stub/);
      const [attach] = simulator.calls('AttachVirtualDisk');
      expect(attach!.flags & (ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY | ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER)).to.equal(0x3);
      expect([0, 997], 'the attach started (ERROR_IO_PENDING with its OVERLAPPED) or was done at once').to.include(attach!.result);
      // the detach that undid it found the disk attached
      expect(simulator.calls('DetachVirtualDisk').map((call) => call.result)).to.deep.equal([0]);
      expect(simulator.state().attached).to.deep.equal([]);
      expect(processHandleCount()).to.equal(before);
    });

    it('an empty folder: the same, and a folder that is not empty is refused before attaching', async () => {
      simulator.nextPhysicalPath(CDROM0);
      const folder = path.join(images.dir, 'mnt');
      fs.mkdirSync(folder);
      expect(await rejection(attachVirtualDisk(images.image('folder.iso'), { mountPoint: folder }))).to.include({ code: 'ERROR_CALL_NOT_IMPLEMENTED' });
      expect(simulator.state().attached).to.deep.equal([]);
      fs.writeFileSync(path.join(folder, 'file.txt'), 'x');
      expect(await rejection(attachVirtualDisk(images.image('folder.iso'), { mountPoint: folder }))).to.include({ code: 'ERR_MOUNT_POINT_NOT_EMPTY' });
      expect(await rejection(attachVirtualDisk(images.image('folder.iso'), { mountPoint: `${folder}-missing` }))).to.include({ code: 'ERR_MOUNT_POINT_NOT_FOUND' });
      expect(simulator.calls('AttachVirtualDisk')).to.have.length(1);
    });

    it('disk 0 has two volumes: ERR_AMBIGUOUS_VOLUME naming both, detached again', async () => {
      simulator.nextPhysicalPath(DISK0);
      const error = await rejection(attachVirtualDisk(images.image('two.vhdx'), { mountPoint: `${freeLetter()}:` }));
      expect(error).to.include({ code: 'ERR_AMBIGUOUS_VOLUME', physicalPath: DISK0 });
      expect(error.message).to.contain(kernel32().volumeOf('C:\\')).and.contain(kernel32().volumeOf('Z:\\'));
      expect(simulator.state().attached).to.deep.equal([]);
    });

    it('a drive letter in use (C:) is refused before attaching', async () => {
      expect(await rejection(attachVirtualDisk(images.image('c.vhdx'), { mountPoint: 'C:' }))).to.include({ code: 'ERR_MOUNT_POINT_IN_USE' });
      expect(simulator.calls('AttachVirtualDisk')).to.deep.equal([]);
    });
  });

  describe('listAttachedVirtualDisks() and findVirtualDisk()', () => {
    it('image paths (the default reading): every attach, its disk, and what the dependency information says', async () => {
      const plainFile = images.image('plain.vhdx');
      const plain = await attachVirtualDisk(plainFile);
      simulator.nextPhysicalPath(DISK0);
      const roFile = images.image('ro.vhdx');
      const ro = await attachVirtualDisk(roFile, { readOnly: true, permanent: true });
      const list = await listAttachedVirtualDisks();
      expect(list.map((disk) => [disk.path.toLowerCase(), disk.storageType, disk.physicalPath, disk.diskNumber])).to.deep.equal([
        [plainFile.toLowerCase(), 'vhdx', '\\\\.\\PhysicalDrive2', 2],
        [roFile.toLowerCase(), 'vhdx', DISK0, 0],
      ]);
      // \\.\PhysicalDrive2 is a fakedisk.sys disk (spec/windows/fakedisk): its dependency information answers
      // (read/write, not permanent); a disk never partitioned has no volumes
      expect(list[0]).to.include({ readOnly: false, permanent: false });
      expect(list[0]!.volumes).to.deep.equal([]);
      expect(list[1]).to.include({ readOnly: true, permanent: true });
      expect(list[1]!.volumes.map((volume) => volume.mountPoints[0])).to.deep.equal(['C:\\', 'Z:\\']);
      // the buffer protocol as the simulator saw it, for each disk: Version 2 written first, DISK_HANDLE kept, sized from SizeUsed
      const calls = simulator.calls('GetStorageDependencyInformation');
      expect(calls).to.have.length(4);
      for (const number of [2, 0]) {
        const mine = calls.filter((call) => call.device?.number === number);
        expect(mine.map((call) => [call.flags, call.versionIn, call.device])).to.deep.equal([[3, 2, { type: 7, number }], [3, 2, { type: 7, number }]]);
        expect(mine[1]!.size).to.equal(mine[0]!.sizeUsed);
        expect(mine.map((call) => call.result)).to.deep.equal([122, 0]);
      }
      await plain.close();
      await ro.close();
      await detachVirtualDisk(roFile);
    });

    it('physical paths (the other reading): each image named by its host volume\'s letter and its path there', async () => {
      simulator.listStyle('physicalPaths');
      simulator.nextPhysicalPath(DISK0);
      const file = images.image('by-device.vhdx');
      const disk = await attachVirtualDisk(file, { noDriveLetter: true });
      simulator.nextPhysicalPath(CDROM0);
      const isoFile = images.image('by-device.iso');
      const iso = await attachVirtualDisk(isoFile);
      const list = await listAttachedVirtualDisks();
      expect(simulator.calls('GetAllAttachedVirtualDiskPhysicalPaths').at(-1)!.style).to.equal('physicalPaths');
      expect(list.map((entry) => [entry.physicalPath, entry.storageType, entry.readOnly, entry.permanent])).to.deep.equal([
        [DISK0, 'vhdx', false, false], [CDROM0, 'iso', true, false],
      ]);
      // the host volume's mount point (not its \\?\Volume{…} name) and the path on it
      expect(list[0]!.path.slice(0, 3).toUpperCase()).to.equal(path.win32.parse(file).root.toUpperCase());
      expect(await imageIdentity(list[0]!.path)).to.equal(await imageIdentity(file));
      expect(await imageIdentity(list[1]!.path)).to.equal(await imageIdentity(isoFile));
      expect(list[1]!.volumes.map((volume) => volume.mountPoints)).to.deep.equal([['Y:\\']]);
      await disk.close();
      await iso.close();
    });

    it('findVirtualDisk: by physical path, disk number and any spelling of the image; its backing files', async () => {
      simulator.nextPhysicalPath(DISK0);
      const file = images.image('find-me.vhdx');
      const disk = await attachVirtualDisk(file);
      for (const target of [DISK0, '\\\\?\\PHYSICALDRIVE0', 0, file.toUpperCase(), `\\\\?\\${file}`]) {
        const found = await findVirtualDisk(target);
        expect(found?.physicalPath, String(target)).to.equal(DISK0);
        expect(found!.backingFiles.map((backing) => backing.toLowerCase())).to.deep.equal([file.toLowerCase()]);
      }
      expect(await findVirtualDisk(7)).to.equal(undefined);
      expect(await findVirtualDisk(images.image('not-attached.vhdx'))).to.equal(undefined);
      await disk.close();
    });
  });

  describe('errors read with Windows\' state', () => {
    it('attaching an image attached already: ALREADY_ATTACHED with its disk; ifAttached: \'reuse\' resolves to it', async () => {
      const file = images.image('twice.vhdx');
      const first = await attachVirtualDisk(file);
      const physicalPath = await first.getPhysicalPath();
      const error = await rejection(attachVirtualDisk(file.toUpperCase()));
      expect(error).to.include({ code: 'ERROR_SHARING_VIOLATION', reason: 'ALREADY_ATTACHED', physicalPath });
      const reused = await attachVirtualDisk(file, { ifAttached: 'reuse' });
      expect(reused.attached).to.equal(false);
      expect(await reused.getPhysicalPath()).to.equal(physicalPath);
      await reused.close();
      expect(simulator.state().attached.map((attach) => attach.physicalPath)).to.deep.equal([physicalPath]);
      await first.close();
      expect(simulator.state().attached).to.deep.equal([]);
    });

    it('a sharing violation on an image that is not attached: Wine\'s Restart Manager names nobody, the hint drops "already attached"', async () => {
      simulator.fail('AttachVirtualDisk', 32);
      const error = await rejection(attachVirtualDisk(images.image('held.vhdx')));
      expect(error).to.include({ code: 'ERROR_SHARING_VIOLATION', errno: 32 });
      expect(error).not.to.have.property('reason');
      expect(error).not.to.have.property('holders');
      expect(error.hint).to.match(/not attached/).and.match(/Restart Manager names no process/).and.not.match(/is already attached/);
    });

    it('when the list cannot be read, the error is Windows\' own, hint and all', async () => {
      simulator.fail('AttachVirtualDisk', 32);
      simulator.fail('GetAllAttachedVirtualDiskPhysicalPaths', 5);
      const error = await rejection(attachVirtualDisk(images.image('unknown.vhdx')));
      expect(error).to.include({ code: 'ERROR_SHARING_VIOLATION', hint: hintFor('AttachVirtualDisk', 'ERROR_SHARING_VIOLATION') });
      expect(simulator.calls('GetAllAttachedVirtualDiskPhysicalPaths').map((call) => [call.fault, call.result])).to.deep.equal([[true, 5]]);
    });

    it('detachVirtualDisk(path, { ifAttached: true }) resolves for an image that is not attached; without it, NOT_ATTACHED', async () => {
      const file = images.image('never.vhdx');
      await detachVirtualDisk(file, { ifAttached: true });
      expect(simulator.calls('DetachVirtualDisk').map((call) => call.result)).to.deep.equal([21]);
      expect(await rejection(detachVirtualDisk(file))).to.include({ code: 'ERROR_NOT_READY', reason: 'NOT_ATTACHED' });
      await detachVirtualDisk(path.join(images.dir, 'deleted-long-ago.vhdx'), { ifAttached: true });
    });
  });

  it('nothing leaks: the process holds as many handles after 20 rounds of every new call as before', async () => {
    simulator.nextPhysicalPath(DISK0);
    const file = images.image('leak.vhdx');
    const disk = await attachVirtualDisk(file);
    const round = async () => {
      await disk.getVolumes({ wait: 100 });
      await listAttachedVirtualDisks();
      await findVirtualDisk(file);
      await rejection(attachVirtualDisk(file)); // ALREADY_ATTACHED: the list, and the Restart Manager
      const unattached = await openVirtualDisk(images.image('leak-unattached.vhdx'));
      await rejection(unattached.getVolumes({ wait: 1 })); // GetVirtualDiskPhysicalPath: not attached
      await unattached.close();
    };
    await round();
    const before = processHandleCount();
    for (let i = 0; i < 20; i++) await round();
    expect(processHandleCount()).to.equal(before);
    await disk.close();
    expect(simulator.state().handles).to.deep.equal([]);
  });
});
