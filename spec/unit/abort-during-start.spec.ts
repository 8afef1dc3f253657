// An abort that arrives while a long operation's call is being made (after the up-front check, before the
// cancel listener is in place) still cancels the Windows operation: Ctrl-C right after vdisk starts one.
import { expect } from 'chai';
import { AbortError, compactVirtualDisk, createVirtualDisk } from '../../lib/index.ts';
import { installFakeWindows, type FakeWindows } from '../helpers/fake-windows.ts';

describe('an abort during the call that starts a long operation', () => {
  let fake: FakeWindows;
  beforeEach(() => { fake = installFakeWindows(); fake.operationMs = 60_000; });
  afterEach(() => fake.restore());

  for (const [fn, run] of [
    ['CreateVirtualDisk', (signal: AbortSignal) => createVirtualDisk('C:\\vm\\abort.vhdx', { size: 1n << 30n, windowsBuild: 26100, signal })],
    ['CompactVirtualDisk', (signal: AbortSignal) => compactVirtualDisk('C:\\vm\\abort.vhdx', { windowsBuild: 26100, signal })],
  ] as const) {
    it(`${fn}: cancelled with CancelIoEx, AbortError`, async () => {
      const controller = new AbortController();
      const stub = fake.fn[fn]!;
      // the abort lands while Windows is being called: as the call's answer comes back
      const realAsync = stub.async;
      stub.async = (...args: unknown[]) => {
        const callback = args.pop() as (error: unknown, result?: unknown) => void;
        realAsync(...args, (error: unknown, result?: unknown) => {
          controller.abort('Ctrl-C');
          callback(error, result);
        });
      };
      const error = await (run(controller.signal) as Promise<unknown>).then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(AbortError);
      expect(fake.fn.CancelIoEx!.calledOnce, 'CancelIoEx').to.equal(true);
      expect(fake.operations[0]!.cancelled).to.equal(true);
    });
  }
});
