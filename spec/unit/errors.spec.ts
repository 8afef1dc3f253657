// Failures from Windows become VirtualDiskErrors with Node-style fields, the system's message and a hint.
import { expect } from 'chai';
import { attachVirtualDisk, detachVirtualDisk, openVirtualDisk, VirtualDiskError } from '../../lib/index.ts';
import { setLibraryLoader } from '../../ffi/index.ts';
import { installFakeWindows, type FakeWindows } from '../helpers/fake-windows.ts';

async function rejection(promise: Promise<unknown>): Promise<VirtualDiskError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(VirtualDiskError);
    return error as VirtualDiskError;
  }
  throw new Error('expected a rejection');
}

describe('errors from Windows', () => {
  let fake: FakeWindows;
  beforeEach(() => { fake = installFakeWindows(); });
  afterEach(() => fake.restore());

  it('OpenVirtualDisk failure: code, errno, syscall, path, system message', async () => {
    fake.fn.OpenVirtualDisk!.returns(2);
    const error = await rejection(openVirtualDisk('C:\\missing.vhdx'));
    expect(error).to.include({ code: 'ERROR_FILE_NOT_FOUND', errno: 2, syscall: 'OpenVirtualDisk', path: 'C:\\missing.vhdx' });
    expect(error.message).to.contain('System message 2.');
    expect(error.hint).to.equal('The image file does not exist.');
    expect(fake.fn.FormatMessageW!.firstCall.args[2]).to.equal(2);
  });

  const attachCases: Array<[number, string, RegExp]> = [
    [5, 'ERROR_ACCESS_DENIED', /SE_MANAGE_VOLUME_PRIVILEGE.*elevated.*compressed or EFS-encrypted/],
    [1314, 'ERROR_PRIVILEGE_NOT_HELD', /SE_MANAGE_VOLUME_PRIVILEGE/],
    [2, 'ERROR_FILE_NOT_FOUND', /SD media in a native-mode SD slot/],
    // Windows' list of attached disks (empty in the fake) says it is not attached: the other program is left.
    [32, 'ERROR_SHARING_VIOLATION', /^The image file is in use, and the image is not attached .*another program holds the file open/],
    [0xc03a0015, 'ERROR_VIRTDISK_NOT_VIRTUAL_DISK', /not a valid virtual disk/],
    [0xc03a0014, 'ERROR_VIRTDISK_PROVIDER_NOT_FOUND', /No virtual disk provider/],
    [6002, 'ERROR_FILE_ENCRYPTED', /compressed or EFS-encrypted/],
    [87, 'ERROR_INVALID_PARAMETER', /compressed or EFS-encrypted/],
  ];
  for (const [errno, code, hint] of attachCases) {
    it(`AttachVirtualDisk ${errno} → ${code} with its documented causes`, async () => {
      fake.fn.AttachVirtualDisk!.returns(errno);
      const error = await rejection(attachVirtualDisk('C:\\data.vhdx'));
      expect(error).to.include({ code, errno, syscall: 'AttachVirtualDisk', path: 'C:\\data.vhdx' });
      expect(error.hint).to.match(hint);
      expect(error.message).to.contain(error.hint);
    });
  }

  it('DetachVirtualDisk on an image that is not attached says so, once Windows\' list confirms it', async () => {
    fake.fn.DetachVirtualDisk!.returns(21);
    const error = await rejection(detachVirtualDisk('C:\\data.vhdx'));
    expect(error).to.include({ code: 'ERROR_NOT_READY', errno: 21, syscall: 'DetachVirtualDisk', reason: 'NOT_ATTACHED' });
    expect(error.hint).to.match(/^The image is not attached \(Windows' list of attached virtual disks does not have it\)/);
  });

  it('DetachVirtualDisk ERROR_NOT_READY keeps the code\'s own hint when the list cannot be read', async () => {
    fake.fn.DetachVirtualDisk!.returns(21);
    fake.fn.GetAllAttachedVirtualDiskPhysicalPaths!.returns(5);
    const error = await rejection(detachVirtualDisk('C:\\data.vhdx'));
    expect(error).to.include({ code: 'ERROR_NOT_READY', hint: 'The image is not attached.' });
    expect(error).not.to.have.property('reason');
  });

  it('an unknown code keeps its number', async () => {
    fake.fn.AttachVirtualDisk!.returns(0xc0ffee00);
    const error = await rejection(attachVirtualDisk('C:\\data.vhdx'));
    expect(error).to.include({ code: 'WIN32_ERROR_0xC0FFEE00', errno: 0xc0ffee00 });
    expect(error.hint).to.equal(undefined);
  });

  it('a bad SDDL string fails with advapi32\'s last error, before AttachVirtualDisk', async () => {
    const disk = await openVirtualDisk('C:\\data.vhdx');
    const error = await rejection(disk.attach({ securityDescriptor: 'not sddl' }));
    expect(error).to.include({ code: 'ERROR_INVALID_ACL', errno: 1336, syscall: 'ConvertStringSecurityDescriptorToSecurityDescriptorW' });
    expect(error.hint).to.match(/not valid SDDL/);
    expect(fake.fn.GetLastError!.calledImmediatelyAfter(fake.fn.ConvertStringSecurityDescriptorToSecurityDescriptorW!)).to.equal(true);
    expect(fake.fn.AttachVirtualDisk!.called).to.equal(false);
    await disk.close();
  });

  it('getPhysicalPath follows the ERROR_INSUFFICIENT_BUFFER size protocol', async () => {
    const long = `\\\\.\\PhysicalDrive${'9'.repeat(400)}`;
    fake.fn.GetVirtualDiskPhysicalPath!.callsFake((_handle, size: [number], buffer: Buffer) => {
      const needed = 2 * (long.length + 1);
      if (size[0] < needed) { size[0] = needed; return 122; }
      buffer.write(`${long}\0`, 'utf16le');
      return 0;
    });
    const disk = await attachVirtualDisk('C:\\data.vhdx');
    expect(await disk.getPhysicalPath()).to.equal(long);
    const sizes = fake.fn.GetVirtualDiskPhysicalPath!.getCalls().map((call) => (call.args[2] as Buffer).length);
    expect(sizes).to.deep.equal([522, 2 * (long.length + 1)]);
    await disk.close();
  });

  it('getPhysicalPath reports other failures', async () => {
    fake.fn.GetVirtualDiskPhysicalPath!.returns(55);
    const disk = await openVirtualDisk('C:\\data.vhdx');
    const error = await rejection(disk.getPhysicalPath());
    expect(error).to.include({ code: 'ERROR_DEV_NOT_EXIST', syscall: 'GetVirtualDiskPhysicalPath', hint: 'The image is not attached.' });
    await disk.close();
  });
});

describe('off Windows', () => {
  if (process.platform !== 'win32') {
    it('a call that needs Windows rejects with ERR_UNSUPPORTED_PLATFORM', async () => {
      setLibraryLoader();
      const error = await rejection(openVirtualDisk('C:\\data.vhdx'));
      expect(error.code).to.equal('ERR_UNSUPPORTED_PLATFORM');
    });
  } else {
    it('the package imports and the default loader is used', () => {
      setLibraryLoader();
      expect(typeof openVirtualDisk).to.equal('function');
    });
  }
});
