// The lifecycle structs' layouts against the compiler's numbers for the current SDK header
// (shared/reference/virtdisk-layouts-x64-full.txt; never mingw-w64's header, which lacks
// PhysicalSectorSizeInBytes and so puts every later CREATE field 8 bytes early).
import { expect } from 'chai';
import koffi from 'koffi';
import * as ffi from '../../ffi/index.ts';

/** Encodes `value` into a 0xEE-filled buffer of the struct's size: the bytes the DLL reads. */
function bytesOf(type: Parameters<typeof koffi.sizeof>[0], value: unknown): Buffer {
  const bytes = Buffer.alloc(koffi.sizeof(type), 0xee);
  koffi.encode(bytes, type, value);
  return bytes;
}

const ZERO_GUID = ffi.VIRTUAL_STORAGE_TYPE_VENDOR_UNKNOWN;
const storage = (DeviceId: number) => ({ DeviceId, VendorId: ffi.VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT });

describe('struct layouts of the lifecycle functions (x64 SDK numbers)', () => {
  it('sizes, alignments and union offsets', () => {
    const expected: Array<[string, unknown, number, number, number | undefined]> = [
      ['CREATE_VIRTUAL_DISK_PARAMETERS', ffi.CREATE_VIRTUAL_DISK_PARAMETERS, 184, 8, 8],
      ['GET_VIRTUAL_DISK_INFO', ffi.GET_VIRTUAL_DISK_INFO, 32, 8, 8],
      ['SET_VIRTUAL_DISK_INFO', ffi.SET_VIRTUAL_DISK_INFO, 32, 8, 8],
      ['VIRTUAL_DISK_PROGRESS', ffi.VIRTUAL_DISK_PROGRESS, 24, 8, undefined],
      ['EXPAND_VIRTUAL_DISK_PARAMETERS', ffi.EXPAND_VIRTUAL_DISK_PARAMETERS, 16, 8, 8],
      ['RESIZE_VIRTUAL_DISK_PARAMETERS', ffi.RESIZE_VIRTUAL_DISK_PARAMETERS, 16, 8, 8],
      ['COMPACT_VIRTUAL_DISK_PARAMETERS', ffi.COMPACT_VIRTUAL_DISK_PARAMETERS, 8, 4, 4],
      ['MERGE_VIRTUAL_DISK_PARAMETERS', ffi.MERGE_VIRTUAL_DISK_PARAMETERS, 12, 4, 4],
      ['OVERLAPPED', ffi.OVERLAPPED, 32, 8, 16],
    ];
    for (const [name, type, size, align, unionAt] of expected) {
      const t = type as Parameters<typeof koffi.sizeof>[0];
      expect(koffi.sizeof(t), `${name} size`).to.equal(size);
      expect(koffi.alignof(t), `${name} alignment`).to.equal(align);
      if (unionAt !== undefined) expect(koffi.offsetof(t, 'u'), `${name} union`).to.equal(unionAt);
    }
    expect(koffi.offsetof(ffi.OVERLAPPED, 'hEvent')).to.equal(24);
    expect(koffi.offsetof(ffi.VIRTUAL_DISK_PROGRESS, 'CurrentValue')).to.equal(8);
    expect(koffi.offsetof(ffi.VIRTUAL_DISK_PROGRESS, 'CompletionValue')).to.equal(16);
  });

  it('CREATE version 2: PhysicalSectorSizeInBytes at 40, the paths at 48 and 56, OpenFlags at 64, storage types at 68 and 88, ResiliencyGuid at 108', () => {
    const bytes = bytesOf(ffi.CREATE_VIRTUAL_DISK_PARAMETERS, {
      Version: 2,
      u: {
        Version2: {
          UniqueId: { Data1: 0x11223344, Data2: 0x5566, Data3: 0x7788, Data4: [1, 2, 3, 4, 5, 6, 7, 8] },
          MaximumSize: 1n << 36n, BlockSizeInBytes: 0x2000000, SectorSizeInBytes: 512, PhysicalSectorSizeInBytes: 4096,
          ParentPath: 0x1234_5678_9abcn, SourcePath: null, OpenFlags: 0x40,
          ParentVirtualStorageType: storage(3), SourceVirtualStorageType: storage(2), ResiliencyGuid: ZERO_GUID,
        },
      },
    });
    expect(bytes.readUInt32LE(0)).to.equal(2);
    expect(bytes.readUInt32LE(8)).to.equal(0x11223344);
    expect(bytes.readBigUInt64LE(24)).to.equal(1n << 36n);
    expect(bytes.readUInt32LE(32)).to.equal(0x2000000);
    expect(bytes.readUInt32LE(36)).to.equal(512);
    expect(bytes.readUInt32LE(40)).to.equal(4096);
    expect(bytes.readBigUInt64LE(48)).to.equal(0x1234_5678_9abcn);
    expect(bytes.readBigUInt64LE(56)).to.equal(0n);
    expect(bytes.readUInt32LE(64)).to.equal(0x40);
    expect(bytes.readUInt32LE(68)).to.equal(3);
    expect(bytes.readUInt32LE(88)).to.equal(2);
    expect(bytes.subarray(108, 124).equals(Buffer.alloc(16))).to.equal(true);
  });

  it('RESIZE NewSize at 8; MERGE version 2 depths at 4 and 8; COMPACT Reserved at 4', () => {
    expect(bytesOf(ffi.RESIZE_VIRTUAL_DISK_PARAMETERS, { Version: 1, u: { Version1: { NewSize: 5n << 30n } } }).readBigUInt64LE(8)).to.equal(5n << 30n);
    const merge = bytesOf(ffi.MERGE_VIRTUAL_DISK_PARAMETERS, { Version: 2, u: { Version2: { MergeSourceDepth: 1, MergeTargetDepth: 2 } } });
    expect([merge.readUInt32LE(0), merge.readUInt32LE(4), merge.readUInt32LE(8)]).to.deep.equal([2, 1, 2]);
    const compact = bytesOf(ffi.COMPACT_VIRTUAL_DISK_PARAMETERS, { Version: 1, u: { Version1: { Reserved: 0 } } });
    expect([compact.readUInt32LE(0), compact.readUInt32LE(4)]).to.deep.equal([1, 0]);
  });

  it('SET_VIRTUAL_DISK_INFO: the union at 8; PARENT_PATH_WITH_DEPTH has ChildDepth at 8 and the path pointer at 16', () => {
    const withDepth = koffi.sizeof(ffi.SET_VIRTUAL_DISK_INFO);
    expect(withDepth).to.equal(32);
    const bytes = bytesOf(ffi.SET_VIRTUAL_DISK_INFO, { Version: 4, u: { VhdPhysicalSectorSize: 4096 } });
    expect([bytes.readUInt32LE(0), bytes.readUInt32LE(8)]).to.deep.equal([4, 4096]);
  });
});
