// vdisk from the installed tarball, on Windows' node.exe under Wine, against the simulated virtdisk.dll: every
// command in a process of its own, as a user runs it, with its exit code, stdout and stderr (written to files:
// node.exe's output breaks on a Unix pipe under Wine), and Ctrl-C sent the way Windows delivers it: SIGINT to
// the node.exe process, which Wine turns into a CTRL_C_EVENT for the process's console control handlers
// (libuv's, behind process.on('SIGINT')). Run by spec/windows/consumer.sh through
//   bash spec/windows/run.sh --with-simulator node --import tsx spec/windows/vdisk-wine.ts <consumer dir>
// The simulator keeps its state (attachments, durations) in the process that loaded it; its image metadata
// lives in the image files, so create → info → resize → info works across processes, and a detach in a
// fresh process meets "not attached" unless a preload (vdisk-preloads/) attached the image in that process.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';

const [consumer] = process.argv.slice(2);
const wine64 = process.env.VIRTDISK_WINE64;
const nodeExe = process.env.VIRTDISK_NODE_EXE;
if (!consumer || !wine64 || !nodeExe) throw new Error('usage: run.sh --with-simulator node --import tsx spec/windows/vdisk-wine.ts <consumer dir>');

const winpath = (linux: string) => `Z:${linux.replaceAll('/', '\\')}`;
const installed = path.join(consumer, 'node_modules', 'virtdisk');
const pkg = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as { version: string; bin: { vdisk: string } };
const bin = winpath(path.join(installed, pkg.bin.vdisk));
for (const preload of ['sim-slow.mjs', 'sim-attached.mjs', 'sim-attached-drive0.mjs']) copyFileSync(new URL(`./vdisk-preloads/${preload}`, import.meta.url), path.join(consumer, preload));
const preloadUrl = (name: string) => `file:///${winpath(path.join(consumer, name)).replaceAll('\\', '/')}`;

const work = mkdtempSync('/tmp/vdisk-wine-');
const image = (name: string) => winpath(path.join(work, name));

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }
interface RunOptions {
  preload?: string;
  env?: Record<string, string>;
  /** Called once the process runs, with its output so far and a way to send SIGINT. */
  during?: (control: { stdout(): string; stderr(): string; interrupt(): void }) => Promise<void>;
}

let runs = 0;
/** node.exe with these arguments in a process of its own, its output in files (Wine's pipes would hold it). */
async function nodeExeRun(argv: string[], options: RunOptions = {}): Promise<Run> {
  const n = ++runs;
  const outFile = path.join(work, `run${n}.out`);
  const errFile = path.join(work, `run${n}.err`);
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  const started = performance.now();
  const child = spawn(wine64!, [nodeExe!, ...argv], { stdio: ['ignore', out, err], env: { ...process.env, ...options.env } });
  closeSync(out);
  closeSync(err);
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  if (options.during) {
    await options.during({
      stdout: () => readFileSync(outFile, 'utf8'), stderr: () => readFileSync(errFile, 'utf8'), interrupt: () => child.kill('SIGINT'),
    });
  }
  const [code, signal] = await exited;
  clearTimeout(timer);
  return { code, signal, stdout: readFileSync(outFile, 'utf8'), stderr: readFileSync(errFile, 'utf8'), ms: performance.now() - started };
}

/** vdisk <args> under node.exe. */
function vdisk(args: string[], options: RunOptions = {}): Promise<Run> {
  return nodeExeRun([...(options.preload ? ['--import', preloadUrl(options.preload)] : []), bin, ...args], options);
}

/** node.exe -e <code> in a process of its own (not vdisk): its exit code and output. */
function nodeEval(code: string): Promise<Run> {
  return nodeExeRun(['-e', code]);
}

async function until(condition: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const json = (run: Run) => {
  try {
    return JSON.parse(run.stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- checked field by field
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
};
const expectCode = (run: Run, code: number) => assert.equal(run.code, code, `exit ${run.code}, expected ${code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);

const results: string[] = [];
let failed = 0;
/** VDISK_WINE_ONLY=<regex>: run only the cells whose name matches (the others are not even started). */
const only = process.env.VDISK_WINE_ONLY ? new RegExp(process.env.VDISK_WINE_ONLY) : undefined;
async function check(name: string, body: () => Promise<string | void>): Promise<void> {
  if (only && !only.test(name)) return;
  const t0 = performance.now();
  try {
    const detail = await body();
    results.push(`PASS  ${name} (${((performance.now() - t0) / 1000).toFixed(1)} s)${detail ? `: ${detail}` : ''}`);
  } catch (error) {
    failed++;
    results.push(`FAIL  ${name}: ${(error as Error).stack ?? error}`);
  }
  console.log(results.at(-1));
}

const disk = image('disk.vhdx');
const child = image('child.vhdx');
const iso = image('media.iso');
writeFileSync(path.join(work, 'media.iso'), Buffer.alloc(64 * 1024));

try {
  await check('vdisk --version (plain node.exe, the installed bin)', async () => {
    const run = await vdisk(['--version']);
    expectCode(run, 0);
    assert.equal(run.stdout.trim(), pkg.version);
  });

  await check('attach --dry-run --json under node.exe: the rules against the running build, no call made', async () => {
    const run = await vdisk(['attach', disk, '--dry-run', '--json']);
    expectCode(run, 0);
    const document = json(run);
    assert.equal(document.windowsBuild, 18362);
    // the same calls, byte for byte, as the repository's vdisk plans on Linux for that build
    const linux = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../bin/vdisk.ts', import.meta.url)), 'attach', disk, '--dry-run', '--json', '--windows-build', '18362'], { encoding: 'utf8' });
    assert.equal(linux.status, 0, linux.stderr);
    assert.deepEqual(document.calls, JSON.parse(linux.stdout).calls);
    assert.equal(existsSync(path.join(work, 'disk.vhdx')), false);
    return `build ${document.windowsBuild}, ${document.calls.length} calls, as planned on Linux`;
  });

  await check('create --size 64MiB --json', async () => {
    const run = await vdisk(['create', disk, '--size', '64MiB', '--json']);
    expectCode(run, 0);
    assert.deepEqual(json(run), { path: disk, storageType: 'vhdx', type: 'dynamic', size: 64 * 2 ** 20, parent: null, source: null });
    assert.equal(existsSync(path.join(work, 'disk.vhdx')), true);
  });

  await check('info --json: what the simulator keeps in the file', async () => {
    const info = json(await vdisk(['info', disk, '--json']));
    assert.equal(info.path, disk);
    assert.equal(info.storageType, 'vhdx');
    assert.equal(info.subtype, 'dynamic');
    assert.equal(info.virtualSize, 64 * 2 ** 20);
    return `virtual ${info.virtualSize}, physical ${info.physicalSize}`;
  });

  await check('info (text): aligned lines', async () => {
    const run = await vdisk(['info', disk]);
    expectCode(run, 0);
    assert.match(run.stdout, /^virtual size +64 MiB \(67108864 bytes\)$/m);
  });

  await check('resize --size 128MiB, then info', async () => {
    const run = await vdisk(['resize', disk, '--size', '128MiB']);
    expectCode(run, 0);
    assert.match(run.stderr, /^resize: 100%/m, 'plain progress lines on a file');
    assert.equal(json(await vdisk(['info', disk, '--json'])).virtualSize, 128 * 2 ** 20);
  });

  await check('resize --smallest --json', async () => {
    const run = await vdisk(['resize', disk, '--smallest', '--json']);
    expectCode(run, 0);
    assert.deepEqual(json(run), { path: disk, size: null, smallest: true });
    return `now ${json(await vdisk(['info', disk, '--json'])).virtualSize} bytes`;
  });

  await check('compact --json: file sizes before and after', async () => {
    const run = await vdisk(['compact', disk, '--json']);
    expectCode(run, 0);
    const document = json(run);
    assert.equal(document.path, disk);
    assert.equal(typeof document.sizeBefore, 'number');
    assert.equal(typeof document.sizeAfter, 'number');
    return `${document.sizeBefore} → ${document.sizeAfter} bytes`;
  });

  await check('create --parent, info (differencing), merge --depth 1', async () => {
    expectCode(await vdisk(['create', child, '--parent', disk]), 0);
    assert.equal(json(await vdisk(['info', child, '--json'])).subtype, 'differencing');
    const merged = await vdisk(['merge', child, '--depth', '1', '--json']);
    expectCode(merged, 0);
    assert.deepEqual(json(merged), { path: child, depth: 1 });
  });

  await check('attach --json: permanent, the physical path', async () => {
    const run = await vdisk(['attach', disk, '--json']);
    expectCode(run, 0);
    const document = json(run);
    assert.match(document.physicalPath, /^\\\\\.\\PhysicalDrive\d+$/);
    assert.equal(document.permanent, true);
    return document.physicalPath;
  });

  await check('attach an ISO (read-only by default): a CD-ROM path', async () => {
    const run = await vdisk(['attach', iso]);
    expectCode(run, 0);
    assert.match(run.stdout, /^physical path +\\\\\.\\CDROM\d+$/m);
  });

  await check('detach in a fresh process: the simulator has no attachment there → exit 1, Windows\' code and hint', async () => {
    const run = await vdisk(['detach', disk]);
    expectCode(run, 1);
    assert.match(run.stderr, /code: ERROR_NOT_READY \(21, DetachVirtualDisk\)/);
    assert.match(run.stderr, /hint: /);
  });

  await check('detach of an image attached before (by a preload in that process) → exit 0, { path, attached: false }', async () => {
    const run = await vdisk(['detach', disk, '--json'], { preload: 'sim-attached.mjs', env: { VDISK_SIM_ATTACHED: disk } });
    expectCode(run, 0);
    assert.deepEqual(json(run), { path: disk, attached: false });
  });

  await check('list --json: the image attached before (by a preload), with its disk and Wine\'s real volumes', async () => {
    const run = await vdisk(['list', '--json'], { preload: 'sim-attached-drive0.mjs', env: { VDISK_SIM_ATTACHED: disk } });
    expectCode(run, 0);
    const listed = json(run) as unknown as Array<{ path: string; physicalPath: string; diskNumber: number; volumes: Array<{ mountPoints: string[] }> }>;
    const mine = listed.find((entry) => entry.path.toLowerCase() === disk.toLowerCase());
    assert.ok(mine, `listed: ${run.stdout}`);
    assert.equal(mine.physicalPath, '\\\\.\\PhysicalDrive0');
    assert.ok(mine.volumes.some((volume) => volume.mountPoints.includes('C:\\')), run.stdout);
    return `${listed.length} attached; ${mine.volumes.length} volumes on disk ${mine.diskNumber}`;
  });

  await check('volumes --json: the volumes of the image attached before, found through real kernel32', async () => {
    const run = await vdisk(['volumes', disk, '--json'], { preload: 'sim-attached-drive0.mjs', env: { VDISK_SIM_ATTACHED: disk } });
    expectCode(run, 0);
    const volumes = json(run) as unknown as Array<{ name: string; mountPoints: string[]; diskNumber: number }>;
    assert.ok(volumes.some((volume) => volume.mountPoints.includes('C:\\') && volume.diskNumber === 0), run.stdout);
    return volumes.map((volume) => volume.mountPoints.join(',')).join('; ');
  });

  await check('attach --temporary: attached until Ctrl-C (SIGINT → CTRL_C_EVENT), then detached, exit 0', async () => {
    const run = await vdisk(['attach', disk, '--temporary'], {
      during: async (control) => {
        await until(() => control.stderr().includes('attached until Ctrl-C'), 'the attach');
        control.interrupt();
      },
    });
    expectCode(run, 0);
    assert.match(run.stdout, /^lifetime +temporary \(until Ctrl-C\)$/m);
    assert.match(run.stderr, /detached Z:\\/);
  });

  await check('compact cancelled with Ctrl-C: CancelIoEx in the simulator, exit 130', async () => {
    const run = await vdisk(['compact', disk], {
      preload: 'sim-slow.mjs', env: { VDISK_SIM_DURATION_MS: '30000' },
      during: async (control) => {
        await until(() => /^compact: \d+%/m.test(control.stderr()), 'compact progress');
        control.interrupt();
      },
    });
    expectCode(run, 130);
    assert.match(run.stderr, /SIGINT: cancelling/);
    assert.match(run.stderr, /code: ABORT_ERR/);
    assert.ok(run.ms < 30_000, `ended in ${run.ms} ms, before the 30 s operation would have`);
    return `ended after ${(run.ms / 1000).toFixed(1)} s of a 30 s operation`;
  });

  await check('compact --json cancelled with Ctrl-C: { error: { code: "ABORT_ERR" } } on stdout, exit 130', async () => {
    // --json draws no progress: wait for the preload's marker, then for vdisk to be well into the compact
    const ready = path.join(work, 'ready');
    const run = await vdisk(['compact', disk, '--json'], {
      preload: 'sim-slow.mjs', env: { VDISK_SIM_DURATION_MS: '30000', VDISK_SIM_READY: winpath(ready) },
      during: async (control) => {
        await until(() => existsSync(ready), 'the preload');
        await new Promise((resolve) => setTimeout(resolve, 4000));
        control.interrupt();
      },
    });
    expectCode(run, 130);
    assert.equal(json(run).error.code, 'ABORT_ERR');
    assert.equal(run.stderr, '');
  });

  await check('create cancelled with Ctrl-C: exit 130, no partial file left', async () => {
    const cancelled = image('cancelled.vhdx');
    const run = await vdisk(['create', cancelled, '--size', '1GiB'], {
      preload: 'sim-slow.mjs', env: { VDISK_SIM_DURATION_MS: '30000' },
      during: async (control) => {
        await until(() => /^create: \d+%/m.test(control.stderr()), 'create progress');
        control.interrupt();
      },
    });
    expectCode(run, 130);
    assert.equal(existsSync(path.join(work, 'cancelled.vhdx')), false, 'the partial image was removed');
  });

  await check('new --size 64MiB --label WINE --json: created, attached (permanent), GPT, NTFS, a drive letter; exit 0', async () => {
    const run = await vdisk(['new', image('new.vhdx'), '--size', '64MiB', '--label', 'WINE', '--json']);
    expectCode(run, 0);
    const result = json(run);
    assert.deepEqual(Object.keys(result), ['path', 'storageType', 'existing', 'size', 'physicalPath', 'diskNumber', 'partitionStyle', 'volume', 'fileSystem', 'label', 'mountPoints', 'permanent']);
    assert.equal(result.size, 64 * 2 ** 20);
    assert.match(result.physicalPath, /^\\\\\.\\PhysicalDrive\d+$/);
    assert.match(result.volume, /^\\\\\?\\Volume\{[0-9a-f-]+\}\\$/i);
    assert.deepEqual([result.partitionStyle, result.fileSystem, result.label, result.permanent], ['gpt', 'ntfs', 'WINE', true]);
    assert.equal(result.mountPoints.length, 1, `mount points: ${JSON.stringify(result.mountPoints)}`);
    assert.match(result.mountPoints[0], /^[A-Z]:\\$/);
    return `${result.physicalPath}, ${result.mountPoints[0]}`;
  });

  await check('new --temporary (text): held until Ctrl-C; meanwhile a file written through its drive letter by another process, then vdisk format on that letter; Ctrl-C detaches (exit 0)', async () => {
    let letter = '';
    let wrote: Run | undefined;
    let formatted: Run | undefined;
    const run = await vdisk(['new', image('held.vhdx'), '--size', '64MiB', '--mbr', '--fs', 'exfat', '--label', 'HELD', '--temporary'], {
      during: async (control) => {
        await until(() => /attached until Ctrl-C/.test(control.stderr()), 'vdisk new to hold the disk');
        letter = /^mount points +([A-Z]:\\)/m.exec(control.stdout())?.[1] ?? '';
        assert.ok(letter, `no drive letter in:\n${control.stdout()}`);
        const file = `${letter}hello.txt`;
        wrote = await nodeEval(`const fs = require('node:fs'); fs.writeFileSync(${JSON.stringify(file)}, 'provisioned'); process.stdout.write(fs.readFileSync(${JSON.stringify(file)}, 'utf8'));`);
        formatted = await vdisk(['format', letter.slice(0, 2), '--fs', 'ntfs', '--label', 'AGAIN', '--json']);
        control.interrupt();
      },
    });
    expectCode(run, 0);
    assert.match(run.stdout, /^partition style +MBR$/m);
    assert.match(run.stdout, /^file system +exFAT, label 'HELD'$/m);
    assert.match(run.stdout, /^lifetime +temporary \(until Ctrl-C\)$/m);
    assert.match(run.stderr, /^new: format \d+%$/m);
    assert.match(run.stderr, /detached .*held\.vhdx/);
    assert.equal(wrote!.code, 0, wrote!.stderr);
    assert.equal(wrote!.stdout, 'provisioned');
    expectCode(formatted!, 0);
    assert.deepEqual(json(formatted!), { volume: letter.slice(0, 2), fileSystem: 'ntfs', label: 'AGAIN', clusterSize: 0, quick: true });
    return `${letter}: file written, formatted again`;
  });

  await check('new --dev-drive → exit 2, ERR_DEV_DRIVE_UNSUPPORTED, nothing created', async () => {
    const run = await vdisk(['new', image('dev.vhdx'), '--size', '64MiB', '--dev-drive', '--json']);
    expectCode(run, 2);
    assert.equal(json(run).error.code, 'ERR_DEV_DRIVE_UNSUPPORTED');
    assert.equal(existsSync(path.join(work, 'dev.vhdx')), false);
  });

  await check('format on a folder that is no mount point (C:\\windows) → exit 2, ERR_NOT_A_VOLUME', async () => {
    const run = await vdisk(['format', 'C:\\windows', '--json']);
    expectCode(run, 2);
    assert.equal(json(run).error.code, 'ERR_NOT_A_VOLUME');
  });

  await check('a rule refuses before Windows: create --size 1MB → exit 2, ERROR_INVALID_PARAMETER with the rule', async () => {
    const run = await vdisk(['create', image('tiny.vhdx'), '--size', '1MB', '--json']);
    expectCode(run, 2);
    const { error } = json(run);
    assert.equal(error.code, 'ERROR_INVALID_PARAMETER');
    assert.match(error.rule, /less than 3 MB/);
  });

  await check('a Windows error: info on a missing image → exit 1, ERROR_FILE_NOT_FOUND', async () => {
    const run = await vdisk(['info', image('missing.vhdx'), '--json']);
    expectCode(run, 1);
    assert.equal(json(run).error.code, 'ERROR_FILE_NOT_FOUND');
  });

  await check('list in a fresh process', async () => {
    const list = await vdisk(['list', '--json']);
    expectCode(list, 0);
    assert.ok(Array.isArray(json(list)));
    return `list: ${list.stdout.trim().slice(0, 80)}`;
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(`${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
