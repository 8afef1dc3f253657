// vdisk --dry-run: golden output (text and JSON, byte-exact, struct hex included), explain = --dry-run, and
// proof that a dry run loads neither koffi nor any native module (it runs with them made unloadable).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { vdisk } from '../../helpers/cli-run.ts';

const golden = (name: string) => new URL(`./golden/${name}`, import.meta.url);
const UPDATE = process.env.VDISK_UPDATE_GOLDEN === '1';

const CASES: Array<[file: string, argv: string[]]> = [
  ['attach-temporary.txt', ['attach', 'C:\\images\\data.vhdx', '--temporary', '--read-only', '--sddl', 'O:BAG:BAD:(A;;GA;;;WD)', '--windows-build', '26100', '--dry-run']],
  ['attach-iso.json', ['attach', 'D:\\iso\\win11.iso', '--no-drive-letter', '--dry-run', '--json', '--windows-build', '22631']],
  ['detach.txt', ['detach', 'C:\\images\\data.vhdx', '--dry-run', '--windows-build', '19045']],
  ['info.txt', ['info', 'C:\\images\\data.vhdx', '--dry-run', '--windows-build', '19045']],
  ['create-differencing.txt', ['create', 'C:\\vm\\child.vhdx', '--parent', 'C:\\vm\\base.vhdx', '--dry-run', '--windows-build', '26100']],
  ['create-fixed.json', ['create', 'C:\\vm\\disk.vhdx', '--size', '2TB', '--fixed', '--sector-size', '4096', '--dry-run', '--json', '--windows-build', '26100']],
  ['compact.txt', ['compact', 'C:\\wsl\\ext4.vhdx', '--no-zero-scan', '--dry-run', '--windows-build', '26100']],
  ['resize.txt', ['resize', 'C:\\vm\\disk.vhdx', '--size', '128GiB', '--dry-run', '--windows-build', '26100']],
  ['merge.json', ['merge', 'C:\\vm\\child.vhdx', '--depth', '2', '--dry-run', '--json', '--windows-build', '26100']],
  ['new-mount.txt', ['new', 'C:\\vm\\data.vhdx', '--size', '64GiB', '--label', 'Data', '--mount', 'Z:', '--dry-run', '--windows-build', '26100']],
  ['new-existing-mbr.json', ['new', 'C:\\vm\\raw.vhd', '--existing', '--mbr', '--fs', 'fat32', '--label', 'USB', '--cluster-size', '4KiB', '--full', '--temporary', '--dry-run', '--json', '--windows-build', '26100']],
  ['format-letter.txt', ['format', 'Q:', '--fs', 'exfat', '--label', 'DATA', '--dry-run', '--windows-build', '26100']],
  ['format-guid-fat32.json', ['format', '\\\\?\\Volume{0b3d6f1e-2a4c-4e5f-9a8b-1c2d3e4f5a6b}\\', '--fs', 'fat32', '--full', '--dry-run', '--json', '--windows-build', '26100']],
];

describe('vdisk --dry-run', () => {
  for (const [file, argv] of CASES) {
    it(`${argv.slice(0, 2).join(' ')} … matches golden/${file} byte for byte`, async () => {
      const run = await vdisk(argv);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stderr).to.equal('');
      if (UPDATE) writeFileSync(golden(file), run.stdout);
      expect(run.stdout).to.equal(readFileSync(golden(file), 'utf8'));
    });
  }

  it('the JSON dry run: { dryRun, command, windowsBuild, note, calls } with struct hex at SDK offsets', async () => {
    const run = await vdisk(['resize', 'C:\\vm\\disk.vhdx', '--size', '1GiB', '--dry-run', '--json', '--windows-build', '26100']);
    const document = JSON.parse(run.stdout) as { dryRun: boolean; calls: Array<{ function: string; arguments: Array<{ name: string; struct?: { hex: string } }> }> };
    expect(Object.keys(document)).to.deep.equal(['dryRun', 'command', 'windowsBuild', 'note', 'calls']);
    const resize = document.calls.find((call) => call.function === 'ResizeVirtualDisk')!;
    expect(resize.arguments.find((argument) => argument.name === 'Parameters')!.struct!.hex).to.equal('01000000000000000000004000000000');
  });

  it('explain <command …> prints what <command …> --dry-run prints', async () => {
    for (const [, argv] of CASES) {
      const words = argv.filter((word) => word !== '--dry-run');
      const explained = await vdisk(['explain', ...words]);
      const dry = await vdisk(argv);
      expect(explained.code).to.equal(0);
      expect(explained.stdout).to.equal(dry.stdout);
    }
  });

  it('a dry run refused by a rule: exit 2 with the rule, as the real command', async () => {
    const run = await vdisk(['attach', 'C:\\images\\data.vhdx', '--windows-build', '17763', '--dry-run', '--json']);
    expect(run.code).to.equal(0);
    const refused = await vdisk(['create', 'C:\\vm\\x.vhd', '--size', '64MB', '--sector-size', '4096', '--dry-run', '--json']);
    expect(refused.code).to.equal(2);
    expect(JSON.parse(refused.stdout).error).to.include({ code: 'ERR_INVALID_SECTOR_SIZE', parameter: 'logicalSectorSize' });
    expect(JSON.parse(refused.stdout).error.rule).to.match(/SectorSizeInBytes "for VHD … must be 512"/);
  });

  describe('off Windows', function () {
    before(function () {
      if (process.platform === 'win32') this.skip();
    });

    it('every command without --dry-run exits 2 with ERR_UNSUPPORTED_PLATFORM and says to use --dry-run', async () => {
      for (const argv of [['attach', 'C:\\a.vhdx'], ['detach', 'C:\\a.vhdx'], ['info', 'C:\\a.vhdx'], ['create', 'C:\\a.vhdx', '--size', '1GiB'],
        ['compact', 'C:\\a.vhdx'], ['resize', 'C:\\a.vhdx', '--size', '1GiB'], ['merge', 'C:\\a.vhdx'], ['new', 'C:\\a.vhdx', '--size', '1GiB'],
        ['format', 'Q:']]) {
        const run = await vdisk(argv);
        expect(run.code, argv.join(' ')).to.equal(2);
        expect(run.stderr, argv.join(' ')).to.match(/code: ERR_UNSUPPORTED_PLATFORM/).and.match(/--dry-run/);
      }
    });

    const cli = fileURLToPath(new URL('../../../bin/vdisk.ts', import.meta.url));
    const hook = fileURLToPath(new URL('../../helpers/no-native.mjs', import.meta.url));
    const node = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', '--import', hook, ...args], { encoding: 'utf8', timeout: 60_000 });

    it('the no-native preload does stop koffi (the control)', function () {
      this.timeout(30_000);
      const run = node(['--input-type=module', '-e', "await import('koffi')"]);
      expect(run.status).to.not.equal(0);
      expect(run.stderr).to.match(/no-native: koffi was imported/);
    });

    it('vdisk … --dry-run runs with koffi and every native module unloadable', function () {
      this.timeout(180_000);
      for (const argv of CASES.map(([, argv]) => argv)) {
        const run = node([cli, ...argv]);
        expect(run.status, `${argv.join(' ')}\n${run.stderr}`).to.equal(0);
        expect(run.stdout).to.match(/dryRun|--dry-run/);
      }
    });

    it('and a real command off Windows still answers ERR_UNSUPPORTED_PLATFORM without loading koffi', function () {
      this.timeout(30_000);
      const run = node([cli, 'info', 'C:\\a.vhdx', '--json']);
      expect(run.status).to.equal(2);
      expect(JSON.parse(run.stdout).error.code).to.equal('ERR_UNSUPPORTED_PLATFORM');
    });
  });
});
