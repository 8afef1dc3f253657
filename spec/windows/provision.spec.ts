// provisionVirtualDisk through the public API on the Windows ABI: the simulator's virtdisk.dll puts a
// fakedisk.sys disk behind each attach, and the fake fmifs.dll formats its volume (spec/windows/fakedisk).
// The whole pipeline, then all-or-nothing: a failure or a cancel at any step leaves no file, no attach, no disk.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import {
  AbortError, attachVirtualDisk, createVirtualDisk, detachVirtualDisk, listAttachedVirtualDisks, PreconditionError,
  provisionVirtualDisk, VirtualDiskError, type ProvisionProgress, type VirtualDisk,
} from '../../lib/index.ts';
import { liveNativeArenas } from '../../lib/native-arena.ts';
import { fakeDisks, MiB } from './fakedisk-device.ts';
import { imageFolder } from './images.ts';
import { simulator } from './simulator.ts';

const BUILD = 26100;
const SIZE = 64 * MiB;

async function rejection(promise: Promise<unknown>): Promise<VirtualDiskError> {
  return promise.then(() => { throw new Error('expected a rejection'); }, (error: VirtualDiskError) => error);
}

describe('on the Windows ABI: provisionVirtualDisk (fakedisk.sys disks, the fake fmifs.dll)', function () {
  this.timeout(90_000);
  const images = imageFolder();
  const disks: VirtualDisk[] = [];
  let disksBefore = 0;
  let arenasBefore = 0;
  const file = (name: string) => path.win32.resolve(images.dir, name);

  /** Nothing of this image is left: no file, no attach, no fake disk beyond those there before. */
  async function expectNothingLeft(image: string): Promise<void> {
    expect(fs.existsSync(image), `${image} is gone`).to.equal(false);
    expect((await listAttachedVirtualDisks()).map((d) => d.path.toLowerCase())).to.not.include(image.toLowerCase());
    expect(fakeDisks().length, 'no fake disk is left').to.equal(disksBefore);
  }

  beforeEach(() => {
    simulator.reset();
    disksBefore = fakeDisks().length;
    arenasBefore = liveNativeArenas();
    delete process.env.FAKE_FMIFS_MS;
    delete process.env.FAKE_FMIFS_RESULT;
  });
  afterEach(async () => {
    delete process.env.FAKE_FMIFS_MS;
    delete process.env.FAKE_FMIFS_RESULT;
    for (const disk of disks.splice(0)) {
      await disk.close().catch(() => undefined);
      await detachVirtualDisk(disk.path, { ifAttached: true }).catch(() => undefined);
    }
    simulator.reset();
    expect(liveNativeArenas(), 'every overlapped request freed its memory').to.equal(arenasBefore);
  });
  after(() => images.remove());

  it('create → provision → a file through the letter → detach → re-attach: the volume and the file are back', async () => {
    const image = file('drive.vhdx');
    const steps: ProvisionProgress[] = [];
    const { disk, volume, mountPoints } = await provisionVirtualDisk(image, {
      size: SIZE, label: 'CI', windowsBuild: BUILD, onProgress: (progress) => steps.push(progress),
    });
    disks.push(disk);
    expect(volume.name).to.match(/^\\\\\?\\Volume\{[0-9a-f-]{36}\}\\$/);
    expect(volume).to.include({ partitionNumber: 1 });
    const letter = mountPoints.find((point) => /^[A-Z]:\\$/.test(point));
    expect(letter, `a drive letter among ${mountPoints.join(', ')}`).to.be.a('string');
    expect(steps.filter((s) => s.percent === 100).map((s) => s.step)).to.deep.equal(['create', 'attach', 'initialize', 'partition', 'volume', 'format']);
    expect((await disk.getLayout()).style).to.equal('gpt');

    fs.writeFileSync(`${letter!}hello.txt`, 'from provisionVirtualDisk');
    expect((await listAttachedVirtualDisks()).find((d) => d.path.toLowerCase() === image.toLowerCase()), 'a permanent attach by default').to.include({ permanent: true });
    await disk.detach();
    await disk.close();
    disks.pop();

    const again = await attachVirtualDisk(image, { windowsBuild: BUILD });
    disks.push(again);
    const [back] = await again.getVolumes({ wait: 10_000 });
    expect(back?.name).to.equal(volume.name);
    const backLetter = back!.mountPoints.find((point) => /^[A-Z]:\\$/.test(point))!;
    expect(fs.readFileSync(`${backLetter}hello.txt`, 'utf8')).to.equal('from provisionVirtualDisk');
  });

  it('existing: true provisions a RAW image that is there; MBR + FAT32 gets a 0x0c partition', async () => {
    const image = file('existing.vhdx');
    await (await createVirtualDisk(image, { size: SIZE, windowsBuild: BUILD })).close();
    const { disk, mountPoints } = await provisionVirtualDisk(image, { existing: true, partitionStyle: 'mbr', fileSystem: 'fat32', label: 'FAT', windowsBuild: BUILD });
    disks.push(disk);
    const [partition] = await disk.getPartitions();
    expect(partition).to.include({ style: 'mbr', type: '0x0c', number: 1 });
    expect(mountPoints.length).to.be.greaterThan(0);
  });

  it('existing: true on an image with a partition table is refused (ERR_DISK_NOT_RAW), and the image is detached again and kept', async () => {
    const image = file('used.vhdx');
    const first = await provisionVirtualDisk(image, { size: SIZE, permanent: false, windowsBuild: BUILD });
    await first.disk.close();
    const error = await rejection(provisionVirtualDisk(image, { existing: true, windowsBuild: BUILD }));
    expect(error).to.be.instanceOf(PreconditionError).and.include({ code: 'ERR_DISK_NOT_RAW' });
    expect(fs.existsSync(image), 'an existing image is never deleted').to.equal(true);
    expect((await listAttachedVirtualDisks()).map((d) => d.path.toLowerCase())).to.not.include(image.toLowerCase());
    const again = await attachVirtualDisk(image, { windowsBuild: BUILD });
    disks.push(again);
    expect((await again.getPartitions()).map((p) => p.typeName), 'its partition is untouched').to.deep.equal(['basic-data']);
  });

  it('a failed provision of an existing image leaves it RAW again, attached by nobody, the file kept', async () => {
    const image = file('existing-denied.vhdx');
    await (await createVirtualDisk(image, { size: SIZE, windowsBuild: BUILD })).close();
    process.env.FAKE_FMIFS_RESULT = 'denied';
    const error = await rejection(provisionVirtualDisk(image, { existing: true, windowsBuild: BUILD }));
    expect(error).to.include({ code: 'ERR_FORMAT_FAILED' });
    expect(fs.existsSync(image)).to.equal(true);
    expect((await listAttachedVirtualDisks()).map((d) => d.path.toLowerCase())).to.not.include(image.toLowerCase());
    const again = await attachVirtualDisk(image, { windowsBuild: BUILD });
    disks.push(again);
    expect((await again.getLayout()).style, 'RAW, as it was').to.equal('raw');
  });

  it('a disk that arrives offline (SAN policy) is brought online and provisioned', async () => {
    simulator.nextFakeDisk({ offline: true, arrivalDelayMs: 300 });
    const { disk, mountPoints } = await provisionVirtualDisk(file('offline.vhdx'), { size: SIZE, windowsBuild: BUILD });
    disks.push(disk);
    expect(mountPoints.length).to.be.greaterThan(0);
  });

  it('a failed partition step (a read-only medium) leaves nothing behind and rejects with that step\'s error', async () => {
    const image = file('read-only.vhdx');
    simulator.nextFakeDisk({ readOnly: true });
    const error = await rejection(provisionVirtualDisk(image, { size: SIZE, windowsBuild: BUILD }));
    expect(error).to.be.instanceOf(VirtualDiskError).and.include({ errno: 19, syscall: 'IOCTL_DISK_CREATE_DISK' });
    await expectNothingLeft(image);
  });

  it('a cancelled format leaves nothing behind: AbortError, no file, no attach, no disk', async () => {
    const image = file('cancelled.vhdx');
    process.env.FAKE_FMIFS_MS = '3000';
    const controller = new AbortController();
    let formatting = false;
    const error = await rejection(provisionVirtualDisk(image, {
      size: SIZE, windowsBuild: BUILD, signal: controller.signal, progressInterval: 1,
      onProgress: ({ step, percent }) => {
        if (step === 'format' && percent > 0 && !formatting) {
          formatting = true;
          controller.abort(new Error('enough'));
        }
      },
    }));
    expect(formatting, 'the format reported progress before the cancel').to.equal(true);
    expect(error).to.be.instanceOf(AbortError);
    await expectNothingLeft(image);
  });

  it('a format that fails (FAKE_FMIFS_RESULT=denied) is undone: ERR_FORMAT_FAILED with reason ACCESS_DENIED, nothing left', async () => {
    const image = file('denied.vhdx');
    process.env.FAKE_FMIFS_RESULT = 'denied';
    const error = await rejection(provisionVirtualDisk(image, { size: SIZE, windowsBuild: BUILD }));
    expect(error).to.include({ code: 'ERR_FORMAT_FAILED', reason: 'ACCESS_DENIED', syscall: 'FormatEx' });
    await expectNothingLeft(image);
  });

  it('a mount point Wine cannot set (SetVolumeMountPointW is its stub) is undone after the format: nothing left', async () => {
    const image = file('mounted.vhdx');
    const error = await rejection(provisionVirtualDisk(image, { size: SIZE, mountPoint: 'W:', windowsBuild: BUILD }));
    expect(error).to.include({ syscall: 'SetVolumeMountPointW' });
    await expectNothingLeft(image);
  });

  it('bad options and devDrive are refused before anything is made (no file, no attach)', async () => {
    const image = file('refused.vhdx');
    const devDrive = await rejection(provisionVirtualDisk(image, { size: SIZE, devDrive: true, windowsBuild: BUILD }));
    expect(devDrive).to.include({ code: 'ERR_DEV_DRIVE_UNSUPPORTED', reason: 'FILE_SYSTEM_UNAVAILABLE' });
    const label = await rejection(provisionVirtualDisk(image, { size: SIZE, fileSystem: 'fat32', label: 'FAR TOO LONG A LABEL', windowsBuild: BUILD }));
    expect(label).to.include({ code: 'ERR_INVALID_LABEL' });
    const noSize = await rejection(provisionVirtualDisk(image, { windowsBuild: BUILD }));
    expect(noSize).to.include({ code: 'ERR_INVALID_ARG_VALUE', parameter: 'size' });
    const atBoot = await rejection(provisionVirtualDisk(image, { size: SIZE, atBoot: true, windowsBuild: 22000 }));
    expect(atBoot).to.include({ errno: 87 });
    expect(simulator.state().attached).to.deep.equal([]);
    await expectNothingLeft(image);
  });

  it('fs stays free while the format runs (FormatEx on its own thread): fs.stat during a 1.5 s format', async () => {
    process.env.FAKE_FMIFS_MS = '1500';
    const latencies: number[] = [];
    let done = false;
    const provisioning = provisionVirtualDisk(file('busy.vhdx'), { size: SIZE, windowsBuild: BUILD }).finally(() => { done = true; });
    while (!done) {
      const started = performance.now();
      await fs.promises.stat(images.dir);
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    disks.push((await provisioning).disk);
    latencies.sort((a, b) => a - b);
    const worst = latencies.at(-1)!;
    console.log(`      fs.stat during provision: n=${latencies.length}, median ${latencies[latencies.length >> 1]!.toFixed(1)} ms, max ${worst.toFixed(1)} ms`);
    expect(worst, 'no fs.stat waited for the format').to.be.below(1000);
  });
});
