// Real Windows (elevated): provisionVirtualDisk end to end through the public API. Create → provision (NTFS,
// GPT) → write a file through the drive letter → detach → re-attach → the volume and the file are back; then
// ReFS, Dev Drive, MBR + FAT32, `existing: true`, and two cancelled provisions that must leave no file and no
// attached disk. One line per case (ok / skip / FAIL); exit 1 if any case fails. Everything it makes is under
// os.tmpdir() and removed in `finally`. Run by .github/workflows/windows.yml:
//   node --import tsx spec/windows/real-windows-provision.ts
// PowerShell (Get-Volume, Get-Disk) gives an independent view of the file system, label and partition style.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  attachVirtualDisk, createVirtualDisk, currentWindowsBuild, detachVirtualDisk, listAttachedVirtualDisks,
  provisionVirtualDisk, VirtualDiskError, type ProvisionedVirtualDisk, type VirtualDisk,
} from '../../lib/index.ts';

if (process.platform !== 'win32') {
  console.error('usage (Windows, elevated): node --import tsx spec/windows/real-windows-provision.ts');
  process.exit(2);
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const HELLO = 'hello from provisionVirtualDisk';
// The long form of the temp folder (the runner's TEMP has an 8.3 component), so paths compare with Windows' own.
const folder = fs.mkdtempSync(path.join(fs.realpathSync.native(os.tmpdir()), 'virtdisk-provision-'));

class CheckFailed extends Error {
  override name = 'check failed';
}
function check(ok: boolean, what: string): void {
  if (!ok) throw new CheckFailed(what);
}

/** What a case made: disks to close and images to detach and delete, whatever happened. */
class Scope {
  readonly files: string[] = [];
  readonly disks: VirtualDisk[] = [];
  file(name: string): string {
    const file = path.join(folder, name);
    this.files.push(file);
    return file;
  }
  track<T extends VirtualDisk | ProvisionedVirtualDisk>(opened: T): T {
    this.disks.push('disk' in opened ? opened.disk : opened);
    return opened;
  }
  /** Closes, detaches and deletes everything, going on past a failure; rejects with the first. */
  async cleanUp(): Promise<void> {
    const errors: unknown[] = [];
    // A permanent attach outlives close(): detachVirtualDisk below ends it (no handle of ours may stay open).
    for (const disk of this.disks) await disk.close().catch((error: unknown) => errors.push(error));
    for (const file of this.files) {
      if (!fs.existsSync(file)) continue;
      await detachVirtualDisk(file, { ifAttached: true }).catch((error: unknown) => errors.push(error));
      for (let i = 0; ; i++) {
        try {
          fs.rmSync(file, { force: true });
          break;
        } catch (error) {
          if (i === 20) {
            errors.push(error);
            break;
          }
          await sleep(250); // the image file can stay open a moment after the detach
        }
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}

type Outcome = void | { skipped: string };
let failures = 0;

async function runCase(name: string, body: (scope: Scope) => Promise<Outcome>): Promise<void> {
  const scope = new Scope();
  const started = Date.now();
  let outcome: Outcome = undefined;
  let failure: unknown;
  try {
    outcome = await body(scope);
  } catch (error) {
    failure = error;
  }
  try {
    await scope.cleanUp();
  } catch (error) {
    failure ??= new Error(`clean-up failed: ${describe(error)}`);
  }
  const ms = `${Date.now() - started} ms`;
  if (failure !== undefined) {
    failures++;
    console.log(`FAIL ${name} (${ms}): ${describe(failure)}`);
    if (!(failure instanceof CheckFailed) && failure instanceof Error && failure.stack) console.log(failure.stack.replace(/^/gm, '     '));
  } else if (outcome) {
    console.log(`skip ${name} (${ms}): ${outcome.skipped}`);
  } else {
    console.log(`ok   ${name} (${ms})`);
  }
}

function describe(error: unknown): string {
  if (error instanceof VirtualDiskError) {
    return `${error.name} ${error.code}${error.reason ? ` (reason ${error.reason})` : ''}: ${error.message}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The library's machine-readable reason of a rejection, if it gave one. */
const reasonOf = (error: unknown): string | undefined => (error instanceof VirtualDiskError ? error.reason : undefined);
const isAbortError = (error: unknown): boolean => error instanceof Error && error.name === 'AbortError';

const normalize = (file: string): string => path.win32.normalize(file.replace(/^\\\\\?\\/, '')).toLowerCase();

/** Whether Windows' list of attached virtual disks has this image (retrying for up to 5 s after a detach). */
async function isAttached(file: string, expected = false): Promise<boolean> {
  let attached = false;
  for (let i = 0; i < 20; i++) {
    attached = (await listAttachedVirtualDisks()).some((entry) => normalize(entry.path) === normalize(file));
    if (attached === expected) break;
    await sleep(250);
  }
  return attached;
}

/** 'E:\' from a list of mount points (with or without their trailing backslash). */
function driveLetterOf(mountPoints: readonly string[]): string | undefined {
  const letter = mountPoints.find((point) => /^[A-Za-z]:\\?$/.test(point));
  return letter === undefined ? undefined : `${letter.slice(0, 2).toUpperCase()}\\`;
}

function powershell(command: string): string {
  return execFileSync('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', command], { encoding: 'utf8' }).trim();
}
const quote = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** Get-Volume's FileSystem ('NTFS', 'ReFS', 'FAT32') and label of a volume GUID path. */
function volumeFacts(volumeName: string): { fileSystem: string; label: string } {
  const json = powershell(`Get-Volume | Where-Object Path -eq ${quote(volumeName)} | ForEach-Object { ConvertTo-Json -Compress @{ fileSystem = "$($_.FileSystem)"; label = "$($_.FileSystemLabel)" } }`);
  return json ? (JSON.parse(json) as { fileSystem: string; label: string }) : { fileSystem: '', label: '' };
}

/** Get-Disk's PartitionStyle ('GPT', 'MBR', 'RAW') of disk N. */
const partitionStyleOf = (diskNumber: number): string => powershell(`"$((Get-Disk -Number ${diskNumber}).PartitionStyle)"`);

/** The checks every provisioned volume gets: a drive letter, the file system and label, the style, a file round trip. */
function checkProvisioned(provisioned: ProvisionedVirtualDisk, expected: { fileSystem: string; label?: string; partitionStyle: string }): string {
  const root = driveLetterOf(provisioned.mountPoints);
  check(root !== undefined, `a drive letter among mountPoints ${JSON.stringify(provisioned.mountPoints)}`);
  check(/^\\\\\?\\Volume\{[0-9a-f-]{36}\}\\$/i.test(provisioned.volume.name), `a volume GUID path (${provisioned.volume.name})`);
  const facts = volumeFacts(provisioned.volume.name);
  check(facts.fileSystem === expected.fileSystem, `Get-Volume says ${expected.fileSystem} (it says ${JSON.stringify(facts)})`);
  if (expected.label !== undefined) check(facts.label === expected.label, `Get-Volume's label is ${expected.label} (${facts.label})`);
  const style = partitionStyleOf(provisioned.volume.diskNumber);
  check(style === expected.partitionStyle, `Get-Disk says ${expected.partitionStyle} (it says ${style})`);
  const hello = path.win32.join(root!, 'hello.txt');
  fs.writeFileSync(hello, HELLO);
  check(fs.readFileSync(hello, 'utf8') === HELLO, `hello.txt written and read through ${root}`);
  return root!;
}

const build = currentWindowsBuild();
console.log(`Windows build ${build}, images under ${folder}`);

try {
  await runCase('NTFS on GPT: provision, write, detach, re-attach, the volume and the file are back', async (scope) => {
    const file = scope.file('ntfs-gpt.vhdx');
    const provisioned = scope.track(await provisionVirtualDisk(file, { size: 256 * MiB, type: 'dynamic', label: 'VDNTFS' }));
    checkProvisioned(provisioned, { fileSystem: 'NTFS', label: 'VDNTFS', partitionStyle: 'GPT' });
    check(await isAttached(file, true), 'listAttachedVirtualDisks() has the image');
    await provisioned.disk.detach();
    await provisioned.disk.close();
    check(!(await isAttached(file)), 'detached: listAttachedVirtualDisks() no longer has it');

    const again = scope.track(await attachVirtualDisk(file));
    const volumes = await again.getVolumes({ wait: 30_000 });
    check(volumes.length === 1, `re-attached: one volume (${JSON.stringify(volumes)})`);
    check(volumes[0]!.name.toLowerCase() === provisioned.volume.name.toLowerCase(), `the same volume (${volumes[0]!.name})`);
    const root = driveLetterOf(volumes[0]!.mountPoints);
    check(root !== undefined, `it has a drive letter again (${JSON.stringify(volumes[0]!.mountPoints)})`);
    check(fs.readFileSync(path.win32.join(root!, 'hello.txt'), 'utf8') === HELLO, `hello.txt is back, through ${root}`);
    await again.close(); // not permanent: closing detaches
    check(!(await isAttached(file)), 'closed: detached again');
  });

  await runCase('ReFS', async (scope) => {
    const file = scope.file('refs.vhdx');
    let provisioned: ProvisionedVirtualDisk;
    try {
      provisioned = scope.track(await provisionVirtualDisk(file, { size: 4 * GiB, type: 'dynamic', fileSystem: 'refs', label: 'VDREFS' }));
    } catch (error) {
      if (reasonOf(error) !== 'FILE_SYSTEM_UNAVAILABLE') throw error;
      check(!fs.existsSync(file), 'the refused provision left no file');
      return { skipped: `ReFS unavailable on this edition: ${describe(error)}` };
    }
    checkProvisioned(provisioned, { fileSystem: 'ReFS', label: 'VDREFS', partitionStyle: 'GPT' });
  });

  await runCase('Dev Drive (ReFS, devDrive: true)', async (scope) => {
    const file = scope.file('devdrive.vhdx');
    let provisioned: ProvisionedVirtualDisk;
    try {
      // A Dev Drive is at least 50 GB; a dynamic VHDX only grows by what is written.
      provisioned = scope.track(await provisionVirtualDisk(file, { size: 64 * GiB, type: 'dynamic', fileSystem: 'refs', devDrive: true, label: 'VDDEV' }));
    } catch (error) {
      const reason = reasonOf(error);
      if (reason === undefined || !/UNAVAILABLE|UNSUPPORTED|DEV_DRIVE/.test(reason)) throw error;
      check(!fs.existsSync(file), 'the refused provision left no file');
      return { skipped: `build ${build} (Dev Drive needs Windows 11 22621+): ${describe(error)}` };
    }
    checkProvisioned(provisioned, { fileSystem: 'ReFS', label: 'VDDEV', partitionStyle: 'GPT' });
  });

  await runCase('FAT32 on MBR', async (scope) => {
    const file = scope.file('fat32-mbr.vhdx');
    const provisioned = scope.track(await provisionVirtualDisk(file, {
      size: 1 * GiB, type: 'dynamic', partitionStyle: 'mbr', fileSystem: 'fat32', label: 'VDFAT32',
    }));
    checkProvisioned(provisioned, { fileSystem: 'FAT32', label: 'VDFAT32', partitionStyle: 'MBR' });
  });

  await runCase('existing: true on an image createVirtualDisk made', async (scope) => {
    const file = scope.file('existing.vhdx');
    const created = await createVirtualDisk(file, { size: 256 * MiB });
    await created.close();
    const provisioned = scope.track(await provisionVirtualDisk(file, { existing: true }));
    checkProvisioned(provisioned, { fileSystem: 'NTFS', partitionStyle: 'GPT' });
  });

  await runCase('cancelled immediately after the start: no file, no attached disk', async (scope) => {
    const file = scope.file('cancel-at-start.vhdx');
    const before = (await listAttachedVirtualDisks()).length;
    const controller = new AbortController();
    const pending = provisionVirtualDisk(file, { size: 1 * GiB, type: 'dynamic', signal: controller.signal });
    controller.abort(new Error('spec: cancel at the start'));
    const outcome = await pending.then((provisioned) => scope.track(provisioned), (error: unknown) => error);
    check(isAbortError(outcome), `rejects with an AbortError (${outcome instanceof Error ? describe(outcome) : 'it resolved'})`);
    check(!fs.existsSync(file), 'no image file is left');
    check(!(await isAttached(file)), 'the image is not attached');
    const after = (await listAttachedVirtualDisks()).length;
    check(after === before, `as many attached virtual disks as before (${before}, now ${after})`);
  });

  await runCase('cancelled during the format: no file, no attached disk', async (scope) => {
    const file = scope.file('cancel-in-format.vhdx');
    const before = (await listAttachedVirtualDisks()).length;
    const controller = new AbortController();
    const reports: string[] = [];
    // A full (not quick) format of 1 GiB writes the whole volume: long enough to be cancelled in the middle.
    const outcome = await provisionVirtualDisk(file, {
      size: 1 * GiB, type: 'dynamic', quick: false, signal: controller.signal,
      onProgress: (progress) => {
        const report = JSON.stringify(progress);
        reports.push(report);
        if (!controller.signal.aborted && report.toLowerCase().includes('format')) controller.abort(new Error('spec: cancel in the format'));
      },
    }).then((provisioned) => scope.track(provisioned), (error: unknown) => error);
    if (!controller.signal.aborted) {
      throw new CheckFailed(`no progress report named the format, so nothing was cancelled (reports: ${reports.slice(0, 5).join(' ')}${reports.length > 5 ? ' …' : ''})`);
    }
    if (!(outcome instanceof Error)) return { skipped: 'the format finished before the cancel took effect (it resolved)' };
    check(isAbortError(outcome), `rejects with an AbortError (${describe(outcome)})`);
    check(!fs.existsSync(file), 'no image file is left');
    check(!(await isAttached(file)), 'the image is not attached');
    const after = (await listAttachedVirtualDisks()).length;
    check(after === before, `as many attached virtual disks as before (${before}, now ${after})`);
  });
} finally {
  fs.rmSync(folder, { recursive: true, force: true });
}

console.log(failures === 0 ? 'real Windows provision checks passed' : `${failures} provision case(s) failed`);
process.exitCode = failures === 0 ? 0 : 1;
