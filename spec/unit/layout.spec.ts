// Struct layouts against the numbers written down from the current SDK header (um/virtdisk.h,
// 10.0.22000; see shared/reference/virtdisk-layouts-x64.md), never from mingw-w64's or Wine's.
import { expect } from 'chai';
import koffi from 'koffi';
import * as ffi from '../../ffi/index.ts';

const is64 = process.arch === 'x64' || process.arch === 'arm64';

describe('struct layouts (x64 SDK numbers)', () => {
  it('VIRTUAL_STORAGE_TYPE: 20 bytes, aligned 4, VendorId at 4', () => {
    expect(koffi.sizeof(ffi.VIRTUAL_STORAGE_TYPE)).to.equal(20);
    expect(koffi.alignof(ffi.VIRTUAL_STORAGE_TYPE)).to.equal(4);
    expect(koffi.offsetof(ffi.VIRTUAL_STORAGE_TYPE, 'DeviceId')).to.equal(0);
    expect(koffi.offsetof(ffi.VIRTUAL_STORAGE_TYPE, 'VendorId')).to.equal(4);
    expect(koffi.sizeof(ffi.GUID)).to.equal(16);
  });

  it('OPEN_VIRTUAL_DISK_PARAMETERS: 44 bytes, aligned 4, union at 4', () => {
    expect(koffi.sizeof(ffi.OPEN_VIRTUAL_DISK_PARAMETERS)).to.equal(44);
    expect(koffi.alignof(ffi.OPEN_VIRTUAL_DISK_PARAMETERS)).to.equal(4);
    expect(koffi.offsetof(ffi.OPEN_VIRTUAL_DISK_PARAMETERS, 'u')).to.equal(4);
    // Offsets inside the union arms, plus the union's 4: RWDepth@4, GetInfoOnly@4, ReadOnly@8,
    // ResiliencyGuid@12, SnapshotId@28.
    expect(koffi.offsetof(ffi.OPEN_VIRTUAL_DISK_PARAMETERS_VERSION1, 'RWDepth')).to.equal(0);
    expect(koffi.offsetof(ffi.OPEN_VIRTUAL_DISK_PARAMETERS_VERSION2, 'GetInfoOnly')).to.equal(0);
    expect(koffi.offsetof(ffi.OPEN_VIRTUAL_DISK_PARAMETERS_VERSION2, 'ReadOnly')).to.equal(4);
    expect(koffi.offsetof(ffi.OPEN_VIRTUAL_DISK_PARAMETERS_VERSION2, 'ResiliencyGuid')).to.equal(8);
    expect(koffi.offsetof(ffi.OPEN_VIRTUAL_DISK_PARAMETERS_VERSION3, 'SnapshotId')).to.equal(24);
  });

  it('ATTACH_VIRTUAL_DISK_PARAMETERS: 24 bytes, aligned 8, union at 8 (it holds ULONGLONGs)', () => {
    expect(koffi.sizeof(ffi.ATTACH_VIRTUAL_DISK_PARAMETERS)).to.equal(24);
    expect(koffi.alignof(ffi.ATTACH_VIRTUAL_DISK_PARAMETERS)).to.equal(8);
    expect(koffi.offsetof(ffi.ATTACH_VIRTUAL_DISK_PARAMETERS, 'u')).to.equal(8);
    expect(koffi.offsetof(ffi.ATTACH_VIRTUAL_DISK_PARAMETERS_VERSION1, 'Reserved')).to.equal(0);
    expect(koffi.offsetof(ffi.ATTACH_VIRTUAL_DISK_PARAMETERS_VERSION2, 'RestrictedOffset')).to.equal(0);
    expect(koffi.offsetof(ffi.ATTACH_VIRTUAL_DISK_PARAMETERS_VERSION2, 'RestrictedLength')).to.equal(8);
  });

  it('encodes version 2 attach parameters with the range at bytes 8 and 16', () => {
    const bytes = Buffer.alloc(24, 0xee);
    koffi.encode(bytes, ffi.ATTACH_VIRTUAL_DISK_PARAMETERS, {
      Version: 2, u: { Version2: { RestrictedOffset: 4096n, RestrictedLength: 1n << 33n } },
    });
    expect(bytes.readUInt32LE(0)).to.equal(2);
    expect(bytes.readBigUInt64LE(8)).to.equal(4096n);
    expect(bytes.readBigUInt64LE(16)).to.equal(1n << 33n);
  });

  it('encodes version 2 open parameters with ReadOnly at byte 8', () => {
    const bytes = Buffer.alloc(44, 0xee);
    koffi.encode(bytes, ffi.OPEN_VIRTUAL_DISK_PARAMETERS, {
      Version: 2, u: { Version2: { GetInfoOnly: 0, ReadOnly: 1, ResiliencyGuid: ffi.VIRTUAL_STORAGE_TYPE_VENDOR_UNKNOWN } },
    });
    expect(bytes.readUInt32LE(0)).to.equal(2);
    expect(bytes.readUInt32LE(4)).to.equal(0);
    expect(bytes.readUInt32LE(8)).to.equal(1);
  });

  it('encodes the Microsoft vendor GUID {EC984AEC-A0F9-47E9-901F-71415A66345B}', () => {
    const bytes = Buffer.alloc(20);
    koffi.encode(bytes, ffi.VIRTUAL_STORAGE_TYPE, { DeviceId: 3, VendorId: ffi.VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT });
    expect(bytes.toString('hex')).to.equal('03000000' + 'ec4a98ec' + 'f9a0' + 'e947' + '901f71415a66345b');
  });

  it('HANDLE and PSECURITY_DESCRIPTOR are pointer-sized', () => {
    expect(koffi.sizeof(ffi.HANDLE)).to.equal(is64 ? 8 : 4);
    expect(koffi.sizeof(ffi.PSECURITY_DESCRIPTOR)).to.equal(is64 ? 8 : 4);
  });
});
