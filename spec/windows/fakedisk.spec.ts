// The attached disk as a device: the simulator adds a fakedisk.sys disk (spec/windows/fakedisk, installed by
// spec/windows/setup.sh) behind the physical path of every attached VHD / VHDX / VHD Set, so that the disk IOCTLs of
// provisioning (CREATE_DISK, SET_DRIVE_LAYOUT_EX, ARE_VOLUMES_READY, the volume by disk number) can be tested under
// Wine. Created with the library's public API; the disk is then driven with raw kernel32 calls (ffi/index.ts) and
// hand-built SDK structures (x64 offsets below).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import koffi from 'koffi';
import { attachVirtualDisk, createVirtualDisk, type VirtualDisk } from '../../lib/index.ts';
import {
  DISK_SIZE, IOCTL_STORAGE_GET_DEVICE_NUMBER, IOCTL_DISK_GET_LENGTH_INFO, IOCTL_DISK_CREATE_DISK, IOCTL_DISK_GET_DRIVE_LAYOUT_EX, IOCTL_DISK_GET_DISK_ATTRIBUTES, IOCTL_DISK_ARE_VOLUMES_READY, FILE_DEVICE_DISK, DISK_ATTRIBUTE_OFFLINE, ERROR_WRITE_PROTECT, PARTITION_STYLE_GPT, BASIC_DATA, PARTITION_OFFSET, PARTITION_LENGTH, guidBytes, DISK_ID, PARTITION_ID, createDiskGpt, k32, open, ioctl, withDevice, fakeDisks, diskNumberOf, volumesOfDisk, partition,
} from './fakedisk-device.ts';
import { imageFolder } from './images.ts';
import { simulator } from './simulator.ts';

const BUILD = 26100;

/** fmifs.dll's FormatEx (the fake one fakedisk installs), synchronous; resolves to its FCC_DONE result. */
function formatEx(root: string, fileSystem: string, label: string): { done: boolean; commands: number[] } {
  const fmifs = koffi.load('fmifs.dll');
  const Callback = koffi.proto('__stdcall', `FmifsCallback${++formats}`, 'uint8', ['uint32', 'uint32', 'void *']);
  const FormatEx = fmifs.func('__stdcall', 'FormatEx', 'void', ['str16', 'uint32', 'str16', 'str16', 'uint8', 'uint32', koffi.pointer(Callback)]);
  const commands: number[] = [];
  let done = false;
  const callback = koffi.register((command: number, _length: number, packet: unknown) => {
    commands.push(command);
    if (command === 11 /* FCC_DONE */) done = koffi.decode(packet, 'uint8') !== 0;
    return 1;
  }, koffi.pointer(Callback));
  try {
    FormatEx(root, 12 /* FixedMedia */, fileSystem, label, 1, 0, callback);
  } finally {
    koffi.unregister(callback);
  }
  return { done, commands };
}
let formats = 0;

describe('on the Windows ABI: the attached disk as a device (fakedisk.sys)', function () {
  this.timeout(60_000);
  const images = imageFolder();
  const used = new Set<number>();
  const disks: VirtualDisk[] = [];

  /** A created (and closed) VHDX of DISK_SIZE, attached through the public API. */
  async function attachNew(name: string, options: Parameters<typeof attachVirtualDisk>[1] = {}): Promise<{ file: string; disk: VirtualDisk; path: string }> {
    const file = path.win32.resolve(images.dir, name);
    await (await createVirtualDisk(file, { size: DISK_SIZE, windowsBuild: BUILD })).close();
    const disk = await attachVirtualDisk(file, { windowsBuild: BUILD, ...options });
    disks.push(disk);
    const physicalPath = await disk.getPhysicalPath();
    used.add(diskNumberOf(physicalPath));
    return { file, disk, path: physicalPath };
  }

  before(function () {
    const { handle, error } = open('\\\\.\\FakeDiskControl');
    if (handle === undefined) {
      throw new Error(`\\\\.\\FakeDiskControl does not open (error ${error}): fakedisk.sys is not running in this prefix (spec/windows/setup.sh installs it)`);
    }
    k32().CloseHandle(handle);
  });
  beforeEach(() => simulator.reset());
  afterEach(async () => {
    for (const disk of disks.splice(0)) await disk.close().catch(() => undefined);
    simulator.reset();
    expect(fakeDisks().filter((d) => used.has(d.diskNumber)), 'no disk of ours is left').to.deep.equal([]);
  });
  after(() => images.remove());

  it('an attached VHDX\'s physical path opens: STORAGE_DEVICE_NUMBER N, its virtual size; gone after detach', async () => {
    const { disk, path } = await attachNew('device.vhdx');
    const n = diskNumberOf(path);
    expect(n).to.be.within(2, 99);
    expect(simulator.state().attached[0]).to.include({ physicalPath: path, fakeDisk: true, fakeDiskError: 0 });
    withDevice(path, (h) => {
      const number = ioctl(h, IOCTL_STORAGE_GET_DEVICE_NUMBER, null, 12);
      expect(number).to.include({ ok: true, bytes: 12 });
      expect([number.out.readUInt32LE(0), number.out.readUInt32LE(4), number.out.readUInt32LE(8)]).to.deep.equal([FILE_DEVICE_DISK, n, 0]);
      const length = ioctl(h, IOCTL_DISK_GET_LENGTH_INFO, null, 8);
      expect(length).to.include({ ok: true, bytes: 8 });
      expect(length.out.readBigUInt64LE(0)).to.equal(BigInt(DISK_SIZE));
    });
    expect(fakeDisks().find((d) => d.diskNumber === n)).to.include({ volumeState: 0, driveLetter: '' });
    await disk.detach();
    expect(open(path).handle, `${path} after detach`).to.equal(undefined);
    expect(fakeDisks().map((d) => d.diskNumber)).to.not.include(n);
  });

  it('disk numbers: the lowest free one from 2, reused after a detach', async () => {
    const a = await attachNew('a.vhdx');
    const b = await attachNew('b.vhdx');
    expect([a.path, b.path]).to.deep.equal(['\\\\.\\PhysicalDrive2', '\\\\.\\PhysicalDrive3']);
    await a.disk.detach();
    const c = await attachNew('c.vhdx');
    expect(c.path).to.equal('\\\\.\\PhysicalDrive2');
    withDevice(c.path, (h) => expect(ioctl(h, IOCTL_STORAGE_GET_DEVICE_NUMBER, null, 12).out.readUInt32LE(4)).to.equal(2));
  });

  it('a GPT layout written with CREATE_DISK + SET_DRIVE_LAYOUT_EX: a volume with a drive letter; detach → re-attach: the same partition and the volume are back', async () => {
    const { file, disk, path } = await attachNew('layout.vhdx');
    const n = diskNumberOf(path);
    partition(path);
    const [volume, ...others] = volumesOfDisk(n);
    expect(others).to.deep.equal([]);
    expect(volume, 'FindFirstVolumeW lists the new volume').to.not.equal(undefined);
    expect(volume!.paths).to.have.length(1);
    expect(volume!.paths[0]).to.match(/^[D-Y]:\\$/);
    const letter = volume!.paths[0]![0]!;
    expect(fakeDisks().find((d) => d.diskNumber === n)).to.include({ driveLetter: letter, volumeState: 2 /* RAW */ });

    await disk.detach();
    expect(volumesOfDisk(n), 'the volume went with the disk').to.deep.equal([]);
    expect(simulator.image(file).diskLayout, 'the layout is kept in the image').to.be.a('string');
    expect(fs.existsSync(`${file}.fakedisk-volume`), 'the volume\'s backing folder, next to the image').to.equal(true);

    const again = await attachVirtualDisk(file, { windowsBuild: BUILD });
    disks.push(again);
    const path2 = await again.getPhysicalPath();
    withDevice(path2, (h) => {
      expect(ioctl(h, IOCTL_DISK_ARE_VOLUMES_READY, null, 0)).to.include({ ok: true });
      const layout = ioctl(h, IOCTL_DISK_GET_DRIVE_LAYOUT_EX, null, 48 + 128 * 144);
      expect(layout).to.include({ ok: true });
      const b = layout.out;
      expect([b.readUInt32LE(0), b.readUInt32LE(4)]).to.deep.equal([PARTITION_STYLE_GPT, 1]);
      expect(b.subarray(8, 24).equals(DISK_ID), 'DiskId').to.equal(true);
      expect([b.readBigUInt64LE(48 + 8), b.readBigUInt64LE(48 + 16), b.readUInt32LE(48 + 24)])
        .to.deep.equal([BigInt(PARTITION_OFFSET), BigInt(PARTITION_LENGTH), 1]);
      expect(b.subarray(48 + 32, 48 + 48).equals(guidBytes(BASIC_DATA)), 'PartitionType').to.equal(true);
      expect(b.subarray(48 + 48, 48 + 64).equals(PARTITION_ID), 'PartitionId').to.equal(true);
    });
    const back = volumesOfDisk(diskNumberOf(path2));
    expect(back.map((v) => v.paths), 'the volume and its letter are back').to.deep.equal([[`${letter}:\\`]]);
  });

  it('the library finds the new volume: disk.getVolumes() lists it with its drive letter', async () => {
    const { disk, path: physical } = await attachNew('found.vhdx');
    partition(physical);
    const [volume] = volumesOfDisk(diskNumberOf(physical));
    const volumes = await disk.getVolumes();
    expect(volumes.map((v) => v.mountPoints)).to.deep.equal([volume!.paths]);
  });

  it('formatted with fmifs.dll\'s FormatEx, a file written through the letter: detach → re-attach, the volume and the file are back', async () => {
    const { file, disk, path: physical } = await attachNew('files.vhdx');
    partition(physical);
    const [volume] = volumesOfDisk(diskNumberOf(physical));
    const root = volume!.paths[0]!;
    expect(formatEx(root, 'NTFS', 'SPEC')).to.include({ done: true });
    fs.writeFileSync(`${root}hello.txt`, 'provisioned');
    await disk.detach();
    expect(fs.existsSync(`${root}hello.txt`), 'the letter went with the disk').to.equal(false);
    const again = await attachVirtualDisk(file, { windowsBuild: BUILD });
    disks.push(again);
    const physical2 = await again.getPhysicalPath();
    withDevice(physical2, (h) => expect(ioctl(h, IOCTL_DISK_ARE_VOLUMES_READY, null, 0)).to.include({ ok: true }));
    const [back] = volumesOfDisk(diskNumberOf(physical2));
    expect(fs.readFileSync(`${back!.paths[0]}hello.txt`, 'utf8')).to.equal('provisioned');
  });

  it('an attach that ends when its handle is closed, and reset(): the layout is saved, the disk removed', async () => {
    const a = await attachNew('closed.vhdx');
    partition(a.path);
    await a.disk.close(); // the simulator notices the close at its next look (state() checks every handle)
    expect(simulator.state().attached).to.deep.equal([]);
    expect(fakeDisks().map((d) => d.diskNumber)).to.not.include(diskNumberOf(a.path));
    expect(simulator.image(a.file).diskLayout).to.be.a('string');

    const b = await attachNew('reset.vhdx');
    partition(b.path);
    simulator.reset();
    expect(fakeDisks().map((d) => d.diskNumber)).to.not.include(diskNumberOf(b.path));
    expect(simulator.image(b.file).diskLayout).to.be.a('string');
  });

  for (const how of ['process.exit', 'permanent'] as const) {
  it(`a process that exits with the disk attached (${how === 'permanent' ? 'a permanent attach, the event loop run out: FreeLibrary' : 'process.exit: ExitProcess'}): its layout is saved, its disk goes; the next process gets the volume back`, async () => {
    const file = path.win32.resolve(images.dir, `exit-${how}.vhdx`);
    await (await createVirtualDisk(file, { size: DISK_SIZE, windowsBuild: BUILD })).close();
    const child = spawnSync(process.execPath, ['--import', 'tsx', path.join('spec', 'windows', 'fakedisk-exit-child.ts'), file, ...(how === 'permanent' ? ['permanent'] : [])], {
      encoding: 'utf8', timeout: 50_000, windowsHide: true,
    });
    expect(child.status, `child: ${child.stderr}`).to.equal(0);
    const childPath = child.stdout.trim();
    expect(childPath).to.match(/^\\\\\.\\PhysicalDrive\d+$/);
    expect(fakeDisks().map((d) => d.diskNumber), 'the driver removed the exited process\'s disk').to.not.include(diskNumberOf(childPath));
    expect(simulator.image(file).diskLayout, 'saved at ExitProcess').to.be.a('string');
    const disk = await attachVirtualDisk(file, { windowsBuild: BUILD });
    disks.push(disk);
    const physical = await disk.getPhysicalPath();
    used.add(diskNumberOf(physical));
    withDevice(physical, (h) => expect(ioctl(h, IOCTL_DISK_ARE_VOLUMES_READY, null, 0)).to.include({ ok: true }));
    expect(volumesOfDisk(diskNumberOf(physical))).to.have.length(1);
  });
  }

  it('an image never partitioned keeps its file as it was: nothing is written at detach', async () => {
    const { file, disk } = await attachNew('untouched.vhdx');
    const before = fs.readFileSync(file);
    await disk.detach();
    expect(fs.readFileSync(file).equals(before)).to.equal(true);
    expect(simulator.image(file)).to.not.have.property('diskLayout');
    expect(simulator.state().fakeDisk).to.include({ added: 1, removed: 1, layoutsSaved: 0 });
  });

  it('noDriveLetter: the disk is added with NO_DRIVE_LETTER; readOnly: with READ_ONLY', async () => {
    const a = await attachNew('noletter.vhdx', { noDriveLetter: true });
    const b = await attachNew('readonly.vhdx', { readOnly: true });
    const all = fakeDisks();
    expect(all.find((d) => d.diskNumber === diskNumberOf(a.path))!.flags & 0x3).to.equal(0x1);
    expect(all.find((d) => d.diskNumber === diskNumberOf(b.path))!.flags & 0x3).to.equal(0x2);
  });

  it('simulator.nextFakeDisk({ offline: true }): GET_DISK_ATTRIBUTES says offline', async () => {
    simulator.nextFakeDisk({ offline: true });
    const { path } = await attachNew('offline.vhdx');
    withDevice(path, (h) => {
      const r = ioctl(h, IOCTL_DISK_GET_DISK_ATTRIBUTES, null, 16);
      expect(r).to.include({ ok: true });
      expect(r.out.readBigUInt64LE(8) & DISK_ATTRIBUTE_OFFLINE).to.equal(DISK_ATTRIBUTE_OFFLINE);
    });
    const { path: next } = await attachNew('online.vhdx'); // one-shot
    withDevice(next, (h) => expect(ioctl(h, IOCTL_DISK_GET_DISK_ATTRIBUTES, null, 16).out.readBigUInt64LE(8) & DISK_ATTRIBUTE_OFFLINE).to.equal(0n));
  });

  it('simulator.nextFakeDisk({ readOnly: true }): CREATE_DISK fails with ERROR_WRITE_PROTECT (19)', async () => {
    simulator.nextFakeDisk({ readOnly: true });
    const { path } = await attachNew('medium.vhdx');
    withDevice(path, (h) => {
      expect(ioctl(h, IOCTL_DISK_CREATE_DISK, createDiskGpt(), 0)).to.include({ ok: false, error: ERROR_WRITE_PROTECT });
    });
  });

  it('simulator.nextFakeDisk({ arrivalDelayMs, firstDriveLetter }): the volume arrives that late, at that letter or after it', async () => {
    simulator.nextFakeDisk({ arrivalDelayMs: 400, firstDriveLetter: 'M' });
    const { path } = await attachNew('late.vhdx');
    const started = Date.now();
    partition(path); // ARE_VOLUMES_READY waits for the arrival
    expect(Date.now() - started).to.be.at.least(350);
    const [volume] = volumesOfDisk(diskNumberOf(path));
    expect(volume!.paths[0]).to.match(/^[M-Y]:\\$/);
  });

  it('more disks than fakedisk.sys has slots (16): every attach succeeds, those beyond have no device (1450)', async () => {
    const attached = await Promise.all(Array.from({ length: 18 }, (_, i) => attachNew(`many-${i}.vhdx`)));
    expect(new Set(attached.map((a) => a.path)).size).to.equal(18);
    const state = simulator.state();
    expect(state.attached.filter((a) => a.fakeDisk)).to.have.length(16);
    expect(state.attached.filter((a) => !a.fakeDisk).map((a) => a.fakeDiskError)).to.deep.equal([1450, 1450]);
    expect(state.fakeDisk).to.include({ control: true, added: 16, addFailed: 2 });
    expect(state.fakeDisk.events.filter((e) => e.op === 'add' && e.result === 1450), 'the simulator says why').to.have.length(2);
  });
});
