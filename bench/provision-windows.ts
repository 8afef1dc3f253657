// What it takes to get a formatted, lettered 1 GiB dynamic VHDX (NTFS, quick, GPT) on real Windows (elevated),
// three ways, one run each, side by side on the same machine:
//   (a) provisionVirtualDisk, in this process (the library imported first; that import is timed apart);
//   (b) PowerShell: New-VHD | Mount-VHD | Initialize-Disk | New-Partition -UseMaximumSize -AssignDriveLetter |
//       Format-Volume (Hyper-V module), or, without Hyper-V, the Storage module only: Mount-DiskImage on a VHDX
//       that the library's createVirtualDisk makes (that creation inside the timing);
//   (c) a diskpart script run with diskpart /s.
// Each is timed end to end in wall milliseconds, process start included for (b) and (c) (what a user pays),
// and cleaned up after (detached, deleted). Success is read from exit codes only, never from the tools'
// localized output. Exit code 1 when (a) fails; a failing comparison route is shown in the table.
//   node --import tsx bench/provision-windows.ts
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

if (process.platform !== 'win32') {
  console.log('bench/provision-windows.ts needs real Windows (elevated): nothing to measure here.');
  process.exit(0);
}

const importStarted = performance.now();
const virtdisk = await import('../lib/index.ts');
const importMs = performance.now() - importStarted;

const GiB = 1024 * 1024 * 1024;
const folder = fs.mkdtempSync(path.join(fs.realpathSync.native(os.tmpdir()), 'virtdisk-bench-provision-'));

interface Row { route: string; ms?: number; failure?: string }
const rows: Row[] = [];

/** Detach (whoever attached it) and delete an image; the file can stay open a moment after the detach. */
async function removeImage(file: string): Promise<void> {
  if (!fs.existsSync(file)) return;
  await virtdisk.detachVirtualDisk(file, { ifAttached: true });
  for (let i = 0; ; i++) {
    try {
      fs.rmSync(file, { force: true });
      return;
    } catch (error) {
      if (i === 20) throw error;
      await sleep(250);
    }
  }
}

/** Runs a program, its stdout dropped (localized; never read), stderr shown; resolves to its exit code. */
function run(program: string, args: string[]): number {
  const result = spawnSync(program, args, { stdio: ['ignore', 'ignore', 'inherit'], windowsHide: true });
  if (result.error) throw result.error;
  return result.status ?? -1;
}

const quote = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** A PowerShell pipeline that exits 0 when it completes and 1 on the first error. */
const powershell = (pipeline: string): number => run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command',
  `$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'; try { ${pipeline} | Out-Null; exit 0 } catch { [Console]::Error.WriteLine($_); exit 1 }`]);

const format = '| Initialize-Disk -PartitionStyle GPT -PassThru | New-Partition -UseMaximumSize -AssignDriveLetter | Format-Volume -FileSystem NTFS -Confirm:$false';

/** Times body(); then, untimed, settle() (closes what it left open) and removes the image. */
async function measure(route: string, file: string, body: () => Promise<number | void>, settle?: () => Promise<void>): Promise<Row> {
  const row: Row = { route };
  try {
    const started = performance.now();
    const code = await body();
    const ms = performance.now() - started;
    if (typeof code === 'number' && code !== 0) row.failure = `exit code ${code}`;
    else row.ms = ms;
  } catch (error) {
    row.failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  try {
    await settle?.();
    await removeImage(file);
  } catch (error) {
    row.failure ??= `clean-up failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  rows.push(row);
  console.log(row.failure === undefined ? `${route}: ${row.ms!.toFixed(0)} ms` : `${route}: failed (${row.failure})`);
  return row;
}

try {
  // (a) the library
  {
    const file = path.join(folder, 'virtdisk.vhdx');
    let disk: InstanceType<typeof virtdisk.VirtualDisk> | undefined;
    await measure('virtdisk provisionVirtualDisk', file, async () => {
      ({ disk } = await virtdisk.provisionVirtualDisk(file, { size: GiB, type: 'dynamic', fileSystem: 'ntfs', quick: true }));
    }, async () => disk?.close()); // the attach is permanent by default: removeImage detaches it
  }

  // (b) PowerShell: Hyper-V's New-VHD when its module is there, else the Storage module on a VHDX the library makes
  {
    const file = path.join(folder, 'powershell.vhdx');
    const hyperV = run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command',
      'if (Get-Command New-VHD -ErrorAction SilentlyContinue) { exit 0 } else { exit 1 }']) === 0;
    console.log(hyperV ? "Hyper-V's PowerShell module is here: New-VHD route" : "no Hyper-V PowerShell module: Storage-module route");
    let row: Row | undefined;
    if (hyperV) {
      row = await measure('PowerShell (Hyper-V: New-VHD | Mount-VHD | …)', file, async () => powershell(
        `New-VHD -Path ${quote(file)} -SizeBytes 1GB -Dynamic | Mount-VHD -Passthru ${format}`));
    }
    if (!row || row.failure !== undefined) {
      if (row) console.log('the Hyper-V route failed: running the Storage-module route instead');
      await measure('PowerShell (Storage: createVirtualDisk + Mount-DiskImage | …)', file, async () => {
        await (await virtdisk.createVirtualDisk(file, { size: GiB, type: 'dynamic' })).close();
        return powershell(`Mount-DiskImage -ImagePath ${quote(file)} -PassThru | Get-Disk ${format}`);
      });
    }
  }

  // (c) diskpart
  {
    const file = path.join(folder, 'diskpart.vhdx');
    const script = path.join(folder, 'diskpart.txt');
    fs.writeFileSync(script, [
      `create vdisk file="${file}" maximum=1024 type=expandable`,
      `select vdisk file="${file}"`,
      'attach vdisk',
      'convert gpt',
      'create partition primary',
      'format fs=ntfs quick',
      'assign',
      '',
    ].join('\r\n'));
    await measure('diskpart /s', file, async () => run('diskpart.exe', ['/s', script]));
  }
} finally {
  fs.rmSync(folder, { recursive: true, force: true });
}

const base = rows[0]?.ms;
console.log(`\n1 GiB dynamic VHDX, GPT, NTFS quick, drive letter; Windows build ${virtdisk.currentWindowsBuild()}, one run each`);
console.log(`${'route'.padEnd(64)} ${'ms'.padStart(8)}  ratio to virtdisk`);
for (const row of rows) {
  const ms = row.ms === undefined ? `failed (${row.failure})` : row.ms.toFixed(0).padStart(8);
  const ratio = row.ms !== undefined && base !== undefined ? `${(row.ms / base).toFixed(2)}x` : '-';
  console.log(`${row.route.padEnd(64)} ${ms}  ${row.ms === undefined ? '' : ratio}`);
}
console.log(`(virtdisk's own import took ${importMs.toFixed(0)} ms, before the timing; the DLLs load inside it)`);
process.exitCode = rows[0]?.ms === undefined ? 1 : 0;
