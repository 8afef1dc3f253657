import { expect } from 'chai';
import { bindings, loadSystemLibrary, setLibraryLoader } from '../../ffi/index.ts';
import { installFakeWindows, type FakeWindows } from '../helpers/fake-windows.ts';

describe('ffi declarations', () => {
  let fake: FakeWindows;
  beforeEach(() => { fake = installFakeWindows(); });
  afterEach(() => fake.restore());

  it('loads nothing until a function is needed', () => {
    expect(fake.declarations).to.deep.equal([]);
    void bindings().kernel32.CloseHandle;
    expect(fake.declarations).to.not.be.empty;
  });

  it('declares each function on first use: one a DLL lacks fails alone, with ERR_PROC_NOT_FOUND', () => {
    const { virtdisk } = bindings();
    expect(fake.declarations).to.deep.equal([]);
    void virtdisk.OpenVirtualDisk;
    expect(fake.declarations.map((d) => d.name)).to.deep.equal(['OpenVirtualDisk']);
    setLibraryLoader((dll) => ({ func: (_convention: string, name: string) => { if (name === 'ResizeVirtualDisk') throw new Error('Cannot find function'); return () => 0; } }) as never);
    const other = bindings().virtdisk;
    expect(() => other.ResizeVirtualDisk).to.throw().with.property('code', 'ERR_PROC_NOT_FOUND');
    expect(other.OpenVirtualDisk).to.be.a('function');
  });

  it('declares every function __stdcall, from the DLL the SDK puts it in', () => {
    const all = bindings();
    for (const functions of Object.values(all)) for (const name of Object.keys(functions)) void (functions as Record<string, unknown>)[name];
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
    void bindings().virtdisk.OpenVirtualDisk;
    void bindings().virtdisk.OpenVirtualDisk;
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
