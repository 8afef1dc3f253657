// What the volume mapping, the attached-disk list and error diagnosis cost, on node.exe under Wine with the
// simulated virtdisk.dll and Wine's real kernel32 and rstrtmgr (bash spec/windows/run.sh --exec bench/volumes.ts):
// milliseconds per call (median and 95th percentile), and the event loop's largest delay while they run (the
// mount manager queries are synchronous: FindFirstVolumeW/FindNextVolumeW, GetVolumePathNamesForVolumeNameW).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { attachVirtualDisk, listAttachedVirtualDisks, findVirtualDisk } from '../lib/index.ts';
import { simulator } from '../spec/windows/simulator.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdisk-bench-volumes-'));
const image = (name: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.alloc(512));
  return path.win32.resolve(file);
};

async function measure(label: string, rounds: number, run: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 3; i++) await run();
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  histogram.disable();
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2);
  console.log(`${label.padEnd(58)} median ${at(0.5)} ms, p95 ${at(0.95)} ms, largest event-loop delay ${(histogram.max / 1e6).toFixed(1)} ms`);
}

try {
  simulator.reset();
  simulator.nextPhysicalPath('\\\\.\\PhysicalDrive0');
  const disk0 = await attachVirtualDisk(image('disk0.vhdx'));
  simulator.nextPhysicalPath('\\\\.\\CDROM0');
  const cd0 = await attachVirtualDisk(image('cd0.iso'));
  const others = [];
  for (let i = 0; i < 8; i++) others.push(await attachVirtualDisk(image(`other${i}.vhdx`)));

  await measure('getVolumes() on \\\\.\\PhysicalDrive0 (C:, Z:)', 100, () => disk0.getVolumes());
  await measure('getVolumes() on \\\\.\\CDROM0 (Y:)', 100, () => cd0.getVolumes());
  await measure('listAttachedVirtualDisks(), 10 attached (image paths)', 30, () => listAttachedVirtualDisks());
  simulator.listStyle('physicalPaths');
  for (const other of others) await other.close();
  await measure('listAttachedVirtualDisks(), 2 attached (physical paths)', 30, () => listAttachedVirtualDisks());
  simulator.listStyle('imagePaths');
  await measure('findVirtualDisk(image path)', 30, () => findVirtualDisk(disk0.path));

  const failing = image('failing.vhdx');
  await measure('failed attach, ERROR_FILE_NOT_FOUND (no look-up)', 30, async () => {
    simulator.fail('AttachVirtualDisk', 2);
    await attachVirtualDisk(failing).catch(() => {});
  });
  await measure('failed attach, ERROR_SHARING_VIOLATION (list + Restart Manager)', 30, async () => {
    simulator.fail('AttachVirtualDisk', 32);
    await attachVirtualDisk(failing).catch(() => {});
  });
  await disk0.close();
  await cd0.close();
} finally {
  simulator.reset();
  fs.rmSync(dir, { recursive: true, force: true });
}
