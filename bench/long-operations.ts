// Long operations on the Windows ABI tier (node.exe under Wine, simulated virtdisk.dll, libuv's default pool):
//   7. fs.stat p90 while 8 compacts of 2 s run (each reporting progress), over its idle p90 (target ≤ 2)
//   8. the worst event-loop delay meanwhile (target ≤ 10 ms)
//   9. how long after Windows signals completion the promise resolves (target ≤ 25 ms), from the simulator's
//      completion time (just before it signals the event) and QueryPerformanceCounter read in the same process
//  10. CPU the watching and progress polling cost the main thread, over an idle window of the same length with
//      the same fs.stat loop (GetThreadTimes counts in 15.6 ms ticks, so this is coarse); 10b without progress;
//  10c/d the library with progress next to the same calls made by hand: the library's share (target < 1 %)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { line, percentile, statLatencies } from './measure.ts';
import koffi from 'koffi';

const { openVirtualDisk } = await import('../lib/index.ts');
const { simulator } = await import('../spec/windows/simulator.ts');

const kernel32 = koffi.load('kernel32.dll');
const QueryPerformanceCounter = kernel32.func('__stdcall', 'QueryPerformanceCounter', 'int32', [koffi.out(koffi.pointer('int64'))]);
const QueryPerformanceFrequency = kernel32.func('__stdcall', 'QueryPerformanceFrequency', 'int32', [koffi.out(koffi.pointer('int64'))]);
const GetCurrentThread = kernel32.func('__stdcall', 'GetCurrentThread', 'void *', []);
const GetThreadTimes = kernel32.func('__stdcall', 'GetThreadTimes', 'int32', ['void *', koffi.out(koffi.pointer('uint64')), koffi.out(koffi.pointer('uint64')), koffi.out(koffi.pointer('uint64')), koffi.out(koffi.pointer('uint64'))]);
/** CPU time of the main (JavaScript) thread alone, in ms: the simulated DLL's own threads run in this process too. */
const mainThreadCpuMs = () => {
  const [creation, exit, kernel, user]: Array<[number]> = [[0], [0], [0], [0]];
  GetThreadTimes(GetCurrentThread(), creation, exit, kernel, user);
  return (Number(kernel![0]) + Number(user![0])) / 10_000; // 100 ns units
};
const frequency: [number] = [0];
QueryPerformanceFrequency(frequency);
const qpcMs = () => { const counter: [number] = [0]; QueryPerformanceCounter(counter); return (Number(counter[0]) * 1000) / Number(frequency[0]); };

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdisk-bench-long-'));
const image = (name: string) => { const file = path.join(dir, name); fs.writeFileSync(file, Buffer.alloc(512)); return path.win32.resolve(file); };

const DURATION = 2000;
simulator.reset();
const warm = await openVirtualDisk(image('warm.vhdx'));
await warm.compact(); // warm-up: koffi, the watcher, the simulator's threads
await warm.close();
const disks = await Promise.all(Array.from({ length: 8 }, (_, i) => openVirtualDisk(image(`long${i}.vhdx`))));

const cpuIdle0 = mainThreadCpuMs();
const idleWall0 = performance.now();
const idle = await statLatencies(dir, DURATION);
const idleCpu = mainThreadCpuMs() - cpuIdle0;
const idleWall = performance.now() - idleWall0;

simulator.duration('CompactVirtualDisk', DURATION);
const resolvedAt = new Map<string, number>();
const histogram = monitorEventLoopDelay({ resolution: 1 });
const cpu0 = mainThreadCpuMs();
const wall0 = performance.now();
histogram.enable();
let reports = 0;
const running = Promise.all(disks.map((disk) => disk.compact({ onProgress: () => { reports++; } }).then(() => resolvedAt.set(disk.path, qpcMs()))));
const busy = await statLatencies(dir, running);
await running;
histogram.disable();
const busyCpu = mainThreadCpuMs() - cpu0;
const busyWall = performance.now() - wall0;
for (const disk of disks) await disk.close();

const operations = simulator.operations().filter((operation) => operation.fn === 'CompactVirtualDisk').slice(-8);
const latencies = operations.map((operation) => (resolvedAt.get(operation.path) ?? NaN) - (operation.end ?? NaN)).filter(Number.isFinite);
const cpuShare = (cpuMs: number, wall: number) => cpuMs / wall;
const watchingCost = Math.max(0, cpuShare(busyCpu, busyWall) - cpuShare(idleCpu, idleWall)) * 100;

console.log(`8 compacts of ${DURATION} ms: fs.stat p90 ${percentile(busy, 0.9).toFixed(2)} ms (idle ${percentile(idle, 0.9).toFixed(2)} ms); `
  + `event loop max ${(histogram.max / 1e6).toFixed(1)} ms; ${reports} progress reports; completion noticed after `
  + `${latencies.map((l) => l.toFixed(1)).join(', ')} ms; CPU ${(cpuShare(busyCpu, busyWall) * 100).toFixed(2)} % busy vs ${(cpuShare(idleCpu, idleWall) * 100).toFixed(2)} % idle`);
line('7. fs.stat p90 during 8 long operations / idle p90', (percentile(busy, 0.9) / percentile(idle, 0.9)).toFixed(2), '≤ 2', percentile(busy, 0.9) / percentile(idle, 0.9) <= 2);
line('8. worst event-loop delay during 8 long operations', `${(histogram.max / 1e6).toFixed(1)} ms`, '≤ 10 ms', histogram.max / 1e6 <= 10);
line('9. completion noticed after Windows signals it (worst)', `${Math.max(...latencies).toFixed(1)} ms`, '≤ 25 ms', Math.max(...latencies) <= 25);
line('10. CPU of watching + progress, over idle', `${watchingCost.toFixed(2)} %`, '< 1 %', watchingCost < 1);

// The same 8 operations without onProgress: the cost of the waiting alone (Windows' thread pool waits).
const quiet0 = mainThreadCpuMs();
const quietWall0 = performance.now();
simulator.duration('CompactVirtualDisk', DURATION);
const again = await Promise.all(Array.from({ length: 8 }, (_, i) => openVirtualDisk(image(`quiet${i}.vhdx`))));
await Promise.all(again.map((disk) => disk.compact()));
for (const disk of again) await disk.close();
const quietCost = Math.max(0, (mainThreadCpuMs() - quiet0) / (performance.now() - quietWall0) - cpuShare(0, 1)) * 100;
line('10b. CPU of waiting alone (no onProgress), main thread', `${quietCost.toFixed(2)} %`, '< 1 %', quietCost < 1);

// The same, with progress every 100 ms, and nothing else running (row 10 also carries the fs.stat loop and
// the event-loop histogram's 1 ms timer): what the library costs with progress, next to 10c's raw calls.
const progressed0 = mainThreadCpuMs();
const progressedWall0 = performance.now();
const third = await Promise.all(Array.from({ length: 8 }, (_, i) => openVirtualDisk(image(`progress${i}.vhdx`))));
await Promise.all(third.map((disk) => disk.compact({ onProgress: () => {} })));
for (const disk of third) await disk.close();
const progressedCost = ((mainThreadCpuMs() - progressed0) / (performance.now() - progressedWall0)) * 100;

// 10c. The same progress reports made by hand with raw koffi: 8 compacts of 2 s, each with its own OVERLAPPED,
// GetVirtualDiskOperationProgress every 100 ms from a timer, completion seen by the same call. What the calls
// themselves cost here (each is a round trip into the simulated DLL, which logs it as JSON); the library's own
// share of row 10 is the difference.
const ffi = await import('../ffi/index.ts');
const virtdiskDll = koffi.load(ffi.systemLibraryPath('virtdisk'));
const rawOpen = virtdiskDll.func('__stdcall', 'OpenVirtualDisk', 'uint32', [koffi.pointer(ffi.VIRTUAL_STORAGE_TYPE), 'const char16_t *', 'uint32', 'uint32', koffi.pointer(ffi.OPEN_VIRTUAL_DISK_PARAMETERS), koffi.out(koffi.pointer(ffi.HANDLE))]);
const rawCompact = virtdiskDll.func('__stdcall', 'CompactVirtualDisk', 'uint32', [ffi.HANDLE, 'uint32', 'void *', 'void *']);
const rawProgress = virtdiskDll.func('__stdcall', 'GetVirtualDiskOperationProgress', 'uint32', [ffi.HANDLE, 'void *', koffi.out(koffi.pointer(ffi.VIRTUAL_DISK_PROGRESS))]);
const rawCreateEvent = kernel32.func('__stdcall', 'CreateEventW', ffi.HANDLE, ['void *', 'int32', 'int32', 'void *']);
const rawClose = kernel32.func('__stdcall', 'CloseHandle', 'int32', [ffi.HANDLE]);
const raw0 = mainThreadCpuMs();
const rawWall0 = performance.now();
await Promise.all(Array.from({ length: 8 }, async (_, i) => {
  const handle: [bigint | null] = [null];
  rawOpen({ DeviceId: ffi.VIRTUAL_STORAGE_TYPE_DEVICE_VHDX, VendorId: ffi.VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT }, image(`raw${i}.vhdx`), 0, 0,
    { Version: 2, u: { Version2: { GetInfoOnly: 0, ReadOnly: 0, ResiliencyGuid: ffi.VIRTUAL_STORAGE_TYPE_VENDOR_UNKNOWN } } }, handle);
  const event = rawCreateEvent(null, 1, 0, null);
  const overlapped = koffi.alloc(ffi.OVERLAPPED, 1);
  koffi.encode(overlapped, ffi.OVERLAPPED, { Internal: 0, InternalHigh: 0, u: { Pointer: null }, hEvent: event });
  if (rawCompact(handle[0], 0, null, overlapped) !== 997) throw new Error('raw compact did not start');
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const progress: [Record<string, unknown>] = [{}];
      rawProgress(handle[0], overlapped, progress);
      if (Number(progress[0].OperationStatus) !== 997) { clearInterval(timer); resolve(); }
    }, 100);
  });
  rawClose(event);
  rawClose(handle[0]);
  koffi.free(overlapped);
}));
const rawCost = Math.max(0, (mainThreadCpuMs() - raw0) / (performance.now() - rawWall0)) * 100;
console.log(`10c. 8 operations with progress every 100 ms: library ${progressedCost.toFixed(2)} % of the main thread, the same calls by hand (raw koffi) ${rawCost.toFixed(2)} %`);
line('10d. the library\'s polling over the raw calls themselves', `${(progressedCost - rawCost).toFixed(2)} %`, '< 1 %', progressedCost - rawCost < 1);
fs.rmSync(dir, { recursive: true, force: true });
