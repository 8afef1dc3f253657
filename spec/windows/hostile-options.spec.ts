// Property-based, on the Windows ABI with koffi's real encoder: no option object, however hostile, makes
// koffi abort the process (it aborts, with no exception, on null or a string in a uint64 field). Every
// call either attaches, with the DLL reading sane values at the SDK's offsets, or rejects with a typed error.
import { expect } from 'chai';
import fc from 'fast-check';
import { AbortError, attachVirtualDisk, detachVirtualDisk, openVirtualDisk, VirtualDiskError } from '../../lib/index.ts';
import { hostileOptions } from '../helpers/hostile-options.ts';
import { imageFolder } from './images.ts';
import { simulator } from './simulator.ts';

describe('on the Windows ABI: hostile options never reach koffi (fast-check)', () => {
  const images = imageFolder();
  after(() => images.remove());
  beforeEach(() => simulator.reset());

  const typed = (error: unknown) => {
    if (!(error instanceof AbortError)) expect(error, (error as Error)?.stack).to.be.instanceOf(VirtualDiskError);
  };

  it('attachVirtualDisk and disk.attach with arbitrary options: the process survives, every error is typed', async function () {
    this.timeout(120_000);
    const file = images.image('hostile.vhdx');
    let attached = 0;
    await fc.assert(fc.asyncProperty(hostileOptions, fc.boolean(), async (options, throughOpen) => {
      const disk = throughOpen
        ? await openVirtualDisk(file).then(async (opened) => { await opened.attach(options as never).catch(typed); return opened; })
        : await attachVirtualDisk(file, options as never).catch(typed);
      if (disk?.attached) attached++;
      await disk?.close();
      if (disk?.attached) await detachVirtualDisk(file); // a permanent attach outlives close()
    }), { numRuns: 300 });
    expect(attached, 'some of the generated options were valid and attached').to.be.greaterThan(10);
    for (const call of simulator.calls('AttachVirtualDisk')) {
      expect(call.result).to.be.oneOf([0, 997]);
      if (call.params?.version === 2) expect(BigInt(call.params.restrictedLength!) > 0n).to.equal(true);
    }
  });
});
