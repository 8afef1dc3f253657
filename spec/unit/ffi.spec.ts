import { expect } from 'chai';
import { bindings, loadSystemLibrary, setLibraryLoader } from '../../ffi/index.ts';
import { installFakeWindows, type FakeWindows } from '../helpers/fake-windows.ts';

describe('ffi declarations', () => {
  let fake: FakeWindows;
  beforeEach(() => { fake = installFakeWindows(); });
  afterEach(() => fake.restore());

  it('loads nothing until a function is needed', () => {
    expect(fake.declarations).to.deep.equal([]);
    bindings();
    expect(fake.declarations).to.not.be.empty;
  });

  it('declares every function __stdcall, from the DLL the SDK puts it in', () => {
    bindings();
    const byName = Object.fromEntries(fake.declarations.map((d) => [d.name, d]));
    expect(fake.declarations.every((d) => d.convention === '__stdcall')).to.equal(true);
    for (const name of ['OpenVirtualDisk', 'AttachVirtualDisk', 'DetachVirtualDisk', 'GetVirtualDiskPhysicalPath']) {
      expect(byName[name]?.dll, name).to.equal('virtdisk');
    }
    for (const name of ['CloseHandle', 'GetLastError', 'LocalFree', 'FormatMessageW']) {
      expect(byName[name]?.dll, name).to.equal('kernel32');
    }
    for (const name of ['ConvertStringSecurityDescriptorToSecurityDescriptorW', 'IsValidSecurityDescriptor', 'GetSecurityDescriptorLength']) {
      expect(byName[name]?.dll, name).to.equal('advapi32');
    }
  });

  it('loads each library once, and again after the seam changes', () => {
    bindings();
    bindings();
    expect(fake.declarations.filter((d) => d.name === 'OpenVirtualDisk')).to.have.length(1);
    setLibraryLoader(() => { throw new Error('second loader used'); });
    expect(() => bindings()).to.throw('second loader used');
  });
});

describe('the default loader', () => {
  if (process.platform === 'win32') {
    it('loads virtdisk.dll from System32 by absolute path', async () => {
      const { systemLibraryPath } = await import('../../ffi/index.ts');
      expect(systemLibraryPath('virtdisk')).to.match(/^[A-Z]:\\.+\\system32\\virtdisk\.dll$/i);
    });
  } else {
    it(`refuses with ERR_UNSUPPORTED_PLATFORM on ${process.platform}`, () => {
      expect(() => loadSystemLibrary('virtdisk')).to.throw().with.property('code', 'ERR_UNSUPPORTED_PLATFORM');
    });
  }
});
