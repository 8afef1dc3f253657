// Run by spec/windows/format.spec.ts in a node.exe of its own with UV_THREADPOOL_SIZE=1: measures fs.stat latency
// while something native runs for FAKE_FMIFS_MS (1.5 s). Mode 'format': formatVolume on the volume given (FormatEx
// in the library's worker thread). Mode 'pool': the control, a 1.5 s kernel32 Sleep through koffi's `.async`, which
// runs on libuv's thread pool, whose only thread it then holds. Prints one JSON line: { mode, stats: [ms…], total }.
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import koffi from 'koffi';
import { formatVolume } from '../../lib/format-volume.ts';

const [mode, volumeName, probe] = process.argv.slice(2) as [string, string, string];
const started = performance.now();
let running = true;
let work: Promise<unknown>;
if (mode === 'format') {
  work = formatVolume(volumeName);
} else {
  const Sleep = koffi.load('kernel32.dll').func('__stdcall', 'Sleep', 'void', ['uint32']);
  work = new Promise<void>((resolve, reject) => Sleep.async(1500, (error: unknown) => (error ? reject(error) : resolve())));
}
void work.finally(() => { running = false; });
await sleep(mode === 'format' ? 400 : 100); // the format's worker has started (under tsx it compiles its modules first)
const stats: number[] = [];
while (running) {
  const t = performance.now();
  await fs.promises.stat(probe);
  stats.push(Math.round(performance.now() - t));
  await sleep(20);
}
await work;
console.log(JSON.stringify({ mode, stats, total: Math.round(performance.now() - started) }));
