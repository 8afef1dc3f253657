// The structs and declarations of the volume mapping, the attached-disk list and the Restart Manager, against
// the SDK's numbers (shared/reference/virtdisk-layouts-x64-full.txt for virtdisk.h and winioctl.h; the
// restartmanager.h numbers as x86_64-w64-mingw32-gcc computes them from mingw-w64's header, which matches the
// SDK's: RM_PROCESS_INFO 668 bytes, strAppName @12, strServiceShortName @524, ApplicationType @652).
import { expect } from 'chai';
import koffi from 'koffi';
import * as ffi from '../../ffi/index.ts';
import * as sdk from '../../types/constants.ts';
import { installFakeWindows, type FakeWindows } from '../helpers/fake-windows.ts';

describe('struct layouts of the volume mapping (x64 SDK numbers)', () => {
  it('STORAGE_DEVICE_NUMBER: 12 bytes, DeviceType @0, DeviceNumber @4, PartitionNumber @8', () => {
    expect(koffi.sizeof(ffi.STORAGE_DEVICE_NUMBER)).to.equal(12);
    expect(koffi.alignof(ffi.STORAGE_DEVICE_NUMBER)).to.equal(4);
    expect(koffi.offsetof(ffi.STORAGE_DEVICE_NUMBER, 'DeviceNumber')).to.equal(4);
    expect(koffi.offsetof(ffi.STORAGE_DEVICE_NUMBER, 'PartitionNumber')).to.equal(8);
  });

  it('DISK_EXTENT: 24 bytes aligned 8 (StartingOffset @8, ExtentLength @16); VOLUME_DISK_EXTENTS: 32, Extents @8', () => {
    expect(koffi.sizeof(ffi.DISK_EXTENT)).to.equal(24);
    expect(koffi.alignof(ffi.DISK_EXTENT)).to.equal(8);
    expect(koffi.offsetof(ffi.DISK_EXTENT, 'StartingOffset')).to.equal(8);
    expect(koffi.offsetof(ffi.DISK_EXTENT, 'ExtentLength')).to.equal(16);
    expect(koffi.sizeof(ffi.VOLUME_DISK_EXTENTS)).to.equal(32);
    expect(koffi.offsetof(ffi.VOLUME_DISK_EXTENTS, 'Extents')).to.equal(8);
  });

  it('STORAGE_DEPENDENCY_INFO: entries at 8; TYPE_1 28 bytes; TYPE_2 64 bytes with its four strings @32, @40, @48, @56', () => {
    expect(koffi.sizeof(ffi.STORAGE_DEPENDENCY_INFO)).to.equal(8);
    expect(ffi.STORAGE_DEPENDENCY_INFO_ENTRIES_OFFSET).to.equal(8);
    expect(koffi.sizeof(ffi.STORAGE_DEPENDENCY_INFO_TYPE_1)).to.equal(28);
    expect(koffi.offsetof(ffi.STORAGE_DEPENDENCY_INFO_TYPE_1, 'VirtualStorageType')).to.equal(8);
    expect(koffi.sizeof(ffi.STORAGE_DEPENDENCY_INFO_TYPE_2)).to.equal(64);
    expect(koffi.alignof(ffi.STORAGE_DEPENDENCY_INFO_TYPE_2)).to.equal(8);
    const offsets = ['DependencyTypeFlags', 'ProviderSpecificFlags', 'VirtualStorageType', 'AncestorLevel', 'DependencyDeviceName',
      'HostVolumeName', 'DependentVolumeName', 'DependentVolumeRelativePath'].map((field) => koffi.offsetof(ffi.STORAGE_DEPENDENCY_INFO_TYPE_2, field));
    expect(offsets).to.deep.equal([0, 4, 8, 28, 32, 40, 48, 56]);
  });

  it('RM_UNIQUE_PROCESS 12 bytes; RM_PROCESS_INFO 668 bytes: strAppName @12, strServiceShortName @524, then @652, 656, 660, 664', () => {
    expect(koffi.sizeof(ffi.RM_UNIQUE_PROCESS)).to.equal(12);
    expect(koffi.offsetof(ffi.RM_UNIQUE_PROCESS, 'ProcessStartTime')).to.equal(4);
    expect(koffi.sizeof(ffi.RM_PROCESS_INFO)).to.equal(668);
    const offsets = ['strAppName', 'strServiceShortName', 'ApplicationType', 'AppStatus', 'TSSessionId', 'bRestartable']
      .map((field) => koffi.offsetof(ffi.RM_PROCESS_INFO, field));
    expect(offsets).to.deep.equal([12, 524, 652, 656, 660, 664]);
  });

  it('the IOCTL codes are CTL_CODE(type, function, METHOD_BUFFERED, FILE_ANY_ACCESS)', () => {
    const ctl = (type: number, fn: number) => ((type << 16) | (0 << 14) | (fn << 2) | 0) >>> 0;
    expect(sdk.IOCTL_STORAGE_GET_DEVICE_NUMBER).to.equal(ctl(0x2d, 0x0420));
    expect(sdk.IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS).to.equal(ctl(0x56, 0));
    expect(sdk.IOCTL_STORAGE_GET_DEVICE_NUMBER).to.equal(0x002d1080);
    expect(sdk.IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS).to.equal(0x00560000);
  });

  it('the flag values are the SDK header\'s', () => {
    expect([sdk.GET_STORAGE_DEPENDENCY_FLAG_HOST_VOLUMES, sdk.GET_STORAGE_DEPENDENCY_FLAG_PARENTS, sdk.GET_STORAGE_DEPENDENCY_FLAG_DISK_HANDLE]).to.deep.equal([1, 1, 2]);
    expect([sdk.DEPENDENT_DISK_FLAG_READ_ONLY, sdk.DEPENDENT_DISK_FLAG_NO_DRIVE_LETTER, sdk.DEPENDENT_DISK_FLAG_PERMANENT_LIFETIME]).to.deep.equal([4, 0x80, 0x400]);
    expect([sdk.FILE_DEVICE_CD_ROM, sdk.FILE_DEVICE_DISK, sdk.CCH_RM_SESSION_KEY, sdk.CCH_RM_MAX_APP_NAME]).to.deep.equal([2, 7, 32, 255]);
  });
});

describe('declarations of the volume mapping', () => {
  let fake: FakeWindows;
  beforeEach(() => { fake = installFakeWindows(); });
  afterEach(() => fake.restore());

  it('every new function is __stdcall, from the DLL the SDK puts it in', () => {
    const all = ffi.bindings();
    for (const functions of Object.values(all)) for (const name of Object.keys(functions)) void (functions as Record<string, unknown>)[name];
    const dllOf = (name: string) => fake.declarations.find((d) => d.name === name)?.dll;
    for (const name of ['CreateFileW', 'FindFirstVolumeW', 'FindNextVolumeW', 'FindVolumeClose', 'GetVolumePathNamesForVolumeNameW',
      'GetVolumeNameForVolumeMountPointW', 'DeleteVolumeMountPointW', 'GetLogicalDrives', 'DeviceIoControl', 'SetVolumeMountPointW',
      'QueryFullProcessImageNameW', 'OpenProcess']) {
      expect(dllOf(name), name).to.equal('kernel32');
    }
    for (const name of ['GetAllAttachedVirtualDiskPhysicalPaths', 'GetStorageDependencyInformation']) expect(dllOf(name), name).to.equal('virtdisk');
    expect(fake.declarations.every((d) => d.convention === '__stdcall')).to.equal(true);
  });

  it('rstrtmgr.dll is loaded only when the Restart Manager is first asked, and each function on its first use', () => {
    const loaded: string[] = [];
    ffi.setLibraryLoader((dll) => {
      loaded.push(dll);
      return { func: (convention: string, name: string) => { fake.declarations.push({ dll, convention, name }); return fake.fn[name]; } };
    });
    const bindings = ffi.bindings();
    void bindings.kernel32.CloseHandle;
    expect(loaded).to.deep.equal(['kernel32', 'advapi32', 'virtdisk']);
    void bindings.rstrtmgr.RmStartSession;
    void bindings.rstrtmgr.RmEndSession;
    void bindings.rstrtmgr.RmStartSession;
    expect(loaded).to.deep.equal(['kernel32', 'advapi32', 'virtdisk', 'rstrtmgr']);
    expect(fake.declarations.filter((d) => d.dll === 'rstrtmgr').map((d) => d.name)).to.deep.equal(['RmStartSession', 'RmEndSession']);
  });
});
