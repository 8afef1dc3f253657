// The disk layer's structs against the SDK's x64 numbers (um/winioctl.h 10.0.22000, as MSVC lays them out:
// a union is aligned to its widest member, so it sits at 4 in CREATE_DISK and at 8 or 32 where it holds a
// LARGE_INTEGER or DWORD64).
import { expect } from 'chai';
import koffi from 'koffi';
import * as ffi from '../../ffi/index.ts';

const offsets = (type: Parameters<typeof koffi.offsetof>[0], fields: string[]) => fields.map((field) => koffi.offsetof(type, field));

describe('struct layouts of the disk layer (x64 SDK numbers)', () => {
  it('CREATE_DISK: 24 bytes, the union at 4; CREATE_DISK_GPT 20 bytes (MaxPartitionCount @16)', () => {
    expect(koffi.sizeof(ffi.CREATE_DISK)).to.equal(24);
    expect(koffi.offsetof(ffi.CREATE_DISK, 'u')).to.equal(4);
    expect(koffi.sizeof(ffi.CREATE_DISK_GPT)).to.equal(20);
    expect(koffi.offsetof(ffi.CREATE_DISK_GPT, 'MaxPartitionCount')).to.equal(16);
  });

  it('PARTITION_INFORMATION_EX: 144 bytes; StartingOffset @8, PartitionLength @16, PartitionNumber @24, RewritePartition @28, IsServicePartition @29, union @32', () => {
    expect(koffi.sizeof(ffi.PARTITION_INFORMATION_EX)).to.equal(144);
    expect(offsets(ffi.PARTITION_INFORMATION_EX, ['StartingOffset', 'PartitionLength', 'PartitionNumber', 'RewritePartition', 'IsServicePartition', 'u']))
      .to.deep.equal([8, 16, 24, 28, 29, 32]);
  });

  it('PARTITION_INFORMATION_GPT: 112 bytes (PartitionId @16, Attributes @32, Name @40); _MBR: 24 bytes (HiddenSectors @4, PartitionId @8)', () => {
    expect(koffi.sizeof(ffi.PARTITION_INFORMATION_GPT)).to.equal(112);
    expect(offsets(ffi.PARTITION_INFORMATION_GPT, ['PartitionId', 'Attributes', 'Name'])).to.deep.equal([16, 32, 40]);
    expect(koffi.sizeof(ffi.PARTITION_INFORMATION_MBR)).to.equal(24);
    expect(offsets(ffi.PARTITION_INFORMATION_MBR, ['BootIndicator', 'RecognizedPartition', 'HiddenSectors', 'PartitionId'])).to.deep.equal([1, 2, 4, 8]);
  });

  it('DRIVE_LAYOUT_INFORMATION_EX: the union at 8 (40 bytes: GPT StartingUsableOffset @16, UsableLength @24, MaxPartitionCount @32), entries at 48', () => {
    expect(koffi.offsetof(ffi.DRIVE_LAYOUT_INFORMATION_EX, 'u')).to.equal(8);
    expect(koffi.sizeof(ffi.DRIVE_LAYOUT_INFORMATION_GPT)).to.equal(40);
    expect(offsets(ffi.DRIVE_LAYOUT_INFORMATION_GPT, ['StartingUsableOffset', 'UsableLength', 'MaxPartitionCount'])).to.deep.equal([16, 24, 32]);
    expect(koffi.sizeof(ffi.DRIVE_LAYOUT_INFORMATION_MBR)).to.equal(8);
    expect(koffi.offsetof(ffi.DRIVE_LAYOUT_INFORMATION_EX, 'PartitionEntry')).to.equal(ffi.DRIVE_LAYOUT_ENTRIES_OFFSET).and.equal(48);
    expect(koffi.sizeof(ffi.DRIVE_LAYOUT_INFORMATION_EX)).to.equal(48 + 144);
  });

  it('GET_DISK_ATTRIBUTES 16 bytes (Attributes @8); SET_DISK_ATTRIBUTES 40 bytes (Persist @4, Attributes @8, AttributesMask @16, Reserved2 @24)', () => {
    expect(koffi.sizeof(ffi.GET_DISK_ATTRIBUTES)).to.equal(16).and.equal(ffi.GET_DISK_ATTRIBUTES_VERSION);
    expect(koffi.offsetof(ffi.GET_DISK_ATTRIBUTES, 'Attributes')).to.equal(8);
    expect(koffi.sizeof(ffi.SET_DISK_ATTRIBUTES)).to.equal(40).and.equal(ffi.SET_DISK_ATTRIBUTES_VERSION);
    expect(offsets(ffi.SET_DISK_ATTRIBUTES, ['Persist', 'Attributes', 'AttributesMask', 'Reserved2'])).to.deep.equal([4, 8, 16, 24]);
  });

  it('DISK_GEOMETRY 24 bytes (BytesPerSector @20); DISK_GEOMETRY_EX: DiskSize @24, Data @32; GET_LENGTH_INFORMATION 8 bytes', () => {
    expect(koffi.sizeof(ffi.DISK_GEOMETRY)).to.equal(24);
    expect(koffi.offsetof(ffi.DISK_GEOMETRY, 'BytesPerSector')).to.equal(20);
    expect(offsets(ffi.DISK_GEOMETRY_EX, ['DiskSize', 'Data'])).to.deep.equal([24, 32]);
    expect(koffi.sizeof(ffi.GET_LENGTH_INFORMATION)).to.equal(8);
  });

  it('the IOCTL codes are CTL_CODE(FILE_DEVICE_DISK, function, METHOD_BUFFERED, access) of winioctl.h / ntddisk.h', () => {
    const ctl = (fn: number, access: number) => ((7 << 16) | (access << 14) | (fn << 2)) >>> 0;
    expect([ffi.IOCTL_DISK_GET_DRIVE_LAYOUT_EX, ffi.IOCTL_DISK_SET_DRIVE_LAYOUT_EX, ffi.IOCTL_DISK_CREATE_DISK, ffi.IOCTL_DISK_GET_LENGTH_INFO,
      ffi.IOCTL_DISK_GET_DRIVE_GEOMETRY_EX, ffi.IOCTL_DISK_GET_DISK_ATTRIBUTES, ffi.IOCTL_DISK_SET_DISK_ATTRIBUTES, ffi.IOCTL_DISK_UPDATE_PROPERTIES,
      ffi.IOCTL_DISK_ARE_VOLUMES_READY, ffi.IOCTL_DISK_DELETE_DRIVE_LAYOUT])
      .to.deep.equal([ctl(0x14, 0), ctl(0x15, 3), ctl(0x16, 3), ctl(0x17, 1), ctl(0x28, 0), ctl(0x3c, 0), ctl(0x3d, 3), ctl(0x50, 0), ctl(0x87, 1), ctl(0x40, 3)]);
  });
});
