// Real Windows (elevated): volumes, drive letters, mount points, the attached-disk list and error diagnosis,
// on a formatted VHDX and an ISO that each hold hello.txt. Run by .github/workflows/windows.yml:
//   npx tsx spec/windows/real-windows-volumes.ts <formatted.vhdx> <image.iso> <empty NTFS folder>
// It prints what only real Windows can say (what GetAllAttachedVirtualDiskPhysicalPaths lists, the codes of a
// second attach), and checks the rest.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  attachVirtualDisk, detachVirtualDisk, findVirtualDisk, listAttachedVirtualDisks, VirtualDiskError, type Volume,
} from '../../lib/index.ts';
import { attachedPathStrings } from '../../lib/attached.ts';
import { imageIdentity } from '../../lib/image-identity.ts';

const [vhdxArg, isoArg, folderArg] = process.argv.slice(2);
if (!vhdxArg || !isoArg || !folderArg || process.platform !== 'win32') {
  console.error('usage (Windows, elevated): npx tsx spec/windows/real-windows-volumes.ts <formatted.vhdx> <image.iso> <empty folder>');
  process.exit(2);
}
const vhdx = path.resolve(vhdxArg);
const iso = path.resolve(isoArg);
const folder = path.resolve(folderArg);
const HELLO = 'hello from virtdisk';

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`volume check failed: ${what}`);
  console.log(`ok - ${what}`);
}

/** PowerShell's own view of a disk's drive letters (Get-Partition), to compare with the library's. */
function lettersOfDisk(number: number): string[] {
  const out = execFileSync('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command',
    `@(Get-Partition -DiskNumber ${number} | Where-Object DriveLetter | ForEach-Object { "$($_.DriveLetter):\\" }) -join ','`], { encoding: 'utf8' }).trim();
  return out ? out.split(',') : [];
}

const freeLetter = () => [...'XWVUTSRQPONMLKJIH'].find((letter) => !fs.existsSync(`${letter}:\\`));
const readHello = (mountPoint: string) => fs.readFileSync(path.win32.join(mountPoint, 'hello.txt'), 'utf8');
const letterOf = (volumes: Volume[]) => volumes.flatMap((volume) => volume.mountPoints).find((point) => /^[A-Z]:\\$/.test(point));

const t0 = Date.now();

// ——— getVolumes({ wait }) on a plain attach, and what Windows lists
{
  const disk = await attachVirtualDisk(vhdx);
  try {
    const physicalPath = await disk.getPhysicalPath();
    const number = Number(/\d+$/.exec(physicalPath)?.[0]);
    let started = Date.now();
    const volumes = await disk.getVolumes({ wait: 30_000 });
    console.log(`getVolumes({ wait }) after ${Date.now() - started} ms:`, JSON.stringify(volumes));
    check(volumes.length === 1, 'the formatted VHDX has one volume');
    const letter = letterOf(volumes);
    check(letter !== undefined, `its volume has a drive letter (${letter})`);
    check(JSON.stringify(lettersOfDisk(number)) === JSON.stringify([letter]), `Get-Partition agrees: disk ${number} has ${letter}`);
    check(readHello(letter!) === HELLO, `hello.txt reads through ${letter}`);

    console.log('GetAllAttachedVirtualDiskPhysicalPaths lists:', JSON.stringify(await attachedPathStrings(undefined)));
    started = Date.now();
    const list = await listAttachedVirtualDisks();
    console.log(`listAttachedVirtualDisks() in ${Date.now() - started} ms:`, JSON.stringify(list));
    const identity = await imageIdentity(vhdx);
    const mine = [];
    for (const entry of list) if (await imageIdentity(entry.path) === identity) mine.push(entry);
    check(mine.length === 1, 'listAttachedVirtualDisks() has the VHDX once');
    check(mine[0]!.physicalPath.toLowerCase() === physicalPath.toLowerCase() && mine[0]!.diskNumber === number, `as ${physicalPath}`);
    check(mine[0]!.storageType === 'vhdx', "storageType 'vhdx'");
    check(JSON.stringify(mine[0]!.volumes) === JSON.stringify(volumes), 'with the same volumes as getVolumes()');
    console.log(`readOnly: ${mine[0]!.readOnly}, permanent: ${mine[0]!.permanent}`);

    for (const target of [physicalPath, number, vhdx.toUpperCase()]) {
      const found = await findVirtualDisk(target);
      check(found?.physicalPath.toLowerCase() === physicalPath.toLowerCase(), `findVirtualDisk(${JSON.stringify(target)}) finds it`);
      console.log(`  backingFiles: ${JSON.stringify(found!.backingFiles)}`);
    }

    // A second attach of the same image: what Windows answers, and what the library makes of it.
    const again = await attachVirtualDisk(vhdx).then((d) => d.close().then(() => undefined), (e: unknown) => e);
    console.log('second attach:', again instanceof VirtualDiskError ? JSON.stringify({ code: again.code, errno: again.errno, syscall: again.syscall, reason: again.reason, physicalPath: again.physicalPath, hint: again.hint }) : String(again));
    check(again instanceof VirtualDiskError && again.reason === 'ALREADY_ATTACHED', "a second attach rejects with reason 'ALREADY_ATTACHED'");
    const reused = await attachVirtualDisk(vhdx, { ifAttached: 'reuse' });
    check((await reused.getPhysicalPath()).toLowerCase() === physicalPath.toLowerCase(), "ifAttached: 'reuse' resolves to the same disk");
    await reused.close();
  } finally {
    await disk.close();
  }
  await detachVirtualDisk(vhdx, { ifAttached: true });
  check(true, 'detachVirtualDisk(path, { ifAttached: true }) resolves on an image that is no longer attached');
}

// ——— mountPoint at a free drive letter
{
  const letter = freeLetter();
  check(letter !== undefined, `a free drive letter (${letter})`);
  const mountPoint = `${letter}:\\`;
  const disk = await attachVirtualDisk(vhdx, { mountPoint: `${letter}:` });
  try {
    const volumes = await disk.getVolumes();
    console.log('mounted at a letter:', JSON.stringify(volumes));
    check(volumes.length === 1 && JSON.stringify(volumes[0]!.mountPoints) === JSON.stringify([mountPoint]), `its one volume is at ${mountPoint} only (noDriveLetter)`);
    check(readHello(mountPoint) === HELLO, `hello.txt reads through ${mountPoint}`);
  } finally {
    await disk.close();
  }
  let gone = false;
  for (let i = 0; i < 40 && !gone; i++) {
    gone = !fs.existsSync(mountPoint);
    if (!gone) await sleep(250); // Plug and Play removes the disk's device a moment after the detach
  }
  check(gone, `${mountPoint} is gone after close()`);
  const taken = await attachVirtualDisk(vhdx, { mountPoint: 'C:' }).then(() => undefined, (e: VirtualDiskError) => e);
  check(taken?.code === 'ERR_MOUNT_POINT_IN_USE', 'C: is refused before attaching (ERR_MOUNT_POINT_IN_USE)');
}

// ——— mountPoint at an empty NTFS folder
{
  const disk = await attachVirtualDisk(vhdx, { mountPoint: folder });
  try {
    const volumes = await disk.getVolumes();
    console.log('mounted at a folder:', JSON.stringify(volumes));
    check(volumes[0]!.mountPoints.some((point) => point.toLowerCase() === `${folder}\\`.toLowerCase()), `its volume is at ${folder}`);
    check(readHello(folder) === HELLO, `hello.txt reads through ${folder}`);
  } finally {
    await disk.detach();
    await disk.close();
  }
  check(fs.readdirSync(folder).length === 0, 'the folder is empty again after detach()');
}

// ——— an ISO: attach it and read a file from it (the README's first example)
{
  const disk = await attachVirtualDisk(iso);
  try {
    const physicalPath = await disk.getPhysicalPath();
    const [volume] = await disk.getVolumes({ wait: 30_000 });
    console.log(`ISO as ${physicalPath}:`, JSON.stringify(volume));
    check(volume !== undefined && volume.partitionNumber === undefined, 'the ISO has a CD-ROM volume');
    const letter = letterOf([volume!]);
    check(letter !== undefined && readHello(letter) === HELLO, `hello.txt reads through ${letter}`);
    const listed = (await listAttachedVirtualDisks()).find((entry) => entry.physicalPath.toLowerCase() === physicalPath.toLowerCase());
    console.log('listed:', JSON.stringify(listed));
    check(listed?.storageType === 'iso', "listAttachedVirtualDisks() has it, storageType 'iso'");
  } finally {
    await disk.close();
  }
}

console.log(`real Windows volume checks passed (${Date.now() - t0} ms)`);
