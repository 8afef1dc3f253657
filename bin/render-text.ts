// Text results: aligned "label  value" lines, and sizes with both units people read.
import { formatByteSize } from '../lib/index.ts';

/** Aligned lines; entries whose value is undefined are left out. */
export function labelled(rows: ReadonlyArray<readonly [label: string, value: string | number | boolean | undefined]>): string[] {
  const shown = rows.filter((row): row is readonly [string, string | number | boolean] => row[1] !== undefined);
  const width = Math.max(0, ...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `${label.padEnd(width)}  ${String(value)}`);
}

/** '64 MiB (67108864 bytes)'; small counts in bytes only. */
export function bytes(count: number | bigint | undefined): string | undefined {
  if (count === undefined) return undefined;
  const text = formatByteSize(count);
  return text.endsWith(' B') ? `${count} bytes` : `${text} (${count} bytes)`;
}

/** A list of mount points, or '(none)'. */
export function mountPointList(mountPoints: readonly string[] | undefined): string | undefined {
  if (mountPoints === undefined) return undefined;
  return mountPoints.length > 0 ? mountPoints.join('  ') : '(none)';
}

/** A fixed-width table: a header row, then one row per entry. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}
