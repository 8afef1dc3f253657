// The call queue and libuv's thread pool, on the Windows ABI tier (node.exe under Wine, simulated
// virtdisk.dll), side by side in one run: the library's limit (min(resident_async_pools, pool size − 1))
// against the 64 calls in flight it allowed before.
//   4. fs.stat p90 while 8 attaches of 1.5 s run, over its idle p90 (target ≤ 3)
//   5. the worst event-loop delay during 64 concurrent open/attach/detach/close cycles (target ≤ 10 ms)
//   6. throughput of 300 concurrent cycles (target: no worse than with 64 in flight)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { line, percentile, statLatencies } from './measure.ts';

const { attachVirtualDisk } = await import('../lib/index.ts');
const native = await import('../lib/native.ts');
const { simulator } = await import('../spec/windows/simulator.ts');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdisk-bench-pool-'));
let imageCount = 0;
const image = () => {
  const file = path.join(dir, `pool${imageCount++}.vhdx`);
  fs.writeFileSync(file, Buffer.alloc(512));
  return path.win32.resolve(file);
};

async function cycles(count: number): Promise<void> {
  await Promise.all(Array.from({ length: count }, async () => {
    const disk = await attachVirtualDisk(image(), { noDriveLetter: true });
    await disk.detach();
    await disk.close();
  }));
}

const configurations: Array<[string, number | undefined]> = [['library', undefined], ['64 in flight (before)', 64]];
console.log(`libuv pool: ${native.threadPoolSize()} threads; library limit ${native.callsInFlightLimit(8, native.threadPoolSize())} calls in flight`);
await cycles(8); // warm-up: koffi and the DLL loaded

const idleP90 = percentile(await statLatencies(dir, 1500), 0.9);
const results: Record<string, { statRatio: number; worstDelay: number; throughput: number }> = {};
for (const [label, override] of configurations) {
  native.overrideCallsInFlightLimit(override);
  simulator.reset();
  simulator.delay('AttachVirtualDisk', 1500);
  const slow = cycles(8);
  const busyP90 = percentile(await statLatencies(dir, slow), 0.9);
  await slow;
  simulator.delay('AttachVirtualDisk', 0);

  simulator.reset();
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await cycles(64);
  histogram.disable();

  simulator.reset();
  const t0 = performance.now();
  await cycles(300);
  const throughput = 300 / ((performance.now() - t0) / 1000);
  results[label] = { statRatio: busyP90 / idleP90, worstDelay: histogram.max / 1e6, throughput };
  console.log(`${label}: fs.stat p90 ${busyP90.toFixed(1)} ms busy vs ${idleP90.toFixed(2)} ms idle; event-loop max ${(histogram.max / 1e6).toFixed(1)} ms over 64 cycles; ${throughput.toFixed(0)} cycles/s over 300`);
}
native.overrideCallsInFlightLimit(undefined);

const library = results.library!;
const before = results['64 in flight (before)']!;
line('4. fs.stat p90 during 8 slow attaches / idle p90', library.statRatio.toFixed(2), '≤ 3', library.statRatio <= 3);
line('5. worst event-loop delay, 64 concurrent cycles', `${library.worstDelay.toFixed(1)} ms`, '≤ 10 ms', library.worstDelay <= 10);
line('6. throughput of 300 concurrent cycles, library / before', (library.throughput / before.throughput).toFixed(2), '≥ 1.0', library.throughput >= before.throughput);
fs.rmSync(dir, { recursive: true, force: true });
