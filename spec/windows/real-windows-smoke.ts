// Smoke test on a real Windows machine (elevated): attach a VHDX, find its physical disk, detach it.
// Run by .github/workflows/windows.yml:  npx tsx spec/windows/real-windows-smoke.ts <path-to.vhdx>
// The VHDX must exist and not be attached (the workflow makes one with diskpart).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { openVirtualDisk } from '../../lib/index.ts';

type DiskInfo = { Number: number; FriendlyName: string; BusType: string; Location: string; Size: number };

const file = process.argv[2] ? path.resolve(process.argv[2]) : '';
if (!file || process.platform !== 'win32') {
  console.error('usage (Windows, elevated): npx tsx spec/windows/real-windows-smoke.ts <file.vhdx>');
  process.exit(2);
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`smoke check failed: ${what}`);
  console.log(`ok - ${what}`);
}

// Disks as Windows' storage stack sees them (Get-Disk), for an independent view of attach/detach.
function getDisks(): DiskInfo[] {
  const json = execFileSync('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command',
    'ConvertTo-Json -Compress @(Get-Disk | Select-Object Number, FriendlyName, @{n="BusType";e={"$($_.BusType)"}}, Location, Size)'],
  { encoding: 'utf8' }).trim();
  return json ? (JSON.parse(json) as DiskInfo[]) : [];
}
const isOurs = (d: DiskInfo): boolean => (d.Location ?? '').toLowerCase() === file.toLowerCase();

const t0 = Date.now();
const disk = await openVirtualDisk(file);
let attached = false;
try {
  await disk.attach({ noDriveLetter: true });
  attached = true;
  console.log(`attached ${file} (${Date.now() - t0} ms)`);

  const physical = await disk.getPhysicalPath();
  console.log(`physical path: ${physical}`);
  check(/^\\\\\.\\PhysicalDrive\d+$/.test(physical), `getPhysicalPath() looks like \\\\.\\PhysicalDriveN (${physical})`);
  const number = Number(/\d+$/.exec(physical)?.[0]);

  // The device exists: open it (raw disk access needs an elevated process) and try its first sector.
  const fd = fs.openSync(physical, 'r');
  try {
    check(true, `opened ${physical}`);
    try {
      const n = fs.readSync(fd, Buffer.alloc(512), 0, 512, 0);
      console.log(`read ${n} bytes of its first sector`);
    } catch (e) {
      console.log(`note: reading its first sector failed (${(e as Error).message}); opening it is the check`);
    }
  } finally {
    fs.closeSync(fd);
  }

  const seen = getDisks().find((d) => d.Number === number);
  console.log('Get-Disk:', JSON.stringify(seen));
  check(seen !== undefined, `Get-Disk lists disk ${number}`);
  check(isOurs(seen!) || seen!.BusType === 'File Backed Virtual',
    `disk ${number} is the attached virtual disk (Location/BusType)`);

  await disk.detach();
  attached = false;
  console.log('detached');
  // Detaching is synchronous for virtdisk, but Plug and Play may take a moment to drop the disk.
  let stillThere = true;
  for (let i = 0; i < 20 && stillThere; i++) {
    stillThere = getDisks().some((d) => isOurs(d) || (d.Number === number && d.BusType === 'File Backed Virtual'));
    if (stillThere) await sleep(250);
  }
  check(!stillThere, `Get-Disk no longer lists the VHDX (disk ${number}) after detach()`);
} finally {
  if (attached) {
    try { await disk.detach(); } catch (e) { console.error('cleanup detach failed:', e); }
  }
  await disk.close();
}
console.log(`real Windows smoke test passed (${Date.now() - t0} ms)`);
