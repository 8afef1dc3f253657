// The simulator knows an image by its file (volume serial number + file ID), as Windows does, not by the
// spelling of its path. Through the public API, except for one raw OpenVirtualDisk handle the library does
// not know about (so that the simulator's rule, not lib/handles.ts, is what refuses a detach).
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import koffi from 'koffi';
import { attachVirtualDisk, detachVirtualDisk, openVirtualDisk, VirtualDiskError } from '../../lib/index.ts';
import { imageFolder } from './images.ts';
import { simulator, type SimHandle } from './simulator.ts';

const ERROR_PATH_NOT_FOUND = 3;
const ERROR_SHARING_VIOLATION = 32;
const VHDX = { storageType: 'vhdx' } as const; // short names end in .VHD, trailing dots hide the extension

// ------------------------------------------------------------------ kernel32, and Wine's own exports

type Fn<R> = (...args: unknown[]) => R;
interface Kernel32 {
  GetLogicalDrives: Fn<number>;
  GetFileAttributesW: Fn<number>;
  GetShortPathNameW: Fn<number>;
  CloseHandle: Fn<boolean>;
  CreateProcessW: Fn<boolean>;
  /** Wine only (undefined elsewhere); the returned string is not freed: a few bytes per call. */
  wine_get_unix_file_name: Fn<string | null> | undefined;
}

let declared: Kernel32 | undefined;

/** Declared on first use, so that importing this file off Windows does nothing. */
function kernel32(): Kernel32 {
  if (declared) return declared;
  const dll = koffi.load('kernel32.dll');
  const optional = <R>(declare: () => Fn<R>): Fn<R> | undefined => {
    try {
      return declare();
    } catch {
      return undefined;
    }
  };
  declared = {
    GetLogicalDrives: dll.func('__stdcall', 'GetLogicalDrives', 'uint32', []),
    GetFileAttributesW: dll.func('__stdcall', 'GetFileAttributesW', 'uint32', ['str16']),
    GetShortPathNameW: dll.func('__stdcall', 'GetShortPathNameW', 'uint32', ['str16', 'void *', 'uint32']),
    CloseHandle: dll.func('__stdcall', 'CloseHandle', 'bool', ['uintptr_t']),
    CreateProcessW: dll.func('__stdcall', 'CreateProcessW', 'bool',
      ['str16', 'void *', 'void *', 'void *', 'bool', 'uint32', 'void *', 'str16', 'void *', 'void *']),
    wine_get_unix_file_name: optional(() => dll.func('__stdcall', 'wine_get_unix_file_name', 'str', ['str16'])),
  };
  return declared;
}

const underWine = () => kernel32().wine_get_unix_file_name !== undefined;

function unixPath(dosPath: string): string {
  const unix = kernel32().wine_get_unix_file_name?.(dosPath);
  if (!unix) throw new Error(`wine_get_unix_file_name(${dosPath}) failed`);
  return unix.replace(/\/$/, '');
}

/**
 * Whether CreateFileW's rules find a file or folder by this name. Not fs.existsSync: Node prefixes paths with
 * \\?\ on Windows, which turns off the trailing-dot and -space stripping this spec relies on.
 */
function exists(anyPath: string): boolean {
  const INVALID_FILE_ATTRIBUTES = 0xffffffff;
  return kernel32().GetFileAttributesW(anyPath) !== INVALID_FILE_ATTRIBUTES;
}

function shortPath(longPath: string): string {
  const buffer = Buffer.alloc(2 * 1024);
  const n = kernel32().GetShortPathNameW(longPath, buffer, 1024);
  if (n === 0 || n >= 1024) throw new Error(`GetShortPathNameW(${longPath}) failed`);
  return buffer.toString('utf16le', 0, 2 * n);
}

/**
 * Runs a shell command on the Linux side. Wine starts an ELF binary from CreateProcessW but hands back no
 * process handle to wait on (WaitForSingleObject fails), so the caller polls for the command's effect.
 */
function linuxShell(script: string): void {
  const commandLine = Buffer.from(`Z:\\bin\\sh -c "${script.replace(/"/g, '\\"')}"\0`, 'utf16le');
  const startupInfo = Buffer.alloc(104); // STARTUPINFOW
  startupInfo.writeUInt32LE(104, 0);
  const processInfo = Buffer.alloc(24); // PROCESS_INFORMATION
  const CREATE_NO_WINDOW = 0x08000000;
  const { CreateProcessW, CloseHandle } = kernel32();
  if (!CreateProcessW(null, commandLine, null, null, false, CREATE_NO_WINDOW, null, null, startupInfo, processInfo)) {
    throw new Error(`CreateProcessW(${script}) failed`);
  }
  for (const offset of [0, 8]) {
    const handle = processInfo.readBigUInt64LE(offset);
    if (handle !== 0n) CloseHandle(handle);
  }
}

async function until(what: string, done: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const quote = (unix: string) => {
  if (unix.includes("'")) throw new Error(`unexpected quote in ${unix}`);
  return `'${unix}'`;
};

// ------------------------------------------------------------------ a handle the library does not know about

const MICROSOFT_VENDOR = Buffer.from('ec4a98ecf9a0e947901f71415a66345b', 'hex'); // {EC984AEC-A0F9-47E9-901F-71415A66345B}

let rawOpenVirtualDisk: Fn<number> | undefined;

/** OpenVirtualDisk(VHDX, path, VIRTUAL_DISK_ACCESS_NONE, 0, Version 2 parameters) straight into the simulator. */
function rawOpen(imagePath: string): bigint {
  rawOpenVirtualDisk ??= koffi.load(simulator.path())
    .func('__stdcall', 'OpenVirtualDisk', 'uint32', ['void *', 'str16', 'uint32', 'uint32', 'void *', 'void *']);
  const storageType = Buffer.alloc(20);
  storageType.writeUInt32LE(3, 0); // VIRTUAL_STORAGE_TYPE_DEVICE_VHDX
  MICROSOFT_VENDOR.copy(storageType, 4);
  const parameters = Buffer.alloc(44);
  parameters.writeUInt32LE(2, 0); // OPEN_VIRTUAL_DISK_VERSION_2
  const handle = Buffer.alloc(8);
  const result = rawOpenVirtualDisk(storageType, imagePath, 0, 0, parameters, handle);
  if (result !== 0) throw new Error(`raw OpenVirtualDisk(${imagePath}) returned ${result}`);
  return handle.readBigUInt64LE(0);
}

// ------------------------------------------------------------------ helpers on the simulator's view

/** The simulator's record of the handle opened last. */
function lastHandle(): SimHandle {
  const last = simulator.state().handles.at(-1);
  if (!last) throw new Error('the simulator has no open handle');
  return last;
}

/** Opens `alias` while the image is attached through another spelling: attach is refused, the physical path is shared. */
async function expectSameImage(alias: string, attachedAs: string, physicalPath: string): Promise<void> {
  const disk = await openVirtualDisk(alias, VHDX);
  try {
    const before = simulator.calls('AttachVirtualDisk').length;
    const refused = await disk.attach().then(() => undefined, (e: unknown) => e);
    expect(refused, alias).to.be.instanceOf(VirtualDiskError);
    expect(refused).to.include({ errno: ERROR_SHARING_VIOLATION, syscall: 'AttachVirtualDisk' });
    const attaches = simulator.calls('AttachVirtualDisk');
    expect(attaches, 'the simulator refused it (not the library)').to.have.length(before + 1);
    expect(attaches.at(-1)!.result).to.equal(ERROR_SHARING_VIOLATION);

    expect(await disk.getPhysicalPath(), alias).to.equal(physicalPath);
    const [mine, theirs] = [lastHandle(), simulator.state().attached[0]!];
    expect(theirs.path).to.equal(attachedAs);
    expect({ volumeSerial: mine.volumeSerial, fileId: mine.fileId }, alias)
      .to.deep.equal({ volumeSerial: theirs.volumeSerial, fileId: theirs.fileId });
  } finally {
    await disk.close();
  }
}

describe('on the Windows ABI: one image per file, whatever the path spelling (simulator)', () => {
  let images: ReturnType<typeof imageFolder>; // made in before(): a run that --grep skips this file leaves no folder
  before(() => {
    images = imageFolder();
  });
  beforeEach(() => simulator.reset());
  after(() => {
    simulator.reset();
    images?.remove();
  });

  /** Spellings of one existing file that need no set-up. */
  function spellingsOf(file: string): Record<string, string> {
    const spellings: Record<string, string> = {
      verbatim: `\\\\?\\${file}`, // \\?\C:\...
      device: `\\\\.\\${file}`, // \\.\C:\...
      upper: file.toUpperCase(),
      lower: file.toLowerCase(),
      trailingDot: `${file}.`,
      short: shortPath(file), // 8.3
    };
    if (underWine() && unixPath('Z:\\') === '') {
      // Wine's Z: is the Linux root: a second drive letter for the same folder, through the dosdevices/c: symlink
      spellings.zDrive = `Z:${unixPath(file).replace(/\//g, '\\')}`;
    }
    return spellings;
  }

  it('Wine gives the aliases this spec uses, and they are different strings', () => {
    const file = images.image('spelling-probe-image.vhdx');
    const spellings = spellingsOf(file);
    expect(spellings.short).to.match(/~/);
    for (const alias of Object.values(spellings)) {
      expect(exists(alias), alias).to.equal(true);
      expect(alias).to.not.equal(file);
    }
  });

  it('attached through one spelling, the image is attached for every other spelling, and they share the physical path', async () => {
    const file = images.image('attached-image.vhdx');
    const spellings = spellingsOf(file);
    const disk = await attachVirtualDisk(file, VHDX);
    try {
      const physicalPath = await disk.getPhysicalPath();
      for (const alias of Object.values(spellings)) await expectSameImage(alias, file, physicalPath);
      const ids = new Set(simulator.state().handles.map((h) => `${h.volumeSerial}:${h.fileId}`));
      expect(ids.size).to.equal(1);
    } finally {
      await disk.close();
    }
    expect(simulator.state().attached).to.deep.equal([]); // the non-permanent attach ended with its handle
  });

  it('a permanent attach made through an alias is found through the plain path, and detached through a third spelling', async () => {
    const file = images.image('permanent-image.vhdx');
    const { verbatim, upper, trailingDot, short } = spellingsOf(file) as Record<'verbatim' | 'upper' | 'trailingDot' | 'short', string>;
    const disk = await attachVirtualDisk(short, { ...VHDX, permanent: true });
    const physicalPath = await disk.getPhysicalPath();
    await disk.close();
    expect(simulator.state().attached.map((a) => [a.path, a.permanent, a.handleOpen])).to.deep.equal([[short, true, false]]);

    await expectSameImage(file, short, physicalPath);
    await expectSameImage(upper, short, physicalPath);
    await detachVirtualDisk(verbatim, VHDX);
    expect(simulator.state().attached).to.deep.equal([]);
    expect(simulator.calls('DetachVirtualDisk').at(-1)!.result).to.equal(0);

    const again = await attachVirtualDisk(trailingDot, VHDX); // free again, under any name
    await again.close();
  });

  it('detach is refused while another handle is open on the same file under another spelling', async () => {
    const file = images.image('busy-image.vhdx');
    const disk = await attachVirtualDisk(file, { ...VHDX, permanent: true });
    const other = rawOpen(`\\\\?\\${file.toUpperCase()}`); // unknown to the library: only the simulator can object
    try {
      const refused = await disk.detach().then(() => undefined, (e: unknown) => e);
      expect(refused).to.be.instanceOf(VirtualDiskError);
      expect(refused).to.include({ errno: ERROR_SHARING_VIOLATION, syscall: 'DetachVirtualDisk' });
      expect(simulator.state().attached).to.have.length(1);
    } finally {
      kernel32().CloseHandle(other);
    }
    await disk.detach(); // the other handle is closed now
    await disk.close();
    expect(simulator.state().attached).to.deep.equal([]);
  });

  it('a hard link is the same file; a copy with the same name elsewhere is not', async () => {
    const file = images.image('linked-image.vhdx');
    const link = path.win32.join(images.dir, 'hard-link.vhdx');
    fs.linkSync(file, link);
    const copyFolder = imageFolder();
    try {
      const copy = copyFolder.image('linked-image.vhdx');
      const disk = await attachVirtualDisk(file, VHDX);
      await expectSameImage(link, file, await disk.getPhysicalPath());
      const other = await attachVirtualDisk(copy, VHDX); // same name, different file: attaches
      expect(await other.getPhysicalPath()).to.not.equal(await disk.getPhysicalPath());
      const [a, b] = simulator.state().attached;
      expect(a!.fileId === b!.fileId && a!.volumeSerial === b!.volumeSerial).to.equal(false);
      await other.close();
      await disk.close();
    } finally {
      copyFolder.remove();
    }
  });

  it('a missing file is ERROR_FILE_NOT_FOUND and a missing folder ERROR_PATH_NOT_FOUND, from OpenVirtualDisk', async () => {
    const missingFile = await openVirtualDisk(`${images.dir}\\missing.vhdx`).then(() => undefined, (e: unknown) => e);
    expect(missingFile).to.include({ code: 'ERROR_FILE_NOT_FOUND', syscall: 'OpenVirtualDisk' });
    const missingFolder = await openVirtualDisk(`${images.dir}\\no-such-folder\\missing.vhdx`).then(() => undefined, (e: unknown) => e);
    expect(missingFolder).to.include({ errno: ERROR_PATH_NOT_FOUND, syscall: 'OpenVirtualDisk' });
    expect(simulator.calls('OpenVirtualDisk').map((c) => c.result)).to.deep.equal([2, ERROR_PATH_NOT_FOUND]);
  });

  describe('through Wine dosdevices links', () => {
    // Links made on the Linux side, in the prefix: a drive letter and a UNC share mapped to a folder, and a
    // symlink to that folder. Made before the first open: Wine reports the volume serial of the drive whose
    // folder holds the file most closely, so adding a mapping changes the serial of the files under it.
    const share = 'virtdisk-spec';
    let folder: ReturnType<typeof imageFolder> | undefined;
    let links: string[] = [];
    let aliases: Record<string, string> = {};

    before(async function () {
      if (!underWine()) this.skip();
      folder = imageFolder();
      folder.image('mapped-image.vhdx');
      const dosdevices = unixPath('C:\\').replace(/\/[^/]*$/, ''); // <prefix>/dosdevices/c: -> <prefix>/dosdevices
      const used = kernel32().GetLogicalDrives();
      const letter = [...'XWVUTSRQPONMLKJIHGFED'].find((l) => !(used & (1 << (l.charCodeAt(0) - 65))) && !exists(`${l}:\\`));
      if (!letter) this.skip();
      const target = unixPath(folder.dir);
      links = [`${dosdevices}/${letter!.toLowerCase()}:`, `${dosdevices}/unc/${share}/share`, `${target}-symlink`];
      aliases = {
        'a mapped drive letter': `${letter}:\\mapped-image.vhdx`,
        'a UNC name': `\\\\${share}\\share\\mapped-image.vhdx`,
        'a \\\\?\\UNC\\ name': `\\\\?\\UNC\\${share}\\share\\mapped-image.vhdx`,
        'a symlinked folder': `${folder.dir}-symlink\\mapped-image.vhdx`,
      };
      const [drive, unc, symlink] = links.map(quote);
      // -f only for names of this spec's own (a leftover of a killed run); a drive letter is never replaced
      linuxShell(`mkdir -p ${quote(`${dosdevices}/unc/${share}`)} && ln -sn ${quote(target)} ${drive} && ` +
        `ln -sfn ${quote(target)} ${unc} && ln -sfn ${quote(target)} ${symlink}`);
      await until('the dosdevices links', () => Object.values(aliases).every((alias) => exists(alias)));
      // Wine's mount manager takes a moment to see a new drive letter, and until then reports the old volume
      // serial for some spellings: wait until every spelling reports the same file identity.
      const plain = path.win32.join(folder.dir, 'mapped-image.vhdx');
      const identity = (file: string) => { const { dev, ino } = fs.statSync(file, { bigint: true }); return `${dev}:${ino}`; };
      await until('one volume serial for every spelling', () => {
        const expected = identity(plain);
        return Object.values(aliases).filter((alias) => !alias.startsWith('\\\\?\\')).every((alias) => identity(alias) === expected);
      });
    });

    after(async () => {
      simulator.reset();
      if (links.length > 0) {
        const uncServer = path.posix.dirname(links[1]!);
        linuxShell(`rm -f ${links.map(quote).join(' ')}; rmdir ${quote(uncServer)} ${quote(path.posix.dirname(uncServer))} 2>/dev/null; true`);
        await until('the links to go', () => Object.values(aliases).every((alias) => !exists(alias)));
      }
      folder?.remove();
    });

    it('a mapped drive letter, a UNC name and a symlinked folder all name the image attached through the plain path', async () => {
      const file = path.win32.join(folder!.dir, 'mapped-image.vhdx');
      const disk = await attachVirtualDisk(file, { ...VHDX, permanent: true });
      const physicalPath = await disk.getPhysicalPath();
      await disk.close();
      for (const alias of Object.values(aliases)) await expectSameImage(alias, file, physicalPath);
      await detachVirtualDisk(aliases['a UNC name']!, VHDX);
      expect(simulator.state().attached).to.deep.equal([]);
    });

    it('the library itself refuses detachVirtualDisk through them while a VirtualDisk of its own holds the image', async () => {
      const file = path.win32.join(folder!.dir, 'mapped-image.vhdx');
      const disk = await attachVirtualDisk(file, VHDX); // not permanent: the other-handles rule applies
      for (const [name, alias] of Object.entries(aliases)) {
        const error = await detachVirtualDisk(alias, VHDX).then(() => undefined, (e: unknown) => e);
        expect(error, name).to.include({ code: 'ERR_OTHER_HANDLES_OPEN', syscall: 'DetachVirtualDisk' });
      }
      expect(simulator.calls('DetachVirtualDisk'), 'refused before Windows').to.have.length(0);
      await disk.close();
    });
  });

  it('the library itself refuses detachVirtualDisk through every other spelling while a VirtualDisk of its own holds the image', async () => {
    const file = images.image('library-rule-image.vhdx');
    const disk = await attachVirtualDisk(file, VHDX); // not permanent: "all other open handles must be closed"
    for (const [name, alias] of Object.entries(spellingsOf(file))) {
      const error = await detachVirtualDisk(alias, VHDX).then(() => undefined, (e: unknown) => e);
      expect(error, name).to.include({ code: 'ERR_OTHER_HANDLES_OPEN', syscall: 'DetachVirtualDisk' });
      expect((error as Error).message, name).to.match(/VirtualDisk #\d+ \(attached/);
    }
    expect(simulator.calls('DetachVirtualDisk'), 'refused before Windows').to.have.length(0);
    expect(disk.attached).to.equal(true);
    await disk.detach(); // through the VirtualDisk that attached it
    await disk.close();
  });
});
