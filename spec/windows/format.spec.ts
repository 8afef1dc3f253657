// formatVolume on the Windows ABI: the library's own worker thread, koffi and the fake fmifs.dll of the Wine
// tier, on a volume of the fakedisk driver (shared/wine/fakedisk/README.md; spec/windows/fakedisk-volume.ts).
// The fake reads FAKE_FMIFS_MS (how long a format takes) and FAKE_FMIFS_RESULT (an injected failure) from the
// process environment at each call: process.env assignments reach it (Node sets the Win32 environment).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { AbortError, VirtualDiskError } from '../../lib/errors.ts';
import { formatVolume } from '../../lib/format-volume.ts';
import { addFakeDiskVolume, VOLUME_STATE, type FakeDiskVolume } from './fakedisk-volume.ts';

const execFileAsync = promisify(execFile);

const fakediskInstalled = (() => {
  try {
    return fs.existsSync(path.join(process.env.SystemRoot ?? 'C:\\windows', 'system32', 'fmifs.dll'))
      && fs.existsSync(path.join(process.env.SystemRoot ?? 'C:\\windows', 'system32', 'drivers', 'fakedisk.sys'));
  } catch {
    return false;
  }
})();

async function rejection(promise: Promise<unknown>): Promise<VirtualDiskError> {
  return promise.then(() => { throw new Error('expected a rejection'); }, (error: VirtualDiskError) => error);
}

describe('formatVolume on the Windows ABI (fakedisk + fake fmifs.dll)', function () {
  this.timeout(60_000);
  let disk: FakeDiskVolume | undefined;

  before(function () {
    if (process.platform !== 'win32') this.skip();
    // spec/windows/setup.sh installs both: their absence is a broken tier, not a reason to skip.
    if (!fakediskInstalled) throw new Error('fmifs.dll or drivers\\fakedisk.sys is missing from system32: spec/windows/setup.sh installs them');
  });
  beforeEach(() => {
    delete process.env.FAKE_FMIFS_MS;
    delete process.env.FAKE_FMIFS_RESULT;
    disk = addFakeDiskVolume();
  });
  afterEach(() => {
    delete process.env.FAKE_FMIFS_MS;
    delete process.env.FAKE_FMIFS_RESULT;
    disk?.remove();
    disk = undefined;
  });

  it('formats NTFS through a Volume: the GUID path shows the file system and label, files work through the letter', async () => {
    const { volumeName, letter, diskNumber } = disk!;
    expect(disk!.volumeInformation()).to.deep.equal({ error: 1005 }); // RAW: ERROR_UNRECOGNIZED_VOLUME
    const log = path.win32.join(disk!.folder, '..', 'fmifs.log');
    process.env.FAKE_FMIFS_LOG = log;
    try {
      await formatVolume({ name: volumeName, mountPoints: [letter], diskNumber, partitionNumber: 1 }, { label: 'DATA', clusterSize: 8192 });
    } finally {
      delete process.env.FAKE_FMIFS_LOG;
    }
    // FormatEx's arguments as fmifs.dll received them: the GUID path without its backslash, FmMediaFixed (12), quick.
    expect(fs.readFileSync(log, 'utf8').trim()).to.equal(
      `FormatEx root=${volumeName.slice(0, -1)} media=12 fs=NTFS label=DATA quick=1 cluster=8192 disk=${diskNumber} result=ok`);
    expect(disk!.volumeInformation()).to.deep.equal({ fileSystem: 'NTFS', label: 'DATA' });
    expect(disk!.query()?.volumeState).to.equal(VOLUME_STATE.formatted);
    const file = path.win32.join(letter, 'hello.txt');
    fs.writeFileSync(file, 'written through the letter');
    expect(fs.readFileSync(path.win32.join(disk!.folder, 'hello.txt'), 'utf8')).to.equal('written through the letter');
    expect(fs.readFileSync(file, 'utf8')).to.equal('written through the letter');
  });

  it("formats through 'Q:' (a mount point resolved to its volume); a second format empties the volume", async () => {
    const { letter } = disk!;
    await formatVolume(letter.slice(0, 2), { fileSystem: 'exfat', label: 'FIRST' });
    expect(disk!.volumeInformation()).to.deep.equal({ fileSystem: 'exFAT', label: 'FIRST' });
    fs.writeFileSync(path.win32.join(letter, 'kept.txt'), 'until the next format');
    expect(fs.existsSync(path.win32.join(letter, 'kept.txt'))).to.equal(true);
    await formatVolume(letter, { label: 'SECOND' });
    expect(disk!.volumeInformation()).to.deep.equal({ fileSystem: 'NTFS', label: 'SECOND' });
    expect(fs.existsSync(path.win32.join(disk!.folder, 'kept.txt'))).to.equal(false);
    fs.writeFileSync(path.win32.join(letter, 'new.txt'), 'after the second format');
    expect(fs.readFileSync(path.win32.join(letter, 'new.txt'), 'utf8')).to.equal('after the second format');
  });

  it('a path that is no volume mount point: ERR_NOT_A_VOLUME, nothing formatted', async () => {
    const error = await rejection(formatVolume('C:\\windows'));
    expect(error.code).to.equal('ERR_NOT_A_VOLUME');
    expect(disk!.query()?.volumeState).to.equal(VOLUME_STATE.raw);
  });

  it('reports progress from the worker thread, in order, ending at 100', async () => {
    process.env.FAKE_FMIFS_MS = '300';
    const seen: number[] = [];
    await formatVolume(disk!.volumeName, { onProgress: (progress) => seen.push(progress.percent), progressInterval: 0 });
    expect(seen.length).to.be.greaterThan(50); // one packet per percent, relayed as they come
    expect(seen.at(-1)).to.equal(100);
    expect(seen).to.deep.equal([...seen].sort((a, b) => a - b));
  });

  it('an abort mid-format: the callback answers FALSE, AbortError, and the volume is left RAW', async () => {
    process.env.FAKE_FMIFS_MS = '3000';
    const controller = new AbortController();
    const reason = new Error('cancelled by the spec');
    const seen: number[] = [];
    const started = performance.now();
    const error = await rejection(formatVolume(disk!.volumeName, {
      signal: controller.signal, progressInterval: 0,
      onProgress: ({ percent }) => {
        seen.push(percent);
        if (percent >= 10) controller.abort(reason);
      },
    }));
    const elapsed = performance.now() - started;
    expect(error).to.be.instanceOf(AbortError);
    expect((error as Error).cause).to.equal(reason);
    expect(Math.max(...seen)).to.be.lessThan(50);
    expect(elapsed).to.be.lessThan(2500); // it stopped, rather than running the full 3 s
    expect(disk!.query()?.volumeState).to.equal(VOLUME_STATE.raw);
    expect(disk!.volumeInformation()).to.deep.equal({ error: 1005 });
  });

  it('fs and the event loop stay responsive during a long format (FormatEx blocks its own thread only)', async () => {
    process.env.FAKE_FMIFS_MS = '1500';
    const probe = path.win32.join(disk!.folder, '..', 'probe.txt');
    fs.writeFileSync(probe, 'x');
    let formatting = true;
    const formatted = formatVolume(disk!.volumeName).finally(() => { formatting = false; });
    await sleep(150); // the worker has started and FormatEx is running
    const statLatencies: number[] = [];
    const batchLatencies: number[] = [];
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 10);
    while (formatting) {
      let t = performance.now();
      await fs.promises.stat(probe);
      statLatencies.push(performance.now() - t);
      t = performance.now();
      // 4 concurrent thread-pool operations: with the default pool of 4 they would queue behind a pool thread held by FormatEx
      await Promise.all([fs.promises.stat(probe), fs.promises.readFile(probe), fs.promises.access(probe), fs.promises.stat(disk!.folder)]);
      batchLatencies.push(performance.now() - t);
      await sleep(20);
    }
    clearInterval(timer);
    await formatted;
    const summary = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return { n: values.length, median: sorted[Math.floor(sorted.length / 2)]!.toFixed(1), max: sorted.at(-1)!.toFixed(1) };
    };
    console.log(`      during a 1.5 s format: fs.stat ms ${JSON.stringify(summary(statLatencies))}, 4 concurrent fs ops ms ${JSON.stringify(summary(batchLatencies))}, 10 ms timer ticks ${ticks}`);
    expect(statLatencies.length).to.be.greaterThan(5);
    // Loose bounds: a blocked loop or pool would show the format's whole 1.5 s here.
    expect(Math.max(...statLatencies)).to.be.lessThan(750);
    expect(Math.max(...batchLatencies)).to.be.lessThan(750);
    expect(ticks).to.be.greaterThan(20);
  });

  it('FormatEx does not use libuv\'s thread pool: with UV_THREADPOOL_SIZE=1, fs.stat stays fast during a format (control: a pool call holds it)', async function () {
    this.timeout(120_000);
    const probe = path.win32.join(disk!.folder, '..', 'probe.txt');
    fs.writeFileSync(probe, 'x');
    const script = fileURLToPath(new URL('./format-pool-probe.ts', import.meta.url));
    const run = async (mode: 'format' | 'pool') => {
      const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', script, mode, disk!.volumeName, probe], {
        env: { ...process.env, UV_THREADPOOL_SIZE: '1', FAKE_FMIFS_MS: '1500' }, timeout: 90_000,
      });
      const line = stdout.trim().split(/\r?\n/).at(-1)!;
      return JSON.parse(line) as { mode: string; stats: number[]; total: number };
    };
    const control = await run('pool');
    const formatted = await run('format');
    const max = (values: number[]) => Math.max(...values);
    console.log(`      UV_THREADPOOL_SIZE=1, fs.stat ms: during a 1.5 s koffi .async call max ${max(control.stats)} (n ${control.stats.length}); during a 1.5 s format max ${max(formatted.stats)}, median ${[...formatted.stats].sort((a, b) => a - b)[formatted.stats.length >> 1]} (n ${formatted.stats.length})`);
    expect(max(control.stats)).to.be.greaterThan(1000); // the measurement sees a held pool
    expect(formatted.stats.length).to.be.greaterThan(10);
    expect(max(formatted.stats)).to.be.lessThan(500);
    expect(disk!.volumeInformation()).to.deep.equal({ fileSystem: 'NTFS', label: '' });
  });

  const injected: Array<[string, string, string | undefined]> = [
    ['denied', 'ERR_FORMAT_FAILED', 'ACCESS_DENIED'],
    ['writeprotected', 'ERR_FORMAT_FAILED', 'WRITE_PROTECTED'],
    ['inuse', 'ERR_FORMAT_FAILED', 'VOLUME_IN_USE'],
    ['incompatible', 'ERR_FORMAT_FAILED', 'FILE_SYSTEM_UNAVAILABLE'],
    ['fail', 'ERR_FORMAT_FAILED', undefined],
  ];
  for (const [result, code, reason] of injected) {
    it(`FAKE_FMIFS_RESULT=${result} → ${code}${reason ? `, reason ${reason}` : ', no reason'}`, async () => {
      process.env.FAKE_FMIFS_RESULT = result;
      const error = await rejection(formatVolume(disk!.volumeName));
      expect(error).to.be.instanceOf(VirtualDiskError).and.include({ code, syscall: 'FormatEx', path: disk!.volumeName });
      if (reason) expect(error.reason).to.equal(reason);
      else expect(error).not.to.have.property('reason');
      expect(error.hint).to.be.a('string');
    });
  }

  it('FAT32: the volume\'s size is asked (IOCTL_DISK_GET_LENGTH_INFO on its GUID path); 62 MiB is formatted, over 32 GiB refused before fmifs.dll', async () => {
    await formatVolume(disk!.letter, { fileSystem: 'fat32', label: 'SMALL' });
    expect(disk!.volumeInformation()).to.deep.equal({ fileSystem: 'FAT32', label: 'SMALL' });
    disk!.remove();
    disk = addFakeDiskVolume({ sizeMiB: 40 * 1024 }); // nothing is stored: a 40 GiB fake disk costs nothing
    const log = path.win32.join(disk.folder, '..', 'fmifs.log');
    process.env.FAKE_FMIFS_LOG = log;
    const error = await rejection(formatVolume(disk.volumeName, { fileSystem: 'fat32' }));
    delete process.env.FAKE_FMIFS_LOG;
    expect(error).to.include({ code: 'ERR_VOLUME_TOO_BIG', reason: 'VOLUME_TOO_BIG' });
    expect(error.message).to.include(`${(40n * 1024n - 2n) * 1024n * 1024n} bytes (40.0 GiB)`); // the partition: 40 GiB less 2 MiB
    expect(fs.existsSync(log)).to.equal(false); // fmifs.dll was not called
    await formatVolume(disk.volumeName, { fileSystem: 'exfat' });
    expect(disk.volumeInformation()).to.deep.equal({ fileSystem: 'exFAT', label: '' });
  });

  it('a FAT32 label with a dot is refused by the check, before fmifs.dll runs', async () => {
    const error = await rejection(formatVolume(disk!.volumeName, { fileSystem: 'fat32', label: 'A.B' }));
    expect(error.code).to.equal('ERR_INVALID_LABEL');
    expect(disk!.query()?.volumeState).to.equal(VOLUME_STATE.raw);
  });

  it('a read-only partition (GPT_BASIC_DATA_ATTRIBUTE_READ_ONLY): fmifs answers FmIfsMediaWriteProtected', async () => {
    disk!.remove();
    disk = addFakeDiskVolume({ readOnlyPartition: true });
    const error = await rejection(formatVolume(disk.volumeName));
    expect(error).to.include({ code: 'ERR_FORMAT_FAILED', reason: 'WRITE_PROTECTED' });
  });
});
