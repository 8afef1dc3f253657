// Provisioning on the Windows ABI tier (node.exe under Wine, simulated virtdisk.dll + fakedisk.sys + the fake
// fmifs.dll, libuv's default pool). What it prints is the library's own cost around the steps, not Windows':
//  11. provisionVirtualDisk of a 64 MiB VHDX, median of 5, and each step's share (from onProgress)
//  12. fs.stat p90 while a provision runs a 1.5 s format (FAKE_FMIFS_MS), over its idle p90 (target ≤ 2)
//  13. the worst event-loop delay during that provision (target ≤ 20 ms)
// Real Windows: bench/provision-windows.ts (against PowerShell and diskpart), in .github/workflows/windows.yml.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { line, percentile, statLatencies } from './measure.ts';

const { detachVirtualDisk, provisionVirtualDisk } = await import('../lib/index.ts');
const { simulator } = await import('../spec/windows/simulator.ts');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdisk-bench-provision-'));
const SIZE = 64 * 1024 * 1024;

async function provisionOnce(name: string): Promise<{ total: number; steps: Map<string, number> }> {
  const file = path.win32.resolve(dir, name);
  const started = new Map<string, number>();
  const steps = new Map<string, number>();
  const t0 = performance.now();
  const { disk } = await provisionVirtualDisk(file, {
    size: SIZE, permanent: false, windowsBuild: 26100,
    onProgress: ({ step, percent }) => {
      if (percent === 0) started.set(step, performance.now());
      if (percent === 100) steps.set(step, performance.now() - (started.get(step) ?? t0));
    },
  });
  const total = performance.now() - t0;
  await disk.close();
  await detachVirtualDisk(file, { ifAttached: true });
  return { total, steps };
}

try {
  simulator.reset();
  await provisionOnce('warm-up.vhdx');
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push(await provisionOnce(`run-${i}.vhdx`));
  const median = percentile(runs.map((run) => run.total), 0.5);
  line('11. provisionVirtualDisk, 64 MiB VHDX (median of 5)', `${median.toFixed(1)} ms`);
  for (const step of ['create', 'attach', 'initialize', 'partition', 'volume', 'format']) {
    line(`    ${step}`, `${percentile(runs.map((run) => run.steps.get(step) ?? 0), 0.5).toFixed(1)} ms`);
  }

  const idle = await statLatencies(dir, 1500);
  process.env.FAKE_FMIFS_MS = '1500';
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const busy = await statLatencies(dir, provisionOnce('busy.vhdx'));
  histogram.disable();
  delete process.env.FAKE_FMIFS_MS;
  const ratio = percentile(busy, 0.9) / percentile(idle, 0.9);
  line('12. fs.stat p90 during a provision (1.5 s format) / idle', ratio.toFixed(2), '≤ 2', ratio <= 2);
  const worst = histogram.max / 1e6;
  line('13. worst event-loop delay during it', `${worst.toFixed(1)} ms`, '≤ 20 ms', worst <= 20);
} finally {
  simulator.reset();
  fs.rmSync(dir, { recursive: true, force: true });
}
