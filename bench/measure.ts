// What the benchmarks share: percentiles, fs.stat latencies while something runs, and one result line.
import fs from 'node:fs';

/** The `p` quantile (0..1) of `values`, nearest rank. */
export const percentile = (values: number[], p: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

/** fs.stat latencies of `dir` (ms), one every 10 ms, for as long as `during` runs (or that many ms when idle). */
export async function statLatencies(dir: string, during: Promise<unknown> | number): Promise<number[]> {
  const latencies: number[] = [];
  let done = false;
  const until = typeof during === 'number' ? new Promise((resolve) => setTimeout(resolve, during)) : during;
  void until.finally(() => { done = true; });
  while (!done) {
    const t0 = performance.now();
    await fs.promises.stat(dir);
    latencies.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return latencies;
}

/** One result: label, value, and the target with whether it was met (when there is one). */
export function line(label: string, value: string, target?: string, ok?: boolean): void {
  console.log(`${label.padEnd(58)} ${value.padStart(10)}${target ? `   target ${target}  ${ok ? 'met' : 'MISSED'}` : ''}`);
}
