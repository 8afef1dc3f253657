// Through the public API only: what reaches the simulated virtdisk.dll, read at the SDK's offsets.
import { expect } from 'chai';
import { attachVirtualDisk, openVirtualDisk } from '../../lib/index.ts';
import * as sdk from '../../types/constants.ts';
import { FLAG_OPTIONS } from '../helpers/attach-flag-options.ts';
import { imageFolder } from './images.ts';
import { simulator } from './simulator.ts';

const MICROSOFT = '{EC984AEC-A0F9-47E9-901F-71415A66345B}';
const BUILD = 26100; // so AT_BOOT is allowed on Wine's 18362

describe('on the Windows ABI: arguments as the DLL sees them', () => {
  const images = imageFolder();
  beforeEach(() => simulator.reset());
  after(() => images.remove());

  it('the library loads the simulator from System32 by absolute path', () => {
    expect(simulator.path()).to.match(/^[A-Z]:\\windows\\system32\\virtdisk\.dll$/i);
  });

  it('OpenVirtualDisk of a VHDX: type, vendor, absolute path, VIRTUAL_DISK_ACCESS_NONE, version 2 ReadOnly at 8', async () => {
    const file = images.image('open.vhdx');
    const disk = await openVirtualDisk(file, { readOnly: true });
    await disk.close();
    const [open] = simulator.calls('OpenVirtualDisk');
    expect(open!.storageType).to.deep.equal({ deviceId: sdk.VIRTUAL_STORAGE_TYPE_DEVICE_VHDX, vendorId: MICROSOFT });
    expect(open!.path).to.equal(file);
    expect(open!.access).to.equal(sdk.VIRTUAL_DISK_ACCESS_NONE);
    expect(open!.flags).to.equal(0);
    expect(open!.params).to.include({ version: 2, getInfoOnly: 0, readOnly: 1 });
    expect(open!.params!.raw.slice(16, 24)).to.equal('01000000'); // bytes 8..11
  });

  it('OpenVirtualDisk of an ISO: version 1, RWDepth 1 at 4, VIRTUAL_DISK_ACCESS_READ', async () => {
    const disk = await openVirtualDisk(images.image('open.iso'));
    await disk.close();
    const [open] = simulator.calls('OpenVirtualDisk');
    expect(open!.storageType!.deviceId).to.equal(sdk.VIRTUAL_STORAGE_TYPE_DEVICE_ISO);
    expect(open!.access).to.equal(sdk.VIRTUAL_DISK_ACCESS_READ);
    expect(open!.params).to.include({ version: 1, rwDepth: 1 });
  });


  for (const [option, flag] of FLAG_OPTIONS) {
    it(`${option} arrives as Flags 0x${flag.toString(16)} with version 1 parameters (Reserved 0 at 8)`, async () => {
      const disk = await attachVirtualDisk(images.image(`${option}.vhdx`), { [option]: true, windowsBuild: BUILD });
      expect(disk.attached).to.equal(true);
      await disk.detach();
      await disk.close();
      const [attach] = simulator.calls('AttachVirtualDisk');
      expect(attach!.result, 'done at once, or pending on the OVERLAPPED').to.be.oneOf([0, 997]);
      expect(attach!.flags).to.equal(flag);
      expect(attach!.providerSpecificFlags).to.equal(0);
      expect(attach!.securityDescriptor).to.equal(null);
      expect(attach!.overlapped, 'attach runs with an OVERLAPPED').to.not.be.oneOf([null, false, undefined]);
      expect(attach!.params).to.include({ version: 1, reserved: 0 });
      expect(attach!.params!.raw).to.equal(`01000000${'0'.repeat(40)}`); // 24 bytes: Version, padding, Reserved, rest
    });
  }

  it('restrictedRange: RESTRICTED_RANGE, version 2, offset at byte 8 and length at byte 16', async () => {
    const disk = await attachVirtualDisk(images.image('range.vhdx'), { restrictedRange: { offset: 4096n, length: 1n << 33n } });
    await disk.close();
    const [attach] = simulator.calls('AttachVirtualDisk');
    expect(attach!.flags).to.equal(sdk.ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE);
    expect(attach!.params).to.include({ version: 2, restrictedOffset: '4096', restrictedLength: String(1n << 33n) });
    const raw = Buffer.from(attach!.params!.raw, 'hex');
    expect(raw.readUInt32LE(0)).to.equal(2);
    expect(raw.readBigUInt64LE(8)).to.equal(4096n);
    expect(raw.readBigUInt64LE(16)).to.equal(1n << 33n);
  });

  it('providerSpecificFlags arrives as given', async () => {
    const disk = await attachVirtualDisk(images.image('provider.vhdx'), { providerSpecificFlags: 0xfeedf00d });
    await disk.close();
    expect(simulator.calls('AttachVirtualDisk')[0]!.providerSpecificFlags).to.equal(0xfeedf00d);
  });

  it('an ISO attaches read-only, and shows up as \\\\.\\CDROMn', async () => {
    const disk = await attachVirtualDisk(images.image('win.iso'));
    expect(await disk.getPhysicalPath()).to.match(/^\\\\\.\\CDROM\d+$/);
    await disk.close();
    expect(simulator.calls('AttachVirtualDisk')[0]!.flags).to.equal(sdk.ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY);
  });

  it('getPhysicalPath: \\\\.\\PhysicalDriveN through the size protocol', async () => {
    const disk = await attachVirtualDisk(images.image('path.vhdx'));
    expect(await disk.getPhysicalPath()).to.match(/^\\\\\.\\PhysicalDrive\d+$/);
    await disk.close();
    const [call] = simulator.calls('GetVirtualDiskPhysicalPath');
    expect(call!.result).to.equal(0);
    expect(call!.sizeIn).to.be.at.least(call!.sizeOut!);
  });
});
