// Smoke test of the lifecycle on a real Windows machine (elevated), through the public API only:
// create a dynamic VHDX, read its info, attach, detach, resize, compact with progress, a differencing
// child and its merge, and a cancelled creation that leaves no file behind.
// Run by .github/workflows/windows.yml:  npx tsx spec/windows/real-windows-lifecycle.ts <empty folder>
import fs from 'node:fs';
import path from 'node:path';
import {
  AbortError, compactVirtualDisk, createVirtualDisk, getVirtualDiskInfo, openVirtualDisk, type Progress,
} from '../../lib/index.ts';

const folder = process.argv[2] ? path.resolve(process.argv[2]) : '';
if (!folder || process.platform !== 'win32') {
  console.error('usage (Windows, elevated): npx tsx spec/windows/real-windows-lifecycle.ts <empty folder>');
  process.exit(2);
}
fs.mkdirSync(folder, { recursive: true });
const MiB = 1024 * 1024;

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`lifecycle check failed: ${what}`);
  console.log(`ok - ${what}`);
}

const base = path.join(folder, 'base.vhdx');
const created = await createVirtualDisk(base, { size: 256 * MiB });
const info = await created.getInfo();
console.log('info:', JSON.stringify(info));
check(info.virtualSize === 256 * MiB && info.subtype === 'dynamic' && info.storageType === 'vhdx', 'a dynamic 256 MiB VHDX, as created');
check(/^[0-9a-f-]{36}$/.test(info.identifier ?? ''), `a lower-case identifier (${info.identifier})`);
await created.attach({ noDriveLetter: true });
check(/^\\\\\.\\PhysicalDrive\d+$/i.test(await created.getPhysicalPath()), 'attached, with a physical path');
await created.detach();
await created.close();

const disk = await openVirtualDisk(base);
await disk.resize(512 * MiB);
check((await disk.getInfo()).virtualSize === 512 * MiB, 'resized to 512 MiB');
const progress: Progress[] = [];
await disk.compact({ onProgress: (p) => progress.push(p), progressInterval: 0 });
check(progress.at(-1)?.percent === 100, `compact reported progress to 100 % (${progress.length} reports)`);
await disk.close();
await compactVirtualDisk(base);
check(true, 'compactVirtualDisk(path)');

const child = path.join(folder, 'child.avhdx');
const differencing = await createVirtualDisk(child, { parent: base });
const childInfo = await differencing.getInfo();
console.log('child info:', JSON.stringify(childInfo));
check(childInfo.subtype === 'differencing' && childInfo.parent?.resolved === true, 'a differencing child whose parent resolves');
check(childInfo.parent?.identifier === info.identifier, 'the child points at the base\'s identifier');
await differencing.merge();
await differencing.close();
check(true, 'merged the child into its parent');
console.log('parent after merge:', JSON.stringify(await getVirtualDiskInfo(base)));

const cancelled = path.join(folder, 'cancelled.vhdx');
const controller = new AbortController();
setTimeout(() => controller.abort(new Error('smoke: cancel')), 50);
try {
  const fixed = await createVirtualDisk(cancelled, { size: 4096 * MiB, type: 'fixed', signal: controller.signal });
  await fixed.close();
  console.log('note: the fixed 4 GiB creation finished before the cancel took effect');
  fs.rmSync(cancelled, { force: true });
} catch (error) {
  check(error instanceof AbortError, `the cancelled creation rejects with AbortError (${(error as Error).message})`);
  check(!fs.existsSync(cancelled), 'and leaves no file behind');
}
console.log('real Windows lifecycle smoke test passed');
