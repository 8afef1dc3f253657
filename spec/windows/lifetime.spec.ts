// Through the public API only: handles, security descriptors and attach lifetimes on the Windows ABI.
import { expect } from 'chai';
import {
  attachVirtualDisk, detachVirtualDisk, openVirtualDisk, VirtualDiskError,
} from '../../lib/index.ts';
import { loadSystemLibrary, setLibraryLoader, type NativeLibrary } from '../../ffi/index.ts';
import { imageFolder } from './images.ts';
import { processHandleCount } from './process-handles.ts';
import { simulator } from './simulator.ts';

const SDDL = 'O:BAG:BAD:(A;;GA;;;WD)';

/** System32's libraries through the seam, counting calls of some functions (and passing them on). */
function countingLoader(counted: string[]): { counts: Map<string, number>; loader: (dll: Parameters<typeof loadSystemLibrary>[0]) => NativeLibrary } {
  const counts = new Map<string, number>(counted.map((name) => [name, 0]));
  const loader = (dll: Parameters<typeof loadSystemLibrary>[0]): NativeLibrary => {
    const lib = loadSystemLibrary(dll);
    return {
      func(convention, name, result, params) {
        const fn = lib.func(convention, name, result, params) as ((...args: unknown[]) => unknown) & { async: (...args: unknown[]) => void };
        if (!counts.has(name)) return fn;
        const bump = () => counts.set(name, counts.get(name)! + 1);
        const wrapped = (...args: unknown[]) => { bump(); return fn(...args); };
        wrapped.async = (...args: unknown[]) => { bump(); fn.async(...args); };
        return wrapped;
      },
    };
  };
  return { counts, loader };
}

describe('on the Windows ABI: lifetime', () => {
  const images = imageFolder();
  beforeEach(() => simulator.reset());
  afterEach(() => setLibraryLoader());
  after(() => images.remove());

  it('a security descriptor from SDDL arrives valid, and every conversion is freed', async () => {
    const { counts, loader } = countingLoader(['ConvertStringSecurityDescriptorToSecurityDescriptorW', 'LocalFree']);
    setLibraryLoader(loader);
    simulator.fail('AttachVirtualDisk', 5, 2); // the first two attaches fail: the free must happen then too
    for (let i = 0; i < 6; i++) {
      await attachVirtualDisk(images.image(`sd${i}.vhdx`), { securityDescriptor: SDDL }).then((disk) => disk.close(), () => {});
    }
    const attaches = simulator.calls('AttachVirtualDisk');
    expect(attaches).to.have.length(6);
    for (const attach of attaches) {
      expect(attach.securityDescriptor!.valid).to.equal(true);
      expect(attach.securityDescriptor!.length).to.be.greaterThan(20);
    }
    expect(counts.get('ConvertStringSecurityDescriptorToSecurityDescriptorW')).to.equal(6);
    expect(counts.get('LocalFree')).to.equal(6);
  });

  it('a bad SDDL string gives a clear error carrying advapi32\'s last error, and nothing reaches the DLL\'s attach', async () => {
    const disk = await openVirtualDisk(images.image('badsddl.vhdx'));
    const error = await disk.attach({ securityDescriptor: 'this is not SDDL' }).then(() => undefined, (e: unknown) => e);
    await disk.close();
    expect(error).to.be.instanceOf(VirtualDiskError);
    const { errno, syscall, code, message } = error as VirtualDiskError;
    expect(syscall).to.equal('ConvertStringSecurityDescriptorToSecurityDescriptorW');
    expect(errno).to.be.a('number').and.not.equal(0);
    expect(code).to.match(/^ERROR_/);
    expect(message).to.contain(code);
    expect(simulator.calls('AttachVirtualDisk')).to.have.length(0);
  });

  it('handles are closed exactly once: the process holds as many handles after 50 cycles as before', async () => {
    const files = Array.from({ length: 50 }, (_, i) => images.image(`cycle${i}.vhdx`));
    const warm = await attachVirtualDisk(files[0]!);
    await warm.detach();
    await warm.close();
    const before = processHandleCount();
    for (const file of files) {
      const disk = await openVirtualDisk(file);
      await disk.attach({ securityDescriptor: SDDL });
      await disk.getPhysicalPath();
      await disk.detach();
      await disk.close();
      await disk.close();
    }
    for (const file of files.slice(0, 10)) await detachVirtualDisk(file).catch(() => {});
    expect(processHandleCount()).to.equal(before);
    const state = simulator.state();
    expect(state.handles).to.deep.equal([]);
    expect(state.handlesClosed).to.equal(state.handlesCreated);
  });

  it('a non-permanent attach ends when the handle closes', async () => {
    const disk = await attachVirtualDisk(images.image('plain.vhdx'));
    expect(simulator.state().attached).to.have.length(1);
    await disk.close();
    const state = simulator.state();
    expect(state.attached).to.deep.equal([]);
    expect(state.autoDetached).to.equal(1);
    expect(disk.attached).to.equal(false);
  });

  it('a permanent attach outlives close(), until detachVirtualDisk(path)', async () => {
    const file = images.image('permanent.vhdx');
    const disk = await attachVirtualDisk(file, { permanent: true });
    await disk.close();
    expect(simulator.state().attached.map((a) => a.permanent)).to.deep.equal([true]);
    await detachVirtualDisk(file);
    expect(simulator.state().attached).to.deep.equal([]);
    expect(simulator.calls('DetachVirtualDisk')[0]).to.include({ flags: 0, providerSpecificFlags: 0, result: 0 });
  });

  it('calls refused by validation never reach the DLL', async () => {
    const file = images.image('refused.vhdx');
    const refusals: Array<[string, () => Promise<unknown>]> = [
      ['ERR_CONFLICTING_OPTIONS', () => attachVirtualDisk(file, { noSecurityDescriptor: true, securityDescriptor: SDDL })],
      ['ERR_ISO_READ_ONLY', () => attachVirtualDisk(images.image('refused.iso'), { readOnly: false })],
      ['ERROR_INVALID_PARAMETER', () => attachVirtualDisk(file, { atBoot: true })], // Wine reports build 18362
      ['ERR_INVALID_ARG_VALUE', () => openVirtualDisk('')],
      ['ERR_ISO_UNSUPPORTED', () => detachVirtualDisk(file, { storageType: 'iso', windowsBuild: 7601 })],
    ];
    for (const [code, refuse] of refusals) {
      expect(await refuse().then(() => undefined, (e: unknown) => e)).to.be.instanceOf(VirtualDiskError).with.property('code', code);
    }
    const disk = await openVirtualDisk(file, { readOnly: true });
    expect(await disk.attach().then(() => undefined, (e: unknown) => e)).to.be.instanceOf(VirtualDiskError).with.property('code', 'ERR_HANDLE_READ_ONLY');
    await disk.close();
    expect(simulator.log().map((call) => call.fn)).to.deep.equal(['OpenVirtualDisk']);
  });

  it('native error codes map to VirtualDiskError fields, with the system message', async () => {
    const file = images.image('fail.vhdx');
    simulator.fail('AttachVirtualDisk', 5);
    const error = await attachVirtualDisk(file).then(() => undefined, (e: unknown) => e) as VirtualDiskError;
    expect(error).to.be.instanceOf(VirtualDiskError);
    expect(error).to.include({ code: 'ERROR_ACCESS_DENIED', errno: 5, syscall: 'AttachVirtualDisk', path: file });
    expect(error.hint).to.contain('SE_MANAGE_VOLUME_PRIVILEGE');
    expect(error.message.length).to.be.greaterThan(60);

    const missing = await openVirtualDisk(`${images.dir}\\nope.vhdx`).then(() => undefined, (e: unknown) => e) as VirtualDiskError;
    expect(missing).to.include({ code: 'ERROR_FILE_NOT_FOUND', errno: 2, syscall: 'OpenVirtualDisk' });

    const twice = await attachVirtualDisk(file);
    const again = await attachVirtualDisk(file).then(() => undefined, (e: unknown) => e) as VirtualDiskError;
    expect(again).to.include({ code: 'ERROR_SHARING_VIOLATION', syscall: 'AttachVirtualDisk' });
    expect(again.hint).to.contain('already attached');
    await twice.close();
  });

  it('300 concurrent open/attach/detach/close cycles on distinct images all succeed', async () => {
    const files = Array.from({ length: 300 }, (_, i) => images.image(`many${i}.vhdx`));
    simulator.delay('AttachVirtualDisk', 5);
    await Promise.all(files.map(async (file) => {
      const disk = await attachVirtualDisk(file, { noDriveLetter: true });
      await disk.detach();
      await disk.close();
    }));
    simulator.delay('AttachVirtualDisk', 0);
    const attaches = simulator.calls('AttachVirtualDisk');
    expect(attaches).to.have.length(300);
    expect(attaches.every((call) => call.result === 0 || call.result === 997)).to.equal(true); // 997: pending on its OVERLAPPED
    expect(simulator.state().handles).to.deep.equal([]);
  });

  it('the event loop keeps running while the DLL holds an attach for 500 ms', async () => {
    simulator.delay('AttachVirtualDisk', 500);
    let ticks = 0;
    let worstGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
      ticks++;
    }, 5);
    const disk = await attachVirtualDisk(images.image('slow.vhdx'));
    clearInterval(timer);
    simulator.delay('AttachVirtualDisk', 0);
    await disk.close();
    expect(ticks).to.be.greaterThan(20);
    expect(worstGap).to.be.lessThan(200);
  });
});
