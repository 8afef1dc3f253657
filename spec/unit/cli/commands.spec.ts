// vdisk's commands run in-process against the stand-in for the DLLs: what each command line asks of Windows
// (flags, sizes, depths as the DLL receives them), what it prints (text and --json shapes), and its exit code.
import { expect } from 'chai';
import { installFakeWindows, PHYSICAL_PATH, type FakeWindows } from '../../helpers/fake-windows.ts';
import { vdisk } from '../../helpers/cli-run.ts';
import * as sdk from '../../../types/constants.ts';

const BUILD = ['--windows-build', '26100'];
const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe('vdisk command line', () => {
  it('--help and --version: exit 0 on stdout; no command: the help on stderr, exit 2', async () => {
    const help = await vdisk(['--help']);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.match(/^Usage: vdisk /).and.match(/^ {2}attach \[options\] <image>/m).and.match(/^ {2}explain <command\.\.\.>/m).and.match(/Exit codes: 0 success/);
    const version = await vdisk(['--version']);
    expect(version.code).to.equal(0);
    expect(version.stdout).to.match(/^\d+\.\d+\.\d+\n$/);
    const none = await vdisk([]);
    expect(none.code).to.equal(2);
    expect(none.stdout).to.equal('');
    expect(none.stderr).to.match(/^Usage: vdisk /);
  });

  it('what commander refuses is a usage error: exit 2, in words or as { error: { code: "ERR_USAGE" } }', async () => {
    for (const [argv, pattern, reason] of [
      [['bogus'], /unknown command 'bogus'/, 'commander.unknownCommand'],
      [['attach'], /missing required argument 'image'/, 'commander.missingArgument'],
      [['attach', 'C:\\a.vhdx', '--readonly'], /unknown option '--readonly'/, 'commander.unknownOption'],
      [['create', 'C:\\a.vhdx', '--size'], /option '--size <size>' argument missing/, 'commander.optionMissingArgument'],
    ] as const) {
      const text = await vdisk([...argv]);
      expect(text.code, argv.join(' ')).to.equal(2);
      expect(text.stderr).to.match(pattern);
      const asJson = await vdisk([...argv, '--json']);
      expect(asJson.code).to.equal(2);
      expect(json(asJson.stdout).error).to.include({ code: 'ERR_USAGE', reason });
    }
    const nested = await vdisk(['explain', 'explain', 'attach', 'C:\\a.vhdx']);
    expect(nested.code).to.equal(2);
    expect(nested.stderr).to.match(/explain takes a command other than explain/);
  });
});

describe('vdisk commands (on the stand-in for the DLLs)', () => {
  let fake: FakeWindows;
  beforeEach(() => { fake = installFakeWindows(); fake.operationMs = 20; });
  afterEach(() => fake.restore());

  describe('attach', () => {
    it('is permanent by default, prints the physical path, and closes its handle', async () => {
      const run = await vdisk(['attach', 'C:\\images\\data.vhdx', ...BUILD]);
      expect(run.code).to.equal(0);
      expect(fake.fn.AttachVirtualDisk!.firstCall.args[2]).to.equal(sdk.ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME);
      expect(run.stdout).to.match(/^path +C:\\images\\data\.vhdx$/m).and.match(/^physical path +\\\\\.\\PhysicalDrive3$/m).and.match(/^lifetime +permanent/m);
      expect(fake.openHandles.size, 'the handle is closed: the attach outlives it').to.equal(0);
    });

    it('--read-only --no-drive-letter --sddl: the flags and a security descriptor, freed after the call', async () => {
      const run = await vdisk(['attach', 'C:\\images\\data.vhdx', '--read-only', '--no-drive-letter', '--sddl', 'O:BAG:BAD:(A;;GA;;;WD)', ...BUILD]);
      expect(run.code).to.equal(0);
      const [, descriptor, flags] = fake.fn.AttachVirtualDisk!.firstCall.args as [unknown, bigint, number];
      expect(flags).to.equal(sdk.ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY | sdk.ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER | sdk.ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME);
      expect(typeof descriptor).to.equal('bigint');
      expect(fake.liveDescriptors.size).to.equal(0);
    });

    it('--json: { path, storageType, physicalPath, permanent, mountPoints, volumes }', async () => {
      const run = await vdisk(['attach', 'C:\\images\\win.iso', '--json', ...BUILD]);
      expect(run.code).to.equal(0);
      const document = json(run.stdout);
      expect(Object.keys(document)).to.deep.equal(['path', 'storageType', 'physicalPath', 'permanent', 'mountPoints', 'volumes']);
      expect(document).to.include({ path: 'C:\\images\\win.iso', storageType: 'iso', physicalPath: PHYSICAL_PATH, permanent: true });
      expect(run.stderr).to.equal('');
    });

    it('--temporary: attached without PERMANENT_LIFETIME until Ctrl-C, then detached and closed (exit 0)', async () => {
      const run = await vdisk(['attach', 'C:\\images\\data.vhdx', '--temporary', ...BUILD], {
        during: async (interrupt, output) => {
          await until(() => output.stdout().includes('physical path'));
          expect(fake.fn.DetachVirtualDisk!.called, 'still attached before Ctrl-C').to.equal(false);
          interrupt();
        },
      });
      expect(run.code).to.equal(0);
      expect(fake.fn.AttachVirtualDisk!.firstCall.args[2]).to.equal(0);
      expect(fake.fn.DetachVirtualDisk!.calledOnce).to.equal(true);
      expect(run.stdout).to.match(/^lifetime +temporary \(until Ctrl-C\)$/m);
      expect(run.stderr).to.match(/attached until Ctrl-C/).and.match(/detached C:\\images\\data\.vhdx/);
      expect(fake.openHandles.size).to.equal(0);
    });

    it('a Windows refusal: exit 1, the message, the Win32 code and the hint on stderr', async () => {
      fake.fn.AttachVirtualDisk!.callsFake(() => 1314); // ERROR_PRIVILEGE_NOT_HELD
      const run = await vdisk(['attach', 'C:\\images\\data.vhdx', ...BUILD]);
      expect(run.code).to.equal(1);
      expect(run.stdout).to.equal('');
      expect(run.stderr).to.match(/^vdisk attach: AttachVirtualDisk 'C:\\images\\data\.vhdx': System message 1314\. \(ERROR_PRIVILEGE_NOT_HELD, 1314\)$/m);
      expect(run.stderr).to.match(/^ {2}code: ERROR_PRIVILEGE_NOT_HELD \(1314, AttachVirtualDisk\)$/m).and.match(/^ {2}hint: .*elevated/m);
    });

    it('--json on a Windows refusal: the error document on stdout, exit 1', async () => {
      fake.fn.AttachVirtualDisk!.callsFake(() => 5);
      const run = await vdisk(['--json', 'attach', 'C:\\images\\data.vhdx', ...BUILD]);
      expect(run.code).to.equal(1);
      const { error } = json(run.stdout) as { error: Record<string, unknown> };
      expect(Object.keys(error)).to.deep.equal(['code', 'errno', 'syscall', 'path', 'message', 'hint', 'holders', 'reason', 'parameter', 'rule']);
      expect(error).to.include({ code: 'ERROR_ACCESS_DENIED', errno: 5, syscall: 'AttachVirtualDisk', path: 'C:\\images\\data.vhdx' });
      expect(error.message).to.not.include('hint:');
      expect(error.hint).to.be.a('string');
      expect(run.stderr).to.equal('');
    });

    it('a rule refuses before Windows: exit 2, the rule quoted, nothing native called', async () => {
      const run = await vdisk(['attach', 'C:\\images\\win.iso', '--sddl', 'O:BAG:BAD:(A;;GA;;;WD)', '--windows-build', '9199']);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(/ERR_ISO_UNSUPPORTED/).and.match(/The rule: "CD and DVD image files \(ISO\) are not supported before Windows 8/);
      expect(fake.fn.OpenVirtualDisk!.called).to.equal(false);
    });

  });

  describe('detach and info', () => {
    it('detach: opened for detaching, detached, closed; JSON { path, attached: false }', async () => {
      const run = await vdisk(['detach', 'C:\\images\\win.iso', '--json', ...BUILD]);
      expect(run.code).to.equal(0);
      expect(fake.fn.OpenVirtualDisk!.firstCall.args[2]).to.equal(sdk.VIRTUAL_DISK_ACCESS_DETACH);
      expect(fake.fn.DetachVirtualDisk!.calledOnce).to.equal(true);
      expect(json(run.stdout)).to.deep.equal({ path: 'C:\\images\\win.iso', attached: false });
    });

    it('detach of an image that is not attached: exit 1 with Windows\' code', async () => {
      fake.fn.DetachVirtualDisk!.callsFake(() => 21); // ERROR_NOT_READY
      const run = await vdisk(['detach', 'C:\\images\\data.vhdx', ...BUILD]);
      expect(run.code).to.equal(1);
      expect(run.stderr).to.match(/ERROR_NOT_READY \(21, DetachVirtualDisk\)/);
    });

    it('info: VirtualDiskInfo as JSON, and as aligned lines with both size units', async () => {
      const asJson = await vdisk(['info', 'C:\\images\\data.vhdx', '--json', ...BUILD]);
      expect(asJson.code).to.equal(0);
      expect(json(asJson.stdout)).to.include({ path: 'C:\\images\\data.vhdx', storageType: 'vhdx', subtype: 'dynamic', virtualSize: 64 * 2 ** 20, physicalSectorSize: 4096 });
      const asText = await vdisk(['info', 'C:\\images\\data.vhdx', ...BUILD]);
      expect(asText.stdout).to.match(/^virtual size +64 MiB \(67108864 bytes\)$/m).and.match(/^subtype +dynamic$/m).and.match(/^identifier +33221100-5544-7766-8899-aabbccddeeff$/m);
    });
  });

  describe('create, compact, resize, merge', () => {
    it('create --size 64MB: MaximumSize 64 000 000 at offset 24; JSON { path, storageType, type, size, parent, source }', async () => {
      const run = await vdisk(['create', 'C:\\vm\\new.vhdx', '--size', '64MB', '--json', ...BUILD]);
      expect(run.code).to.equal(0);
      expect(fake.operations[0]!.parameters!.readBigUInt64LE(24)).to.equal(64_000_000n);
      expect(json(run.stdout)).to.deep.equal({ path: 'C:\\vm\\new.vhdx', storageType: 'vhdx', type: 'dynamic', size: 64_000_000, parent: null, source: null });
    });

    it('create --fixed --size 10GiB --block-size / sector sizes reach the parameters', async () => {
      const run = await vdisk(['create', 'C:\\vm\\f.vhdx', '--size', '10GiB', '--sector-size', '4096', '--physical-sector-size', '4096', ...BUILD]);
      expect(run.code).to.equal(0);
      const bytes = fake.operations[0]!.parameters!;
      expect([bytes.readBigUInt64LE(24), bytes.readUInt32LE(36), bytes.readUInt32LE(40)]).to.deep.equal([10n << 30n, 4096, 4096]);
      const fixed = await vdisk(['create', 'C:\\vm\\g.vhdx', '--fixed', '--size', '3MiB', ...BUILD]);
      expect(fixed.code).to.equal(0);
      expect(fake.operations[1]!.flags).to.equal(sdk.CREATE_VIRTUAL_DISK_FLAG_FULL_PHYSICAL_ALLOCATION);
      expect(fixed.stdout).to.match(/^type +vhdx, fixed$/m);
    });

    it('create --parent: a differencing disk (no size)', async () => {
      const run = await vdisk(['create', 'C:\\vm\\child.vhdx', '--parent', 'C:\\vm\\base.vhdx', '--json', ...BUILD]);
      expect(run.code).to.equal(0);
      expect(json(run.stdout)).to.include({ type: 'differencing', size: null, parent: 'C:\\vm\\base.vhdx' });
    });

    it('create with a bad size or sector size: exit 2 before Windows', async () => {
      for (const argv of [['--size', '64M'], ['--size', '1MB'], ['--sector-size', '1024', '--size', '1GiB'], ['--size', '1GiB', '--parent', 'C:\\vm\\b.vhdx']]) {
        const run = await vdisk(['create', 'C:\\vm\\bad.vhdx', ...argv, ...BUILD]);
        expect(run.code, argv.join(' ')).to.equal(2);
      }
      expect(fake.fn.CreateVirtualDisk!.called).to.equal(false);
    });

    it('compact --no-zero-scan --no-block-moves: both flags; JSON { path, sizeBefore, sizeAfter }', async () => {
      const run = await vdisk(['compact', 'C:\\vm\\data.vhdx', '--no-zero-scan', '--no-block-moves', '--json', ...BUILD]);
      expect(run.code).to.equal(0);
      expect(fake.operations[0]!.flags).to.equal(sdk.COMPACT_VIRTUAL_DISK_FLAG_NO_ZERO_SCAN | sdk.COMPACT_VIRTUAL_DISK_FLAG_NO_BLOCK_MOVES);
      expect(Object.keys(json(run.stdout))).to.deep.equal(['path', 'sizeBefore', 'sizeAfter']);
    });

    it('resize --size 128GiB and --smallest: NewSize and the flag; one of them is required', async () => {
      expect((await vdisk(['resize', 'C:\\vm\\data.vhdx', '--size', '128GiB', ...BUILD])).code).to.equal(0);
      expect(fake.operations[0]!.parameters!.readBigUInt64LE(8)).to.equal(128n << 30n);
      const smallest = await vdisk(['resize', 'C:\\vm\\data.vhdx', '--smallest', '--json', ...BUILD]);
      expect(smallest.code).to.equal(0);
      expect(fake.operations[1]!.flags).to.equal(sdk.RESIZE_VIRTUAL_DISK_FLAG_RESIZE_TO_SMALLEST_SAFE_VIRTUAL_SIZE);
      expect(json(smallest.stdout)).to.deep.equal({ path: 'C:\\vm\\data.vhdx', size: null, smallest: true });
      for (const argv of [[], ['--size', '1GiB', '--smallest']]) {
        const run = await vdisk(['resize', 'C:\\vm\\data.vhdx', ...argv, '--json', ...BUILD]);
        expect(run.code).to.equal(2);
        expect((json(run.stdout).error as Record<string, unknown>).code).to.equal('ERR_USAGE');
      }
    });

    it('merge --depth 2: MERGE_VIRTUAL_DISK_PARAMETERS version 2, source 1, target 3', async () => {
      const run = await vdisk(['merge', 'C:\\vm\\child.vhdx', '--depth', '2', '--json', ...BUILD]);
      expect(run.code).to.equal(0);
      const bytes = fake.operations[0]!.parameters!;
      expect([bytes.readUInt32LE(0), bytes.readUInt32LE(4), bytes.readUInt32LE(8)]).to.deep.equal([2, 1, 3]);
      expect(json(run.stdout)).to.deep.equal({ path: 'C:\\vm\\child.vhdx', depth: 2 });
      expect((await vdisk(['merge', 'C:\\vm\\child.vhdx', '--depth', 'two'])).code).to.equal(2);
    });

    it('Ctrl-C during compact cancels the Windows operation (CancelIoEx), exit 130', async () => {
      fake.operationMs = 60_000;
      const run = await vdisk(['compact', 'C:\\vm\\data.vhdx', ...BUILD], {
        during: async (interrupt) => {
          await until(() => fake.operations.length > 0);
          interrupt();
        },
      });
      expect(run.code).to.equal(130);
      expect(fake.fn.CancelIoEx!.calledOnce).to.equal(true);
      expect(fake.operations[0]!.cancelled).to.equal(true);
      expect(run.stderr).to.match(/SIGINT: cancelling/).and.match(/code: ABORT_ERR/);
      expect(fake.openHandles.size, 'the disk and the event are closed').to.equal(0);
    });

    it('Ctrl-C during create --json: exit 130 and { error: { code: "ABORT_ERR" } }; a second Ctrl-C exits at once', async () => {
      fake.operationMs = 60_000;
      const run = await vdisk(['create', 'C:\\vm\\c.vhdx', '--size', '1GiB', '--json', ...BUILD], {
        during: async (interrupt) => {
          await until(() => fake.operations.length > 0);
          interrupt();
          interrupt();
        },
      });
      expect(run.code).to.equal(130);
      expect(run.exits).to.deep.equal([130]);
      expect((json(run.stdout).error as Record<string, unknown>).code).to.equal('ABORT_ERR');
    });
  });

  describe('progress', () => {
    it('plain lines on stderr when it is not a terminal, ending at 100 %', async () => {
      const run = await vdisk(['compact', 'C:\\vm\\data.vhdx', ...BUILD]);
      expect(run.stderr).to.match(/^compact: \d+% \| ETA /m).and.match(/^compact: 100% \| ETA /m);
      expect(run.stderr).to.not.match(/\x1b\[/);
    });

    it('a bar with bytes, percent, rate and ETA when stderr is a terminal', async () => {
      const run = await vdisk(['create', 'C:\\vm\\bar.vhdx', '--size', '1GiB', ...BUILD], { tty: true });
      expect(run.stderr).to.match(/create \[[█░]+\] 100% \| 1 GiB of 1 GiB \| (?:[\d.]+ [KMGT]?i?B\/s|-) \| ETA /); // - : a rate not yet known
      expect(run.stderr).to.match(/\x1b\[/);
    });

    it('nothing with --quiet or --json', async () => {
      for (const flag of ['--quiet', '--json']) {
        const run = await vdisk(['compact', 'C:\\vm\\data.vhdx', flag, ...BUILD], { tty: true });
        expect(run.code).to.equal(0);
        expect(run.stderr, flag).to.equal('');
      }
    });
  });
});

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
