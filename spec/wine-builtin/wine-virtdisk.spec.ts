// Against Wine's own virtdisk.dll (no simulator): its OpenVirtualDisk checks its arguments as Windows 7 did
// and implements nothing more. The library must turn that into a typed error and the process must live on.
// Never reach one of Wine's stub exports (AttachVirtualDisk, GetVirtualDiskPhysicalPath…): calling one
// kills node.exe.
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { detachVirtualDisk, openVirtualDisk, VirtualDiskError } from '../../lib/index.ts';
import { systemLibraryPath } from '../../ffi/index.ts';

describe("Wine's own virtdisk.dll", () => {
  let dir: string;
  let image: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdisk-wine-'));
    image = path.join(dir, 'data.vhdx');
    fs.writeFileSync(image, Buffer.alloc(4096));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is the one loaded, from System32', () => {
    expect(systemLibraryPath('virtdisk')).to.match(/^[A-Z]:\\windows\\system32\\virtdisk\.dll$/i);
  });

  it('openVirtualDisk fails with a typed VirtualDiskError carrying Wine\'s code', async () => {
    const error = await openVirtualDisk(image).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(VirtualDiskError);
    const { code, errno, syscall } = error as VirtualDiskError;
    expect(syscall).to.equal('OpenVirtualDisk');
    // Wine answers ERROR_CALL_NOT_IMPLEMENTED, or ERROR_INVALID_PARAMETER for arguments Windows 7 lacked.
    expect([[120, 'ERROR_CALL_NOT_IMPLEMENTED'], [87, 'ERROR_INVALID_PARAMETER']]).to.deep.include([errno, code]);
    expect((error as VirtualDiskError).path).to.equal(path.win32.resolve(image));
  });

  it('detachVirtualDisk fails the same way, at the open', async () => {
    const error = await detachVirtualDisk(image).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(VirtualDiskError).with.property('syscall', 'OpenVirtualDisk');
  });

  it('the process survives and keeps working', async () => {
    for (let i = 0; i < 20; i++) await openVirtualDisk(image).catch(() => {});
    expect(process.pid).to.be.a('number');
    expect(await Promise.resolve(42)).to.equal(42);
  });
});
