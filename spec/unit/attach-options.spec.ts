// Each attach option reaches AttachVirtualDisk as the right flag bits and parameters.
import { expect } from 'chai';
import { attachVirtualDisk, openVirtualDisk } from '../../lib/index.ts';
import * as sdk from '../../types/constants.ts';
import { FLAG_OPTIONS } from '../helpers/attach-flag-options.ts';
import { installFakeWindows, type FakeWindows } from '../helpers/fake-windows.ts';

const BUILD = 26100;

describe('attach options → AttachVirtualDisk arguments', () => {
  let fake: FakeWindows;
  beforeEach(() => { fake = installFakeWindows(); });
  afterEach(() => fake.restore());

  async function attachArgs(options: Parameters<typeof attachVirtualDisk>[1], path = 'C:\\images\\data.vhdx') {
    const disk = await attachVirtualDisk(path, { windowsBuild: BUILD, ...options });
    await disk.close();
    const [handle, descriptor, flags, providerFlags, parameters, overlapped] = fake.fn.AttachVirtualDisk!.firstCall.args;
    return { handle, descriptor, flags, providerFlags, parameters, overlapped };
  }


  for (const [option, flag] of FLAG_OPTIONS) {
    it(`${option}: true sets 0x${flag.toString(16)} and nothing else; false sets nothing`, async () => {
      expect((await attachArgs({ [option]: true })).flags).to.equal(flag);
      fake.fn.AttachVirtualDisk!.resetHistory();
      expect((await attachArgs({ [option]: false })).flags).to.equal(0);
    });
  }

  it('no options: Flags 0, version 1 parameters with Reserved 0, no descriptor, and an OVERLAPPED (no thread waits)', async () => {
    const args = await attachArgs({});
    expect(args.flags).to.equal(0);
    expect(args.descriptor).to.equal(null);
    expect(args.providerFlags).to.equal(0);
    expect(args.overlapped).to.be.a('bigint');
    expect(args.parameters).to.deep.equal({ Version: 1, u: { Version1: { Reserved: 0 } } });
  });

  it('restrictedRange: the flag plus version 2 parameters with offset and length', async () => {
    const args = await attachArgs({ restrictedRange: { offset: 4096n, length: 1n << 33n } });
    expect(args.flags).to.equal(sdk.ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE);
    expect(args.parameters).to.deep.equal({ Version: 2, u: { Version2: { RestrictedOffset: 4096n, RestrictedLength: 1n << 33n } } });
  });

  it('providerSpecificFlags is passed through', async () => {
    expect((await attachArgs({ providerSpecificFlags: 0xdeadbeef })).providerFlags).to.equal(0xdeadbeef);
  });

  it('securityDescriptor: converted through advapi32 (SDDL revision 1), passed, then freed', async () => {
    const args = await attachArgs({ securityDescriptor: 'O:BAG:BAD:(A;;GA;;;WD)' });
    const convert = fake.fn.ConvertStringSecurityDescriptorToSecurityDescriptorW!;
    expect(convert.firstCall.args[0]).to.equal('O:BAG:BAD:(A;;GA;;;WD)');
    expect(convert.firstCall.args[1]).to.equal(sdk.SDDL_REVISION_1);
    expect(args.descriptor).to.be.a('bigint');
    expect(fake.fn.LocalFree!.firstCall.args[0]).to.equal(args.descriptor);
    expect(fake.fn.LocalFree!.calledAfter(fake.fn.AttachVirtualDisk!)).to.equal(true);
  });

  it('an ISO attaches with READ_ONLY when readOnly is not given', async () => {
    const args = await attachArgs({}, 'C:\\images\\win.iso');
    expect(args.flags).to.equal(sdk.ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY);
    const [, , access, , parameters] = fake.fn.OpenVirtualDisk!.firstCall.args;
    expect(access).to.equal(sdk.VIRTUAL_DISK_ACCESS_READ);
    expect(parameters.Version).to.equal(1);
  });

  it('attachVirtualDisk readOnly opens read-only and attaches read-only', async () => {
    const args = await attachArgs({ readOnly: true });
    expect(args.flags).to.equal(sdk.ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY);
    const [type, path, access, flags, parameters] = fake.fn.OpenVirtualDisk!.firstCall.args;
    expect(type).to.deep.equal({ DeviceId: sdk.VIRTUAL_STORAGE_TYPE_DEVICE_VHDX, VendorId: sdk.VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT });
    expect(path).to.equal('C:\\images\\data.vhdx');
    expect(access).to.equal(sdk.VIRTUAL_DISK_ACCESS_NONE);
    expect(flags).to.equal(sdk.OPEN_VIRTUAL_DISK_FLAG_NONE);
    expect(parameters.u.Version2.ReadOnly).to.equal(1);
  });

  it('the handle OpenVirtualDisk returned is the one attached', async () => {
    const disk = await openVirtualDisk('C:\\images\\data.vhdx');
    await disk.attach({ windowsBuild: BUILD });
    const [, , , , , handleOut] = fake.fn.OpenVirtualDisk!.firstCall.args;
    expect(fake.fn.AttachVirtualDisk!.firstCall.args[0]).to.equal(handleOut[0]);
    await disk.close();
  });
});
