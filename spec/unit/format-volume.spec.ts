// formatVolume on any OS: the option rules (before anything native), the target's resolution, progress relay,
// cancellation, the mapping of fmifs.dll's packets to errors (through the FormatBackend seam), and the worker
// thread that runs FormatEx (through a stand-in worker that speaks its protocol).
import { getEventListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { AbortError, InvalidArgumentError, PreconditionError, VirtualDiskError } from '../../lib/errors.ts';
import { formatVolume, FORMAT_REFUSALS, setFormatBackend } from '../../lib/format-volume.ts';
import { formatInWorker, type FormatJob, type Formatter } from '../../lib/format-thread.ts';
import { checkFormat } from '../../lib/rules/format.ts';
import type { Progress } from '../../types/index.ts';
import type { FormatVolumeOptions } from '../../types/format.ts';
import {
  FmIfsAccessDenied, FmIfsBadLabel, FmIfsCantLock, FmIfsClusterSizeTooBig, FmIfsClusterSizeTooSmall, FmIfsFinished,
  FmIfsIncompatibleFileSystem, FmIfsMediaWriteProtected, FmIfsPercentCompleted, FmIfsVolumeTooBig,
} from '../../types/fmifs-constants.ts';

const VOLUME = '\\\\?\\Volume{0b3d6f1e-2a4c-4e5f-9a8b-1c2d3e4f5a6b}\\';
const GiB = 1024n ** 3n;

async function rejection(promise: Promise<unknown>): Promise<VirtualDiskError & { parameter?: string }> {
  return promise.then(() => { throw new Error('expected a rejection'); }, (error: VirtualDiskError) => error);
}

/** A formatter that behaves as fmifs.dll does: progress packets (the callback's answer read from the cancel flag), then FmIfsFinished. */
function fakeFmifs(script: { refusal?: number; fail?: boolean; percents?: number[]; onPercent?: (percent: number) => void } = {}): Formatter & { jobs: FormatJob[] } {
  const jobs: FormatJob[] = [];
  const formatter = async (job: FormatJob) => {
    jobs.push(job);
    await Promise.resolve();
    if (script.refusal !== undefined) {
      job.onPacket({ command: script.refusal, length: 0 });
      job.onPacket({ command: FmIfsFinished, length: 1, value: 0 });
      return;
    }
    for (const percent of script.percents ?? [0, 25, 50, 75, 100]) {
      job.onPacket({ command: FmIfsPercentCompleted, length: 4, value: percent });
      script.onPercent?.(percent);
      await new Promise((resolve) => setImmediate(resolve));
      if (Atomics.load(job.cancel, 0) !== 0) { // the callback answered FALSE: fmifs stops
        job.onPacket({ command: FmIfsFinished, length: 1, value: 0 });
        return;
      }
    }
    job.onPacket({ command: FmIfsFinished, length: 1, value: script.fail ? 0 : 1 });
  };
  return Object.assign(formatter, { jobs });
}

function mustNotRun(): Formatter & { jobs: FormatJob[] } {
  const jobs: FormatJob[] = [];
  return Object.assign(async (job: FormatJob) => {
    jobs.push(job);
    throw new Error('the formatter must not run');
  }, { jobs });
}

describe('formatVolume: options checked before anything native', () => {
  const refused = (options: FormatVolumeOptions, size?: bigint) => {
    const verdict = checkFormat(options, size, VOLUME);
    if (verdict.ok) throw new Error('expected a refusal');
    return verdict.error as VirtualDiskError & { parameter: string };
  };

  it('accepts the defaults: NTFS, quick, no label, Windows chooses the cluster size', () => {
    expect(checkFormat(undefined)).to.deep.equal({ ok: true, call: { fileSystem: 'ntfs', FileSystemName: 'NTFS', Label: '', QuickFormat: true, ClusterSize: 0 } });
    expect(checkFormat({ fileSystem: 'exfat', label: 'DATA', quick: false, clusterSize: 32768 })).to.deep.equal({
      ok: true, call: { fileSystem: 'exfat', FileSystemName: 'exFAT', Label: 'DATA', QuickFormat: false, ClusterSize: 32768 },
    });
  });

  it('refuses an unknown file system, a label that is not a string, an unknown option', () => {
    expect(refused({ fileSystem: 'hfs' as never })).to.include({ code: 'ERR_INVALID_ARG_VALUE', parameter: 'fileSystem' });
    expect(refused({ label: 7 as never })).to.include({ code: 'ERR_INVALID_ARG_TYPE', parameter: 'label' });
    expect(refused({ lable: 'x' } as never)).to.be.instanceOf(InvalidArgumentError).and.include({ parameter: 'lable' });
    expect(refused({ clusterSize: -1 })).to.include({ code: 'ERR_INVALID_ARG_VALUE', parameter: 'clusterSize' });
  });

  it('labels: 32 characters for NTFS and ReFS, 11 for FAT32 and exFAT', () => {
    expect(checkFormat({ label: 'x'.repeat(32) }).ok).to.equal(true);
    expect(refused({ label: 'x'.repeat(33) })).to.be.instanceOf(PreconditionError).and.include({ code: 'ERR_INVALID_LABEL', parameter: 'label' });
    expect(refused({ fileSystem: 'refs', label: 'x'.repeat(33) }).code).to.equal('ERR_INVALID_LABEL');
    expect(checkFormat({ fileSystem: 'fat32', label: 'x'.repeat(11) }).ok).to.equal(true);
    expect(refused({ fileSystem: 'fat32', label: 'x'.repeat(12) }).code).to.equal('ERR_INVALID_LABEL');
    expect(refused({ fileSystem: 'exfat', label: 'x'.repeat(12) }).code).to.equal('ERR_INVALID_LABEL');
  });

  it('FAT-family labels may not hold * ? . , ; : / \\ | + = < > [ ] " (NTFS labels may)', () => {
    for (const character of '*?.,;:/\\|+=<>[]"') {
      expect(refused({ fileSystem: 'fat32', label: `A${character}B` }).code, character).to.equal('ERR_INVALID_LABEL');
      expect(refused({ fileSystem: 'exfat', label: `A${character}B` }).code, character).to.equal('ERR_INVALID_LABEL');
    }
    expect(checkFormat({ fileSystem: 'ntfs', label: 'v1.2; a+b' }).ok).to.equal(true);
  });

  it('cluster sizes: powers of two within each file system\'s range; ReFS 4K or 64K', () => {
    expect(refused({ clusterSize: 3000 })).to.include({ code: 'ERR_INVALID_CLUSTER_SIZE', parameter: 'clusterSize' });
    expect(refused({ clusterSize: 256 }).code).to.equal('ERR_INVALID_CLUSTER_SIZE');
    expect(checkFormat({ clusterSize: 2 * 1024 * 1024 }).ok).to.equal(true);
    expect(refused({ clusterSize: 4 * 1024 * 1024 }).code).to.equal('ERR_INVALID_CLUSTER_SIZE');
    expect(checkFormat({ fileSystem: 'exfat', clusterSize: 32 * 1024 * 1024 }).ok).to.equal(true);
    expect(refused({ fileSystem: 'exfat', clusterSize: 64 * 1024 * 1024 }).code).to.equal('ERR_INVALID_CLUSTER_SIZE');
    expect(checkFormat({ fileSystem: 'fat32', clusterSize: 65536 }).ok).to.equal(true);
    expect(refused({ fileSystem: 'fat32', clusterSize: 512 * 1024 }).code).to.equal('ERR_INVALID_CLUSTER_SIZE');
    expect(checkFormat({ fileSystem: 'refs', clusterSize: 65536 }).ok).to.equal(true);
    expect(refused({ fileSystem: 'refs', clusterSize: 8192 }).code).to.equal('ERR_INVALID_CLUSTER_SIZE');
  });

  it('FAT32 over 32 GiB is refused when the volume\'s size is known', () => {
    expect(checkFormat({ fileSystem: 'fat32' }, 32n * GiB).ok).to.equal(true);
    expect(refused({ fileSystem: 'fat32' }, 32n * GiB + 512n)).to.include({ code: 'ERR_VOLUME_TOO_BIG', reason: 'VOLUME_TOO_BIG' });
    expect(checkFormat({ fileSystem: 'exfat' }, 2048n * GiB).ok).to.equal(true);
    expect(checkFormat({ fileSystem: 'fat32' }, undefined).ok).to.equal(true);
  });

  it('devDrive: refused, saying what to run instead; with another file system than ReFS, a conflict', () => {
    const error = refused({ devDrive: true });
    expect(error).to.be.instanceOf(PreconditionError).and.include({ code: 'ERR_DEV_DRIVE_UNSUPPORTED', parameter: 'devDrive', reason: 'FILE_SYSTEM_UNAVAILABLE' });
    expect(error.message).to.include('Format-Volume -DriveLetter X -DevDrive -FileSystem ReFS').and.include('format X: /DevDrv /Q');
    expect(refused({ devDrive: true, fileSystem: 'refs' }).code).to.equal('ERR_DEV_DRIVE_UNSUPPORTED');
    expect(refused({ devDrive: true, fileSystem: 'ntfs' })).to.include({ code: 'ERR_CONFLICTING_OPTIONS', parameter: 'devDrive' });
    expect(checkFormat({ devDrive: false }).ok).to.equal(true);
  });

  it('reads each option once (a getter that answers differently the second time cannot slip through)', () => {
    let reads = 0;
    const options = { get label() { reads++; return reads === 1 ? 'OK' : 'x'.repeat(100); } };
    expect(checkFormat(options)).to.deep.include({ ok: true });
    expect(reads).to.equal(1);
  });
});

describe('formatVolume: the target, the call and its outcome', () => {
  afterEach(() => setFormatBackend());

  it('refuses a target that is no volume name or mount point, before anything runs', async () => {
    const formatter = mustNotRun();
    setFormatBackend({ formatter, volumeOfMountPoint: async () => { throw new Error('must not run'); } });
    expect(await rejection(formatVolume(42 as never))).to.include({ code: 'ERR_INVALID_ARG_TYPE', parameter: 'volume' });
    expect(await rejection(formatVolume('\\\\server\\share'))).to.include({ code: 'ERR_INVALID_ARG_VALUE', parameter: 'volume' });
    expect(await rejection(formatVolume({ name: 'E:\\', mountPoints: [], diskNumber: 1 }))).to.include({ code: 'ERR_INVALID_ARG_VALUE', parameter: 'volume' });
    expect(formatter.jobs).to.have.length(0);
  });

  it('a Volume is formatted by its GUID path (without the trailing backslash, as Rufus passes it), with FormatEx\'s arguments from the options', async () => {
    const formatter = fakeFmifs();
    setFormatBackend({ formatter });
    await formatVolume({ name: VOLUME, mountPoints: ['Q:\\'], diskNumber: 3, partitionNumber: 2 }, { fileSystem: 'exfat', label: 'DATA', quick: false, clusterSize: 4096 });
    expect(formatter.jobs).to.have.length(1);
    expect(formatter.jobs[0]).to.include({ driveRoot: VOLUME.slice(0, -1), fileSystemName: 'exFAT', label: 'DATA', quick: false, clusterSize: 4096 });
  });

  it('a mount point is resolved to its volume (GetVolumeNameForVolumeMountPointW), and the GUID path is formatted', async () => {
    const formatter = fakeFmifs();
    const asked: string[] = [];
    setFormatBackend({ formatter, volumeOfMountPoint: async (mountPoint) => { asked.push(mountPoint); return VOLUME; } });
    await formatVolume('q:');
    await formatVolume('C:\\mnt\\data');
    expect(asked).to.deep.equal(['Q:\\', 'C:\\mnt\\data\\']);
    expect(formatter.jobs.map((job) => job.driveRoot)).to.deep.equal([VOLUME.slice(0, -1), VOLUME.slice(0, -1)]);
  });

  it('a path that is no volume\'s mount point: ERR_NOT_A_VOLUME, nothing formatted', async () => {
    const formatter = mustNotRun();
    setFormatBackend({ formatter, volumeOfMountPoint: async () => undefined });
    const error = await rejection(formatVolume('C:\\Users\\me\\folder'));
    expect(error).to.be.instanceOf(PreconditionError).and.include({ code: 'ERR_NOT_A_VOLUME', path: 'C:\\Users\\me\\folder' });
    expect(formatter.jobs).to.have.length(0);
  });

  it('FAT32 on a volume over 32 GiB: refused after asking its size, before formatting; the size is asked only for FAT32', async () => {
    const formatter = fakeFmifs();
    let asked = 0;
    setFormatBackend({ formatter, volumeLength: async () => { asked++; return 64n * GiB; } });
    expect(await rejection(formatVolume(VOLUME, { fileSystem: 'fat32' }))).to.include({ code: 'ERR_VOLUME_TOO_BIG', reason: 'VOLUME_TOO_BIG' });
    expect(formatter.jobs).to.have.length(0);
    await formatVolume(VOLUME, { fileSystem: 'exfat' });
    expect(asked).to.equal(1);
    setFormatBackend({ formatter, volumeLength: async () => undefined });
    await formatVolume(VOLUME, { fileSystem: 'fat32' }); // size unknown: fmifs.dll decides
    expect(formatter.jobs).to.have.length(2);
  });

  it('devDrive: nothing native runs', async () => {
    const formatter = mustNotRun();
    setFormatBackend({ formatter, volumeOfMountPoint: async () => { throw new Error('must not run'); } });
    expect(await rejection(formatVolume('Q:', { devDrive: true }))).to.include({ code: 'ERR_DEV_DRIVE_UNSUPPORTED' });
    expect(formatter.jobs).to.have.length(0);
  });

  it('relays progress in order, and 100 % once at the end', async () => {
    setFormatBackend({ formatter: fakeFmifs({ percents: [0, 10, 40, 90] }) });
    const seen: Progress[] = [];
    await formatVolume(VOLUME, { onProgress: (progress) => seen.push(progress), progressInterval: 0 });
    expect(seen.map((progress) => progress.percent)).to.deep.equal([0, 10, 40, 90, 100]);
    expect(seen[1]).to.deep.equal({ completed: 10, total: 100, percent: 10 });

    setFormatBackend({ formatter: fakeFmifs({ percents: [0, 50, 100] }) });
    seen.length = 0;
    await formatVolume(VOLUME, { onProgress: (progress) => seen.push(progress), progressInterval: 0 });
    expect(seen.map((progress) => progress.percent)).to.deep.equal([0, 50, 100]);
  });

  it('progressInterval spaces the calls out', async () => {
    setFormatBackend({ formatter: fakeFmifs({ percents: Array.from({ length: 101 }, (_, i) => i) }) });
    const seen: number[] = [];
    await formatVolume(VOLUME, { onProgress: (progress) => seen.push(progress.percent), progressInterval: 60_000 });
    expect(seen).to.deep.equal([0, 100]);
  });

  it('a throwing onProgress does not stop the format (its exception is reported as an uncaught one)', async () => {
    setFormatBackend({ formatter: fakeFmifs() });
    const uncaught: unknown[] = [];
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', (error) => uncaught.push(error));
    try {
      await formatVolume(VOLUME, { onProgress: () => { throw new Error('callback bug'); }, progressInterval: 0 });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.removeAllListeners('uncaughtException');
      for (const listener of listeners) process.on('uncaughtException', listener);
    }
    expect(uncaught.length).to.be.greaterThan(0);
    expect((uncaught[0] as Error).message).to.equal('callback bug');
  });

  it('an already aborted signal: AbortError, nothing native runs', async () => {
    const formatter = mustNotRun();
    let resolved = 0;
    setFormatBackend({ formatter, volumeOfMountPoint: async () => { resolved++; return VOLUME; } });
    const reason = new Error('stop');
    const error = await rejection(formatVolume('Q:', { signal: AbortSignal.abort(reason) }));
    expect(error).to.be.instanceOf(AbortError).and.include({ name: 'AbortError', code: 'ABORT_ERR' });
    expect((error as Error).cause).to.equal(reason);
    expect(resolved).to.equal(0);
    expect(formatter.jobs).to.have.length(0);
  });

  it('an abort during the format sets the flag the callback reads: fmifs stops, AbortError with the reason as cause', async () => {
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const formatter = fakeFmifs({ percents: Array.from({ length: 101 }, (_, i) => i), onPercent: (percent) => { if (percent === 30) controller.abort(reason); } });
    setFormatBackend({ formatter });
    const seen: number[] = [];
    const error = await rejection(formatVolume(VOLUME, { signal: controller.signal, onProgress: (progress) => seen.push(progress.percent), progressInterval: 0 }));
    expect(error).to.be.instanceOf(AbortError);
    expect((error as Error).cause).to.equal(reason);
    expect(Atomics.load(formatter.jobs[0]!.cancel, 0)).to.equal(1);
    expect(seen.at(-1)).to.equal(30); // no 100 % after a cancel
    expect(getEventListeners(controller.signal, 'abort')).to.have.length(0);
  });

  it('an abort that comes after fmifs finished: the format stands, the call resolves, no listener left', async () => {
    const controller = new AbortController();
    setFormatBackend({ formatter: fakeFmifs() });
    await formatVolume(VOLUME, { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).to.have.length(0);
    controller.abort();
  });

  const refusals: Array<[number, string]> = [
    [FmIfsCantLock, 'VOLUME_IN_USE'], [FmIfsMediaWriteProtected, 'WRITE_PROTECTED'], [FmIfsAccessDenied, 'ACCESS_DENIED'],
    [FmIfsIncompatibleFileSystem, 'FILE_SYSTEM_UNAVAILABLE'], [FmIfsBadLabel, 'BAD_LABEL'], [FmIfsClusterSizeTooSmall, 'CLUSTER_SIZE'],
    [FmIfsClusterSizeTooBig, 'CLUSTER_SIZE'], [FmIfsVolumeTooBig, 'VOLUME_TOO_BIG'],
  ];
  for (const [command, reason] of refusals) {
    it(`refusal packet ${FORMAT_REFUSALS[command]!.name} (${command}) → ERR_FORMAT_FAILED, reason ${reason}`, async () => {
      setFormatBackend({ formatter: fakeFmifs({ refusal: command }) });
      const error = await rejection(formatVolume(VOLUME));
      expect(error).to.be.instanceOf(VirtualDiskError).and.include({ code: 'ERR_FORMAT_FAILED', reason, syscall: 'FormatEx', path: VOLUME });
      expect(error.hint).to.be.a('string').and.not.equal('');
      expect(error.message).to.include(FORMAT_REFUSALS[command]!.name);
      expect(error).not.to.have.property('errno');
    });
  }

  it('every refusal has a hint; those with several causes number them', () => {
    for (const refusal of Object.values(FORMAT_REFUSALS)) {
      expect(refusal.hint.length, refusal.name).to.be.greaterThan(40);
      if (refusal.hint.startsWith('One of these causes')) expect(refusal.hint, refusal.name).to.include('(2)');
    }
  });

  it('FmIfsFinished FALSE with no refusal: ERR_FORMAT_FAILED without a reason, naming the possible causes', async () => {
    setFormatBackend({ formatter: fakeFmifs({ fail: true }) });
    const error = await rejection(formatVolume(VOLUME));
    expect(error).to.include({ code: 'ERR_FORMAT_FAILED', syscall: 'FormatEx' });
    expect(error).not.to.have.property('reason');
    expect(error.hint).to.include('(1)').and.include('(2)');
  });

  it('FormatEx returning without FmIfsFinished: ERR_FORMAT_FAILED', async () => {
    setFormatBackend({ formatter: async () => {} });
    const error = await rejection(formatVolume(VOLUME));
    expect(error.code).to.equal('ERR_FORMAT_FAILED');
    expect(error.message).to.include('without reporting the end');
  });

  it('a formatter that fails (its thread died): that error, listeners removed', async () => {
    const controller = new AbortController();
    const failure = new VirtualDiskError('the worker died', { code: 'ERR_FORMAT_WORKER_FAILED' });
    setFormatBackend({ formatter: async () => { throw failure; } });
    expect(await rejection(formatVolume(VOLUME, { signal: controller.signal }))).to.equal(failure);
    expect(getEventListeners(controller.signal, 'abort')).to.have.length(0);
  });

  if (process.platform !== 'win32') {
    it('off Windows, without a seam: ERR_UNSUPPORTED_PLATFORM, and no thread is started', async () => {
      setFormatBackend();
      expect((await rejection(formatVolume(VOLUME))).code).to.equal('ERR_UNSUPPORTED_PLATFORM');
    });
  }
});

describe('formatVolume: the worker thread (lib/format-thread.ts)', function () {
  this.timeout(20_000);
  const entry = new URL('./fixtures/fake-format-worker.ts', import.meta.url);
  const job = (driveRoot: string, onPacket: FormatJob['onPacket'] = () => {}): FormatJob => ({
    driveRoot, fileSystemName: 'NTFS', label: '', quick: true, clusterSize: 0, cancel: new Int32Array(new SharedArrayBuffer(4)), onPacket,
  });

  it('relays the packets in order and resolves when FormatEx returned', async () => {
    const commands: Array<[number, number | undefined]> = [];
    await formatInWorker(job('ok', (packet) => commands.push([packet.command, packet.value])), entry);
    expect(commands).to.deep.equal([[0, 0], [0, 50], [0, 100], [11, 1]]);
  });

  it('the shared flag reaches the callback on the worker\'s thread: it answers FALSE and the format ends', async () => {
    const running = job('slow', (packet) => {
      if (packet.command === 0 && packet.value === 20) Atomics.store(running.cancel, 0, 1);
      percents.push(packet.value);
    });
    const percents: Array<number | undefined> = [];
    await formatInWorker(running, entry);
    expect(percents.at(-1)).to.equal(0); // FmIfsFinished FALSE
    expect(percents.length).to.be.lessThan(40); // stopped soon after 20, not at 100
  });

  it('the worker is terminated once FormatEx returned: its thread does not live on', async () => {
    const lingering = { ...job('linger'), cancel: new Int32Array(new SharedArrayBuffer(8)) };
    await formatInWorker(lingering, entry);
    await sleep(100);
    const beat = Atomics.load(lingering.cancel, 1);
    await sleep(200);
    expect(Atomics.load(lingering.cancel, 1)).to.equal(beat);
  });

  it('a worker that ends without a result: ERR_FORMAT_WORKER_FAILED', async () => {
    const error = await rejection(formatInWorker(job('exit'), entry));
    expect(error).to.include({ code: 'ERR_FORMAT_WORKER_FAILED', syscall: 'FormatEx' });
    expect(error.message).to.include('exit code 3');
  });

  it('a worker that throws: ERR_FORMAT_WORKER_FAILED with the exception as cause', async () => {
    const error = await rejection(formatInWorker(job('throw'), entry));
    expect(error.code).to.equal('ERR_FORMAT_WORKER_FAILED');
    expect(((error as Error).cause as Error).message).to.equal('the fake worker failed');
  });

  it('a worker that could not call FormatEx: its code', async () => {
    const error = await rejection(formatInWorker(job('failed'), entry));
    expect(error).to.include({ code: 'ERR_PROC_NOT_FOUND', syscall: 'FormatEx' });
  });

  it('the real worker starts under tsx (a .ts entry) and, off Windows, reports that fmifs.dll cannot load', async function () {
    if (process.platform === 'win32') this.skip();
    const error = await rejection(formatInWorker(job('Q:\\')));
    expect(error.code).to.equal('ERR_UNSUPPORTED_PLATFORM');
  });
});
