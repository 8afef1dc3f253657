// vdisk new and vdisk format on any OS: their command lines (usage errors, help), the rules that refuse before
// Windows (exit 2), exit codes of the library's new errors, format run end to end through formatVolume's backend
// seam (a stand-in for fmifs.dll), and new run on the stand-in for the DLLs up to where it has no disk device: the
// failure is undone (detached, closed) and reported with exit 1; Ctrl-C during the create cancels and undoes (130).
import { expect } from 'chai';
import { exitCodeFor } from '../../../bin/exit-codes.ts';
import { startStepProgress } from '../../../bin/progress.ts';
import { AbortError, PreconditionError, VirtualDiskError } from '../../../lib/errors.ts';
import { setFormatBackend } from '../../../lib/format-volume.ts';
import type { FormatJob } from '../../../lib/format-thread.ts';
import * as sdk from '../../../types/constants.ts';
import { FmIfsCantLock, FmIfsFinished, FmIfsPercentCompleted } from '../../../types/fmifs-constants.ts';
import { installFakeWindows, type FakeWindows } from '../../helpers/fake-windows.ts';
import { until, vdisk } from '../../helpers/cli-run.ts';

const BUILD = ['--windows-build', '26100'];
const VOLUME = '\\\\?\\Volume{0b3d6f1e-2a4c-4e5f-9a8b-1c2d3e4f5a6b}\\';
const errorOf = (text: string) => (JSON.parse(text) as { error: Record<string, unknown> }).error;

describe('vdisk new and format: the command line', () => {
  it('--help lists both; format\'s help says it erases the volume, new\'s that the attach is permanent', async () => {
    const help = await vdisk(['--help']);
    expect(help.stdout).to.match(/^ {2}new \[options\] <image>/m).and.match(/^ {2}format \[options\] <volume>/m);
    const format = await vdisk(['format', '--help']);
    expect(format.code).to.equal(0);
    expect(format.stdout).to.match(/ERASED/).and.match(/without a\s+confirmation\s+prompt/).and.match(/--fs <ntfs\|refs\|exfat\|fat32>/);
    const provision = await vdisk(['new', '--help']);
    expect(provision.stdout).to.match(/--dev-drive/).and.match(/--temporary/).and.match(/permanent/).and.match(/--no-drive-letter/);
  });

  it('usage errors (exit 2, ERR_USAGE): no --size, an unknown --fs, a --wait that is no number, format without a volume', async () => {
    for (const [argv, parameter] of [
      [['new', 'C:\\vm\\a.vhdx'], '--size'],
      [['new', 'C:\\vm\\a.vhdx', '--size', '1GiB', '--fs', 'hfs'], '--fs'],
      [['new', 'C:\\vm\\a.vhdx', '--size', '1GiB', '--wait', 'soon'], '--wait'],
      [['format', 'Q:', '--fs', 'zfs'], '--fs'],
      [['format', 'Q:', '--cluster-size', '4k'], '--cluster-size'],
    ] as const) {
      const run = await vdisk([...argv, '--dry-run', '--json']);
      expect(run.code, argv.join(' ')).to.equal(2);
      expect(errorOf(run.stdout), argv.join(' ')).to.include({ parameter });
    }
    const missing = await vdisk(['format', '--json']);
    expect(missing.code).to.equal(2);
    expect(errorOf(missing.stdout)).to.include({ code: 'ERR_USAGE', reason: 'commander.missingArgument' });
  });

  it('the flags reach the plan: --mbr, --fixed, --no-drive-letter, --temporary, --fs, --label, --cluster-size, --full', async () => {
    const run = await vdisk(['new', 'C:\\vm\\f.vhdx', '--size', '1GiB', '--fixed', '--mbr', '--no-drive-letter', '--temporary', '--fs', 'exFAT',
      '--label', 'X', '--cluster-size', '64KiB', '--full', '--dry-run', '--json', ...BUILD]);
    expect(run.code, run.stdout).to.equal(0);
    const calls = (JSON.parse(run.stdout) as { calls: Array<{ function: string; when?: string; arguments: Array<{ name: string; value: unknown; names?: string[]; struct?: { hex: string } }> }> }).calls;
    const argument = (fn: string, name: string) => calls.find((call) => call.function === fn)!.arguments.find((a) => a.name === name)!;
    expect(argument('CreateVirtualDisk', 'Flags').names).to.deep.equal(['CREATE_VIRTUAL_DISK_FLAG_FULL_PHYSICAL_ALLOCATION']);
    expect(argument('AttachVirtualDisk', 'Flags').names).to.deep.equal(['ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER']);
    const createDisk = calls.find((call) => call.arguments.some((a) => a.names?.[0] === 'IOCTL_DISK_CREATE_DISK'))!;
    expect(createDisk.arguments.find((a) => a.name === 'lpInBuffer')!.struct!.hex).to.equal('00'.repeat(24)); // PARTITION_STYLE_MBR, signature at run time
    expect(calls.find((call) => call.function === 'FormatEx')!.arguments.map((a) => a.value)).to.deep.equal([null, 12, 'exFAT', 'X', 0, 65536, null]);
    expect(calls.filter((call) => call.when === 'after Ctrl-C').map((call) => call.function)).to.deep.equal(['DetachVirtualDisk', 'CloseHandle']);
    expect(calls.some((call) => call.function === 'SetVolumeMountPointW')).to.equal(false);
  });

  it('new --dev-drive and format --dev-drive: ERR_DEV_DRIVE_UNSUPPORTED, exit 2, in the dry run and the real run alike, before Windows', async () => {
    for (const argv of [['new', 'C:\\vm\\dev.vhdx', '--size', '64GiB', '--dev-drive'], ['format', 'Q:', '--dev-drive']]) {
      for (const dry of [['--dry-run'], []]) {
        const run = await vdisk([...argv, ...dry, '--json', ...BUILD]);
        expect(run.code, `${argv.join(' ')} ${dry.join('')}`).to.equal(2);
        expect(errorOf(run.stdout)).to.include({ code: 'ERR_DEV_DRIVE_UNSUPPORTED', parameter: 'devDrive', reason: 'FILE_SYSTEM_UNAVAILABLE' });
      }
    }
    const text = await vdisk(['new', 'C:\\vm\\dev.vhdx', '--size', '64GiB', '--dev-drive', ...BUILD]);
    expect(text.stderr).to.match(/^vdisk new: /).and.match(/code: ERR_DEV_DRIVE_UNSUPPORTED/).and.match(/Format-Volume/);
  });

  it('provision\'s rules refuse before Windows (exit 2): FAT32 over 32 GiB, a long FAT label, --existing with --size, an ISO, a bad --mount', async () => {
    for (const [argv, code] of [
      [['new', 'C:\\vm\\big.vhdx', '--size', '64GiB', '--fs', 'fat32'], 'ERR_VOLUME_TOO_BIG'],
      [['new', 'C:\\vm\\l.vhdx', '--size', '1GiB', '--fs', 'exfat', '--label', 'TWELVE_CHARS'], 'ERR_INVALID_LABEL'],
      [['new', 'C:\\vm\\e.vhdx', '--existing', '--size', '1GiB'], 'ERR_INVALID_ARG_VALUE'],
      [['new', 'C:\\vm\\x.iso', '--size', '1GiB'], 'ERR_ISO_UNSUPPORTED'],
      [['new', 'C:\\vm\\m.vhdx', '--size', '1GiB', '--mount', '\\\\server\\share'], 'ERR_INVALID_ARG_VALUE'],
      [['new', 'C:\\vm\\r.vhdx', '--size', '1GiB', '--fs', 'refs', '--cluster-size', '8192'], 'ERR_INVALID_CLUSTER_SIZE'],
    ] as const) {
      const run = await vdisk([...argv, '--dry-run', '--json', ...BUILD]);
      expect(run.code, argv.join(' ')).to.equal(2);
      expect(errorOf(run.stdout).code, argv.join(' ')).to.equal(code);
    }
  });

  it('exit codes of the library\'s provision and format errors', () => {
    const precondition = (code: string) => new PreconditionError(code, { syscall: 'x', parameter: 'p', problem: 'p.', rule: 'r.', fix: 'f.' });
    expect(exitCodeFor(precondition('ERR_DISK_NOT_RAW'))).to.equal(2);
    expect(exitCodeFor(precondition('ERR_DEV_DRIVE_UNSUPPORTED'))).to.equal(2);
    expect(exitCodeFor(precondition('ERR_IMAGE_NOT_FOUND'))).to.equal(2);
    expect(exitCodeFor(precondition('ERR_NOT_A_VOLUME'))).to.equal(2);
    expect(exitCodeFor(new VirtualDiskError('format failed', { code: 'ERR_FORMAT_FAILED', reason: 'VOLUME_IN_USE' }))).to.equal(1);
    expect(exitCodeFor(new VirtualDiskError('no volume', { code: 'ERR_NO_VOLUME', reason: 'NO_VOLUME' }))).to.equal(1);
    expect(exitCodeFor(new AbortError())).to.equal(130);
  });

  it('step progress: plain lines per step (start, end) when stderr is no terminal; a bar with the step name on a terminal', () => {
    let plain = '';
    const lines = startStepProgress({ write: (text: string) => { plain += text; }, isTTY: false }, 'new');
    for (const [step, percent] of [['create', 0], ['create', 40], ['create', 100], ['attach', 0], ['attach', 100]] as const) lines.update({ step, percent });
    lines.stop();
    expect(plain).to.equal('new: create 0%\nnew: create 100%\nnew: attach 0%\nnew: attach 100%\n');
    let drawn = '';
    const bar = startStepProgress({ write: (text: string) => { drawn += text; }, isTTY: true, columns: 100 } as never, 'new');
    bar.update({ step: 'format', percent: 50 });
    bar.stop();
    expect(drawn).to.match(/new format +\[[█░]+\] 50%/);
  });
});

describe('vdisk format (formatVolume with a stand-in for fmifs.dll)', () => {
  let jobs: FormatJob[];
  let script: { refusal?: number; hold?: boolean };
  beforeEach(() => {
    jobs = [];
    script = {};
    setFormatBackend({
      volumeOfMountPoint: async (mountPoint) => (mountPoint === 'Q:\\' ? VOLUME : undefined),
      volumeLength: async () => 8n * 2n ** 30n,
      formatter: async (job) => {
        jobs.push(job);
        if (script.refusal !== undefined) {
          job.onPacket({ command: script.refusal, length: 0 });
          job.onPacket({ command: FmIfsFinished, length: 1, value: 0 });
          return;
        }
        for (const percent of [0, 50, 100]) {
          job.onPacket({ command: FmIfsPercentCompleted, length: 4, value: percent });
          while (script.hold && Atomics.load(job.cancel, 0) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
          if (Atomics.load(job.cancel, 0) !== 0) {
            job.onPacket({ command: FmIfsFinished, length: 1, value: 0 });
            return;
          }
        }
        job.onPacket({ command: FmIfsFinished, length: 1, value: 1 });
      },
    });
  });
  afterEach(() => setFormatBackend());

  it('Q: --fs exfat --label DATA --json: FormatEx on the GUID path, { volume, fileSystem, label, clusterSize, quick }', async () => {
    const run = await vdisk(['format', 'Q:', '--fs', 'exfat', '--label', 'DATA', '--json']);
    expect(run.code, run.stdout).to.equal(0);
    expect(JSON.parse(run.stdout)).to.deep.equal({ volume: 'Q:', fileSystem: 'exfat', label: 'DATA', clusterSize: 0, quick: true });
    expect(jobs).to.have.length(1);
    expect(jobs[0]).to.include({ driveRoot: VOLUME.slice(0, -1), fileSystemName: 'exFAT', label: 'DATA', quick: true, clusterSize: 0 });
    expect(run.stderr).to.equal('');
  });

  it('a GUID path, --full --cluster-size 64KiB, in words, with progress lines on stderr', async () => {
    const run = await vdisk(['format', VOLUME, '--full', '--cluster-size', '64KiB']);
    expect(run.code).to.equal(0);
    expect(jobs[0]).to.include({ fileSystemName: 'NTFS', quick: false, clusterSize: 65536 });
    expect(run.stdout).to.match(/^formatted +\\\\\?\\Volume\{/m).and.match(/^file system +NTFS$/m).and.match(/^cluster size +65536 bytes$/m).and.match(/^format +full$/m);
    expect(run.stderr).to.match(/^format: 100%/m);
  });

  it('a letter that is no volume: ERR_NOT_A_VOLUME, exit 2, FormatEx not called', async () => {
    const run = await vdisk(['format', 'R:', '--json']);
    expect(run.code).to.equal(2);
    expect(errorOf(run.stdout)).to.include({ code: 'ERR_NOT_A_VOLUME' });
    expect(jobs).to.have.length(0);
  });

  it('fmifs refuses (FmIfsCantLock): ERR_FORMAT_FAILED with reason VOLUME_IN_USE, exit 1, the hint on stderr', async () => {
    script.refusal = FmIfsCantLock;
    const run = await vdisk(['format', 'Q:']);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/code: ERR_FORMAT_FAILED/).and.match(/hint: .*files or folders open/);
    const asJson = await vdisk(['format', 'Q:', '--json']);
    expect(errorOf(asJson.stdout)).to.include({ code: 'ERR_FORMAT_FAILED', reason: 'VOLUME_IN_USE' });
  });

  it('Ctrl-C: the format is cancelled, exit 130, and vdisk says the volume is left unformatted', async () => {
    script.hold = true;
    const run = await vdisk(['format', 'Q:'], {
      during: async (interrupt) => {
        await until(() => jobs.length > 0);
        interrupt();
      },
    });
    expect(run.code).to.equal(130);
    expect(run.stderr).to.match(/SIGINT: cancelling/).and.match(/left unformatted \(RAW\)/).and.match(/code: ABORT_ERR/);
  });
});

describe('vdisk new (on the stand-in for the DLLs, which has no disk device behind the attach)', () => {
  let fake: FakeWindows;
  beforeEach(() => { fake = installFakeWindows(); fake.operationMs = 20; });
  afterEach(() => fake.restore());

  it('created and attached (permanent), then the disk cannot be opened: undone (detached, closed), exit 1 with the step\'s error', async () => {
    const run = await vdisk(['new', 'C:\\vm\\n.vhdx', '--size', '64MiB', ...BUILD]);
    expect(run.code).to.equal(1);
    expect(fake.fn.CreateVirtualDisk!.calledOnce).to.equal(true);
    expect(fake.fn.AttachVirtualDisk!.firstCall.args[2]).to.equal(sdk.ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME);
    expect(fake.fn.DetachVirtualDisk!.calledOnce, 'the attach is undone').to.equal(true);
    expect(fake.openHandles.size).to.equal(0);
    expect(run.stderr).to.match(/^new: create 0%$/m).and.match(/^new: attach 100%$/m).and.match(/^new: initialize 0%$/m);
    expect(run.stderr).to.match(/^vdisk new: CreateFileW '\\\\\.\\PhysicalDrive3'/m);
  });

  it('--temporary --no-drive-letter: attached without PERMANENT_LIFETIME, with NO_DRIVE_LETTER', async () => {
    await vdisk(['new', 'C:\\vm\\t.vhdx', '--size', '64MiB', '--temporary', '--no-drive-letter', '--json', ...BUILD]);
    expect(fake.fn.AttachVirtualDisk!.firstCall.args[2]).to.equal(sdk.ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER);
  });

  it('Ctrl-C during the create: cancelled in Windows, exit 130, and vdisk says every step was undone', async () => {
    fake.operationMs = 60_000;
    const run = await vdisk(['new', 'C:\\vm\\c.vhdx', '--size', '1GiB', ...BUILD], {
      during: async (interrupt) => {
        await until(() => fake.operations.length > 0);
        interrupt();
      },
    });
    expect(run.code).to.equal(130);
    expect(fake.fn.CancelIoEx!.calledOnce).to.equal(true);
    expect(fake.fn.AttachVirtualDisk!.called).to.equal(false);
    expect(run.stderr).to.match(/vdisk new: cancelled; every step made was undone/).and.match(/code: ABORT_ERR/);
    expect(fake.openHandles.size).to.equal(0);
  });
});
