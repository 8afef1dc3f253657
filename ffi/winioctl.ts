// Structs of um/winioctl.h (SDK 10.0.22000): the volume mapping's (the output of IOCTL_STORAGE_GET_DEVICE_NUMBER
// and IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS) and the disk layer's (DeviceIoControl: ioapiset.ts).
// Anonymous koffi types, as in types.ts.
import koffi from 'koffi';
import { GUID, type GuidValue } from './types.ts';

export const STORAGE_DEVICE_NUMBER = koffi.struct({
  DeviceType: 'uint32', // DEVICE_TYPE: FILE_DEVICE_DISK 7, FILE_DEVICE_CD_ROM 2
  DeviceNumber: 'uint32',
  PartitionNumber: 'uint32', // (DWORD)-1 when the device cannot be partitioned
});

export const DISK_EXTENT = koffi.struct({
  DiskNumber: 'uint32',
  StartingOffset: 'int64', // LARGE_INTEGER
  ExtentLength: 'int64',
});

/** The SDK declares Extents[ANYSIZE_ARRAY]: N extents take 8 + 24·N bytes; sizeof is that of one. */
export const VOLUME_DISK_EXTENTS = koffi.struct({
  NumberOfDiskExtents: 'uint32',
  Extents: koffi.array(DISK_EXTENT, 1),
});

export interface StorageDeviceNumberValue {
  DeviceType: number;
  DeviceNumber: number;
  PartitionNumber: number;
}
export interface DiskExtentValue {
  DiskNumber: number;
  StartingOffset: bigint | number;
  ExtentLength: bigint | number;
}

// ——— The disk layer: IOCTL_DISK_CREATE_DISK, _GET/_SET_DRIVE_LAYOUT_EX, _GET/_SET_DISK_ATTRIBUTES,
// _GET_DRIVE_GEOMETRY_EX, _GET_LENGTH_INFO (um/winioctl.h, 10.0.22000; the unions are the SDK's anonymous
// DUMMYUNIONNAME, named `u` as in types.ts). Sizes and offsets: spec/unit/layout-disk.spec.ts.
export const CREATE_DISK_GPT = koffi.struct({
  DiskId: GUID,
  MaxPartitionCount: 'uint32',
});
export const CREATE_DISK_MBR = koffi.struct({
  Signature: 'uint32',
});
/** 24 bytes: PartitionStyle, then the union at 4 (it holds no 64-bit field). */
export const CREATE_DISK = koffi.struct({
  PartitionStyle: 'uint32', // PARTITION_STYLE
  u: koffi.union({ Mbr: CREATE_DISK_MBR, Gpt: CREATE_DISK_GPT }),
});

/** PartitionId is there from NTDDI_WINBLUE on (24 bytes). */
export const PARTITION_INFORMATION_MBR = koffi.struct({
  PartitionType: 'uint8',
  BootIndicator: 'uint8', // BOOLEAN
  RecognizedPartition: 'uint8', // BOOLEAN
  HiddenSectors: 'uint32',
  PartitionId: GUID,
});
/** 112 bytes. */
export const PARTITION_INFORMATION_GPT = koffi.struct({
  PartitionType: GUID,
  PartitionId: GUID,
  Attributes: 'uint64',
  Name: koffi.array('char16_t', 36, 'Array'),
});
/** 144 bytes: the union at 32 (it holds a 64-bit field). IsServicePartition is there from NTDDI_WIN10_RS3 on. */
export const PARTITION_INFORMATION_EX = koffi.struct({
  PartitionStyle: 'uint32',
  StartingOffset: 'int64', // LARGE_INTEGER
  PartitionLength: 'int64',
  PartitionNumber: 'uint32',
  RewritePartition: 'uint8', // BOOLEAN
  IsServicePartition: 'uint8', // BOOLEAN
  u: koffi.union({ Mbr: PARTITION_INFORMATION_MBR, Gpt: PARTITION_INFORMATION_GPT }),
});

/** CheckSum is there from NTDDI_WIN10_RS1 on. */
export const DRIVE_LAYOUT_INFORMATION_MBR = koffi.struct({
  Signature: 'uint32',
  CheckSum: 'uint32',
});
/** 40 bytes. */
export const DRIVE_LAYOUT_INFORMATION_GPT = koffi.struct({
  DiskId: GUID,
  StartingUsableOffset: 'int64',
  UsableLength: 'int64',
  MaxPartitionCount: 'uint32',
});
/**
 * The header of DRIVE_LAYOUT_INFORMATION_EX: the SDK declares PartitionEntry[1] at 48; N entries take
 * 48 + 144·N bytes (DRIVE_LAYOUT_ENTRIES_OFFSET, sizeof PARTITION_INFORMATION_EX each).
 */
export const DRIVE_LAYOUT_INFORMATION_EX = koffi.struct({
  PartitionStyle: 'uint32',
  PartitionCount: 'uint32',
  u: koffi.union({ Mbr: DRIVE_LAYOUT_INFORMATION_MBR, Gpt: DRIVE_LAYOUT_INFORMATION_GPT }),
  PartitionEntry: koffi.array(PARTITION_INFORMATION_EX, 1),
});

export const GET_DISK_ATTRIBUTES = koffi.struct({
  Version: 'uint32',
  Reserved1: 'uint32',
  Attributes: 'uint64',
});
export const SET_DISK_ATTRIBUTES = koffi.struct({
  Version: 'uint32',
  Persist: 'uint8', // BOOLEAN
  Reserved1: koffi.array('uint8', 3),
  Attributes: 'uint64',
  AttributesMask: 'uint64',
  Reserved2: koffi.array('uint32', 4),
});

export const DISK_GEOMETRY = koffi.struct({
  Cylinders: 'int64',
  MediaType: 'uint32', // MEDIA_TYPE: FixedMedia 12
  TracksPerCylinder: 'uint32',
  SectorsPerTrack: 'uint32',
  BytesPerSector: 'uint32',
});
/** Data[1] is followed by DISK_PARTITION_INFO and DISK_DETECTION_INFO when the output has room. */
export const DISK_GEOMETRY_EX = koffi.struct({
  Geometry: DISK_GEOMETRY,
  DiskSize: 'int64',
  Data: koffi.array('uint8', 1),
});
export const GET_LENGTH_INFORMATION = koffi.struct({
  Length: 'int64',
});

export interface PartitionInformationMbrValue {
  PartitionType: number;
  BootIndicator: number;
  RecognizedPartition: number;
  HiddenSectors: number;
  PartitionId: GuidValue;
}
export interface PartitionInformationGptValue {
  PartitionType: GuidValue;
  PartitionId: GuidValue;
  Attributes: bigint | number;
  Name: string[] | number[] | string;
}
export interface PartitionInformationExValue {
  PartitionStyle: number;
  StartingOffset: bigint | number;
  PartitionLength: bigint | number;
  PartitionNumber: number;
  RewritePartition: number;
  IsServicePartition: number;
  u: { Mbr: PartitionInformationMbrValue; Gpt: PartitionInformationGptValue };
}
export interface DriveLayoutHeaderValue {
  PartitionStyle: number;
  PartitionCount: number;
  u: {
    Mbr: { Signature: number; CheckSum: number };
    Gpt: { DiskId: GuidValue; StartingUsableOffset: bigint | number; UsableLength: bigint | number; MaxPartitionCount: number };
  };
}
export interface GetDiskAttributesValue {
  Version: number;
  Reserved1: number;
  Attributes: bigint | number;
}
export interface DiskGeometryExValue {
  Geometry: { Cylinders: bigint | number; MediaType: number; TracksPerCylinder: number; SectorsPerTrack: number; BytesPerSector: number };
  DiskSize: bigint | number;
}
