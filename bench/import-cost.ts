// Import cost on the Windows ABI tier (node.exe under Wine, simulated virtdisk.dll): `npm run bench`
// (spec/windows/consumer.sh --bench). Import plus the first call into Windows, each run a fresh node.exe:
//   tarball  the installed package (npm install <tarball>: JavaScript in dist/), plain `node.exe app.mjs`
//   tsx      today's way from the sources: `node.exe --import tsx app.mjs` on lib/index.ts
// Target: tarball / tsx ≤ 0.7, on "import + first call" counted from the end of node's own start-up (so
// the tsx side includes loading tsx, which the tarball side does not need).
//   node.exe --import tsx bench/import-cost.ts <consumer dir with the tarball installed> [runs]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.dirname(here);
const consumer = process.argv[2];
const RUNS = Number(process.argv[3] ?? 9);
if (!consumer || !fs.existsSync(path.join(consumer, 'node_modules', 'virtdisk', 'package.json'))) {
  throw new Error(`usage: import-cost.ts <consumer dir with the tarball installed> [runs] (got ${consumer})`);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdisk-import-cost-'));
const image = path.win32.resolve(path.join(dir, 'import-cost.vhdx'));
fs.writeFileSync(image, Buffer.alloc(512));

interface Sample { top: number; imported: number; called: number }
type Side = 'tarball' | 'tsx' | 'koffi';
const run = (side: Side): Sample => {
  const args = side === 'tarball'
    ? [path.join(consumer, 'import-cost-sample.mjs'), 'virtdisk', image]
    : side === 'koffi'
      ? [path.join(consumer, 'import-cost-sample.mjs'), 'koffi']
      : ['--import', 'tsx', path.join(here, 'import-cost-sample.mjs'), pathToFileURL(path.join(repo, 'lib', 'index.ts')).href, image];
  const child = spawnSync(process.execPath, args, { cwd: side === 'tsx' ? repo : consumer, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`${side} sample failed (exit ${child.status}): ${child.stderr}${child.stdout}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Sample;
};

const samples: Record<Side, Sample[]> = { tarball: [], tsx: [], koffi: [] };
run('tarball'); // warm-up: the file system cache, and tsx's transform cache (kept between runs, as in use)
run('tsx');
run('koffi');
for (let i = 0; i < RUNS; i++) { // interleaved, alternating which goes first, so drift hits both alike
  for (const side of (i % 2 === 0 ? ['tarball', 'tsx', 'koffi'] : ['koffi', 'tsx', 'tarball']) as Side[]) samples[side].push(run(side));
}
fs.rmSync(dir, { recursive: true, force: true });

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const median = (values: number[]) => sorted(values)[Math.floor(values.length / 2)]!;
const min = (values: number[]) => sorted(values)[0]!;
// Plain node's own start-up: where the tarball side's script begins (no loader before it). Same node.exe for
// both sides, so the headline measure counts everything after it: on the tsx side that includes loading tsx.
const startup = median(samples.tarball.map((s) => s.top));
const measures: Array<[string, (s: Sample) => number, boolean]> = [
  ['process start -> script start (tsx side: + loading tsx)', (s) => s.top, false],
  ['import of the package', (s) => s.imported - s.top, false],
  ['first call (koffi, raw layer, DLLs, OpenVirtualDisk)', (s) => s.called - s.imported, false],
  ['process start -> first call done', (s) => s.called, true],
  [`import + first call (after plain node's start-up, ${startup.toFixed(0)} ms)`, (s) => s.called - startup, true],
];

console.log(`import cost: ${RUNS} fresh node.exe ${process.version} runs per side (after one warm-up each), simulated virtdisk.dll; ms, min / median`);
console.log(`${''.padEnd(66)}${'tarball (plain node)'.padStart(22)}${'tsx (.ts sources)'.padStart(22)}${'ratio'.padStart(8)}`);
for (const [label, measure, withRatio] of measures) {
  const a = samples.tarball.map(measure);
  const b = samples.tsx.map(measure);
  const cell = (v: number[]) => `${min(v).toFixed(1)} / ${median(v).toFixed(1)}`.padStart(22);
  const ratio = withRatio ? (median(a) / median(b)).toFixed(2) : '';
  console.log(`${label.padEnd(66)}${cell(a)}${cell(b)}${ratio.padStart(8)}`);
}
const headline = measures[measures.length - 1]![1];
const ratio = median(samples.tarball.map(headline)) / median(samples.tsx.map(headline));
console.log(`${'import + first call into Windows: tarball / tsx (medians)'.padEnd(58)} ${ratio.toFixed(2).padStart(10)}   target ≤ 0.7  ${ratio <= 0.7 ? 'met' : 'MISSED'}`);
// What users import (the tarball's JavaScript) against koffi alone: the package defers koffi to the first call.
const importOf = (side: Side) => median(samples[side].map((s) => s.imported - s.top));
const importRatio = importOf('tarball') / importOf('koffi');
console.log(`import of the package ${importOf('tarball').toFixed(1)} ms, of koffi alone ${importOf('koffi').toFixed(1)} ms (medians, installed, plain node.exe)`);
console.log(`${'3. import ratio (package / koffi alone)'.padEnd(58)} ${importRatio.toFixed(2).padStart(10)}   target ≤ 1.5  ${importRatio <= 1.5 ? 'met' : 'MISSED'}`);
