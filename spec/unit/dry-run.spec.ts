// The dry run against the real thing: the promise API run on the stand-in for the DLLs (the ffi seam) and the
// DryRun of the same calls must name the same functions in the same order, with the same flags, and the same
// struct bytes (koffi's encoding of what the real call passed, or the bytes the DLL found in native memory).
// And a call the real API refuses before Windows, the dry run refuses with the same error.
import { expect } from 'chai';
import koffi from 'koffi';
import * as ffi from '../../ffi/index.ts';
import {
  attachVirtualDisk, compactVirtualDisk, createVirtualDisk, detachVirtualDisk, DryRun, getVirtualDiskInfo, openVirtualDisk,
  type NativeCall,
} from '../../lib/index.ts';
import { installFakeWindows, type FakeWindows } from '../helpers/fake-windows.ts';

const NEWEST = 26100;
const WATCHING = new Set(['GetVirtualDiskOperationProgress', 'UnregisterWaitEx', 'WaitForMultipleObjects', 'WaitForSingleObject']);

/** Function names, with each stretch of watching a long operation (polled many times for real) as one 'watch'. */
function sequence(names: readonly string[]): string[] {
  const result: string[] = [];
  for (const name of names) {
    const token = WATCHING.has(name) ? 'watch' : name;
    if (token === 'watch' && result.at(-1) === 'watch') continue;
    result.push(token);
  }
  return result;
}

const dryNames = (calls: readonly NativeCall[]) => calls.map((call) => call.function);
/** The calls of a long operation that completed at once (the stand-in's attach answers 0): no waiting. */
const completedAtOnce = (calls: readonly NativeCall[]) => calls.filter((call) => !call.note?.startsWith('if the call answered ERROR_IO_PENDING'));
/** Every call the stand-in saw, in order, the OVERLAPPED machinery included (the dry run lists it too). */
const nativeCalls = (fake: FakeWindows) => Object.entries(fake.fn)
  .flatMap(([name, stub]) => stub.getCalls().map((call) => ({ name, call })))
  .sort((a, b) => (a.call.calledBefore(b.call) ? -1 : 1))
  .map(({ name }) => name);
const hexOf = (type: unknown, value: unknown) => {
  const bytes = Buffer.alloc(koffi.sizeof(type as never));
  koffi.encode(bytes, type as never, value);
  return bytes.toString('hex');
};
const argument = (call: NativeCall | undefined, name: string) => {
  const found = call?.arguments.find((entry) => entry.name === name);
  expect(found, `${call?.function} ${name}`).to.not.equal(undefined);
  return found!;
};
const dryCall = (calls: readonly NativeCall[], fn: string, index = 0) => calls.filter((call) => call.function === fn)[index];
const uint32 = (value: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(value); return b; };

/** Opens the image, runs `use`, and closes it whatever happens. */
async function onDisk(image: string, use: (disk: Awaited<ReturnType<typeof openVirtualDisk>>) => Promise<unknown>): Promise<unknown> {
  const disk = await openVirtualDisk(image);
  try {
    return await use(disk);
  } finally {
    await disk.close();
  }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(() => { throw new Error('should reject'); }, (error: Error) => error);
}

describe('DryRun: the same calls as the promise API', () => {
  let fake: FakeWindows;
  beforeEach(() => { fake = installFakeWindows(); });
  afterEach(() => fake.restore());

  it('attachVirtualDisk with a security descriptor, getPhysicalPath, close: functions, flags and bytes', async () => {
    const options = { noDriveLetter: true, permanent: true, securityDescriptor: 'O:BAG:BAD:(A;;GA;;;WD)', windowsBuild: NEWEST };
    const disk = await attachVirtualDisk('C:\\images\\data.vhdx', options);
    await disk.getPhysicalPath();
    await disk.close();
    const plan = new DryRun();
    const planned = plan.attachVirtualDisk('C:\\images\\data.vhdx', options);
    planned.getPhysicalPath();
    planned.close();

    expect(dryNames(completedAtOnce(plan.calls))).to.deep.equal(nativeCalls(fake));
    const [type, path, access, flags, parameters] = fake.fn.OpenVirtualDisk!.firstCall.args;
    const open = dryCall(plan.calls, 'OpenVirtualDisk');
    expect(argument(open, 'VirtualStorageType').struct!.hex).to.equal(hexOf(ffi.VIRTUAL_STORAGE_TYPE, type));
    expect(argument(open, 'Path').value).to.equal(path);
    expect(argument(open, 'VirtualDiskAccessMask').value).to.equal(access);
    expect(argument(open, 'Flags').value).to.equal(flags);
    expect(argument(open, 'Parameters').struct!.hex).to.equal(hexOf(ffi.OPEN_VIRTUAL_DISK_PARAMETERS, parameters));

    const [, , attachFlags, providerFlags, attachParameters, overlapped] = fake.fn.AttachVirtualDisk!.firstCall.args;
    const attach = dryCall(plan.calls, 'AttachVirtualDisk');
    expect(argument(attach, 'Flags')).to.include({ value: attachFlags });
    expect(argument(attach, 'Flags').names).to.deep.equal(['ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER', 'ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME']);
    expect(argument(attach, 'ProviderSpecificFlags').value).to.equal(providerFlags);
    expect(argument(attach, 'Parameters').struct!.hex).to.equal(hexOf(ffi.ATTACH_VIRTUAL_DISK_PARAMETERS, attachParameters));
    expect(typeof overlapped, 'attached with an OVERLAPPED').to.equal('bigint');
    expect(argument(dryCall(plan.calls, 'ConvertStringSecurityDescriptorToSecurityDescriptorW'), 'StringSecurityDescriptor').value)
      .to.equal(fake.fn.ConvertStringSecurityDescriptorToSecurityDescriptorW!.firstCall.args[0]);
  });

  it('an ISO (version 1, VIRTUAL_DISK_ACCESS_READ, read-only) and a restricted range (version 2 parameters)', async () => {
    for (const [image, options] of [['C:\\images\\win.iso', { windowsBuild: NEWEST }], ['C:\\images\\part.vhdx', { restrictedRange: { offset: 4096n, length: 1n << 33n }, windowsBuild: NEWEST }]] as const) {
      fake.restore();
      fake = installFakeWindows();
      const disk = await attachVirtualDisk(image, options);
      await disk.close();
      const plan = new DryRun();
      plan.attachVirtualDisk(image, options).close();
      expect(dryNames(completedAtOnce(plan.calls))).to.deep.equal(nativeCalls(fake));
      const [, , access, , parameters] = fake.fn.OpenVirtualDisk!.firstCall.args;
      expect(argument(dryCall(plan.calls, 'OpenVirtualDisk'), 'VirtualDiskAccessMask').value).to.equal(access);
      expect(argument(dryCall(plan.calls, 'OpenVirtualDisk'), 'Parameters').struct!.hex).to.equal(hexOf(ffi.OPEN_VIRTUAL_DISK_PARAMETERS, parameters));
      const [, , flags, , attachParameters] = fake.fn.AttachVirtualDisk!.firstCall.args;
      expect(argument(dryCall(plan.calls, 'AttachVirtualDisk'), 'Flags').value).to.equal(flags);
      expect(argument(dryCall(plan.calls, 'AttachVirtualDisk'), 'Parameters').struct!.hex).to.equal(hexOf(ffi.ATTACH_VIRTUAL_DISK_PARAMETERS, attachParameters));
    }
  });

  it('detachVirtualDisk: open for detaching, detach, close', async () => {
    await detachVirtualDisk('C:\\images\\win.iso', { windowsBuild: NEWEST });
    const plan = new DryRun();
    plan.detachVirtualDisk('C:\\images\\win.iso', { windowsBuild: NEWEST });
    expect(dryNames(plan.calls)).to.deep.equal(nativeCalls(fake));
    expect(argument(dryCall(plan.calls, 'OpenVirtualDisk'), 'VirtualDiskAccessMask').value).to.equal(fake.fn.OpenVirtualDisk!.firstCall.args[2]);
    expect(argument(dryCall(plan.calls, 'DetachVirtualDisk'), 'Flags').names).to.deep.equal(['DETACH_VIRTUAL_DISK_FLAG_NONE']);
  });

  it('getVirtualDiskInfo: the same GET_VIRTUAL_DISK_INFO versions, in order (the parent ones only for a differencing disk)', async () => {
    // a version asked again with a larger buffer (ERROR_INSUFFICIENT_BUFFER) counts once: the dry run's note says so
    const versions = () => fake.fn.GetVirtualDiskInformation!.getCalls().map((call) => (call.args[2] as Buffer).readUInt32LE(0))
      .filter((version, index, all) => version !== all[index - 1]);
    const planned = () => {
      const plan = new DryRun();
      plan.getVirtualDiskInfo('C:\\images\\data.vhdx', { windowsBuild: NEWEST });
      return plan.calls;
    };
    await getVirtualDiskInfo('C:\\images\\data.vhdx', { windowsBuild: NEWEST });
    const calls = planned();
    const dryVersions = (filter: (call: NativeCall) => boolean) => calls.filter((call) => call.function === 'GetVirtualDiskInformation' && filter(call))
      .map((call) => Buffer.from(argument(call, 'VirtualDiskInfo').struct!.hex, 'hex').readUInt32LE(0));
    expect(dryVersions((call) => !call.note?.startsWith('only'))).to.deep.equal(versions());

    fake.restore();
    fake = installFakeWindows();
    fake.info.set(7, uint32(4)); // differencing
    const location = Buffer.concat([uint32(1), Buffer.from('C:\\images\\base.vhdx\0', 'utf16le')]);
    fake.info.set(3, location);
    fake.info.set(4, Buffer.alloc(16, 1));
    fake.info.set(5, uint32(7));
    await getVirtualDiskInfo('C:\\images\\data.vhdx', { windowsBuild: NEWEST });
    expect(dryVersions(() => true)).to.deep.equal(versions());
    expect(sequence(dryNames(calls)).filter((name) => name !== 'GetVirtualDiskInformation')).to.deep.equal(['OpenVirtualDisk', 'CloseHandle']);
  });

  it('createVirtualDisk: the long operation\'s calls, flags, and the parameters as the DLL read them (pointers aside)', async () => {
    const options = { parent: 'C:\\vm\\base.vhdx', windowsBuild: NEWEST };
    const disk = await createVirtualDisk('C:\\vm\\child.vhdx', options);
    await disk.close();
    const plan = new DryRun();
    plan.createVirtualDisk('C:\\vm\\child.vhdx', options).close();
    expect(sequence(dryNames(plan.calls))).to.deep.equal(sequence(nativeCalls(fake)));
    const operation = [...fake.operations.values()][0]!;
    const real = Buffer.from(operation.parameters!);
    real.fill(0, 48, 64); // ParentPath, SourcePath: addresses, 0 in a dry run
    const create = dryCall(plan.calls, 'CreateVirtualDisk');
    expect(argument(create, 'Parameters').struct!.hex).to.equal(real.toString('hex'));
    expect(argument(create, 'Flags').value).to.equal(operation.flags);
    expect(argument(create, 'Parameters').struct!.fields.find((field) => field.name === 'Version2.ParentPath')!.value).to.equal('C:\\vm\\base.vhdx');
  });

  it('createVirtualDisk --fixed with a size', async () => {
    const options = { size: 3n << 20n, type: 'fixed' as const, windowsBuild: NEWEST };
    await (await createVirtualDisk('C:\\vm\\fixed.vhd', options)).close();
    const plan = new DryRun();
    plan.createVirtualDisk('C:\\vm\\fixed.vhd', options).close();
    const operation = [...fake.operations.values()][0]!;
    expect(argument(dryCall(plan.calls, 'CreateVirtualDisk'), 'Parameters').struct!.hex).to.equal(operation.parameters!.toString('hex'));
    expect(argument(dryCall(plan.calls, 'CreateVirtualDisk'), 'Flags').names).to.deep.equal(['CREATE_VIRTUAL_DISK_FLAG_FULL_PHYSICAL_ALLOCATION']);
  });

  it('compactVirtualDisk, resize (a size and the smallest safe size), merge: calls and parameter bytes', async () => {
    const check = async (label: string, real: () => Promise<void>, dry: (plan: DryRun) => void, fn: string) => {
      fake.restore();
      fake = installFakeWindows();
     
      await real();
      const plan = new DryRun();
      dry(plan);
      expect(sequence(dryNames(plan.calls)), label).to.deep.equal(sequence(nativeCalls(fake)));
      const operation = [...fake.operations.values()][0]!;
      const call = dryCall(plan.calls, fn);
      expect(argument(call, 'Parameters').struct!.hex, label).to.equal(operation.parameters!.toString('hex'));
      expect(argument(call, 'Flags').value, label).to.equal(operation.flags);
    };
    const image = 'C:\\vm\\data.vhdx';
    await check('compact', () => compactVirtualDisk(image, { noZeroScan: true, windowsBuild: NEWEST }),
      (plan) => plan.compactVirtualDisk(image, { noZeroScan: true, windowsBuild: NEWEST }), 'CompactVirtualDisk');
    await check('resize', async () => { const d = await openVirtualDisk(image); await d.resize(5n << 30n, { windowsBuild: NEWEST }); await d.close(); },
      (plan) => { const d = plan.openVirtualDisk(image); d.resize(5n << 30n, { windowsBuild: NEWEST }); d.close(); }, 'ResizeVirtualDisk');
    await check('resize smallest', async () => { const d = await openVirtualDisk(image); await d.resize(0, { toSmallestSafeSize: true, windowsBuild: NEWEST }); await d.close(); },
      (plan) => { const d = plan.openVirtualDisk(image); d.resize(0, { toSmallestSafeSize: true, windowsBuild: NEWEST }); d.close(); }, 'ResizeVirtualDisk');
    await check('merge', async () => { const d = await openVirtualDisk(image); await d.merge({ depth: 2, windowsBuild: NEWEST }); await d.close(); },
      (plan) => { const d = plan.openVirtualDisk(image); d.merge({ depth: 2, windowsBuild: NEWEST }); d.close(); }, 'MergeVirtualDisk');
  });

  describe('refuses what the real API refuses, with the same error, before any call', () => {
    const refusals: Array<[string, () => Promise<unknown>, (plan: DryRun) => void]> = [
      ['a size under 3 MiB', () => createVirtualDisk('C:\\vm\\small.vhdx', { size: 1_000_000 }), (plan) => plan.createVirtualDisk('C:\\vm\\small.vhdx', { size: 1_000_000 })],
      ['atBoot on build 19045', () => attachVirtualDisk('C:\\vm\\a.vhdx', { atBoot: true, windowsBuild: 19045 }), (plan) => plan.attachVirtualDisk('C:\\vm\\a.vhdx', { atBoot: true, windowsBuild: 19045 })],
      ['an ISO read/write', () => attachVirtualDisk('C:\\vm\\a.iso', { readOnly: false }), (plan) => plan.attachVirtualDisk('C:\\vm\\a.iso', { readOnly: false })],
      ['an unknown extension', () => detachVirtualDisk('C:\\vm\\a.img'), (plan) => plan.detachVirtualDisk('C:\\vm\\a.img')],
      ['a resize that is not a multiple of 512', () => onDisk('C:\\vm\\a.vhdx', (disk) => disk.resize(1000)), (plan) => plan.openVirtualDisk('C:\\vm\\a.vhdx').resize(1000)],
      ['compacting an ISO', () => compactVirtualDisk('C:\\vm\\a.iso'), (plan) => plan.compactVirtualDisk('C:\\vm\\a.iso')],
      ['depth with sourceDepth', () => onDisk('C:\\vm\\a.vhdx', (disk) => disk.merge({ depth: 1, sourceDepth: 1 })), (plan) => plan.openVirtualDisk('C:\\vm\\a.vhdx').merge({ depth: 1, sourceDepth: 1 })],
      ['an unknown option', () => attachVirtualDisk('C:\\vm\\a.vhdx', { readonly: true } as never), (plan) => plan.attachVirtualDisk('C:\\vm\\a.vhdx', { readonly: true } as never)],
    ];
    for (const [label, real, dry] of refusals) {
      it(label, async () => {
        const error = await rejection(real());
        const plan = new DryRun();
        const before = nativeCalls(fake).filter((name) => name !== 'OpenVirtualDisk' && name !== 'CloseHandle');
        expect(before, 'the real call refused before the operation itself').to.deep.equal([]);
        let thrown: unknown;
        try { dry(plan); } catch (caught) { thrown = caught; }
        expect(thrown).to.be.instanceOf(error.constructor);
        expect((thrown as Error).message).to.equal(error.message);
        expect((thrown as { code: string }).code).to.equal((error as unknown as { code: string }).code);
      });
    }
  });
});
