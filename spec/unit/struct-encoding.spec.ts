// The dry run's struct bytes (lib/struct-encoding.ts, no koffi) against koffi's own encoding of the same values
// through the ffi declarations the real calls use: byte for byte, for random values (fast-check), so the two
// cannot drift apart. Pointer members: koffi gets NULL, the dry run writes 0 and keeps the text.
import { expect } from 'chai';
import fc from 'fast-check';
import koffi from 'koffi';
import * as ffi from '../../ffi/index.ts';
import {
  encodeAttachVirtualDiskParameters, encodeCompactVirtualDiskParameters, encodeCreateVirtualDiskParameters,
  encodeGetVirtualDiskInfoRequest, encodeMergeVirtualDiskParameters, encodeOpenVirtualDiskParameters,
  encodeResizeVirtualDiskParameters, encodeVirtualStorageType, type EncodedStruct,
} from '../../lib/index.ts';

const uint32 = fc.integer({ min: 0, max: 0xffffffff });
const uint64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const bool = fc.constantFrom(0, 1);
const guid = fc.record({
  Data1: uint32, Data2: fc.integer({ min: 0, max: 0xffff }), Data3: fc.integer({ min: 0, max: 0xffff }),
  Data4: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 8, maxLength: 8 }),
});
const storageType = fc.record({ DeviceId: uint32, VendorId: guid });

function koffiBytes(type: unknown, value: unknown): string {
  const bytes = Buffer.alloc(koffi.sizeof(type as never));
  koffi.encode(bytes, type as never, value);
  return bytes.toString('hex');
}

function expectSame(encoded: EncodedStruct, type: unknown, value: unknown): void {
  expect(encoded.size, `${encoded.type}: sizeof`).to.equal(koffi.sizeof(type as never));
  expect(encoded.hex, encoded.type).to.equal(koffiBytes(type, value));
}

describe('struct encoding without koffi = koffi\'s encoding through the ffi declarations', () => {
  it('VIRTUAL_STORAGE_TYPE', () => fc.assert(fc.property(storageType, (value) => {
    expectSame(encodeVirtualStorageType(value), ffi.VIRTUAL_STORAGE_TYPE, value);
  })));

  it('OPEN_VIRTUAL_DISK_PARAMETERS, versions 1, 2 and 3', () => fc.assert(fc.property(
    fc.oneof(
      fc.record({ Version: fc.constant(1 as const), u: fc.record({ Version1: fc.record({ RWDepth: uint32 }) }) }),
      fc.record({ Version: fc.constant(2 as const), u: fc.record({ Version2: fc.record({ GetInfoOnly: bool, ReadOnly: bool, ResiliencyGuid: guid }) }) }),
      fc.record({ Version: fc.constant(3 as const), u: fc.record({ Version3: fc.record({ GetInfoOnly: bool, ReadOnly: bool, ResiliencyGuid: guid, SnapshotId: guid }) }) }),
    ),
    (value) => expectSame(encodeOpenVirtualDiskParameters(value), ffi.OPEN_VIRTUAL_DISK_PARAMETERS, value),
  )));

  it('ATTACH_VIRTUAL_DISK_PARAMETERS, versions 1 and 2', () => fc.assert(fc.property(
    fc.oneof(
      fc.record({ Version: fc.constant(1 as const), u: fc.record({ Version1: fc.record({ Reserved: uint32 }) }) }),
      fc.record({ Version: fc.constant(2 as const), u: fc.record({ Version2: fc.record({ RestrictedOffset: uint64, RestrictedLength: uint64 }) }) }),
    ),
    (value) => expectSame(encodeAttachVirtualDiskParameters(value), ffi.ATTACH_VIRTUAL_DISK_PARAMETERS, value),
  )));

  const createVersion2 = fc.record({
    UniqueId: guid, MaximumSize: uint64, BlockSizeInBytes: uint32, SectorSizeInBytes: uint32, PhysicalSectorSizeInBytes: uint32,
    OpenFlags: uint32, ParentVirtualStorageType: storageType, SourceVirtualStorageType: storageType, ResiliencyGuid: guid,
  });

  it('CREATE_VIRTUAL_DISK_PARAMETERS version 2 (184 bytes), pointers NULL', () => fc.assert(fc.property(createVersion2, (fields) => {
    const encoded = encodeCreateVirtualDiskParameters({ Version: 2, Version2: { ...fields, ParentPath: null, SourcePath: null } });
    expectSame(encoded, ffi.CREATE_VIRTUAL_DISK_PARAMETERS, { Version: 2, u: { Version2: { ...fields, ParentPath: null, SourcePath: null } } });
  })));

  it('CREATE_VIRTUAL_DISK_PARAMETERS: a path member is 8 bytes of 0 at its offset and carries its text', () => fc.assert(fc.property(createVersion2, fc.string({ minLength: 1 }), (fields, text) => {
    const encoded = encodeCreateVirtualDiskParameters({ Version: 2, Version2: { ...fields, ParentPath: text, SourcePath: `${text}.src` } });
    expect(encoded.hex).to.equal(koffiBytes(ffi.CREATE_VIRTUAL_DISK_PARAMETERS, { Version: 2, u: { Version2: { ...fields, ParentPath: null, SourcePath: null } } }));
    const parent = encoded.fields.find((field) => field.name === 'Version2.ParentPath');
    const source = encoded.fields.find((field) => field.name === 'Version2.SourcePath');
    expect(parent).to.include({ offset: 48, size: 8, type: 'PCWSTR', value: text });
    expect(source).to.include({ offset: 56, size: 8, type: 'PCWSTR', value: `${text}.src` });
  })));

  it('RESIZE_VIRTUAL_DISK_PARAMETERS', () => fc.assert(fc.property(uint64, (NewSize) => {
    const value = { Version: 1 as const, u: { Version1: { NewSize } } };
    expectSame(encodeResizeVirtualDiskParameters(value), ffi.RESIZE_VIRTUAL_DISK_PARAMETERS, value);
  })));

  it('COMPACT_VIRTUAL_DISK_PARAMETERS', () => fc.assert(fc.property(uint32, (Reserved) => {
    const value = { Version: 1 as const, u: { Version1: { Reserved } } };
    expectSame(encodeCompactVirtualDiskParameters(value), ffi.COMPACT_VIRTUAL_DISK_PARAMETERS, value);
  })));

  it('MERGE_VIRTUAL_DISK_PARAMETERS, versions 1 and 2', () => fc.assert(fc.property(
    fc.oneof(
      fc.record({ Version: fc.constant(1 as const), u: fc.record({ Version1: fc.record({ MergeDepth: uint32 }) }) }),
      fc.record({ Version: fc.constant(2 as const), u: fc.record({ Version2: fc.record({ MergeSourceDepth: uint32, MergeTargetDepth: uint32 }) }) }),
    ),
    (value) => expectSame(encodeMergeVirtualDiskParameters(value), ffi.MERGE_VIRTUAL_DISK_PARAMETERS, value),
  )));

  it('GET_VIRTUAL_DISK_INFO as handed over: Version at 0, 32 bytes', () => fc.assert(fc.property(fc.integer({ min: 1, max: 15 }), (version) => {
    expectSame(encodeGetVirtualDiskInfoRequest(version), ffi.GET_VIRTUAL_DISK_INFO, { Version: version, u: { ParentTimestamp: 0 } });
  })));

  it('every member sits at the offset the SDK reference lists', () => {
    const encoded = encodeCreateVirtualDiskParameters({
      Version: 2, Version2: {
        UniqueId: ffi.VIRTUAL_STORAGE_TYPE_VENDOR_UNKNOWN, MaximumSize: 1n, BlockSizeInBytes: 0, SectorSizeInBytes: 0, PhysicalSectorSizeInBytes: 0,
        ParentPath: null, SourcePath: null, OpenFlags: 0, ParentVirtualStorageType: { DeviceId: 0, VendorId: ffi.VIRTUAL_STORAGE_TYPE_VENDOR_UNKNOWN },
        SourceVirtualStorageType: { DeviceId: 0, VendorId: ffi.VIRTUAL_STORAGE_TYPE_VENDOR_UNKNOWN }, ResiliencyGuid: ffi.VIRTUAL_STORAGE_TYPE_VENDOR_UNKNOWN,
      },
    });
    // shared/reference/virtdisk-layouts-x64-full.txt, CREATE_VIRTUAL_DISK_PARAMETERS Version2.*
    expect(Object.fromEntries(encoded.fields.map((field) => [field.name, field.offset]))).to.deep.equal({
      Version: 0, 'Version2.UniqueId': 8, 'Version2.MaximumSize': 24, 'Version2.BlockSizeInBytes': 32, 'Version2.SectorSizeInBytes': 36,
      'Version2.PhysicalSectorSizeInBytes': 40, 'Version2.ParentPath': 48, 'Version2.SourcePath': 56, 'Version2.OpenFlags': 64,
      'Version2.ParentVirtualStorageType.DeviceId': 68, 'Version2.ParentVirtualStorageType.VendorId': 72,
      'Version2.SourceVirtualStorageType.DeviceId': 88, 'Version2.SourceVirtualStorageType.VendorId': 92, 'Version2.ResiliencyGuid': 108,
    });
  });
});
