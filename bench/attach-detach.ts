// Benchmarks on the Windows ABI tier (node.exe under Wine, simulated virtdisk.dll): `npm run bench`.
//   1. per attach+detach cycle: the library's time over raw koffi calls to the same DLL (target ≤ 1.5)
//   2. the largest event-loop delay while the DLL holds an attach for 500 ms (target ≤ 20 ms)
//   (3. the import time: bench/import-cost.ts, from the installed tarball)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import koffi from 'koffi';


const { openVirtualDisk, attachVirtualDisk } = await import('../lib/index.ts');
const ffi = await import('../ffi/index.ts');
const { simulator } = await import('../spec/windows/simulator.ts');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdisk-bench-'));
const image = (name: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.alloc(512));
  return path.win32.resolve(file);
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const line = (label: string, value: string, target: string, ok: boolean) =>
  console.log(`${label.padEnd(58)} ${value.padStart(10)}   target ${target}  ${ok ? 'met' : 'MISSED'}`);

// ---------------------------------------------------------------- 1. overhead per attach+detach cycle
const CYCLES = 100;
const ROUNDS = 5;

async function libraryRound(disk: Awaited<ReturnType<typeof openVirtualDisk>>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < CYCLES; i++) {
    await disk.attach({ noDriveLetter: true });
    await disk.detach();
  }
  return (performance.now() - t0) / CYCLES;
}

const virtdisk = koffi.load(ffi.systemLibraryPath('virtdisk'));
const raw = {
  open: virtdisk.func('__stdcall', 'OpenVirtualDisk', 'uint32', [koffi.pointer(ffi.VIRTUAL_STORAGE_TYPE), 'const char16_t *', 'uint32', 'uint32', koffi.pointer(ffi.OPEN_VIRTUAL_DISK_PARAMETERS), koffi.out(koffi.pointer(ffi.HANDLE))]),
  attach: virtdisk.func('__stdcall', 'AttachVirtualDisk', 'uint32', [ffi.HANDLE, ffi.PSECURITY_DESCRIPTOR, 'uint32', 'uint32', koffi.pointer(ffi.ATTACH_VIRTUAL_DISK_PARAMETERS), 'void *']),
  detach: virtdisk.func('__stdcall', 'DetachVirtualDisk', 'uint32', [ffi.HANDLE, 'uint32', 'uint32']),
};
const kernel32 = koffi.load('kernel32.dll');
const rawCloseHandle = kernel32.func('__stdcall', 'CloseHandle', 'int32', [ffi.HANDLE]);
const rawCreateEventW = kernel32.func('__stdcall', 'CreateEventW', ffi.HANDLE, ['void *', 'int32', 'int32', 'void *']);
const rawResetEvent = kernel32.func('__stdcall', 'ResetEvent', 'int32', [ffi.HANDLE]);
const rawWaitForSingleObject = kernel32.func('__stdcall', 'WaitForSingleObject', 'uint32', [ffi.HANDLE, 'uint32']);
const callAsync = (fn: { async: (...args: unknown[]) => void }, ...args: unknown[]) =>
  new Promise<number>((resolve, reject) => fn.async(...args, (error: unknown, result: number) => (error ? reject(error) : resolve(result))));

// The same protocol as the library, done by hand: an attach with an OVERLAPPED (in stable memory, with a
// manual-reset event) whose completion is waited for on a worker thread, then the detach.
async function rawRound(handle: bigint): Promise<number> {
  const parameters = koffi.alloc(ffi.ATTACH_VIRTUAL_DISK_PARAMETERS, 1);
  koffi.encode(parameters, ffi.ATTACH_VIRTUAL_DISK_PARAMETERS, { Version: 1, u: { Version1: { Reserved: 0 } } });
  const event = rawCreateEventW(null, 1, 0, null);
  const overlapped = koffi.alloc(ffi.OVERLAPPED, 1);
  const t0 = performance.now();
  for (let i = 0; i < CYCLES; i++) {
    rawResetEvent(event);
    koffi.encode(overlapped, ffi.OVERLAPPED, { Internal: 0, InternalHigh: 0, u: { Pointer: null }, hEvent: event });
    const started = await callAsync(raw.attach, handle, null, ffi.ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER, 0, parameters, overlapped);
    if (started === 997) await callAsync(rawWaitForSingleObject, event, 0xffffffff);
    else if (started !== 0) throw new Error(`raw attach failed: ${started}`);
    if (await callAsync(raw.detach, handle, 0, 0) !== 0) throw new Error('raw detach failed');
  }
  const perCycle = (performance.now() - t0) / CYCLES;
  rawCloseHandle(event);
  koffi.free(overlapped);
  koffi.free(parameters);
  return perCycle;
}

simulator.reset();
const libraryDisk = await openVirtualDisk(image('library.vhdx'));
const rawHandle: [bigint | null] = [null];
const opened = raw.open(
  { DeviceId: ffi.VIRTUAL_STORAGE_TYPE_DEVICE_VHDX, VendorId: ffi.VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT }, image('raw.vhdx'),
  ffi.VIRTUAL_DISK_ACCESS_NONE, 0, { Version: 2, u: { Version2: { GetInfoOnly: 0, ReadOnly: 0, ResiliencyGuid: ffi.VIRTUAL_STORAGE_TYPE_VENDOR_UNKNOWN } } }, rawHandle,
) as number;
if (opened !== 0 || rawHandle[0] === null) throw new Error(`raw OpenVirtualDisk failed: ${opened}`);

await libraryRound(libraryDisk); // warm-up, both sides
await rawRound(rawHandle[0]);
const libraryTimes: number[] = [];
const rawTimes: number[] = [];
for (let round = 0; round < ROUNDS; round++) { // interleaved, so drift hits both alike
  libraryTimes.push(await libraryRound(libraryDisk));
  rawTimes.push(await rawRound(rawHandle[0]));
}
await libraryDisk.close();
rawCloseHandle(rawHandle[0]);

const libraryMs = median(libraryTimes);
const rawMs = median(rawTimes);
console.log(`attach+detach cycle (attach with an OVERLAPPED on both sides): library ${libraryMs.toFixed(3)} ms, raw koffi ${rawMs.toFixed(3)} ms (median of ${ROUNDS} rounds of ${CYCLES})`);
line('1. overhead ratio (library / raw koffi), per cycle', (libraryMs / rawMs).toFixed(2), '≤ 1.5', libraryMs / rawMs <= 1.5);

// ---------------------------------------------------------------- 2. event-loop delay during a 500 ms attach
simulator.reset();
simulator.delay('AttachVirtualDisk', 500);
const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();
const held = await attachVirtualDisk(image('slow.vhdx'));
histogram.disable();
simulator.delay('AttachVirtualDisk', 0);
await held.close();
const worstMs = histogram.max / 1e6;
console.log(`event loop during a 500 ms attach: max ${worstMs.toFixed(1)} ms, mean ${(histogram.mean / 1e6).toFixed(1)} ms, p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms`);
line('2. largest event-loop delay while the DLL holds an attach', `${worstMs.toFixed(1)} ms`, '≤ 20 ms', worstMs <= 20);

// 3. import time: bench/import-cost.ts, on the installed tarball (what users import), run after this.

fs.rmSync(dir, { recursive: true, force: true });
