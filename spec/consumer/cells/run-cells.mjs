// Runs consumer cells, each in a fresh `node` process (the node running this script: Linux node, or
// node.exe under Wine), from this script's directory (the consumer project, where the tarball is installed).
//   node run-cells.mjs <cell file>...
// A cell passes when it exits 0 and reports "ok ..."; anything it writes to stderr (a warning) is shown.
// Exit code: the number of failed cells (0: all passed).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const where = `${process.platform} ${process.arch}, node ${process.version}`;
let failed = 0;
for (const cell of process.argv.slice(2)) {
  const t0 = performance.now();
  const child = spawnSync(process.execPath, [cell], { cwd: here, encoding: 'utf8', timeout: 120_000 });
  const ms = (performance.now() - t0).toFixed(0);
  const out = `${child.stdout ?? ''}`.trim();
  const err = `${child.stderr ?? ''}`.trim();
  const ok = child.status === 0 && /^ok /m.test(out) && !/^FAIL /m.test(out);
  if (!ok) failed++;
  console.log(`${ok ? 'PASS' : 'FAIL'}  node ${cell}  [${where}; ${ms} ms]`);
  for (const line of out.split('\n').filter(Boolean)) console.log(`      ${line}`);
  if (child.error) console.log(`      spawn: ${child.error.message}`);
  if (!ok && child.status !== 0) console.log(`      exit code ${child.status}${child.signal ? `, signal ${child.signal}` : ''}`);
  for (const line of err.split('\n').filter(Boolean)) console.log(`      stderr: ${line}`);
}
process.exitCode = Math.min(failed, 100);
