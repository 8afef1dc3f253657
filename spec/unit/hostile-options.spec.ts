// Property-based: nothing a caller passes reaches the native layer in a shape koffi cannot encode, and every
// refusal is a typed VirtualDiskError (never a raw TypeError).
import { expect } from 'chai';
import fc from 'fast-check';
import {
  AbortError, attachVirtualDisk, checkAttach, checkAttachCall, checkDetachCall, checkOpen, describeOpenedHandle, openVirtualDisk,
  VirtualDiskError,
} from '../../lib/index.ts';
import { hostileOptions, isDword, isUint64 } from '../helpers/hostile-options.ts';
import { installFakeWindows, type FakeWindows } from '../helpers/fake-windows.ts';

function expectTyped(error: unknown): void {
  if (error instanceof AbortError) return;
  expect(error, (error as Error)?.stack).to.be.instanceOf(VirtualDiskError);
  expect((error as VirtualDiskError).code).to.be.a('string');
}

/** The arguments every AttachVirtualDisk call received are of the SDK's shapes. */
function expectEncodable(fake: FakeWindows): void {
  for (const call of fake.fn.AttachVirtualDisk!.getCalls()) {
    const [handle, descriptor, flags, providerFlags, parameters] = call.args as [unknown, unknown, unknown, unknown, { Version: unknown; u: any }];
    expect(typeof handle).to.equal('bigint');
    expect(descriptor === null || typeof descriptor === 'bigint').to.equal(true);
    expect(isDword(flags) && isDword(providerFlags), `Flags ${String(flags)}, ProviderSpecificFlags ${String(providerFlags)}`).to.equal(true);
    expect(Object.getPrototypeOf(parameters)).to.equal(Object.prototype);
    if (parameters.Version === 1) expect(parameters.u).to.deep.equal({ Version1: { Reserved: 0 } });
    else {
      expect(parameters.Version).to.equal(2);
      const { RestrictedOffset, RestrictedLength } = parameters.u.Version2;
      expect(isUint64(RestrictedOffset) && isUint64(RestrictedLength) && RestrictedLength > 0n).to.equal(true);
      expect(RestrictedOffset + RestrictedLength < 1n << 64n).to.equal(true);
    }
  }
}

describe('hostile options (fast-check)', () => {
  let fake: FakeWindows;
  beforeEach(() => { fake = installFakeWindows(); });
  afterEach(() => fake.restore());

  it('attachVirtualDisk: resolves, or rejects with a typed error; what reaches AttachVirtualDisk is encodable', async () => {
    await fc.assert(fc.asyncProperty(hostileOptions, async (options) => {
      const disk = await attachVirtualDisk('C:\\fuzz.vhdx', options as never).catch((error: unknown) => expectTyped(error));
      await disk?.close();
      expectEncodable(fake);
    }), { numRuns: 400 });
    expect(fake.openHandles.size).to.equal(0);
  });

  it('disk.attach: the same, on an open handle', async () => {
    await fc.assert(fc.asyncProperty(hostileOptions, async (options) => {
      const disk = await openVirtualDisk('C:\\fuzz.vhdx');
      await disk.attach(options as never).catch((error: unknown) => expectTyped(error));
      await disk.close();
      expectEncodable(fake);
    }), { numRuns: 300 });
  });

  it('the check* functions answer every argument with a verdict, never a raw exception', () => {
    const opened = checkOpen('C:\\a.vhdx');
    if (!opened.ok) throw opened.error;
    const handle = describeOpenedHandle(opened.call);
    fc.assert(fc.property(hostileOptions, hostileOptions, fc.anything({ withBigInt: true }), (options, context, call) => {
      for (const verdict of [checkOpen('C:\\a.vhdx', options as never), checkAttach(handle, options as never, context as never)]) {
        if (!verdict.ok) expectTyped(verdict.error);
      }
      for (const error of [checkAttachCall(handle, call as never), checkDetachCall(handle, call as never), checkAttachCall(options as never, call as never)]) {
        if (error) expectTyped(error);
      }
    }), { numRuns: 500 });
  });

  it('the getters of the issue: read once, so the checked value is the value sent', async () => {
    let reads = 0;
    const flipping = { restrictedRange: { offset: 0n, get length() { return reads++ === 0 ? 4096n : null; } } };
    const disk = await attachVirtualDisk('C:\\getter.vhdx', flipping as never);
    await disk.close();
    expect(reads).to.equal(1);
    expect(fake.fn.AttachVirtualDisk!.firstCall.args[4]).to.deep.equal({ Version: 2, u: { Version2: { RestrictedOffset: 0n, RestrictedLength: 4096n } } });

    class Options { get restrictedRange() { return { offset: 0n, length: 1n }; } }
    const cases: Array<[unknown, string]> = [
      [new Options(), 'ERR_INVALID_ARG_TYPE'],
      [Object.create({ restrictedRange: { offset: 0n, length: 1n } }), 'ERR_INVALID_ARG_TYPE'],
      [Object.create({ permanent: true }), 'ERR_INVALID_ARG_TYPE'],
      [new Map([['readOnly', true]]), 'ERR_INVALID_ARG_TYPE'],
      [null, 'ERR_INVALID_ARG_TYPE'], [42, 'ERR_INVALID_ARG_TYPE'], [true, 'ERR_INVALID_ARG_TYPE'], [[], 'ERR_INVALID_ARG_TYPE'], [() => 1, 'ERR_INVALID_ARG_TYPE'],
      [{ toString: 1 }, 'ERR_INVALID_ARG_VALUE'], [{ constructor: undefined }, 'ERR_INVALID_ARG_VALUE'],
      [{ providerSpecificFlags: -1 }, 'ERR_INVALID_ARG_VALUE'], [{ providerSpecificFlags: 2 ** 40 }, 'ERR_INVALID_ARG_VALUE'],
      [{ restrictedRange: { offset: -1n, length: 0n } }, 'ERR_INVALID_ARG_VALUE'],
      [{ securityDescriptor: 'O:BAG:BAD:(A;;GA;;;WD)\0D:(A;;GA;;;BA)' }, 'ERR_INVALID_ARG_VALUE'],
    ];
    for (const [options, code] of cases) {
      const error = await attachVirtualDisk('C:\\hostile.vhdx', options as never).then(() => undefined, (e: unknown) => e);
      expect(error, code).to.be.instanceOf(VirtualDiskError).with.property('code', code);
      expect((error as VirtualDiskError).path).to.equal('C:\\hostile.vhdx');
    }
    const disk2 = await openVirtualDisk('C:\\hostile.vhdx');
    for (const call of [() => disk2.detach({ signal: 'x' } as never), () => disk2.getPhysicalPath({ signal: 'x' } as never), () => disk2.attach(Object.create({ permanent: true }))]) {
      const error = await call().then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(VirtualDiskError).with.property('code', 'ERR_INVALID_ARG_TYPE');
    }
    await disk2.close();
    expect(fake.fn.AttachVirtualDisk!.callCount).to.equal(1);
  });
});
