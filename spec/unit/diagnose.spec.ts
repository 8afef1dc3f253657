// What an error means, decided from Windows' state: the attached-disk list (already attached / not attached)
// and the Restart Manager (who holds the file). Hints never assert a cause that was checked and found false,
// and a failed look-up never replaces the original error.
import { expect } from 'chai';
import {
  attachVirtualDisk, createVirtualDisk, detachVirtualDisk, hintFor, openVirtualDisk, VirtualDiskError, win32ErrorName,
} from '../../lib/index.ts';
import { decide, lookupsFor } from '../../lib/diagnose.ts';
import { setLibraryLoader, type LibraryLoader } from '../../ffi/index.ts';
import { installFakeWindows, nativeCalls, type FakeWindows } from '../helpers/fake-windows.ts';

async function rejection(promise: Promise<unknown>): Promise<VirtualDiskError> {
  return promise.then(() => { throw new Error('expected a rejection'); }, (error: VirtualDiskError) => error);
}

const IMAGE = 'C:\\images\\data.vhdx';
const DEFENDER = 'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe';

/** An error as lib/native.ts builds it for a code from a function. */
function windowsError(errno: number, syscall: string): VirtualDiskError {
  const code = win32ErrorName(errno);
  const hint = hintFor(syscall, code);
  return new VirtualDiskError(`${syscall} '${IMAGE}': message (${code}, ${errno})`, { code, errno, syscall, path: IMAGE, hint });
}

describe('decide(): the error, read with what Windows says', () => {
  const sharing = windowsError(32, 'AttachVirtualDisk');

  it('asks the list for "already attached"-style codes from open and attach, "not attached"-style ones from detach; the Restart Manager for sharing and access errors', () => {
    expect(lookupsFor('attach', 'ERROR_SHARING_VIOLATION')).to.deep.equal({ attachment: true, holders: true });
    expect(lookupsFor('open', 'ERROR_ALREADY_EXISTS')).to.deep.equal({ attachment: true, holders: false });
    expect(lookupsFor('attach', 'ERROR_ACCESS_DENIED')).to.deep.equal({ attachment: false, holders: true });
    expect(lookupsFor('detach', 'ERROR_NOT_READY')).to.deep.equal({ attachment: true, holders: false });
    expect(lookupsFor('detach', 'ERROR_SHARING_VIOLATION')).to.deep.equal({ attachment: false, holders: true });
    expect(lookupsFor('create', 'ERROR_ACCESS_DENIED')).to.deep.equal({ attachment: false, holders: true });
    expect(lookupsFor('attach', 'ERROR_FILE_NOT_FOUND')).to.deep.equal({ attachment: false, holders: false });
  });

  it('attached: ALREADY_ATTACHED with the existing disk, and a hint about that alone', () => {
    const error = decide(sharing, 'attach', { attachment: { attached: true, physicalPath: '\\\\.\\PhysicalDrive5' }, holders: [] });
    expect(error).to.include({ code: 'ERROR_SHARING_VIOLATION', errno: 32, syscall: 'AttachVirtualDisk', path: IMAGE, reason: 'ALREADY_ATTACHED', physicalPath: '\\\\.\\PhysicalDrive5' });
    expect(error.hint).to.match(/already attached, as \\\\\.\\PhysicalDrive5/).and.match(/ifAttached: 'reuse'/);
    expect(error.hint).not.to.match(/another program|scanner/);
    expect(error.message).to.match(/^AttachVirtualDisk 'C:\\images\\data\.vhdx': message \(ERROR_SHARING_VIOLATION, 32\)\n {2}hint: The image is already attached/);
    expect(error.message.match(/hint:/g)).to.have.length(1);
  });

  it('not attached, holders found: FILE_IN_USE, naming them', () => {
    const holders = [{ pid: 4120, name: 'MsMpEng.exe' }, { pid: 77, name: 'wsl.exe' }];
    const error = decide(sharing, 'attach', { attachment: { attached: false }, holders });
    expect(error).to.include({ reason: 'FILE_IN_USE' });
    expect(error.holders).to.deep.equal(holders);
    expect(error.hint).to.match(/^The image file is in use: held by MsMpEng\.exe \(pid 4120\), wsl\.exe \(pid 77\)\./);
    expect(error.hint).not.to.match(/already attached/);
  });

  it('not attached, nobody found: no reason, and the hint no longer offers "already attached"', () => {
    const error = decide(sharing, 'attach', { attachment: { attached: false }, holders: [] });
    expect(error).not.to.have.property('reason');
    expect(error).not.to.have.property('holders');
    expect(sharing.hint).to.match(/already attached/);
    expect(error.hint).to.match(/not attached/).and.match(/another program holds the file/).and.match(/Restart Manager names no process/);
    expect(error.hint).not.to.match(/is already attached|detach it first/);
  });

  it('the list could not be read: the holders are named, the attach is left open as a cause', () => {
    const error = decide(sharing, 'attach', { attachment: undefined, holders: [{ pid: 9, name: 'vmms.exe' }] });
    expect(error).to.include({ reason: 'FILE_IN_USE' });
    expect(error.hint).to.match(/vmms\.exe \(pid 9\)/).and.match(/attached already could not be checked/);
  });

  it('nothing could be looked up: the very same error', () => {
    expect(decide(sharing, 'attach', {})).to.equal(sharing);
    const denied = windowsError(5, 'AttachVirtualDisk');
    expect(decide(denied, 'attach', { holders: [] })).to.equal(denied);
  });

  it('access denied with holders: they are named, but no reason (permissions and elevation remain causes)', () => {
    const denied = windowsError(5, 'OpenVirtualDisk');
    const error = decide(denied, 'open', { holders: [{ pid: 4120, name: 'MsMpEng.exe' }] });
    expect(error).not.to.have.property('reason');
    expect(error.holders).to.deep.equal([{ pid: 4120, name: 'MsMpEng.exe' }]);
    expect(error.hint).to.contain(denied.hint!).and.match(/holding the image file open: MsMpEng\.exe \(pid 4120\)/);
  });

  it('each "already attached"-style code drops that cause when the list says not attached', () => {
    for (const errno of [183, 548, 0xc03a001c, 0xc03a001e]) {
      const error = decide(windowsError(errno, 'AttachVirtualDisk'), 'attach', { attachment: { attached: false } });
      expect(error.hint, error.code).to.match(/does not have (it|the image)/);
      expect(error.hint, error.code).not.to.match(/is already attached|detachVirtualDisk/);
      expect(error).not.to.have.property('reason');
    }
  });

  it('detach: not attached per the list → NOT_ATTACHED; attached per the list → no "not attached" in the hint', () => {
    const notReady = windowsError(21, 'DetachVirtualDisk');
    expect(notReady.hint).to.equal('The image is not attached.');
    const gone = decide(notReady, 'detach', { attachment: { attached: false } });
    expect(gone).to.include({ reason: 'NOT_ATTACHED' });
    const there = decide(notReady, 'detach', { attachment: { attached: true, physicalPath: '\\\\.\\PhysicalDrive2' } });
    expect(there).not.to.have.property('reason');
    expect(there).to.include({ physicalPath: '\\\\.\\PhysicalDrive2' });
    expect(there.hint).to.match(/has the image, as \\\\\.\\PhysicalDrive2/).and.not.match(/is not attached/);
  });
});

describe('errors diagnosed through the API', () => {
  let fake: FakeWindows;
  beforeEach(() => { fake = installFakeWindows(); });
  afterEach(() => fake.restore());

  it('attach fails with a sharing violation and the list has the image (any spelling): ALREADY_ATTACHED, with its disk', async () => {
    fake.fn.AttachVirtualDisk!.returns(32);
    fake.devices.attachedList = ['c:\\IMAGES\\Data.vhdx'];
    fake.devices.physicalPaths.set('c:\\images\\data.vhdx', '\\\\.\\PhysicalDrive5');
    const error = await rejection(attachVirtualDisk(IMAGE));
    expect(error).to.include({ code: 'ERROR_SHARING_VIOLATION', reason: 'ALREADY_ATTACHED', physicalPath: '\\\\.\\PhysicalDrive5' });
    expect(fake.openHandles.size).to.equal(0);
  });

  it("ifAttached: 'reuse' resolves to an open VirtualDisk on the existing attach", async () => {
    fake.fn.AttachVirtualDisk!.returns(32);
    fake.devices.attachedList = [IMAGE];
    fake.devices.physicalPaths.set(IMAGE.toLowerCase(), '\\\\.\\PhysicalDrive5');
    const disk = await attachVirtualDisk(IMAGE, { ifAttached: 'reuse' });
    expect(disk.attached).to.equal(false);
    expect(await disk.getPhysicalPath()).to.equal('\\\\.\\PhysicalDrive5');
    expect(fake.openHandles.size).to.equal(1);
    await disk.close();
    expect(fake.openHandles.size).to.equal(0);
  });

  it("ifAttached: 'reuse' when the open itself is refused: a handle opened to read information only", async () => {
    fake.fn.OpenVirtualDisk!.onFirstCall().returns(32);
    fake.devices.attachedList = [IMAGE];
    const disk = await attachVirtualDisk(IMAGE, { ifAttached: 'reuse' });
    const reopen = fake.fn.OpenVirtualDisk!.lastCall.args;
    expect([reopen[1], reopen[2], reopen[4].Version, reopen[4].u.Version2.GetInfoOnly]).to.deep.equal([IMAGE, 0, 2, 1]);
    expect(await disk.getPhysicalPath()).to.equal('\\\\.\\PhysicalDrive3');
    await disk.close();
  });

  it("ifAttached: 'reuse' still rejects when the image is not attached after all", async () => {
    fake.fn.AttachVirtualDisk!.returns(32);
    const error = await rejection(attachVirtualDisk(IMAGE, { ifAttached: 'reuse' }));
    expect(error.code).to.equal('ERROR_SHARING_VIOLATION');
    expect(error).not.to.have.property('reason');
    expect(fake.openHandles.size).to.equal(0);
  });

  it('not attached and held by a program: FILE_IN_USE, its file name from QueryFullProcessImageNameW; every session and handle closed', async () => {
    fake.fn.AttachVirtualDisk!.returns(32);
    fake.devices.holders.set(IMAGE.toLowerCase(), [{ pid: 4120, appName: 'Antimalware Service Executable' }, { pid: 88, appName: 'Windows Subsystem for Linux' }]);
    fake.devices.programs.set(4120, DEFENDER);
    const error = await rejection(attachVirtualDisk(IMAGE));
    expect(error).to.include({ reason: 'FILE_IN_USE' });
    // pid 88 cannot be opened: the Restart Manager's name for it stands in
    expect(error.holders).to.deep.equal([{ pid: 4120, name: 'MsMpEng.exe' }, { pid: 88, name: 'Windows Subsystem for Linux' }]);
    expect(error.message).to.contain('held by MsMpEng.exe (pid 4120), Windows Subsystem for Linux (pid 88)');
    expect(fake.fn.RmRegisterResources!.firstCall.args.slice(1, 3)).to.deep.equal([1, [IMAGE]]);
    expect(fake.devices.rmSessions.size).to.equal(0);
    expect(fake.openHandles.size).to.equal(0);
  });

  it('RmGetList ERROR_MORE_DATA: asked again with room for what it reported', async () => {
    fake.fn.AttachVirtualDisk!.returns(32);
    const many = Array.from({ length: 6 }, (_, i) => ({ pid: 100 + i, appName: `app${i}` }));
    fake.devices.holders.set(IMAGE.toLowerCase(), many);
    const error = await rejection(attachVirtualDisk(IMAGE));
    expect(error.holders?.map((holder) => holder.pid)).to.deep.equal([100, 101, 102, 103, 104, 105]);
    const capacities = fake.fn.RmGetList!.getCalls().map((call) => (call.args[3] as Buffer).length / 668);
    expect(capacities).to.deep.equal([4, 8]);
  });

  it('a Restart Manager that fails never replaces the error, and its session is still ended', async () => {
    fake.fn.AttachVirtualDisk!.returns(32);
    fake.devices.holders.set(IMAGE.toLowerCase(), [{ pid: 1, appName: 'x' }]);
    fake.fn.RmGetList!.returns(5);
    const error = await rejection(attachVirtualDisk(IMAGE));
    expect(error).to.include({ code: 'ERROR_SHARING_VIOLATION', errno: 32 });
    expect(error).not.to.have.property('holders');
    expect(fake.fn.RmEndSession!.callCount).to.equal(1);
    expect(fake.devices.rmSessions.size).to.equal(0);

    fake.devices.rmStartResult = 1;
    const again = await rejection(attachVirtualDisk(IMAGE));
    expect(again).to.include({ code: 'ERROR_SHARING_VIOLATION' }).and.not.have.property('holders');
  });

  it('rstrtmgr.dll that cannot be loaded, and a list that cannot be read: the original error, hint and all', async () => {
    const loader: LibraryLoader = (dll) => {
      if (dll === 'rstrtmgr') throw new Error('rstrtmgr.dll is missing');
      return { func: (_c: string, name: string) => fake.fn[name] };
    };
    setLibraryLoader(loader);
    fake.fn.AttachVirtualDisk!.returns(32);
    fake.fn.GetAllAttachedVirtualDiskPhysicalPaths!.returns(5);
    const error = await rejection(attachVirtualDisk(IMAGE));
    expect(error).to.include({ code: 'ERROR_SHARING_VIOLATION', hint: hintFor('AttachVirtualDisk', 'ERROR_SHARING_VIOLATION') });
    expect(error).not.to.have.property('reason');
  });

  it('openVirtualDisk refused because the image is attached: ALREADY_ATTACHED too', async () => {
    fake.fn.OpenVirtualDisk!.onFirstCall().returns(32);
    fake.devices.attachedList = [IMAGE];
    expect(await rejection(openVirtualDisk(IMAGE))).to.include({ syscall: 'OpenVirtualDisk', reason: 'ALREADY_ATTACHED', physicalPath: '\\\\.\\PhysicalDrive3' });
  });

  it('codes that need no look-up make no extra native call', async () => {
    fake.fn.AttachVirtualDisk!.returns(2);
    await rejection(attachVirtualDisk(IMAGE));
    expect(nativeCalls(fake).filter((name) => /GetAllAttached|^Rm/.test(name))).to.deep.equal([]);
  });

  describe('detachVirtualDisk(path, { ifAttached: true })', () => {
    it('resolves when Windows answers ERROR_NOT_READY, or a "not attached" code the list confirms', async () => {
      fake.fn.DetachVirtualDisk!.returns(21);
      await detachVirtualDisk(IMAGE, { ifAttached: true });
      fake.fn.DetachVirtualDisk!.returns(1168); // ERROR_NOT_FOUND; the (empty) list confirms
      await detachVirtualDisk(IMAGE, { ifAttached: true });
      expect(fake.openHandles.size).to.equal(0);
    });

    it('rejects when the list shows the image attached, or cannot be read, for codes other than ERROR_NOT_READY', async () => {
      fake.fn.DetachVirtualDisk!.returns(0xc03a001c); // ERROR_VHD_INVALID_STATE
      fake.devices.attachedList = [IMAGE];
      expect(await rejection(detachVirtualDisk(IMAGE, { ifAttached: true }))).to.include({ code: 'ERROR_VHD_INVALID_STATE', physicalPath: '\\\\.\\PhysicalDrive3' });
      fake.devices.attachedList = [];
      fake.fn.DetachVirtualDisk!.returns(1168);
      fake.fn.GetAllAttachedVirtualDiskPhysicalPaths!.returns(5);
      expect(await rejection(detachVirtualDisk(IMAGE, { ifAttached: true }))).to.include({ code: 'ERROR_NOT_FOUND' });
    });

    it('resolves when the image file does not exist; without ifAttached the same failures reject', async () => {
      fake.fn.OpenVirtualDisk!.returns(2);
      await detachVirtualDisk(IMAGE, { ifAttached: true });
      expect(await rejection(detachVirtualDisk(IMAGE))).to.include({ code: 'ERROR_FILE_NOT_FOUND' });
      fake.fn.OpenVirtualDisk!.reset();
      fake.fn.OpenVirtualDisk!.callsFake((_t, _p, _a, _f, _params, handle: [bigint | null]) => { handle[0] = 0x9999n; fake.openHandles.add(0x9999n); return 0; });
      fake.fn.DetachVirtualDisk!.returns(21);
      expect(await rejection(detachVirtualDisk(IMAGE))).to.include({ code: 'ERROR_NOT_READY', reason: 'NOT_ATTACHED' });
    });

    it('other failures still reject', async () => {
      fake.fn.DetachVirtualDisk!.returns(5);
      expect(await rejection(detachVirtualDisk(IMAGE, { ifAttached: true }))).to.include({ code: 'ERROR_ACCESS_DENIED' });
      expect(await rejection(detachVirtualDisk(IMAGE, { ifAttached: 'yes' as never }))).to.include({ code: 'ERR_INVALID_ARG_TYPE', parameter: 'ifAttached' });
    });
  });

  it('createVirtualDisk: a sharing violation names who holds the parent; compact: who holds the image', async () => {
    fake.startCode = 32;
    fake.devices.holders.set('c:\\vm\\base.vhdx', [{ pid: 900, appName: 'VirtualBox' }]);
    const created = await rejection(createVirtualDisk('C:\\vm\\child.vhdx', { parent: 'C:\\vm\\base.vhdx', windowsBuild: 26100 }));
    expect(created).to.include({ code: 'ERROR_SHARING_VIOLATION', syscall: 'CreateVirtualDisk', reason: 'FILE_IN_USE' });
    expect(created.holders).to.deep.equal([{ pid: 900, name: 'VirtualBox' }]);
    expect(fake.fn.RmRegisterResources!.firstCall.args[2]).to.deep.equal(['C:\\vm\\base.vhdx']);

    fake.startCode = 5;
    fake.devices.holders.set(IMAGE.toLowerCase(), [{ pid: 4120, appName: 'Antimalware Service Executable' }]);
    fake.devices.programs.set(4120, DEFENDER);
    const disk = await openVirtualDisk(IMAGE);
    const compacted = await rejection(disk.compact());
    expect(compacted).to.include({ code: 'ERROR_ACCESS_DENIED', syscall: 'CompactVirtualDisk' });
    expect(compacted).not.to.have.property('reason');
    expect(compacted.holders).to.deep.equal([{ pid: 4120, name: 'MsMpEng.exe' }]);
    await disk.close();
    expect(fake.devices.rmSessions.size).to.equal(0);
  });

  it('a sharing violation at detach with holders: FILE_IN_USE, saying other handles must be closed', async () => {
    fake.fn.DetachVirtualDisk!.returns(32);
    fake.devices.holders.set(IMAGE.toLowerCase(), [{ pid: 321, appName: 'Hyper-V Virtual Machine Management' }]);
    fake.devices.programs.set(321, 'C:\\Windows\\System32\\vmms.exe');
    const error = await rejection(detachVirtualDisk(IMAGE));
    expect(error).to.include({ reason: 'FILE_IN_USE' });
    expect(error.hint).to.match(/vmms\.exe \(pid 321\)/).and.match(/Every other handle to the virtual disk/);
  });
});
