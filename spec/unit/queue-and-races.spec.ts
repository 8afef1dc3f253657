// The call queue, aborts, dropped permanent attaches, concurrent detaches, aliases of one image, error shapes.
import util from 'node:util';
import { expect } from 'chai';
import {
  AbortError, attachVirtualDisk, detachVirtualDisk, openVirtualDisk, PreconditionError, VirtualDiskError,
} from '../../lib/index.ts';
import { callQueueState, callsInFlightLimit, threadPoolSize } from '../../lib/native.ts';
import { collectGarbage } from '../helpers/gc.ts';
import { installFakeWindows, type FakeWindows } from '../helpers/fake-windows.ts';


describe('the call queue', () => {
  it('leaves one libuv thread to the rest of the process, within koffi\'s resident pools', () => {
    expect(callsInFlightLimit(8, 4)).to.equal(3);
    expect(callsInFlightLimit(8, 16)).to.equal(8);
    expect(callsInFlightLimit(8, 1)).to.equal(1);
    expect(callsInFlightLimit(2, 16)).to.equal(2);
  });

  it('reads UV_THREADPOOL_SIZE as libuv does', () => {
    expect(threadPoolSize({})).to.equal(4);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '16' })).to.equal(16);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '0' })).to.equal(1);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: 'x' })).to.equal(1);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '5000' })).to.equal(1024);
  });
});

describe('aborts, lifetimes and races', () => {
  let fake: FakeWindows;
  beforeEach(() => { fake = installFakeWindows(); });
  afterEach(() => fake.restore());

  it('a signal aborted while the call waits in the queue stops it before anything native runs', async () => {
    fake.asyncDelayMs = 20;
    const controller = new AbortController();
    const busy = Array.from({ length: 10 }, (_, i) => openVirtualDisk(`C:\\busy${i}.vhdx`));
    const queued = openVirtualDisk('C:\\queued.vhdx', { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(callQueueState().waiting).to.be.greaterThan(0);
    const reason = new Error('user gave up');
    controller.abort(reason);
    const error = await queued.then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(AbortError);
    expect(error).to.include({ name: 'AbortError', code: 'ABORT_ERR' });
    expect((error as Error).cause).to.equal(reason);
    for (const disk of await Promise.all(busy)) await disk.close();
    const opened = fake.fn.OpenVirtualDisk!.getCalls().map((call) => call.args[1]);
    expect(opened).not.to.include('C:\\queued.vhdx');
    expect(fake.openHandles.size).to.equal(0);
  });

  it('an already aborted signal rejects with AbortError and its reason, never the bare reason', async () => {
    const error = await openVirtualDisk('C:\\a.vhdx', { signal: AbortSignal.abort('no') }).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(AbortError).and.include({ code: 'ABORT_ERR', cause: 'no' });
  });

  it('a dropped VirtualDisk whose attach is permanent has its handle closed; a non-permanent one is kept', async () => {
    await (async () => { await attachVirtualDisk('C:\\permanent.vhdx', { permanent: true }); })();
    await (async () => { await attachVirtualDisk('C:\\temporary.vhdx'); })();
    await collectGarbage();
    const [permanent, temporary] = fake.fn.OpenVirtualDisk!.getCalls().map((call) => (call.args[5] as [bigint])[0]);
    await collectGarbage();
    const closed = fake.fn.CloseHandle!.getCalls().map((call) => call.args[0]).filter((handle) => !fake.isEvent(handle as bigint));
    expect(closed).to.include(permanent);
    expect(closed).not.to.include(temporary);
    expect(fake.openHandles.size).to.equal(1);
    await detachVirtualDisk('C:\\permanent.vhdx');
  });

  it('two concurrent detachVirtualDisk(p): one succeeds, the other gets Windows\' answer, naming no internal VirtualDisk', async () => {
    fake.fn.DetachVirtualDisk!.onSecondCall().returns(21); // ERROR_NOT_READY: not attached any more
    const results = await Promise.allSettled([detachVirtualDisk('C:\\both.vhdx'), detachVirtualDisk('c:\\BOTH.vhdx')]);
    expect(results.map((result) => result.status).sort()).to.deep.equal(['fulfilled', 'rejected']);
    const error = (results.find((result) => result.status === 'rejected') as PromiseRejectedResult).reason as VirtualDiskError;
    expect(error.code).to.equal('ERROR_NOT_READY');
    expect(error.message).not.to.match(/VirtualDisk #/);
    expect(fake.openHandles.size).to.equal(0);
  });

  for (const alias of ['\\\\?\\C:\\vm\\data.vhdx', 'c:\\VM\\DATA.VHDX', 'C:\\vm\\data.vhdx.', 'C:\\vm\\..\\vm\\data.vhdx ']) {
    it(`'${alias}' is the same image as 'C:\\vm\\data.vhdx' for the other-handles rule`, async () => {
      const attached = await attachVirtualDisk('C:\\vm\\data.vhdx');
      const before = fake.fn.DetachVirtualDisk!.callCount;
      const error = await detachVirtualDisk(alias).then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(PreconditionError).with.property('code', 'ERR_OTHER_HANDLES_OPEN');
      expect(fake.fn.DetachVirtualDisk!.callCount).to.equal(before);
      await attached.close();
    });
  }

  it('\\\\?\\ paths reach Windows verbatim', async () => {
    const disk = await openVirtualDisk('\\\\?\\C:\\vm\\..\\x.vhdx');
    await disk.close();
    expect(fake.fn.OpenVirtualDisk!.firstCall.args[1]).to.equal('\\\\?\\C:\\vm\\..\\x.vhdx');
  });

  it('errors show no undefined fields, and option and SDDL errors carry the path', async () => {
    const optionError = await attachVirtualDisk('C:\\e.vhdx', { readOnly: 1 } as never).then(() => undefined, (e: unknown) => e);
    expect(util.inspect(optionError)).not.to.contain('undefined');
    expect(optionError).to.have.property('path', 'C:\\e.vhdx');
    expect(optionError).not.to.have.property('errno');
    const sddlError = await attachVirtualDisk('C:\\e.vhdx', { securityDescriptor: 'nonsense' }).then(() => undefined, (e: unknown) => e);
    expect(sddlError).to.be.instanceOf(VirtualDiskError).with.property('path', 'C:\\e.vhdx');
    expect(util.inspect(sddlError)).not.to.contain('undefined');
  });
});
