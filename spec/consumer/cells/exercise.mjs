// The checks every consumer cell runs on the package it loaded its own way (import, require(), tsx, an
// esbuild bundle). Plain JavaScript: a consumer of the installed tarball has no TypeScript loader.
//   everywhere:   the exports are there; the pure check* functions give their verdicts; constants are right
//   off Windows:  every call into Windows rejects with a VirtualDiskError, code ERR_UNSUPPORTED_PLATFORM
//   on Windows:   (node.exe under Wine, simulated virtdisk.dll) a handle-bound attach/detach cycle and a
//                 permanent attach ended by detachVirtualDisk(path), each seen in the simulator's own state; then
//                 provisionVirtualDisk (its FormatEx runs in dist/lib/format-worker.js: a worker file of the
//                 package) and a file through the new drive letter; in a bundle, which has no worker file, the
//                 provision must fail with the worker's error and leave nothing behind
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const API = [
  'openVirtualDisk', 'attachVirtualDisk', 'detachVirtualDisk', 'VirtualDisk', 'VirtualDiskError', 'InvalidParameterError',
  'checkOpen', 'checkAttach', 'checkAttachCall', 'checkDetach', 'checkDetachCall', 'checkHandle', 'describeOpenedHandle',
  'attachCallFromOptions', 'currentWindowsBuild',
];

/**
 * @param {{ virtdisk: any, ffi?: any, types?: any, pkg?: any, bundled?: boolean }} loaded the package's entry points, as the cell loaded them
 * @returns {Promise<string>} what was checked, for the cell's one-line report
 */
export async function exercise({ virtdisk, ffi, types, pkg, bundled = false }) {
  const done = [];
  for (const name of API) assert.equal(typeof virtdisk[name], 'function', `virtdisk.${name}`);
  done.push(`${API.length} exports`);

  // The pure rules, as the README shows them.
  const iso = virtdisk.checkOpen('D:\\images\\win.iso', { windowsBuild: 7601 });
  assert.equal(iso.ok, false, 'an ISO before Windows 8 is refused');
  assert.ok(iso.error instanceof virtdisk.VirtualDiskError, 'the refusal is a VirtualDiskError');
  assert.match(iso.error.message, /Windows 8/);
  const open = virtdisk.checkOpen('D:\\a.vhdx');
  assert.equal(open.ok, true);
  const handle = virtdisk.describeOpenedHandle(open.call);
  assert.equal(virtdisk.checkAttach(handle, { atBoot: true }, { windowsBuild: 19045 }).ok, false);
  const attach = virtdisk.checkAttach(handle, { noDriveLetter: true }, { windowsBuild: 19045 });
  assert.equal(attach.ok, true);
  assert.equal(attach.call.Flags, 0x002);
  done.push('check*');

  if (types) {
    assert.equal(types.ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER, 0x002);
    done.push('virtdisk/types');
  }
  if (ffi) {
    assert.equal(ffi.ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME, 0x004);
    for (const name of ['bindings', 'setLibraryLoader', 'loadSystemLibrary', 'systemLibraryPath']) {
      assert.equal(typeof ffi[name], 'function', `virtdisk/ffi ${name}`);
    }
    done.push('virtdisk/ffi');
  }
  if (pkg) {
    assert.equal(pkg.name, 'virtdisk');
    done.push(`package.json ${pkg.version}`);
  }

  if (process.platform !== 'win32') {
    const unsupported = (what) => (error) => {
      assert.ok(error instanceof virtdisk.VirtualDiskError, `${what}: rejected with ${error?.stack ?? error}, not a VirtualDiskError`);
      assert.equal(error.code, 'ERR_UNSUPPORTED_PLATFORM', `${what}: rejected with code ${error.code}: ${error.message}`);
      return true;
    };
    for (const call of ['openVirtualDisk', 'attachVirtualDisk', 'detachVirtualDisk']) {
      await assert.rejects(virtdisk[call]('C:\\images\\a.vhdx'), unsupported(call));
    }
    if (ffi) assert.throws(() => ffi.bindings(), { code: 'ERR_UNSUPPORTED_PLATFORM' }, 'ffi.bindings()');
    done.push('calls into Windows reject with ERR_UNSUPPORTED_PLATFORM');
    return done.join(', ');
  }

  // Windows (node.exe under Wine): the simulator DLL sits at System32\virtdisk.dll (spec/windows/run.sh --exec).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdisk-consumer-'));
  try {
    const image = (name) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, Buffer.alloc(512));
      return path.win32.resolve(file);
    };
    const attachedOf = (file) =>
      simulatorState(ffi).attached.filter((a) => a.fullPath.toLowerCase() === file.toLowerCase());

    const data = image('data.vhdx');
    const disk = await virtdisk.attachVirtualDisk(data, { noDriveLetter: true });
    assert.equal(disk.attached, true);
    assert.match(await disk.getPhysicalPath(), /^\\\\\.\\PhysicalDrive\d+$/);
    assert.equal(attachedOf(data).length, 1, 'the simulator holds the attach');
    await disk.detach();
    assert.equal(attachedOf(data).length, 0, 'the simulator saw the detach');
    await disk.close();
    assert.equal(disk.closed, true);

    const boot = image('boot.vhdx');
    const permanent = await virtdisk.attachVirtualDisk(boot, { permanent: true });
    await permanent.close();
    assert.equal(attachedOf(boot)[0]?.permanent, true, 'a permanent attach outlives its handle');
    await virtdisk.detachVirtualDisk(boot);
    assert.equal(attachedOf(boot).length, 0, 'detachVirtualDisk(path) ended it');
    done.push('attach/getPhysicalPath/detach/close + permanent attach/detachVirtualDisk against the simulator');

    const drive = path.win32.resolve(dir, 'drive.vhdx');
    const provisioning = virtdisk.provisionVirtualDisk(drive, { size: 64 * 1024 * 1024, permanent: false, label: 'CONSUMER' });
    if (bundled) {
      await assert.rejects(provisioning, (error) => /^ERR_FORMAT_WORKER_(MISSING|FAILED)$/.test(error.code), 'a bundle has no worker file');
      assert.equal(fs.existsSync(drive), false, 'the failed provision removed its file');
      assert.equal(attachedOf(drive).length, 0, 'and its attach');
      done.push('provisionVirtualDisk in a bundle: the worker\'s error, nothing left');
    } else {
      const { disk: provisioned, mountPoints } = await provisioning;
      const letter = mountPoints.find((point) => /^[A-Z]:\\$/.test(point));
      assert.ok(letter, `a drive letter among ${mountPoints.join(', ')}`);
      fs.writeFileSync(`${letter}hello.txt`, 'hello');
      assert.equal(fs.readFileSync(`${letter}hello.txt`, 'utf8'), 'hello');
      await provisioned.close();
      assert.equal(attachedOf(drive).length, 0, 'a temporary attach ends with its handle');
      done.push(`provisionVirtualDisk (FormatEx in the package's worker) and a file through ${letter}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return done.join(', ');
}

/** The simulator's SimGetState() JSON, read through the package's own raw layer (no koffi import here). */
function simulatorState(ffi) {
  assert.ok(ffi, 'the Windows checks need virtdisk/ffi');
  const dll = ffi.loadSystemLibrary('virtdisk');
  const SimGetState = dll.func('__stdcall', 'SimGetState', 'uint32', ['void *', 'void *']);
  const size = Buffer.alloc(4);
  let buffer = null;
  for (let attempt = 0; attempt < 8; attempt++) {
    const rc = SimGetState(buffer, size);
    const n = size.readUInt32LE(0);
    if (rc === 0 && buffer) return JSON.parse(buffer.toString('utf8', 0, n - 1));
    assert.equal(rc, 122, 'SimGetState: ERROR_INSUFFICIENT_BUFFER');
    buffer = Buffer.alloc(n);
  }
  throw new Error('SimGetState kept growing');
}

/** Runs a cell's body and reports one line; a failure sets the exit code (no top-level await needed). */
export function runCell(name, body) {
  const t0 = performance.now();
  body().then(
    (summary) => console.log(`ok ${name} (${(performance.now() - t0).toFixed(0)} ms): ${summary}`),
    (error) => {
      console.log(`FAIL ${name}: ${error?.stack ?? error}`);
      process.exitCode = 1;
    },
  );
}
