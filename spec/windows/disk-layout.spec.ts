// The disk layer through the public API, on the Windows ABI: disk.initialize, getLayout, createPartition
// against the simulator's fakedisk.sys disks (the disk IOCTLs with the SDK's layouts, overlapped).
import path from 'node:path';
import { expect } from 'chai';
import {
  attachVirtualDisk, createVirtualDisk, PreconditionError, VirtualDiskError, type VirtualDisk,
} from '../../lib/index.ts';
import { liveNativeArenas } from '../../lib/native-arena.ts';
import { waitForVolumesReady } from '../../lib/disk-layout.ts';
import { DISK_SIZE, fakeDisks, diskNumberOf, MiB } from './fakedisk-device.ts';
import { imageFolder } from './images.ts';
import { simulator } from './simulator.ts';

const BUILD = 26100;

describe('on the Windows ABI: the disk layer (initialize, partitions) on fakedisk.sys disks', function () {
  this.timeout(60_000);
  const images = imageFolder();
  const disks: VirtualDisk[] = [];
  const used = new Set<number>();
  let arenasBefore = 0;

  async function attachNew(name: string): Promise<VirtualDisk> {
    const file = path.win32.resolve(images.dir, name);
    await (await createVirtualDisk(file, { size: DISK_SIZE, windowsBuild: BUILD })).close();
    const disk = await attachVirtualDisk(file, { windowsBuild: BUILD });
    disks.push(disk);
    used.add(diskNumberOf(await disk.getPhysicalPath()));
    return disk;
  }

  beforeEach(() => {
    simulator.reset();
    arenasBefore = liveNativeArenas();
  });
  afterEach(async () => {
    for (const disk of disks.splice(0)) await disk.close().catch(() => undefined);
    simulator.reset();
    expect(fakeDisks().filter((d) => used.has(d.diskNumber)), 'no disk of ours is left').to.deep.equal([]);
    expect(liveNativeArenas(), 'every overlapped request freed its memory').to.equal(arenasBefore);
  });
  after(() => images.remove());

  it('a new disk is RAW; initialize() makes it GPT with the usable area Windows reports; createPartition() fills it 1 MiB aligned', async () => {
    const disk = await attachNew('gpt.vhdx');
    expect(await disk.getLayout()).to.include({ style: 'raw', sectorSize: 512, size: DISK_SIZE });
    await disk.initialize();
    const layout = await disk.getLayout();
    expect(layout.style).to.equal('gpt');
    expect(layout.id).to.match(/^[0-9a-f-]{36}$/).and.not.equal('00000000-0000-0000-0000-000000000000');
    expect(layout.usableOffset).to.equal(34 * 512);
    expect(layout.partitions).to.deep.equal([]);
    const partition = await disk.createPartition({ name: 'data' });
    expect(partition).to.include({ number: 1, offset: MiB, style: 'gpt', typeName: 'basic-data', name: 'data' });
    expect(partition.length % MiB).to.equal(0);
    expect(partition.offset + partition.length).to.be.at.most(layout.usableOffset! + layout.usableLength!);
    expect(await disk.getPartitions()).to.deep.equal([partition]);
    const [volume] = await disk.getVolumes({ wait: 10_000 });
    expect(volume).to.include({ partitionNumber: 1 });
  });

  it('two sized partitions follow each other; the table survives detach and re-attach', async () => {
    const disk = await attachNew('two.vhdx');
    await disk.initialize({ partitionStyle: 'gpt' });
    const first = await disk.createPartition({ size: 8 * MiB, type: 'msft-reserved' });
    const second = await disk.createPartition({ size: 10 * MiB + 1 });
    expect([first.offset, first.length, second.offset, second.length]).to.deep.equal([MiB, 8 * MiB, 9 * MiB, 11 * MiB]);
    const file = disk.path;
    await disk.close();
    const again = await attachVirtualDisk(file, { windowsBuild: BUILD });
    disks.push(again);
    expect((await again.getPartitions()).map((p) => [p.offset, p.length, p.typeName])).to.deep.equal([[MiB, 8 * MiB, 'msft-reserved'], [9 * MiB, 11 * MiB, 'basic-data']]);
  });

  it('MBR: a FAT32 partition type; a fifth primary partition is refused before the disk is asked', async () => {
    const disk = await attachNew('mbr.vhdx');
    await disk.initialize({ partitionStyle: 'mbr' });
    expect((await disk.getLayout()).id).to.match(/^0x[0-9a-f]{8}$/);
    const made = await disk.createPartition({ size: 4 * MiB, type: 'fat32' });
    expect(made).to.include({ style: 'mbr', type: '0x0c', offset: MiB });
    for (let i = 0; i < 3; i++) await disk.createPartition({ size: 4 * MiB });
    const refused = await disk.createPartition({ size: 4 * MiB }).catch((error: unknown) => error);
    expect(refused).to.be.instanceOf(PreconditionError).and.include({ code: 'ERR_NO_SPACE' });
    expect((refused as Error).message).to.contain('4 primary partitions');
    expect(await disk.getPartitions()).to.have.length(4);
  });

  it('initialize() refuses a disk with a partition table (ERR_DISK_NOT_RAW, naming what would be lost) unless force', async () => {
    const disk = await attachNew('force.vhdx');
    await disk.initialize();
    await disk.createPartition();
    const refused = await disk.initialize({ partitionStyle: 'mbr' }).catch((error: unknown) => error);
    expect(refused).to.be.instanceOf(PreconditionError).and.include({ code: 'ERR_DISK_NOT_RAW', parameter: 'force' });
    expect((refused as Error).message).to.contain('partition 1: basic-data');
    expect((await disk.getLayout()).style).to.equal('gpt');
    await disk.initialize({ partitionStyle: 'mbr', force: true });
    expect(await disk.getLayout()).to.include({ style: 'mbr' });
    expect(await disk.getPartitions()).to.deep.equal([]);
  });

  it('a disk that arrives offline (SAN policy) is brought online by initialize()', async () => {
    simulator.nextFakeDisk({ offline: true });
    const disk = await attachNew('offline.vhdx');
    await disk.initialize();
    await disk.createPartition();
    expect(await disk.getVolumes({ wait: 10_000 })).to.have.length(1);
  });

  it('a read-only medium: IOCTL_DISK_CREATE_DISK fails with ERROR_WRITE_PROTECT (19), its hint naming the causes', async () => {
    simulator.nextFakeDisk({ readOnly: true });
    const disk = await attachNew('read-only.vhdx');
    const error = await disk.initialize().catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(VirtualDiskError).and.include({ code: 'ERROR_WRITE_PROTECT', errno: 19, syscall: 'IOCTL_DISK_CREATE_DISK' });
    expect((error as VirtualDiskError).physicalPath).to.equal(await disk.getPhysicalPath());
    expect((error as VirtualDiskError).hint).to.contain('attached read-only').and.contain('read-only attribute');
  });

  it('createPartition() on a RAW disk is refused: ERR_DISK_NOT_INITIALIZED, saying to initialize it', async () => {
    const disk = await attachNew('raw.vhdx');
    const refused = await disk.createPartition().catch((error: unknown) => error);
    expect(refused).to.be.instanceOf(PreconditionError).and.include({ code: 'ERR_DISK_NOT_INITIALIZED' });
    expect((refused as PreconditionError).message).to.contain('disk.initialize(');
    expect((await disk.getLayout()).style).to.equal('raw');
  });

  it('IOCTL_DISK_ARE_VOLUMES_READY pends on an overlapped handle: answered when the volume arrives, cancelled at the timeout or on abort', async () => {
    simulator.nextFakeDisk({ arrivalDelayMs: 1500 });
    const disk = await attachNew('late.vhdx');
    const target = { imagePath: disk.path, physicalPath: await disk.getPhysicalPath(), signal: undefined };
    await disk.initialize();
    await disk.createPartition();
    let started = performance.now();
    expect(await waitForVolumesReady(target, 200), 'the timeout cancels it').to.equal(false);
    expect(performance.now() - started).to.be.within(150, 1200);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 100);
    const aborted = await waitForVolumesReady({ ...target, signal: controller.signal }, 10_000).catch((error: unknown) => error);
    expect(aborted).to.have.property('name', 'AbortError');
    started = performance.now();
    expect(await waitForVolumesReady(target, 10_000), 'answered once the volume is there').to.equal(true);
    expect(await disk.getVolumes()).to.have.length(1);
    console.log(`      ARE_VOLUMES_READY answered after ${(performance.now() - started).toFixed(0)} ms`);
  });
});
