// Handles closed exactly once, descriptors freed on every path, nothing native when validation fails.
import { expect } from 'chai';
import {
  attachVirtualDisk, detachVirtualDisk, InvalidParameterError, openVirtualDisk, PreconditionError, VirtualDisk, VirtualDiskError,
} from '../../lib/index.ts';
import { callQueueState, callsInFlightLimit, threadPoolSize } from '../../lib/native.ts';
import { collectGarbage } from '../helpers/gc.ts';
import { installFakeWindows, nativeCalls, PHYSICAL_PATH, type FakeWindows } from '../helpers/fake-windows.ts';



const SDDL = 'O:BAG:BAD:(A;;GA;;;WD)';

describe('lifetime', () => {
  let fake: FakeWindows;
  beforeEach(() => { fake = installFakeWindows(); });
  afterEach(() => fake.restore());

  it('open, attach, getPhysicalPath, detach, close: each native call once, in order', async () => {
    const disk = await openVirtualDisk('C:\\images\\data.vhdx');
    expect(disk).to.be.instanceOf(VirtualDisk);
    expect(disk).to.include({ path: 'C:\\images\\data.vhdx', storageType: 'vhdx', attached: false, closed: false });
    await disk.attach();
    expect(disk.attached).to.equal(true);
    expect(await disk.getPhysicalPath()).to.equal(PHYSICAL_PATH);
    await disk.detach();
    expect(disk.attached).to.equal(false);
    await disk.close();
    expect(disk.closed).to.equal(true);
    expect(nativeCalls(fake)).to.deep.equal(['OpenVirtualDisk', 'AttachVirtualDisk', 'GetVirtualDiskPhysicalPath', 'DetachVirtualDisk', 'CloseHandle']);
    expect(fake.openHandles.size).to.equal(0);
  });

  it('close() is idempotent: CloseHandle runs once however often and however concurrently it is called', async () => {
    const disk = await openVirtualDisk('C:\\data.vhdx');
    await Promise.all([disk.close(), disk.close(), disk.close()]);
    await disk.close();
    expect(nativeCalls(fake).filter((name) => name === 'CloseHandle')).to.have.length(1);
    expect(fake.fn.CloseHandle!.firstCall.args[0]).to.equal(fake.fn.OpenVirtualDisk!.firstCall.args[5][0]);
  });

  it('every other method after close() is refused without a native call', async () => {
    const disk = await openVirtualDisk('C:\\data.vhdx');
    await disk.close();
    const before = nativeCalls(fake).length;
    for (const call of [() => disk.attach(), () => disk.detach(), () => disk.getPhysicalPath()]) {
      const error = await call().then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(InvalidParameterError);
      expect((error as InvalidParameterError).parameter).to.equal('VirtualDiskHandle');
    }
    expect(nativeCalls(fake).length).to.equal(before);
  });

  it('a closed disk that stays permanently attached refuses attach as closed, not as attached', async () => {
    const disk = await attachVirtualDisk('C:\\permanent.vhdx', { permanent: true });
    await disk.close();
    const error = await disk.attach().then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(InvalidParameterError).with.property('parameter', 'VirtualDiskHandle');
  });

  it('a call made before close() still runs; close() waits for it', async () => {
    const disk = await openVirtualDisk('C:\\data.vhdx');
    const attaching = disk.attach();
    const closing = disk.close();
    await attaching;
    await closing;
    expect(nativeCalls(fake)).to.deep.equal(['OpenVirtualDisk', 'AttachVirtualDisk', 'CloseHandle']);
  });

  it('close() ends a non-permanent attach; a permanent one stays attached', async () => {
    const plain = await attachVirtualDisk('C:\\a.vhdx');
    await plain.close();
    expect(plain.attached).to.equal(false);
    const permanent = await attachVirtualDisk('C:\\b.vhdx', { permanent: true });
    await permanent.close();
    expect(permanent.attached).to.equal(true);
    expect(nativeCalls(fake).filter((name) => name === 'CloseHandle')).to.have.length(2);
  });

  it('await using closes the disk', async () => {
    {
      await using disk = await openVirtualDisk('C:\\data.vhdx');
      expect(disk.closed).to.equal(false);
    }
    expect(nativeCalls(fake).filter((name) => name === 'CloseHandle')).to.have.length(1);
  });

  it('attaching twice through one VirtualDisk is refused before Windows', async () => {
    const disk = await attachVirtualDisk('C:\\data.vhdx');
    const error = await disk.attach().then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(VirtualDiskError).with.property('code', 'ERR_ALREADY_ATTACHED');
    expect(fake.fn.AttachVirtualDisk!.callCount).to.equal(1);
    await disk.close();
  });

  describe('security descriptors are freed on every path', () => {
    it('after a successful attach', async () => {
      const disk = await attachVirtualDisk('C:\\data.vhdx', { securityDescriptor: SDDL });
      expect(fake.fn.LocalFree!.callCount).to.equal(1);
      expect(fake.liveDescriptors.size).to.equal(0);
      await disk.close();
    });

    it('after a failed attach, and the handle is closed', async () => {
      fake.fn.AttachVirtualDisk!.returns(5);
      const error = await attachVirtualDisk('C:\\data.vhdx', { securityDescriptor: SDDL }).then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(VirtualDiskError).with.property('code', 'ERROR_ACCESS_DENIED');
      expect(fake.fn.LocalFree!.callCount).to.equal(1);
      expect(fake.liveDescriptors.size).to.equal(0);
      expect(fake.openHandles.size).to.equal(0);
    });

    it('after the attach call itself throws', async () => {
      fake.fn.AttachVirtualDisk!.throws(new Error('koffi failure'));
      const disk = await openVirtualDisk('C:\\data.vhdx');
      const error = await disk.attach({ securityDescriptor: SDDL }).then(() => undefined, (e: unknown) => e);
      expect((error as Error).message).to.equal('koffi failure');
      expect(fake.liveDescriptors.size).to.equal(0);
      await disk.close();
    });

    it('when the converted descriptor is not valid: not attached, still freed', async () => {
      fake.fn.IsValidSecurityDescriptor!.returns(0);
      const disk = await openVirtualDisk('C:\\data.vhdx');
      const error = await disk.attach({ securityDescriptor: SDDL }).then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(VirtualDiskError).with.property('code', 'ERROR_INVALID_SECURITY_DESCR');
      expect(fake.fn.AttachVirtualDisk!.called).to.equal(false);
      expect(fake.liveDescriptors.size).to.equal(0);
      await disk.close();
    });

    it('with conversions and frees counted over many attaches', async () => {
      fake.fn.AttachVirtualDisk!.callsFake(() => (fake.fn.AttachVirtualDisk!.callCount % 2 ? 0 : 5));
      for (let i = 0; i < 10; i++) {
        await attachVirtualDisk(`C:\\disk${i}.vhdx`, { securityDescriptor: SDDL }).then((disk) => disk.close(), () => {});
      }
      expect(fake.fn.ConvertStringSecurityDescriptorToSecurityDescriptorW!.callCount).to.equal(10);
      expect(fake.fn.LocalFree!.callCount).to.equal(10);
      expect(fake.openHandles.size).to.equal(0);
    });
  });

  describe('nothing native is called when validation fails', () => {
    const cases: Array<[string, string, () => Promise<unknown>]> = [
      ['openVirtualDisk with an empty path', 'ERR_INVALID_ARG_VALUE', () => openVirtualDisk('')],
      ['openVirtualDisk with an unknown option', 'ERR_INVALID_ARG_VALUE', () => openVirtualDisk('C:\\a.vhdx', { readonly: true } as never)],
      ['attachVirtualDisk with contradicting options', 'ERR_CONFLICTING_OPTIONS', () => attachVirtualDisk('C:\\a.vhdx', { noSecurityDescriptor: true, securityDescriptor: SDDL })],
      ['attachVirtualDisk of an ISO read/write', 'ERR_ISO_READ_ONLY', () => attachVirtualDisk('C:\\a.iso', { readOnly: false })],
      ['attachVirtualDisk with a flag the build lacks', 'ERROR_INVALID_PARAMETER', () => attachVirtualDisk('C:\\a.vhdx', { atBoot: true, windowsBuild: 19045 })],
      ['attachVirtualDisk with a bad range', 'ERR_INVALID_ARG_VALUE', () => attachVirtualDisk('C:\\a.vhdx', { restrictedRange: { offset: -1n, length: 1n } })],
      ['detachVirtualDisk of an ISO on Windows 7', 'ERR_ISO_UNSUPPORTED', () => detachVirtualDisk('C:\\a.iso', { windowsBuild: 7601 })],
    ];
    for (const [label, code, call] of cases) {
      it(label, async () => {
        const error = await call().then(() => undefined, (e: unknown) => e);
        expect(error).to.be.instanceOf(VirtualDiskError).with.property('code', code);
        expect(nativeCalls(fake)).to.deep.equal([]);
      });
    }

    it('an aborted signal stops the call before Windows', async () => {
      const controller = new AbortController();
      controller.abort();
      const error = await openVirtualDisk('C:\\a.vhdx', { signal: controller.signal }).then(() => undefined, (e: unknown) => e);
      expect((error as Error).name).to.equal('AbortError');
      const disk = await openVirtualDisk('C:\\a.vhdx');
      const attachError = await disk.attach({ signal: controller.signal }).then(() => undefined, (e: unknown) => e);
      expect((attachError as Error).name).to.equal('AbortError');
      expect(nativeCalls(fake)).to.deep.equal(['OpenVirtualDisk']);
      await disk.close();
    });
  });

  describe('detachVirtualDisk(path)', () => {
    it('opens for detach, detaches and closes', async () => {
      await detachVirtualDisk('C:\\data.vhdx');
      expect(nativeCalls(fake)).to.deep.equal(['OpenVirtualDisk', 'DetachVirtualDisk', 'CloseHandle']);
      expect(fake.fn.DetachVirtualDisk!.firstCall.args.slice(1)).to.deep.equal([0, 0]);
    });

    it('closes its handle when the detach fails', async () => {
      fake.fn.DetachVirtualDisk!.returns(21);
      const error = await detachVirtualDisk('C:\\data.vhdx').then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(VirtualDiskError).with.property('code', 'ERROR_NOT_READY');
      expect(fake.openHandles.size).to.equal(0);
    });

    it('refuses while this process holds other handles on the image, and names them', async () => {
      const attached = await attachVirtualDisk('C:\\images\\data.vhdx');
      const other = await openVirtualDisk('c:\\IMAGES\\data.vhdx');
      const before = nativeCalls(fake).length;
      const error = await detachVirtualDisk('C:\\images\\data.vhdx').then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(PreconditionError).with.property('code', 'ERR_OTHER_HANDLES_OPEN');
      expect(error).not.to.have.property('errno');
      expect((error as Error).message).to.match(/VirtualDisk #\d+ \(attached, [^)]*\); VirtualDisk #\d+ \(not attached, [^)]*\)/);
      expect(nativeCalls(fake).length).to.equal(before);
      await other.close();
      const detachThroughIt = await attached.detach();
      expect(detachThroughIt).to.equal(undefined);
      await attached.close();
      await detachVirtualDisk('C:\\images\\data.vhdx');
    });
  });

  describe('the FinalizationRegistry safety net', () => {
    it('closes a never-attached handle whose VirtualDisk was dropped', async () => {
      await (async () => { await openVirtualDisk('C:\\dropped.vhdx'); })();
      await collectGarbage();
      // (Counted by handle: a disk an earlier spec dropped may be collected now too.)
      const handle = (fake.fn.OpenVirtualDisk!.firstCall.args[5] as [bigint])[0];
      expect(fake.fn.CloseHandle!.getCalls().filter((call) => call.args[0] === handle)).to.have.length(1);
      expect(fake.openHandles.size).to.equal(0);
    });

    it('never collects an attached disk (that would end its attach)', async () => {
      await (async () => { await attachVirtualDisk('C:\\kept.vhdx'); })();
      await collectGarbage();
      const handle = (fake.fn.OpenVirtualDisk!.firstCall.args[5] as [bigint])[0];
      expect(fake.fn.CloseHandle!.getCalls().filter((call) => call.args[0] === handle)).to.have.length(0);
    });
  });

  it('300 concurrent open/attach/detach/close cycles all succeed, with min(resident_async_pools, pool size - 1) calls in flight', async () => {
    fake.asyncDelayMs = 2;
    await Promise.all(Array.from({ length: 300 }, async (_, i) => {
      const disk = await attachVirtualDisk(`C:\\images\\disk${i}.vhdx`, { noDriveLetter: true });
      await disk.detach();
      await disk.close();
    }));
    expect(fake.fn.AttachVirtualDisk!.callCount).to.equal(300);
    const limit = callsInFlightLimit(8, threadPoolSize());
    expect(callQueueState().limit).to.equal(limit);
    expect(fake.inFlight.peak).to.equal(limit);
    expect(fake.openHandles.size).to.equal(0);
  });
});
